"""Totals rows (合计) checked against the file's data rows.

A totals row is not data, but what it states is checked: each money or count it
states must equal the sum of that column over every data row of the file,
quarantined ones included (the clerk's total counted them too). A mismatch is a
note on the file's ledger row, not a reason to reject it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from assets.ingest.recognise import Recognised


@dataclass(frozen=True)
class Comparison:
    """One number a totals row states, against the sum of the data rows."""

    row_number: int
    field: str  # stored name
    stated: object
    computed: object

    @property
    def matches(self) -> bool:
        return Decimal(self.stated) == Decimal(self.computed)


@dataclass
class Totals:
    """Gathers, batch by batch, the totals rows and the sums of the data rows."""

    columns: list[str]  # stored names of the columns a totals row may sum
    sums: dict[str, Decimal] = field(default_factory=dict)
    stated: list[pl.DataFrame] = field(default_factory=list)  # totals rows: _row + columns

    @classmethod
    def of(cls, rec: Recognised) -> Totals:
        columns = [
            c.field.stored_name for c in rec.columns
            if c.field.type in ("money", "count") and not c.field.personal
        ]
        return cls(columns, dict.fromkeys(columns, Decimal(0)))

    def add(self, batch: pl.DataFrame) -> None:
        """Take a parsed batch (with `_class`) into account."""
        self.stated.append(batch.filter(pl.col("_class") == "total").select("_row", *self.columns))
        data = batch.filter(pl.col("_class") == "data")
        if data.is_empty():
            return
        for name in self.columns:
            self.sums[name] += data[name].sum() or 0

    def compared(self) -> list[Comparison]:
        """Every number stated by a totals row, in row then column order."""
        return [
            Comparison(row["_row"], name, row.get(name), computed)
            for row in pl.concat(self.stated).iter_rows(named=True)
            for name, computed in self.sums.items()
            if row.get(name) is not None
        ]


def mismatches(comparisons: list[Comparison]) -> str | None:
    """The ledger's note on totals that disagree, if any do."""
    return "; ".join(
        f"totals row {c.row_number}: {c.field} states {c.stated}, data rows sum to {c.computed}"
        for c in comparisons if not c.matches
    ) or None
