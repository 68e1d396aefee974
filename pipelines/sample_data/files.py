"""What a simulated export file is: its columns, its rows (valid, or breaking a rule
the ingestion must catch) and the style its cells are written in. The simulators
build these; `render` writes them."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal


@dataclass
class Row:
    values: dict  # canonical field (or x_… extra) -> the value this file reports
    broken_rule: str | None = None  # why the ingestion must quarantine the row; None if valid
    raw_cells: dict = field(default_factory=dict)  # field -> cell written exactly as given
    repeat_previous: bool = False  # an identical copy of the row above (valid, kept once)


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    # How the cells are written: text, code, credit (credit code), case_no, enum, bool,
    # date, month, money, count, county (行政区划代码).
    type: str = "text"
    yuan_per_unit: int = 1  # money: 1 for （元）, 10000 for （万元）
    merged_header: str | None = None  # two-row header: the merged cell above this column
    # enum: canonical value -> its label, or labels one of which is drawn per cell;
    # None: each row carries the label its system wrote in `x_<field>_label`.
    labels: Mapping[str, str | tuple[str, ...]] | None = None


COUNTY_COLUMN = Col("行政区划代码", "county_code", "county")


@dataclass
class Style:
    # Date forms drawn per field ('*' for the others), with weights:
    # iso 2023-05-17, slash 2023/5/17, dot 2023.5.17, cn 2023年5月17日, compact 20230517,
    # iso_time / slash_time (a time part), xl_date / xl_datetime (xlsx date cells),
    # xl_serial (an xlsx number cell holding the Excel serial day).
    date_forms: dict = field(default_factory=lambda: {"*": (("iso", 1),)})
    month_form: str = "dash"  # dash 2023-05, cn 2023年5月, compact 202305, xl_date
    money_form: str = "plain"  # plain 1234.50, thousands 1,234.50, number (xlsx numeric cell)
    null_forms: tuple = ("",)  # what an empty value is written as (None: an empty xlsx cell)
    yes_no: tuple = (("是", "否"),)  # pairs of (true, false) cells, one pair drawn per cell
    english_values: bool = False  # canonical English values (tax, civil, no_issue, …)
    fullwidth_share: float = 0.0  # of codes, numbers and dates written full-width
    padded_share: float = 0.0  # of text cells with spaces around them
    lowercase_share: float = 0.0  # of credit codes written in lower case
    case_no_brackets: Literal["full", "half"] = "full"  # （2023） or (2023)
    numeric_cells: bool = False  # xlsx: counts, 序号 and 行政区划代码 as number cells


@dataclass
class File:
    name: str
    kind: str
    exported: datetime  # also the file's modification time
    fmt: Literal["csv", "xlsx"]
    encoding: str | None
    columns: list[Col]
    rows: list[Row]
    style: Style
    summary: str  # what the file is and which quirks it carries (for the docs)
    preamble: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    totals_label: str | None = None
    totals_fields: tuple[str, ...] = ()
    excel_padded: bool = False  # CSV saved by Excel: every line padded to the full width

    @property
    def counts(self) -> dict:
        broken = [r.broken_rule for r in self.rows if r.broken_rule]
        return {"kind": self.kind, "rows_read": len(self.rows),
                "rows_loaded": len(self.rows) - len(broken),
                "rows_quarantined": len(broken), "quarantined_because": broken}


def renamed(columns: list[Col], **headers: str) -> list[Col]:
    """The same columns with some headers replaced (field -> new header)."""
    return [replace(c, header=headers.get(c.field, c.header)) for c in columns]


def english(columns: list[Col]) -> list[Col]:
    """The same columns headed by their canonical field names."""
    return [replace(c, header=c.field) for c in columns]


def insert_inside(rng: random.Random, rows: list[Row], row: Row) -> None:
    """Put a row somewhere inside the data (not first, so the header stays obvious)."""
    rows.insert(rng.randint(1, len(rows)), row)


def insert_identical_duplicate(rng: random.Random, rows: list[Row]) -> None:
    """Repeat a valid row right below itself (a double export line: kept once)."""
    candidates = [i for i, r in enumerate(rows) if r.broken_rule is None and not r.repeat_previous]
    i = rng.choice(candidates[1:-1])
    rows.insert(i + 1, Row(rows[i].values, repeat_previous=True))


def export_stamp(d: datetime) -> str:
    return f"导出时间：{d:%Y-%m-%d %H:%M:%S}"
