"""`yingshang query`: SQL against the published warehouse, read-only, as a table,
CSV or XLSX. Text cells a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from assets.dictionary import chinese_headers

# OWASP's CSV injection guidance: a cell starting with one of these may be run as
# a formula by Excel or LibreOffice; a leading apostrophe keeps it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]


def run_query(warehouse: Path, sql: str, chinese: bool = False) -> Result:
    if not warehouse.exists():
        raise FileNotFoundError(f"no published warehouse at {warehouse} (run `yingshang run` first)")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cur = conn.execute(sql)
        if cur.description is None:
            return Result([], [])
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if chinese:
            labels = chinese_headers(conn)
            columns = [labels.get(c, c) for c in columns]
    return Result(columns, rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_csv(result: Result) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralise(c) for c in result.columns])
    for row in result.rows:
        writer.writerow([neutralise(_text(v)) if isinstance(v, str) else _text(v) for v in row])
    return buf.getvalue()


def write_xlsx(result: Result, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("query")
    ws.append([neutralise(c) for c in result.columns])
    for row in result.rows:
        ws.append([neutralise(v) if isinstance(v, str) else (float(v) if isinstance(v, Decimal) else v) for v in row])
    wb.save(path)


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def to_table(result: Result, limit: int = 200) -> str:
    shown = [[_text(v) for v in row] for row in result.rows[:limit]]
    widths = [
        max([display_width(c), *(display_width(r[i]) for r in shown)]) for i, c in enumerate(result.columns)
    ]

    def line(cells):
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(result.columns), line(["-" * w for w in widths]), *(line(r) for r in shown)]
    if len(result.rows) > limit:
        out.append(f"… {len(result.rows) - limit} more rows (use --format csv or xlsx for all)")
    out.append(f"({len(result.rows)} rows)")
    return "\n".join(out)


def emit(result: Result, fmt: str, output: Path | None) -> str | None:
    """Write the result; returns what to print, if anything."""
    if fmt == "xlsx":
        if output is None:
            raise ValueError("--format xlsx needs --output FILE.xlsx")
        write_xlsx(result, output)
        return f"wrote {len(result.rows)} rows to {output}"
    text = to_csv(result) if fmt == "csv" else to_table(result)
    if output is None:
        return text
    # A BOM, so that Excel opens the Chinese text as UTF-8.
    output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    return f"wrote {len(result.rows)} rows to {output}"
