"""Monthly (月调度) and quarterly (季考核) reports, 数据摘要 written from data, targets (对标对表)."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from datetime import date
from decimal import Decimal
from fractions import Fraction

import duckdb
import pytest

from assets import indicators
from assets.declaration import Section
from assets.indicators import BY_NAME, SECTIONS
from assets.targets import BEHIND, MET, NOT_MET, ON_TRACK, TargetsError, read_targets, status
from pipelines.cli import main
from pipelines.report import build_report, parse_period, period_kind, write_report
from pipelines.sample_data import _epoch
from pipelines.sample_data.build import build as build_sample
from pipelines.sample_data.render import file_bytes
from pipelines.summary import exact, half_up, written
from tests.browser import ARTIFACTS, browser_page
from tests.conftest import COUNTY
from tests.test_marts_and_checks import permit_file

# The half-year summary's four data sentences, as the county wrote them.
SUMMARY_SENTENCES = [
    "至4月底已累计减免各项税收16815万元，非税1036万元。",
    "截止5月底，共办结“证照分离”涉及四种改革事项2649件，其中，取消审批269件，备案352件，告知承诺706件，优化准入服务1322件。",
    "截止目前，收案共计5648件，结案共计4955件，结收比为0.88。其中涉企收案共计1256件，结案共计1118件，结收比为0.89。",
    "通过“双随机、一公开”系统开展检查22批次，抽取检查对象463家，未发现问题350家，发现问题已责令改正2家，"
    "发现问题待后续处理26家，剩余85家正在检查中。",
]

# How far the summary's sentences reach: tax through April, permits through May,
# the others through June. The bundled sample runs every export to June, so the
# files are cut at these dates (a row is kept when its month field is on or before).
CUT = {"tax_relief": ("relief_date", date(2023, 4, 30)), "permit_reform": ("month", date(2023, 5, 1))}


def write_summary_samples(landing, county: str = COUNTY) -> list:
    """The bundled sample exports as the county had them when it wrote its summary:
    tax relief up to April, permit reports up to May, everything else as shipped."""
    landing.mkdir(parents=True, exist_ok=True)
    _, files, rng = build_sample(county, 2023)
    paths = []
    for f in files:
        if f.kind in CUT:
            field, last = CUT[f.kind]
            f = dataclasses.replace(f, rows=[r for r in f.rows if r.values[field] <= last])
            if not f.rows:
                continue
        path = landing / f.name
        path.write_bytes(file_bytes(f, rng))
        os.utime(path, (_epoch(f.exported), _epoch(f.exported)))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def summary_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("summary")
    write_summary_samples(root / "landing")
    wh = root / "yingshang.duckdb"
    assert main(["run", "--landing", str(root / "landing"), "--warehouse", str(wh), "--county", COUNTY]) == 0
    return wh


def test_the_cut_samples_reach_the_month_ends_the_summary_cites(summary_warehouse):
    with duckdb.connect(str(summary_warehouse), read_only=True) as c:
        last = dict(c.execute("SELECT kind, max(month) FROM marts.coverage WHERE rows > 0 GROUP BY 1").fetchall())
        gaps = c.execute("SELECT count(*) FROM marts.coverage WHERE gap AND month >= '2023-01-01'").fetchone()[0]
    assert last["tax_relief"] == date(2023, 4, 1) and last["permit_reform"] == date(2023, 5, 1)
    assert last["court_cases"] == date(2023, 6, 1) and last["inspections"] == date(2023, 6, 1)
    assert gaps == 0


def test_h1_summary_reproduces_the_countys_sentences_word_for_word(summary_warehouse, tmp_path):
    report = build_report(summary_warehouse, "2023-H1", COUNTY)
    for s in SUMMARY_SENTENCES:
        assert s in report.summary
    html, md = write_report(summary_warehouse, "2023-H1", COUNTY, tmp_path)
    page = html.read_text("utf-8")
    summary = page.split("<h2>数据摘要</h2>", 1)[1].split("</section>", 1)[0]
    assert page.index("<h2>数据摘要</h2>") < page.index("<h2>1.")  # the report opens with it
    for s in SUMMARY_SENTENCES:
        assert f"<p>{s}</p>" in summary
        assert f"\n{s}\n" in md.read_text("utf-8").split("## 1.")[0]


def test_every_section_writes_a_sentence_and_none_claims_a_month_past_its_data(demo_warehouse):
    """The full sample reaches June in every export: the same templates say so."""
    report = build_report(demo_warehouse, "2023-H1", COUNTY)
    assert len(report.summary) == len(SECTIONS)
    assert report.summary[SECTIONS.index(next(s for s in SECTIONS if s.domain == "tax"))].startswith("至6月底")
    assert not any("{" in s or "—" in s for s in report.summary)
    # Not the summary's April figure, and 万元 with decimals when not whole.
    assert "至6月底已累计减免各项税收24813.87万元" in report.summary[2]
    review = next(s for s in report.summary if "梳理" in s)
    assert "精简64.6%" in review and "压缩83.9%" in review and "即办件占比62.9%" in review
    assert any("免收登记费63.55万元" in s and "中位数为2个工作日" in s for s in report.summary)
    assert any("总投资95.87亿元" in s for s in report.summary)


def test_ratios_are_rounded_half_up_from_the_exact_value_not_from_the_stored_one():
    ratio = BY_NAME["court_clearance_ratio"]
    # 17499 / 20000 = 0.87495: stored to 4 decimals it is 0.8750, which would print 0.88.
    values = {"court_closed": Decimal(17499), "court_received": Decimal(20000)}
    assert written(ratio, exact(ratio, values), 2) == "0.87"
    assert written(ratio, exact(ratio, {"court_closed": Decimal(35), "court_received": Decimal(40)}), 2) == "0.88"
    assert half_up(Fraction(1, 8), 2) == "0.13" and half_up(Fraction(-1, 8), 2) == "-0.13"
    assert written(BY_NAME["tax_relief_wan"], Fraction(Decimal("16815.000000")), None) == "16815"
    assert written(BY_NAME["tax_relief_wan"], Fraction(Decimal("1302.595155")), None) == "1302.60"
    assert written(ratio, exact(ratio, {"court_closed": Decimal(1), "court_received": Decimal(0)}), 2) == "—"


def test_an_incomplete_figure_says_so_in_its_sentence(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    months = (1, 2, 3, 5)  # the April report never arrived
    for month in months:
        permit_file(landing, month)
    wh = tmp_path / "w.duckdb"
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    # permit_file's counts: per department i, modes (month + i, 2i, 3 + month, 10i).
    modes = [sum(m + i for m in months for i in (1, 2, 3)), sum(2 * i for m in months for i in (1, 2, 3)),
             sum(3 + m for m in months for i in (1, 2, 3)), sum(10 * i for m in months for i in (1, 2, 3))]
    expected = (
        f"截止5月底，共办结“证照分离”涉及四种改革事项{sum(modes)}件，其中，取消审批{modes[0]}件，备案{modes[1]}件，"
        f"告知承诺{modes[2]}件，优化准入服务{modes[3]}件（缺报2023年4月数据，以上累计数不完整）。"
    )
    for period in ("2023-H1", "2023-05", "2023-Q2"):
        assert expected in build_report(wh, period, COUNTY).summary, period
    # March's figures are complete: no clause.
    march = build_report(wh, "2023-03", COUNTY).summary[0]
    assert march.startswith("截止3月底") and "缺报" not in march
    # An export with no data in the period says so instead of a sentence of dashes.
    assert "审判执行案件：本期无数据。" in build_report(wh, "2023-H1", COUNTY).summary


def test_periods_of_a_month_and_a_quarter():
    assert parse_period("2023-05") == (date(2023, 5, 1), date(2023, 5, 31))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2023-12") == (date(2023, 12, 1), date(2023, 12, 31))
    assert parse_period("2023-Q2") == (date(2023, 4, 1), date(2023, 6, 30))
    assert [period_kind(p) for p in ("2023-05", "2023-Q2", "2023-H1", "2023")] == ["month", "quarter", "half", "year"]
    for bad in ("2023-13", "2023-00", "2023-Q5", "2023/05", "23-05"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_a_month_and_a_quarter_stand_beside_the_year_to_date(demo_warehouse):
    may = build_report(demo_warehouse, "2023-05", COUNTY)
    assert may.kind_zh == "月调度" and may.shows_period
    figures = may.figures()
    with duckdb.connect(str(demo_warehouse), read_only=True) as c:
        permits, = c.execute("SELECT sum(cases) FROM marts.permit_reform_monthly WHERE month = '2023-05-01'").fetchone()
        received, closed = c.execute(
            "SELECT sum(received), sum(closed) FROM marts.court_cases_monthly WHERE month = '2023-05-01'"
        ).fetchone()
        q2_received, = c.execute(
            "SELECT sum(received) FROM marts.court_cases_monthly WHERE month BETWEEN '2023-04-01' AND '2023-06-01'"
        ).fetchone()
        tax_may, = c.execute(
            "SELECT sum(relief_yuan) FROM marts.tax_relief_monthly "
            "WHERE month = '2023-05-01' AND revenue_class = 'tax'"
        ).fetchone()
    assert figures["permit_cases"].period_value == permits and figures["permit_cases"].value == Decimal(2649)
    assert figures["court_received"].period_value == received
    assert figures["court_clearance_ratio"].period_value == Decimal(half_up(Fraction(closed, received), 4))
    assert figures["tax_relief_wan"].period_value == tax_may / 10000
    # A distinct count is not a difference of year-to-date figures: none is invented.
    assert figures["inspection_tasks"].period_value is None and figures["inspection_tasks"].period_note
    # Nor a difference of rounded parts (95.87亿元 less 88.99亿元 need not be the month's exact sum).
    assert figures["invest_total_yi"].period_value is None and "rounded" in figures["invest_total_yi"].period_note
    assert figures["invest_projects"].period_value is not None
    for f in figures.values():  # the printed query gives the period's inputs
        if f.period_sql:
            with duckdb.connect(str(demo_warehouse), read_only=True) as c:
                assert c.execute(f.period_sql).fetchall()
    q2 = build_report(demo_warehouse, "2023-Q2", COUNTY)
    assert q2.kind_zh == "季考核" and q2.figures()["court_received"].period_value == q2_received
    h1 = build_report(demo_warehouse, "2023-H1", COUNTY)
    assert not h1.shows_period and h1.figures()["court_received"].period_value is None


@pytest.mark.parametrize("period", ["2023-05", "2023-Q2"])
def test_monthly_and_quarterly_reports_render_in_chromium(demo_warehouse, tmp_path, capsys, period):
    assert main(["report", "--period", period, "--warehouse", str(demo_warehouse), "--out", str(tmp_path)]) == 0
    html_path = tmp_path / f"report-{period}.html"
    assert str(html_path) in capsys.readouterr().out
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with browser_page(1200, 900) as page:
        page.goto(html_path.as_uri())
        assert page.locator("#summary h2").inner_text() == "数据摘要"
        assert page.locator("#summary p").count() == len(SECTIONS)
        assert page.locator("h1").inner_text().startswith(f"{COUNTY} {period} {'月调度' if period == '2023-05' else '季考核'}")
        charts = page.locator("figure.chart svg")
        assert charts.count() == len(SECTIONS)
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box["width"] > 300 and box["height"] > 150
        row = page.locator("tr[data-indicator='court_received'] td.num")
        assert row.count() == 2 and row.nth(1).inner_text() == ("4,617" if period == "2023-05" else "5,648")
        shot = ARTIFACTS / f"report_{period}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000


# --- targets -----------------------------------------------------------------------

def _targets_file(path, rows, header=("指标", "年度", "目标值", "方向"), encoding="utf-8-sig"):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_targets_load_and_each_figure_shows_its_status(demo_warehouse, tmp_path, capsys):
    targets = _targets_file(tmp_path / "目标.csv", [
        ("court_clearance_ratio", "2023", "0.85", "越高越好"),
        ("permit_cases", "2023", "6,000", "越高越好"),
        ("inspection_follow_up", "2023", "20", "越低越好"),
        ("court_received", "2022", "1", "高"),  # another year: not shown
    ], encoding="gb18030")
    assert main(["report", "--period", "2023-05", "--warehouse", str(demo_warehouse),
                 "--out", str(tmp_path / "out"), "--targets", str(targets)]) == 0
    figures = build_report(demo_warehouse, "2023-05", COUNTY, targets).figures()
    # 0.8168 < 0.85; 2649 of 6000 by May is past 5/12 of it; 24 follow-ups exceed a ceiling of 20.
    assert (figures["court_clearance_ratio"].target, figures["court_clearance_ratio"].status) == (Decimal("0.85"), NOT_MET)
    assert figures["permit_cases"].status == ON_TRACK
    assert figures["inspection_follow_up"].status == NOT_MET
    assert figures["court_received"].target is None and figures["court_received"].status is None
    june = build_report(demo_warehouse, "2023-H1", COUNTY, targets).figures()
    assert june["court_clearance_ratio"].status == MET  # 0.8773
    html = (tmp_path / "out" / "report-2023-05.html").read_text("utf-8")
    row = html.split("data-indicator=\"court_clearance_ratio\"", 1)[1].split("</tr>", 1)[0]
    assert "0.8500" in row and "未达标" in row
    # The warehouse itself is not written: the targets live in the report's session.
    with duckdb.connect(str(demo_warehouse), read_only=True) as c:
        assert not c.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'indicator_targets'").fetchone()[0]


def test_status_against_a_target():
    assert status(Decimal(10), Decimal(10), "higher", "sum", 12) == MET
    assert status(Decimal(9), Decimal(10), "higher", "sum", 12) == NOT_MET
    assert status(Decimal(5), Decimal(10), "higher", "sum", 6) == ON_TRACK  # half the year, half the target
    assert status(Decimal(4), Decimal(10), "higher", "sum", 6) == BEHIND
    assert status(Decimal("0.80"), Decimal("0.85"), "higher", "ratio", 6) == NOT_MET  # a level, not a count
    assert status(Decimal(3), Decimal(2), "lower", "median", 6) == NOT_MET
    assert status(Decimal(2), Decimal(2), "lower", "median", 6) == MET
    assert status(Decimal(6), Decimal(10), "lower", "sum", 6) == BEHIND  # past half a yearly ceiling by June
    assert status(Decimal(5), Decimal(10), "lower", "sum", 6) == ON_TRACK
    assert status(None, Decimal(1), "higher", "sum", 6) is None


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([("court_clearance", "2023", "0.9", "高")], None,
     r"row 2: indicator 'court_clearance' is not an indicator of marts.indicator_definitions"),
    ([("permit_cases", "2023", "6000", "高"), ("permit_cases", "23", "6000", "高")], None,
     r"row 3: year must be 4 digits, got '23'"),
    ([("permit_cases", "2023", "六千", "高")], None, r"row 2: target must be a number, got '六千'"),
    ([("permit_cases", "2023", "6000", "up")], None, r"row 2: better must be higher or lower"),
    ([("permit_cases", "2023", "6000", "高"), ("", "", "", ""), ("permit_cases", "2023", "7000", "高")], None,
     r"row 4: permit_cases 2023 already has a target in row 2"),
    ([("permit_cases", "2023", "6000")], ("indicator", "year", "target"), r"row 1: the header lacks better"),
])
def test_a_bad_targets_file_is_one_line_naming_file_row_and_rule(demo_warehouse, tmp_path, capsys, rows, header, message):
    path = _targets_file(tmp_path / "targets.csv", rows, header or ("indicator", "year", "target", "better"))
    with pytest.raises(TargetsError, match=message):
        read_targets(path)
    out = tmp_path / "out"
    assert main(["report", "--period", "2023-05", "--warehouse", str(demo_warehouse), "--out", str(out),
                 "--targets", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0]
    assert not out.exists()  # nothing rendered without its targets


def test_targets_from_the_environment(demo_warehouse, tmp_path, monkeypatch):
    path = _targets_file(tmp_path / "t.csv", [("court_clearance_ratio", "2023", "0.85", "higher")],
                         ("indicator", "year", "target", "better"))
    monkeypatch.setenv("YINGSHANG_TARGETS", str(path))
    assert main(["report", "--period", "2023-H1", "--warehouse", str(demo_warehouse), "--out", str(tmp_path)]) == 0
    assert "达标 met" in (tmp_path / "report-2023-H1.md").read_text("utf-8")


# --- templates ---------------------------------------------------------------------

def test_a_summary_template_is_checked_against_its_domain():
    own = {i.name: i for i in indicators.INDICATORS if i.domain == "invest"}
    ok = Section("invest", "x", "x", "x", summary="{月底}{invest_projects}个，{invest_total_yi:.2}亿元。")
    indicators._validate_summary(ok, own)
    for summary, message in [
        ("", "no summary sentence"),
        ("共{court_received}件。", "not an indicator of its domain"),
        ("总投资{invest_total_yi:.0}亿元。", "rounds invest_total_yi, stored to 2 decimals, again"),
        ("{月底:.2}", "takes no decimals"),
        ("{invest_projects} {oops", "summary fields are"),
    ]:
        with pytest.raises(ValueError, match=message):
            indicators._validate_summary(dataclasses.replace(ok, summary=summary), own)
