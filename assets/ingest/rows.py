"""From rows of text cells to typed rows of one export.

Rows are told apart first (blank, totals, footer, data): only data rows are
counted as read. Each data row is then parsed field by field following the
declaration, keeping every parse error, and its raw cells as JSON for quarantine
(personal-data columns left out).
"""

from __future__ import annotations

import polars as pl

from assets.ingest.recognise import Column, Recognised
from assets.ingest.values import normalize, parse

TOTAL_MARKERS = ("合计", "总计", "小计")
# A footer is a note under the table: `制表人：张三`, `注：…`, `数据来源：…` — a short
# label and a colon (NFKC made it ASCII), or 注/备注/说明, in a row of at most two cells.
FOOTER_PATTERN = r"^(?:注|备注|说明)|^[^\d:]{1,15}:"
FOOTER_MAX_CELLS = 2


def classify(frame: pl.LazyFrame, width: int) -> pl.LazyFrame:
    """Adds `_class`: blank, total, footer or data."""
    cells = [normalize(pl.col(f"c{i}")).str.replace_all(r"\s+", "") for i in range(width)]
    filled = pl.sum_horizontal([c.is_not_null().cast(pl.Int32) for c in cells]) if cells else pl.lit(0)
    first = pl.coalesce(cells) if cells else pl.lit(None, pl.String)
    return frame.with_columns(
        pl.when(filled == 0)
        .then(pl.lit("blank"))
        .when(first.is_in(TOTAL_MARKERS))
        .then(pl.lit("total"))
        .when((filled <= FOOTER_MAX_CELLS) & first.str.contains(FOOTER_PATTERN))
        .then(pl.lit("footer"))
        .otherwise(pl.lit("data"))
        .alias("_class")
    )


def parse_rows(frame: pl.LazyFrame, rec: Recognised, county_code: str) -> pl.LazyFrame:
    """Typed columns of every stored field, plus `_row`, `_errors` (list of parse
    errors) and `_raw` (the row's cells as JSON)."""
    export = rec.export
    values, errors = [], []
    for f in export.stored_fields:
        col = rec.column(f.name)
        if col is None:
            value = pl.lit(None, f.polars_type)
        else:
            value, error = parse(f, pl.col(f"c{col.index}"), col.scale)
            errors.append(error)
        if f.name == "county_code":
            value = pl.coalesce(value, pl.lit(county_code))
        values.append(value.cast(f.polars_type).alias(f.stored_name))

    raw_cells = [
        pl.col(f"c{c.index}").alias(c.header) for c in rec.columns if not c.field.personal
    ]
    error_list = (
        pl.concat_list(errors).list.drop_nulls() if errors else pl.lit([], pl.List(pl.String))
    )
    parsed = frame.select(
        pl.col("_row").cast(pl.Int64),
        *values,
        error_list.alias("_errors"),
        pl.struct(raw_cells).struct.json_encode().alias("_raw"),
    )
    for name, expr in export.derived.items():
        parsed = parsed.with_columns(expr.alias(export.field(name).stored_name))
    return parsed


def summable_columns(rec: Recognised) -> list[Column]:
    """The columns a totals row may sum: money and counts."""
    return [c for c in rec.columns if c.field.type in ("money", "count") and not c.field.personal]


def parse_totals(frame: pl.LazyFrame, rec: Recognised) -> pl.LazyFrame:
    """The numbers a totals row states, for the summable fields it fills."""
    stated = [
        parse(c.field, pl.col(f"c{c.index}"), c.scale)[0].alias(c.field.name)
        for c in summable_columns(rec)
    ]
    return frame.select(pl.col("_row").cast(pl.Int64), *stated)
