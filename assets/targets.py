"""对标对表: the county's targets for its indicators, from an analysts' CSV file.

The file has a header row and one row per indicator and year (Chinese or English
headers, any column order; UTF-8, UTF-8 with BOM or GB18030, as Excel saves it):

    indicator (指标, 指标代码)   an indicator of marts.indicator_definitions
    year (年度, 年份)            the year the target is for, 4 digits
    target (目标值, 目标)        the target, in the indicator's unit
    better (方向, 优劣方向)       higher (越高越好, 高) or lower (越低越好, 低)
    county_code (行政区划代码)    optional: 6 digits; empty or absent: every county

It is read whole and checked whole: a bad file is one line naming the file, the row
(as a spreadsheet shows it) and the rule it breaks, and no target of it is used.
Targets are the analysts' plan, not a source system's export: they are given to the
report (`yingshang report --targets FILE`, or YINGSHANG_TARGETS), change without a
data run and make no release of the warehouse.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import duckdb

from assets.declaration import Column, Mart
from assets.indicators import BY_NAME

HEADERS = {
    "indicator": ("indicator", "指标", "指标代码"),
    "year": ("year", "年度", "年份"),
    "target": ("target", "目标值", "目标"),
    "better": ("better", "方向", "优劣方向"),
    "county_code": ("county_code", "行政区划代码"),
}
REQUIRED = ("indicator", "year", "target", "better")
BETTER = {"higher": "higher", "越高越好": "higher", "高": "higher",
          "lower": "lower", "越低越好": "lower", "低": "lower"}

MART = Mart(
    name="indicator_targets",
    zh="指标目标值（对标对表），来自分析人员的目标文件",
    en="targets of the indicators (对标对表), from the analysts' targets file",
    grain=("county_code", "indicator", "year"),
    columns=(
        Column("county_code", "行政区划代码；为空表示适用于所有县", "county code; null: every county"),
        Column("indicator", "指标代码（见 marts.indicator_definitions）", "indicator code"),
        Column("year", "目标年度", "year of the target"),
        Column("target", "目标值，单位同指标", "target, in the indicator's unit"),
        Column("better", "方向：higher 越高越好，lower 越低越好", "higher or lower is better"),
        Column("source_file", "目标文件", "the targets file"),
        Column("source_row", "文件中的行号（同电子表格）", "row in that file, as a spreadsheet shows it"),
    ),
)


class TargetsError(ValueError):
    """A targets file that breaks a rule: one line naming file, row and rule."""


@dataclass(frozen=True)
class Target:
    county_code: str | None
    indicator: str
    year: int
    target: Decimal
    better: str
    source_file: str
    source_row: int


def _text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TargetsError(f"{path}: not UTF-8 or GB18030 text (save it as CSV UTF-8)")


def _clean(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell or "").strip()


def read_targets(path: Path) -> list[Target]:
    path = Path(path)
    if not path.is_file():
        raise TargetsError(f"{path}: no such targets file")
    rows = list(csv.reader(io.StringIO(_text(path))))
    if not rows:
        raise TargetsError(f"{path}: empty, expected a header row with {', '.join(REQUIRED)}")
    header = [_clean(c) for c in rows[0]]
    where: dict[str, int] = {}
    for name, aliases in HEADERS.items():
        found = [i for i, h in enumerate(header) if h in aliases]
        if len(found) > 1:
            raise TargetsError(f"{path} row 1: column {name} given twice")
        if found:
            where[name] = found[0]
    lacking = [n for n in REQUIRED if n not in where]
    if lacking:
        raise TargetsError(
            f"{path} row 1: the header lacks {', '.join(lacking)} "
            f"(headers: {'; '.join(n + ' = ' + ' or '.join(HEADERS[n]) for n in REQUIRED)})"
        )
    out, seen = [], {}
    for n, row in enumerate(rows[1:], 2):
        cells = {name: _clean(row[i]) if i < len(row) else "" for name, i in where.items()}
        if not any(cells.values()):
            continue  # a blank line
        out.append(_target(path, n, cells))
        key = (out[-1].county_code, out[-1].indicator, out[-1].year)
        if key in seen:
            raise TargetsError(f"{path} row {n}: {key[1]} {key[2]} already has a target in row {seen[key]}")
        seen[key] = n
    return out


def _target(path: Path, n: int, cells: dict[str, str]) -> Target:
    def bad(rule: str) -> TargetsError:
        return TargetsError(f"{path} row {n}: {rule}")

    indicator = cells["indicator"]
    if indicator not in BY_NAME:
        raise bad(f"indicator {indicator!r} is not an indicator of marts.indicator_definitions")
    if not re.fullmatch(r"\d{4}", cells["year"]):
        raise bad(f"year must be 4 digits, got {cells['year']!r}")
    try:
        target = Decimal(cells["target"].replace(",", ""))
        if not target.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise bad(f"target must be a number, got {cells['target']!r}") from None
    better = BETTER.get(cells["better"].lower())
    if better is None:
        raise bad(f"better must be higher or lower (越高越好/越低越好), got {cells['better']!r}")
    county = cells.get("county_code") or None
    if county is not None and not re.fullmatch(r"\d{6}", county):
        raise bad(f"county_code must be 6 digits, got {county!r}")
    return Target(county, indicator, int(cells["year"]), target, better, path.name, n)


def load_targets(conn: duckdb.DuckDBPyConnection, targets: list[Target]) -> None:
    """marts.indicator_targets in `conn`, with its declared comments."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute(
        "CREATE OR REPLACE TABLE marts.indicator_targets (county_code VARCHAR, indicator VARCHAR, "
        "year INTEGER, target DECIMAL(24, 6), better VARCHAR, source_file VARCHAR, source_row INTEGER)"
    )
    conn.executemany(
        "INSERT INTO marts.indicator_targets VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(t.county_code, t.indicator, t.year, t.target, t.better, t.source_file, t.source_row) for t in targets],
    )
    for statement in MART.documentation():
        conn.execute(statement)


# How a figure stands against its target. A cumulative count (sum, distinct) before
# December is held against the share of the year gone (序时进度); a ratio,
# percentage or median against the target itself.
MET, NOT_MET = "达标 met", "未达标 not met"
ON_TRACK, BEHIND = "序时进度达标 on track", "落后序时进度 behind"


def status(value: Decimal | None, target: Decimal, better: str, method: str, month: int) -> str | None:
    if value is None:
        return None
    higher = better == "higher"
    if (value >= target) if higher else (value <= target):
        if higher or month == 12 or method not in ("sum", "distinct"):
            return MET
        # Below a yearly ceiling so far: within the share of the year gone?
        return ON_TRACK if Fraction(value) <= Fraction(target) * month / 12 else BEHIND
    if method in ("sum", "distinct") and month < 12 and higher:
        return ON_TRACK if Fraction(value) >= Fraction(target) * month / 12 else BEHIND
    return NOT_MET
