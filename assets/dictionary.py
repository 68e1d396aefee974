"""The data dictionary, generated (never written by hand) as Markdown and HTML: the
marts' text and units from their declarations (sql/marts/*.py), staging's from the
export declarations, the indicators from assets.indicators, and the other tables'
text from the comments the ingestion machinery gives them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from assets.declaration import MONEY_UNITS
from assets.exports import EXPORTS
from assets.indicators import INDICATORS
from assets.models import load_models
from assets.releases import history_mart

SCHEMAS = ("marts", "staging", "quarantine", "meta")


@dataclass
class ColumnDoc:
    name: str
    type: str
    zh: str
    en: str
    unit: str = ""
    source: str = ""  # the export header(s) it comes from, or how it is derived


@dataclass
class TableDoc:
    schema: str
    name: str
    zh: str
    en: str
    source: str
    columns: list[ColumnDoc] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def split_comment(comment: str | None) -> tuple[str, str]:
    """Comments are written `中文 / English`."""
    if not comment:
        return "", ""
    zh, _, en = comment.partition(" / ")
    return zh.strip(), en.strip()


def zh_label(comment: str | None) -> str:
    """A short Chinese column label from its comment: `减免金额（元）：…` → 减免金额（元）."""
    zh, _ = split_comment(comment)
    return re.split(r"[：:，,]", zh)[0].strip()


def _staging_units() -> dict[tuple[str, str], str]:
    return {
        (e.kind, f.stored_name): f.unit or ""
        for e in EXPORTS.values() for f in e.stored_fields
    }


def _staging_sources() -> dict[tuple[str, str], str]:
    sources = {}
    for export in EXPORTS.values():
        for f in export.stored_fields:
            headers = [f.zh, *f.aliases]
            if f.type == "money":
                headers = [f"{h}（{u}）" for h in headers for u in MONEY_UNITS]
            text = f"{export.title_zh}: " + " / ".join(headers)
            if f.personal:
                text += " (count of persons named; names are not stored)"
            if f.default is not None:
                shown = {True: "yes", False: "no"}.get(f.default, f.default) if isinstance(f.default, bool) else f.default
                text += f" (empty = {shown})"
            sources[(export.kind, f.stored_name)] = text
    return sources


def collect(conn: duckdb.DuckDBPyConnection) -> tuple[list[TableDoc], list[dict]]:
    models = {m.name: m for m in load_models()}
    staging_sources, staging_units = _staging_sources(), _staging_units()
    tables = []
    rows = conn.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        f"WHERE schema_name IN {SCHEMAS} ORDER BY schema_name, table_name"
    ).fetchall()
    order = {s: i for i, s in enumerate(SCHEMAS)}
    for schema, name, comment in sorted(rows, key=lambda r: (order[r[0]], r[1])):
        zh, en = split_comment(comment)
        mart = models[name].mart if schema == "marts" and name in models else None
        if schema == "marts" and name == history_mart().name:
            mart = history_mart()
            zh, en = mart.zh, mart.en
            source = f"appended at each publish (assets/releases.py); grain {', '.join(mart.grain)}"
        elif mart:
            m = models[name]
            zh, en = mart.zh, mart.en
            reads = ", ".join(f"{s}.{t}" for s, t in m.deps) or "constants"
            source = f"sql/marts/{m.path.name} (reads {reads}); grain {', '.join(mart.grain)}"
        elif (schema, name) == ("meta", "releases"):
            source = "written at each publish that changes anything (assets/releases.py)"
        elif schema == "staging" and name in EXPORTS:
            e = EXPORTS[name]
            source = f"export {e.title_zh} ({e.source}); key {', '.join(e.key)}"
        else:
            source = "written by the ingestion machinery (assets/ingest)"
        table = TableDoc(schema, name, zh, en, source)
        for col, typ, ccomment in conn.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        ).fetchall():
            czh, cen = split_comment(ccomment)
            unit = ""
            if schema == "staging":
                csource = staging_sources.get((name, col), "provenance")
                unit = staging_units.get((name, col), "")
            elif mart:
                c = mart.column(col)
                czh, cen = c.comment.partition(" / ")[::2]
                csource = f"computed in sql/marts/{name}.sql" if name in models else "assets/releases.py"
                unit = c.unit or ""
            else:
                csource = ""
            table.columns.append(ColumnDoc(col, typ, czh, cen, unit, csource))
        tables.append(table)
    indicators = [
        {"indicator": i.name, "indicator_zh": i.zh, "domain": i.domain, "kind": i.kind,
         "unit": i.unit, "method": i.method, "numerator": i.numerator,
         "denominator": i.denominator, "decimals": i.decimals, "definition": i.definition}
        for i in sorted(INDICATORS, key=lambda i: (i.domain, i.name))
    ]
    return tables, indicators


PERIOD_RULE = (
    "Year to date: period_start is 1 January, period_end each month end from the first to the "
    "last month in which the domain has data. 年初至今，每月末一期。 A figure whose period includes a "
    "month its export never delivered (a gap in marts.coverage) has complete = false and names the "
    "month in missing_months. 统计期内有缺报月份的，complete 为 false，missing_months 列出缺报月份。"
)


def render_markdown(tables: list[TableDoc], indicators: list[dict]) -> str:
    out = ["# 数据字典 / Data dictionary", "",
           "Generated from the warehouse's comments, the export declarations (assets/exports) "
           "and the SQL models (sql/marts). 由导出声明与SQL模型自动生成。", ""]
    out += ["## 指标 / Indicators", "", PERIOD_RULE, "",
            "| indicator | 指标 | unit | method | numerator | denominator | definition |",
            "|---|---|---|---|---|---|---|"]
    for i in indicators:
        out.append(
            f"| {i['indicator']} | {i['indicator_zh']} | {i['unit']} | {i['method']} | "
            f"{i['numerator'] or ''} | {i['denominator'] or ''} | {i['definition']} |"
        )
    for t in tables:
        out += ["", f"## {t.qualified}", "", f"{t.zh} / {t.en}".strip(" /"), "", f"Source: {t.source}", "",
                "| column | type | 中文 | English | unit | source |", "|---|---|---|---|---|---|"]
        for c in t.columns:
            out.append(f"| {c.name} | {c.type} | {c.zh} | {c.en} | {c.unit} | {c.source} |")
    return "\n".join(out) + "\n"


def render_html(tables: list[TableDoc], indicators: list[dict]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        "<title>数据字典 / Data dictionary</title><style>",
        "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2rem;max-width:1200px}",
        "table{border-collapse:collapse;width:100%;margin-bottom:2rem}",
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}",
        "th{background:#f3f3f3}code{background:#f6f6f6}</style></head><body>",
        "<h1>数据字典 / Data dictionary</h1>",
        "<p>Generated from the warehouse's comments, the export declarations and the SQL models.</p>",
        "<nav><ul>",
        "<li><a href='#indicators'>指标 / Indicators</a></li>",
        *[f"<li><a href='#{e(t.qualified)}'>{e(t.qualified)}</a> {e(t.zh)}</li>" for t in tables],
        "</ul></nav>",
        f"<h2 id='indicators'>指标 / Indicators</h2><p>{e(PERIOD_RULE)}</p><table>",
        "<tr><th>indicator</th><th>指标</th><th>unit</th><th>method</th><th>numerator</th>"
        "<th>denominator</th><th>definition</th></tr>",
    ]
    for i in indicators:
        parts.append(
            "<tr>" + "".join(
                f"<td>{e(str(i[k] or ''))}</td>"
                for k in ("indicator", "indicator_zh", "unit", "method", "numerator", "denominator", "definition")
            ) + "</tr>"
        )
    parts.append("</table>")
    for t in tables:
        parts += [
            f"<h2 id='{e(t.qualified)}'><code>{e(t.qualified)}</code></h2>",
            f"<p>{e(t.zh)} / {e(t.en)}</p><p>Source: {e(t.source)}</p><table>",
            "<tr><th>column</th><th>type</th><th>中文</th><th>English</th><th>unit</th><th>source</th></tr>",
        ]
        for c in t.columns:
            parts.append(
                f"<tr><td><code>{e(c.name)}</code></td><td>{e(c.type)}</td><td>{e(c.zh)}</td>"
                f"<td>{e(c.en)}</td><td>{e(c.unit)}</td><td>{e(c.source)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_dictionary(conn: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    tables, indicators = collect(conn)
    folder.mkdir(parents=True, exist_ok=True)
    md, page = folder / "dictionary.md", folder / "dictionary.html"
    md.write_text(render_markdown(tables, indicators), "utf-8")
    page.write_text(render_html(tables, indicators), "utf-8")
    return [md, page]


def chinese_headers(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Column name → Chinese label, from every documented column of the warehouse."""
    labels: dict[str, str] = {}
    for name, comment in conn.execute(
        "SELECT column_name, comment FROM duckdb_columns() "
        f"WHERE schema_name IN {SCHEMAS} AND comment IS NOT NULL ORDER BY schema_name <> 'marts'"
    ).fetchall():
        label = zh_label(comment)
        if label and name not in labels:
            labels[name] = label
    return labels
