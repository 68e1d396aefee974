"""From rows of text cells to typed rows of one export.

Rows are told apart first (blank, totals, footer, data): only data rows are
counted as read. Each row is then parsed field by field following the
declaration, keeping every parse error. Parsing runs in stages of whole columns
(normalise, clean, parse, explain) so that each costly string operation runs
once per cell. Rows that fail keep their cells (`quarantined`, `read_again`) for
quarantine, where a clerk can see what the file said.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from assets.ingest.reading import Grid
from assets.ingest.recognise import Column, Recognised
from assets.ingest.values import blank_to_null, nfkc, parse, parse_error
from assets.ingest.values import clean as clean_text

TOTAL_PATTERN = r"^(?:合计|总计|小计)[:：]?$"
# A footer is a note under the table: `制表人：张三`, `注：…`, `数据来源：…` — a short
# label and a colon, or 注/备注/说明, in a row that fills few of the table's cells
# (`制表人：` `张三` `审核人：` `李四` is a footer too; a data row fills most).
FOOTER_PATTERN = r"^(?:注|备注|说明)|^[^\d:：]{1,15}[:：]"


def footer_max_cells(width: int) -> int:
    return max(2, width // 2)


def classify(frame: pl.LazyFrame, width: int) -> pl.LazyFrame:
    """Adds `_class`: blank, total, footer or data. Only the first filled cell of a
    row is normalised: that is all the decision needs. (Each stage is its own
    column: polars does not share a sub-expression used twice within one.)"""
    if width == 0:
        return frame.with_columns(pl.lit("blank").alias("_class"))
    filled = [pl.col(f"c{i}").str.strip_chars().str.len_bytes() > 0 for i in range(width)]
    return (
        frame.with_columns(
            pl.sum_horizontal([f.fill_null(False).cast(pl.Int32) for f in filled]).alias("_filled"),
            pl.coalesce([pl.when(f).then(pl.col(f"c{i}")) for i, f in enumerate(filled)]).alias("_first"),
        )
        .with_columns(nfkc(pl.col("_first")).alias("_first"))
        .with_columns(blank_to_null(pl.col("_first")).str.replace_all(r"\s+", "").alias("_first"))
        .with_columns(
            pl.when(pl.col("_filled") == 0)
            .then(pl.lit("blank"))
            .when(pl.col("_first").str.contains(TOTAL_PATTERN))
            .then(pl.lit("total"))
            .when((pl.col("_filled") <= footer_max_cells(width)) & pl.col("_first").str.contains(FOOTER_PATTERN))
            .then(pl.lit("footer"))
            .otherwise(pl.lit("data"))
            .alias("_class")
        )
        .drop("_filled", "_first")
    )


def _normalised(c: Column) -> str:
    """The column of c's cells after NFKC, blanks as null."""
    return f"_normalised_{c.index}"


def _cleaned(c: Column) -> str:
    """The column of c's normalised cells cleaned for parsing (`values.clean`)."""
    return f"_cleaned_{c.index}"


def parse_rows(
    frame: pl.LazyFrame, rec: Recognised, county_code: str, beyond: Sequence[str] = (),
    folder_county: str | None = None,
) -> pl.LazyFrame:
    """Typed columns of every stored field, plus `_row`, `_class`, `_errors` (the
    parse errors) and the raw cells of the non-personal columns (`c0…`), kept for
    the rows that end in quarantine. `beyond`: the columns past the header's last
    one, where a CSV row has no cells unless it is ragged. `folder_county`: the
    county of the landing subfolder the file came from (`landing/610526/…`), or
    None without subfolders; a row naming another county is a row error."""
    export = rec.export
    mapped = [c for c in rec.columns if c.field.column != "ignored"]
    cleaners = {c.index: clean_text(c.field, pl.col(_normalised(c)), c.scale) for c in mapped}

    values, errors = [], []
    for f in export.stored_fields:
        col = rec.column(f.name)
        if col is None:
            value = pl.lit(None, f.polars_type)
        else:
            cleaned = pl.col(_cleaned(col)) if cleaners[col.index] is not None else None
            value = parse(f, pl.col(_normalised(col)), cleaned, col.scale)
        if f.name == "county_code":
            if folder_county is not None and col is not None:
                errors.append(county_mismatch(value, folder_county))
            value = pl.coalesce(value, pl.lit(county_code))
        values.append(value.cast(f.polars_type).alias(f.stored_name))

    ragged = (
        pl.any_horizontal(pl.col(c).str.strip_chars().str.len_bytes() > 0 for c in beyond).fill_null(False)
        if beyond else pl.lit(False)
    )
    if beyond:
        # An unquoted delimiter inside a cell shifts every cell after it: none of
        # the row's cells can be trusted to be under its header. (Short rows are
        # not ragged: Excel leaves out trailing empty cells.)
        errors.append(
            pl.when(pl.col("_ragged"))
            .then(pl.lit(
                f"the row has more cells than the header's {rec.header_width} columns "
                "(an unquoted delimiter inside a cell?)"
            ))
        )
    for c in mapped:
        error = parse_error(c.field, pl.col(_normalised(c)), pl.col(c.field.stored_name), c.scale)
        if error is not None:
            errors.append(error)
    raw = [f"c{c.index}" for c in rec.columns if not c.field.personal]

    parsed = (
        frame.with_columns(ragged.alias("_ragged"))
        .with_columns(nfkc(pl.col(f"c{c.index}")).alias(_normalised(c)) for c in mapped)
        .with_columns(blank_to_null(pl.col(_normalised(c))).alias(_normalised(c)) for c in mapped)
        .with_columns(cleaners[c.index].alias(_cleaned(c)) for c in mapped if cleaners[c.index] is not None)
        .with_columns(values)
        .with_columns(
            (pl.concat_list(errors).list.drop_nulls() if errors else pl.lit([], pl.List(pl.String)))
            .alias("_errors")
        )
    )
    for name, expr in export.derived.items():
        parsed = parsed.with_columns(expr.alias(export.field(name).stored_name))
    return parsed.select(
        pl.col("_row").cast(pl.Int64), "_class", *[f.stored_name for f in export.stored_fields],
        "_errors", "_ragged", *raw,
    )


def county_mismatch(code: pl.Expr, folder_county: str) -> pl.Expr:
    """EXPORTS.md 3a: a file in a county's landing subfolder belongs to that county;
    a row whose own non-empty 行政区划代码 names another one is a row error."""
    return pl.when(code.is_not_null() & (code != folder_county)).then(pl.format(
        "行政区划代码 {} is not the county of its landing folder {}", code, pl.lit(folder_county)
    ))


def raw_json(rec: Recognised, ragged: pl.Expr | None = None) -> pl.Expr:
    """The row's cells by header, personal-data columns left out, as JSON. In a
    ragged row (`ragged` true) the cells right of the first personal column are
    left out too: they may hold its shifted text (`张三,李四` unquoted)."""
    first_personal = min((c.index for c in rec.columns if c.field.personal), default=None)

    def cell(c: Column) -> pl.Expr:
        value = pl.col(f"c{c.index}")
        if ragged is not None and first_personal is not None and c.index > first_personal:
            value = pl.when(ragged).then(None).otherwise(value)
        return value.alias(c.header)

    return pl.struct([cell(c) for c in rec.columns if not c.field.personal]).struct.json_encode()


def quarantined(rows: pl.DataFrame, rec: Recognised) -> pl.DataFrame:
    """Rows that failed, as quarantine keeps them: `_row`, `_raw` (the cells as JSON,
    see `raw_json`) and `_errors`."""
    return rows.select("_row", raw_json(rec, pl.col("_ragged")).alias("_raw"), "_errors")


def read_again(grid: Grid, rec: Recognised, numbers: list[int]) -> pl.DataFrame:
    """Rows `numbers` read again from the file as (`_row_number`, `_raw`): a staged
    row keeps no raw cells, so one quarantined after staging needs them from here."""
    return pl.concat(
        batch.filter(pl.col("_row").cast(pl.Int64).is_in(numbers)).select(
            pl.col("_row").cast(pl.Int64).alias("_row_number"), raw_json(rec).alias("_raw")
        )
        for batch in grid.batches(rec.first_data_row)
    )
