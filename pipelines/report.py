"""`yingshang report`: the county's report for a month (月调度), a quarter (季考核), a
half-year or a year, from data.

It opens with 数据摘要, the summary's data sentences written from the figures
(pipelines.summary). Sections mirror the county's own summary. Every figure is read from
marts.indicators by a query printed beside it; every domain states its coverage
(months with data, files, as-of dates, from marts.coverage), names every month
its export never delivered (a gap) in its coverage and beside each figure the gap
leaves short, and flags quarantined rows its figures leave out. Charts are SVG whose text the browser renders, so Chinese labels show
in any browser with a Chinese font. A monthly or quarterly report gives each
figure for the month or quarter itself beside the year to date, and its charts run
from January. With a targets file (assets.targets) each figure stands beside its
target and its status.
"""

from __future__ import annotations

import io
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
from jinja2 import Environment

from assets.exports import EXPORTS
from assets.indicators import BY_NAME, SECTIONS, section_indicators, section_kind
from assets.targets import load_targets, read_targets, status
from pipelines.revisions import mark_revised
from pipelines.summary import half_up, sentence

# Sections, their indicators and the Chinese labels come from the declarations
# (assets.indicators, the export vocabularies): nothing here names a mode or result.
RESULT_LABELS = EXPORTS["inspections"].field("result").labels


PERIOD_KINDS = {"M": "month", "Q": "quarter", "H": "half", None: "year"}
# What the county calls the report of each kind of period.
PERIOD_ZH = {"month": "月调度", "quarter": "季考核", "half": "半年", "year": "年度"}


def period_kind(text: str) -> str:
    """month (2023-05), quarter (2023-Q2), half (2023-H1) or year (2023)."""
    m = re.fullmatch(r"\d{4}(?:-(H|Q)\d|-(\d{1,2}))?", text.strip().upper())
    if not m:
        raise ValueError(f"period must look like 2023-05, 2023-Q2, 2023-H1 or 2023, got {text!r}")
    return PERIOD_KINDS["M" if m.group(2) else m.group(1)]


def parse_period(text: str) -> tuple[date, date]:
    """2023-05 (a month), 2023-Q3, 2023-H1 or 2023."""
    period_kind(text)
    m = re.fullmatch(r"(\d{4})(?:-(H|Q)?(\d{1,2}))?", text.strip().upper())
    year = int(m.group(1))
    if not m.group(3):
        return date(year, 1, 1), date(year, 12, 31)
    n = int(m.group(3))
    months = {"H": 6, "Q": 3, None: 1}[m.group(2)]
    if not 1 <= n <= 12 // months:
        raise ValueError(f"no {m.group(2) or 'month '}{n} in a year")
    first = (n - 1) * months + 1
    last = first + months - 1
    end = date(year + (last == 12), last % 12 + 1, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)


@dataclass
class Figure:
    indicator: str
    zh: str
    value: Decimal | None
    unit: str
    period_end: date | None
    sql: str
    missing_months: str = ""  # gaps within the figure's period: it is short
    # A monthly or quarterly report: the figure for the month or quarter itself.
    period_value: Decimal | None = None
    period_sql: str = ""
    period_note: str = ""  # why there is no period value
    target: Decimal | None = None
    better: str = ""
    status: str | None = None
    revised: bool = False  # the last release changed it (修订): pipelines.revisions
    previous: Decimal | None = None  # what the release before had

    @property
    def complete(self) -> bool:
        return not self.missing_months


@dataclass
class Section:
    title: str  # the summary's heading; consecutive sections with one title are its parts
    en: str
    figures: list[Figure]
    coverage: dict
    chart_svg: str
    chart_caption: str
    warnings: list[str] = field(default_factory=list)


def _sql_literal(v) -> str:
    return f"'{v}'" if isinstance(v, str | date) else str(v)


def _figure(conn, county: str, indicator: str, as_of: date | None) -> Figure:
    sql = (
        "SELECT value, unit, indicator_zh, missing_months FROM marts.indicators\n"
        f"WHERE county_code = {_sql_literal(county)} AND indicator = {_sql_literal(indicator)}"
        f" AND period_end = {_sql_literal(as_of)}"
    )
    row = conn.execute(sql).fetchone() if as_of else None
    d = BY_NAME[indicator]
    return Figure(indicator, d.zh, row[0] if row else None, d.unit, as_of, sql, row[3] if row else "")


def _of_county(conn, schema: str, table: str, county: str) -> str:
    """The county's rows of a ledger table: a province file's ledger and quarantine
    carry county_code (assets/province.py), one county's do not need it."""
    has = conn.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND column_name = 'county_code'", [schema, table],
    ).fetchone()[0]
    return f" AND county_code = {_sql_literal(county)}" if has else ""


def _month_end_before(d: date) -> date:
    return d.replace(day=1) - timedelta(days=1)


def _period_value(conn, county: str, f: Figure, start: date) -> None:
    """The figure for the period itself: the year to date at its as-of date less the
    year to date at the month end before the period; a ratio or percentage from
    those differences of its numerator and denominator, rounded half up to its
    decimals. A distinct count or a median is not a difference of year-to-date
    figures, and a sum stored rounded (亿元 to 2 decimals) would be a difference of
    rounded parts: none is given."""
    d = BY_NAME[f.indicator]
    if f.period_end is None:
        return
    if d.method in ("distinct", "median"):
        f.period_note = "not a difference of year-to-date figures: see the year to date 不可由累计数相减得出"
        return
    if d.numerator is None and d.decimals is not None:
        f.period_note = "year-to-date figures are rounded: their difference is not the exact period sum 累计数已取舍，不相减"
        return
    before = _month_end_before(start)
    parts = [d.name] if d.numerator is None else [d.numerator, d.denominator]
    f.period_sql = (
        "SELECT indicator, period_end, value FROM marts.indicators\n"
        f"WHERE county_code = {_sql_literal(county)} AND indicator IN ({', '.join(map(_sql_literal, parts))})"
        f" AND period_end IN ({_sql_literal(before)}, {_sql_literal(f.period_end)})\n"
        f"-- the period = the value at {f.period_end} less the value at {before}"
        + ("" if start.month > 1 else " (none: the period starts in January)")
    )
    rows = {(i, p): v for i, p, v in conn.execute(f.period_sql).fetchall()}

    def diff(name: str) -> Fraction | None:
        now = rows.get((name, f.period_end))
        if now is None:
            return None
        # No row at the month end before: the export's data start after it this year.
        was = rows.get((name, before)) if start.month > 1 else None
        return Fraction(now) - Fraction(was or 0)

    if d.numerator is None:
        v = diff(d.name)
        f.period_value = None if v is None else Decimal(half_up(v, 6))
        return
    n, den = diff(d.numerator), diff(d.denominator)
    if n is None or not den:
        return
    q = n / den
    q = {"ratio": q, "pct": q * 100, "cut_pct": (1 - q) * 100}[d.method]
    f.period_value = Decimal(half_up(q, d.decimals))


def _coverage(conn, county: str, domain: str, kind: str, start: date, end: date) -> dict:
    months = conn.execute(
        "SELECT min(period_end), max(period_end) FROM marts.indicators i "
        "JOIN marts.indicator_definitions d USING (indicator) "
        "WHERE d.domain = ? AND county_code = ? AND period_end BETWEEN ? AND ?",
        [domain, county, start, end],
    ).fetchone()
    files = conn.execute(
        "SELECT count(*), max(ingested_at) FROM meta.ingest_log WHERE kind = ? AND status = 'loaded'"
        + _of_county(conn, "meta", "ingest_log", county),
        [kind],
    ).fetchone()
    quarantined = conn.execute(
        "SELECT count(*) FROM quarantine.rows WHERE kind = ?" + _of_county(conn, "quarantine", "rows", county),
        [kind],
    ).fetchone()[0]
    # Year-to-date figures reach back to January: a gap there leaves them short too.
    gaps = [m for (m,) in conn.execute(
        "SELECT month FROM marts.coverage WHERE county_code = ? AND kind = ? AND gap "
        "AND month BETWEEN ? AND ? ORDER BY month",
        [county, kind, date(start.year, 1, 1), end],
    ).fetchall()]
    return {
        "first_month_end": months[0], "as_of": months[1],
        "files": files[0], "last_ingested": files[1], "quarantined": quarantined,
        "gaps": ", ".join(f"{m:%Y-%m}" for m in gaps),
    }


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _chart(conn, name: str, county: str, start: date, end: date) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Text stays text in the SVG and the page's CSS picks the font, so the reader's
    # browser draws the Chinese; matplotlib's own fonts need no Chinese glyphs.
    matplotlib.rcParams["svg.fonttype"] = "none"
    warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    args = [county, start, end]
    if name == "clearance_ratio":
        rows = conn.execute(
            "SELECT month, sum(received), sum(closed) FROM marts.court_cases_monthly "
            "WHERE county_code = ? AND month BETWEEN ? AND ? GROUP BY 1 ORDER BY 1", args,
        ).fetchall()
        ytd = dict(conn.execute(
            "SELECT date_trunc('month', period_end)::DATE, value FROM marts.indicators "
            "WHERE county_code = ? AND indicator = 'court_clearance_ratio' AND period_end BETWEEN ? AND ?",
            args,
        ).fetchall())
        labels = [f"{m:%Y-%m}" for m, _, _ in rows]
        ax.bar(labels, [float(c) / float(r) if r else 0 for _, r, c in rows], color="#7aa6c2", label="当月结收案比 monthly")
        ax.plot(labels, [float(ytd.get(m, 0) or 0) for m, _, _ in rows], color="#c0392b", marker="o", label="累计结收案比 year to date")
        ax.set_ylabel("closed / received")
        caption = "Monthly and year-to-date clearance ratio (closed ÷ received) 结收案比"
    elif name == "permit_modes":
        rows = conn.execute(
            "SELECT month, reform_mode_zh, sum(cases) FROM marts.permit_reform_monthly "
            "WHERE county_code = ? AND month BETWEEN ? AND ? GROUP BY 1, 2 ORDER BY 1, 2", args,
        ).fetchall()
        _stacked(ax, rows)
        ax.set_ylabel("件 completions")
        caption = "Permit completions by reform mode and month 各改革方式当月办结件数"
    elif name == "relief_by_levy":
        rows = conn.execute(
            "WITH t AS (SELECT month, levy, sum(relief_yuan) / 10000 AS wan FROM marts.tax_relief_monthly "
            "WHERE county_code = ? AND month BETWEEN ? AND ? GROUP BY 1, 2), "
            "top AS (SELECT levy FROM t GROUP BY 1 ORDER BY sum(wan) DESC LIMIT 6) "
            "SELECT month, CASE WHEN levy IN (SELECT levy FROM top) THEN levy ELSE '其他 other' END, sum(wan) "
            "FROM t GROUP BY 1, 2 ORDER BY 1, 2", args,
        ).fetchall()
        _stacked(ax, rows)
        ax.set_ylabel("万元")
        caption = "Tax and fee relief by levy and month (万元) 分税费种类月度减免金额"
    elif name == "review_by_department":
        # The catalogue as it stands (every item as last reviewed), not only the period's reviews.
        rows = conn.execute(
            "SELECT department, sum(materials_before), sum(materials_after) FROM marts.item_review_summary "
            "WHERE county_code = ? GROUP BY 1 ORDER BY 2 DESC LIMIT 12", [county],
        ).fetchall()[::-1]
        labels = [d for d, _, _ in rows]
        ax.barh(labels, [float(b) for _, b, _ in rows], color="#c9d6df", label="梳理前 before")
        ax.barh(labels, [float(a) for _, _, a in rows], color="#2e86c1", label="梳理后 after")
        ax.set_xlabel("件 application documents")
        caption = "Application documents before and after the review, by department (current catalogue) 各部门申请材料精简情况"
    elif name == "investment_by_month":
        rows = conn.execute(
            "SELECT month, approval_type_zh, sum(investment_yuan) / 100000000 FROM marts.investment_projects_monthly "
            "WHERE county_code = ? AND month BETWEEN ? AND ? GROUP BY 1, 2 ORDER BY 1, 2", args,
        ).fetchall()
        _stacked(ax, rows)
        ax.set_ylabel("亿元")
        caption = "Total investment of projects decided, by month and approval type (亿元) 各月办结项目总投资"
    elif name == "realestate_working_days":
        rows = conn.execute(
            "SELECT least(working_days, 10), count(*) FROM marts.realestate_cases "
            "WHERE county_code = ? AND completed_on BETWEEN ? AND ? GROUP BY 1 ORDER BY 1", args,
        ).fetchall()
        ax.bar([f"{d}" if d < 10 else "10+" for d, _ in rows], [n for _, n in rows], color="#8e6bb0")
        ax.set_xlabel("工作日 working days (State Council calendar, make-up days included)")
        ax.set_ylabel("件 cases")
        caption = "Real-estate cases completed in the period by working days taken 不动产登记办结件办理用时分布"
    else:
        rows = conn.execute(
            "SELECT result, count(*) FROM staging.inspections WHERE county_code = ? "
            "AND drawn_on BETWEEN ? AND ? GROUP BY 1 ORDER BY 2 DESC", args,
        ).fetchall()
        ax.barh([f"{RESULT_LABELS.get(r, r)} {r}" for r, _ in rows], [n for _, n in rows], color="#6c9a5b")
        ax.set_xlabel("户 entities")
        caption = "Inspection outcomes of entities drawn in the period 抽查结果分布"
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _svg(fig), caption


def _stacked(ax, rows) -> None:
    months = sorted({r[0] for r in rows})
    series = sorted({r[1] for r in rows})
    values = {(r[0], r[1]): float(r[2] or 0) for r in rows}
    labels = [f"{m:%Y-%m}" for m in months]
    bottom = [0.0] * len(months)
    for s in series:
        heights = [values.get((m, s), 0.0) for m in months]
        ax.bar(labels, heights, bottom=bottom, label=s)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]


@dataclass
class Report:
    period: str
    county: str
    start: date
    end: date
    sections: list[Section]
    quarantined_total: int
    generated_from: str
    kind: str = "half"
    summary: list[str] = field(default_factory=list)  # 数据摘要, one sentence per section
    targets_file: str | None = None

    @property
    def kind_zh(self) -> str:
        return PERIOD_ZH[self.kind]

    @property
    def shows_period(self) -> bool:
        """Whether figures for the period itself stand beside the year to date."""
        return self.kind in ("month", "quarter") or self.start.month > 1

    def figures(self) -> dict[str, Figure]:
        return {f.indicator: f for s in self.sections for f in s.figures}


@contextmanager
def _session(warehouse: Path, targets: Path | None):
    """The published warehouse, read-only; with a targets file, an in-memory session
    whose schemas are views of the warehouse's, plus marts.indicator_targets loaded
    from the file (the warehouse itself is never written)."""
    if targets is None:
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            yield conn
        return
    rows = read_targets(targets)  # a bad file stops here, before anything is opened
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{str(warehouse).replace(chr(39), chr(39) * 2)}' AS published (READ_ONLY)")
        tables = conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'published' "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'published' "
            "AND NOT internal"
        ).fetchall()
        for schema, table in tables:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            conn.execute(f'CREATE VIEW "{schema}"."{table}" AS SELECT * FROM published."{schema}"."{table}"')
        conn.execute("DROP VIEW IF EXISTS marts.indicator_targets")
        load_targets(conn, rows)
        yield conn


def _targets(conn, county: str, year: int) -> dict[str, tuple[Decimal, str]]:
    """indicator -> (target, better) for the county and year; a county's own target
    over one given for every county."""
    if not conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'indicator_targets'"
    ).fetchone()[0]:
        return {}
    rows = conn.execute(
        "SELECT indicator, target, better FROM marts.indicator_targets "
        "WHERE year = ? AND (county_code = ? OR county_code IS NULL) ORDER BY county_code NULLS FIRST",
        [year, county],
    ).fetchall()
    return {i: (t, b) for i, t, b in rows}


def build_report(warehouse: Path, period: str, county: str, targets: Path | None = None) -> Report:
    start, end = parse_period(period)
    kind_of_period = period_kind(period)
    # A month's or quarter's charts run from January: the meeting reads the month
    # against the year so far.
    chart_start = date(start.year, 1, 1) if kind_of_period in ("month", "quarter") else start
    with _session(warehouse, targets) as conn:
        planned = _targets(conn, county, start.year)
        sections, summary = [], []
        for spec in SECTIONS:
            kind = section_kind(spec)
            cov = _coverage(conn, county, spec.domain, kind, start, end)
            summary.append(sentence(conn, county, spec, cov["as_of"], end))
            figures = [_figure(conn, county, i.name, cov["as_of"]) for i in section_indicators(spec)]
            for f in figures:
                if kind_of_period in ("month", "quarter") or start.month > 1:
                    _period_value(conn, county, f, start)
                if f.indicator in planned:
                    f.target, f.better = planned[f.indicator]
                    f.status = status(f.value, f.target, f.better, BY_NAME[f.indicator].method,
                                      f.period_end.month if f.period_end else 12)
            mark_revised(conn, county, figures)
            svg, caption = _chart(conn, spec.chart, county, chart_start, end)
            warnings = []
            if cov["as_of"] is None:
                warnings.append("no data for this period 本期无数据")
            elif cov["as_of"] < end:
                warnings.append(f"data reach only {cov['as_of']}: figures are as of that date 数据截至{cov['as_of']}")
            if cov["gaps"]:
                warnings.append(
                    f"no data for {cov['gaps']} (a monthly export that never arrived): the year-to-date "
                    f"figures of periods that include it are short and marked incomplete "
                    f"缺报月份：{cov['gaps']}，含该月的累计数偏低"
                )
            if cov["quarantined"]:
                warnings.append(
                    f"{cov['quarantined']} rows of these exports are in quarantine and not counted; "
                    f"see quarantine.rows where kind = '{kind}' 有{cov['quarantined']}行未通过校验，未计入"
                )
            sections.append(Section(spec.title, spec.en, figures, cov, svg, caption, warnings))
        quarantined = conn.execute(
            "SELECT count(*) FROM quarantine.rows WHERE true" + _of_county(conn, "quarantine", "rows", county)
        ).fetchone()[0]
    return Report(period, county, start, end, sections, quarantined, str(warehouse), kind_of_period, summary,
                  str(targets) if targets else None)


def _fmt(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.4f}"
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


TEMPLATE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<title>{{ r.period }} {{ r.kind_zh }}营商环境数据 / business environment report</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1000px;color:#222}
h1{font-size:1.6rem} h2{border-bottom:2px solid #c0392b;padding-bottom:.2rem;margin-top:2.5rem} h3{margin-top:1.5rem}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
.gap{color:#c0392b;font-weight:400;font-size:.85rem}
.warn{background:#fff4e5;border-left:4px solid #e67e22;padding:.4rem .8rem;margin:.5rem 0}
.meta{color:#666;font-size:.9rem} #summary p{line-height:1.8;margin:.4rem 0;text-indent:2em}
.met{color:#1e8449} .unmet{color:#c0392b} .period{color:#555} details pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap}
figure{margin:1rem 0} figure svg{max-width:100%;height:auto} figcaption{color:#555;font-size:.9rem}
figure svg text{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif !important}
</style></head><body>
<h1>{{ r.county }} {{ r.period }} {{ r.kind_zh }}营商环境数据报告<br><small>Business environment figures, {{ r.start }} – {{ r.end }}</small></h1>
<section id="summary"><h2>数据摘要</h2>
{% for s in r.summary %}<p>{{ s }}</p>
{% endfor %}</section>
<p class="meta">Every figure is read from <code>marts.indicators</code> in {{ r.generated_from }}; open “query” under a figure to see how.
Year-to-date figures (1 January to the as-of month end). 年初累计数。{% if r.shows_period %}
“本期” is the {{ r.kind }} itself ({{ r.start }} – {{ r.end }}). 本期为当{{ "月" if r.kind == "month" else "期" }}数。{% endif %}{% if r.targets_file %}
Targets 目标值 from {{ r.targets_file }} (<code>marts.indicator_targets</code>); a year's count before December is held against the share of the year gone (序时进度).{% endif %}</p>
{% if r.quarantined_total %}<p class="warn">{{ r.quarantined_total }} rows across all exports are in quarantine (quarantine.rows) and are not counted in any figure. 共{{ r.quarantined_total }}行数据未通过校验，未计入。</p>{% endif %}
{% for s in r.sections %}
{% set n = numbers[loop.index0] %}
{% if loop.first or s.title != r.sections[loop.index0 - 1].title %}<h2>{{ n }}. {{ s.title }}</h2>{% endif %}
<section id="{{ loop.index }}">
<h3>{{ s.en }}</h3>
<p class="meta">Coverage 数据范围: month ends {{ s.coverage.first_month_end or "—" }} – {{ s.coverage.as_of or "—" }};
{{ s.coverage.files }} files loaded, last ingested {{ s.coverage.last_ingested or "—" }};
missing months 缺报月份: {{ s.coverage.gaps or "none 无" }}.</p>
{% for w in s.warnings %}<p class="warn">⚠ {{ w }}</p>{% endfor %}
<table><tr><th>指标 indicator</th><th>as of</th>{% if r.shows_period %}<th style="text-align:right">本期 this {{ r.kind }}</th>{% endif %}<th style="text-align:right">{% if r.shows_period %}年初累计 year to date{% else %}value{% endif %}</th><th>unit</th>{% if r.targets_file %}<th style="text-align:right">目标 target</th><th>状态 status</th>{% endif %}</tr>
{% for f in s.figures %}<tr data-indicator="{{ f.indicator }}"><td>{{ f.zh }} <code>{{ f.indicator }}</code>
<details><summary>query</summary><pre>{{ f.sql }}{% if f.period_sql %}

{{ f.period_sql }}{% endif %}</pre></details></td>
<td style="white-space:nowrap">{{ f.period_end or "—" }}</td>{% if r.shows_period %}<td class="num period">{{ fmt(f.period_value, f.unit) }}{% if f.period_note %}<br><span class="gap">{{ f.period_note }}</span>{% endif %}</td>{% endif %}<td class="num">{{ fmt(f.value, f.unit) }}{% if not f.complete %}
<br><span class="gap">⚠ incomplete: no data for {{ f.missing_months }} 不完整，缺{{ f.missing_months }}</span>{% endif %}{% if f.revised %}
<br><span class="gap revised">修订：原为{{ fmt(f.previous, f.unit) }} (revised in the last release)</span>{% endif %}</td><td>{{ f.unit }}</td>{% if r.targets_file %}<td class="num target">{{ fmt(f.target, f.unit) if f.target is not none else "—" }}</td><td class="status {{ '' if not f.status else 'met' if f.status.startswith(('达标', '序时进度达标')) else 'unmet' }}">{{ f.status or "—" }}</td>{% endif %}</tr>
{% endfor %}</table>
<figure class="chart">{{ s.chart_svg | safe }}<figcaption>{{ s.chart_caption }}</figcaption></figure>
</section>
{% endfor %}
</body></html>
"""


def render_html(report: Report) -> str:
    env = Environment(autoescape=True)
    return env.from_string(TEMPLATE).render(r=report, fmt=_fmt, numbers=_heading_numbers(report))


def _heading_numbers(report: Report) -> list[int]:
    """Each section's number in the summary: parts of one heading share it."""
    numbers, n, previous = [], 0, None
    for s in report.sections:
        n += s.title != previous
        numbers.append(n)
        previous = s.title
    return numbers


def render_markdown(report: Report, chart_dir: str) -> str:
    out = [f"# {report.county} {report.period} {report.kind_zh}营商环境数据报告", "", "## 数据摘要", "",
           *(line for s in report.summary for line in (s, "")),
           f"Business environment figures, {report.start} – {report.end}. Year to date; every figure "
           "is read from `marts.indicators` by the query shown."
           + (f" 本期: the {report.kind} itself." if report.shows_period else "")
           + (f" Targets from {report.targets_file} (`marts.indicator_targets`)." if report.targets_file else ""),
           ""]
    if report.quarantined_total:
        out += [f"> {report.quarantined_total} rows are in quarantine (quarantine.rows) and not counted.", ""]
    numbers = _heading_numbers(report)
    for i, s in enumerate(report.sections, 1):
        cov = s.coverage
        if i == 1 or s.title != report.sections[i - 2].title:
            out += [f"## {numbers[i - 1]}. {s.title}", ""]
        out += [f"### {s.en}", "",
                f"Coverage: month ends {cov['first_month_end']} – {cov['as_of']}; {cov['files']} files loaded, "
                f"last ingested {cov['last_ingested']}; missing months: {cov['gaps'] or 'none'}.", ""]
        out += [f"> ⚠ {w}" for w in s.warnings] + ([""] if s.warnings else [])
        period = report.shows_period
        targets = report.targets_file is not None
        out += ["| 指标 | indicator | as of |" + (" 本期 |" if period else "") + " value | unit |"
                + (" 目标 | 状态 |" if targets else ""),
                "|---|---|---|" + ("---:|" if period else "") + "---:|---|" + ("---:|---|" if targets else "")]
        out += [
            f"| {f.zh} | `{f.indicator}` | {f.period_end} |"
            + (f" {_fmt(f.period_value, f.unit)} |" if period else "")
            + f" {_fmt(f.value, f.unit)}"
            f"{'' if f.complete else f' ⚠ incomplete: no data for {f.missing_months}'}"
            f"{f' 修订：原为{_fmt(f.previous, f.unit)}' if f.revised else ''} | {f.unit} |"
            + (f" {_fmt(f.target, f.unit) if f.target is not None else '—'} | {f.status or '—'} |" if targets else "")
            for f in s.figures
        ]
        out += ["", f"![{s.chart_caption}]({chart_dir}/chart-{i}.svg)", "", "<details><summary>queries</summary>", ""]
        out += [f"```sql\n{f.sql}\n```" + (f"\n```sql\n{f.period_sql}\n```" if f.period_sql else "")
                for f in s.figures]
        out += ["</details>", ""]
    return "\n".join(out)


def write_report(
    warehouse: Path, period: str, county: str, out_dir: Path, targets: Path | None = None
) -> list[Path]:
    report = build_report(warehouse, period, county, targets)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"report-{report.period}"
    charts = out_dir / f"{stem}-charts"
    charts.mkdir(exist_ok=True)
    for i, s in enumerate(report.sections, 1):
        (charts / f"chart-{i}.svg").write_text(s.chart_svg, "utf-8")
    html_path, md_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
    html_path.write_text(render_html(report), "utf-8")
    md_path.write_text(render_markdown(report, charts.name), "utf-8")
    return [html_path, md_path]
