"""Row validation with pandera, derived from the export declaration.

The schema checks what parsing cannot: required values, ranges, vocabularies,
code patterns, the credit-code check digit and the rules relating fields of one
row. Validation is lazy, so every rule a row breaks is reported, and each failure
becomes a readable reason on that row.
"""

from __future__ import annotations

from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from assets.declaration import Export, Field
from assets.exports import EXPORTS
from assets.ingest.values import credit_code_is_valid

CREDIT_CODE_CHECK = "is not a valid unified social credit code (GB 32100-2015 check digit)"


def _field_checks(f: Field) -> list[pa.Check]:
    checks = []
    if f.min_value is not None:
        checks.append(pa.Check.ge(f.min_value, error=f"must be >= {f.min_value}"))
    if f.vocabulary:
        allowed = ", ".join(f.canonical_values)
        checks.append(pa.Check.isin(f.canonical_values, error=f"must be one of {allowed}"))
    if f.pattern:
        checks.append(pa.Check.str_matches(f"^(?:{f.pattern})$", error=f"must match {f.pattern}"))
    if f.type == "credit_code":
        checks.append(
            pa.Check(
                # An empty cell is the `required` rule's business, not this one's.
                lambda data: data.lazyframe.select(
                    pl.col(data.key).is_null() | credit_code_is_valid(pl.col(data.key))
                ),
                name="credit_code",
                error=CREDIT_CODE_CHECK,
            )
        )
    return checks


@cache
def schema_for(kind: str) -> pa.DataFrameSchema:
    export = EXPORTS[kind]
    columns = {
        f.stored_name: pa.Column(
            f.polars_type,
            nullable=not f.required,
            checks=[] if f.personal else _field_checks(f),
            description=f.description,
        )
        for f in export.stored_fields
    }
    row_checks = [
        pa.Check(
            lambda data, ok=rule.ok: data.lazyframe.select(ok.fill_null(True)),
            name=rule.name,
            error=f"{rule.description} ({rule.name})",
        )
        for rule in export.row_rules
    ]
    return pa.DataFrameSchema(columns, checks=row_checks, strict=False, name=kind)


def _label(export: Export, column: str | None) -> str:
    for f in export.stored_fields:
        if f.stored_name == column:
            return f"{f.name}（{f.zh}）"
    return str(column)


def schema_failures(frame: pl.DataFrame, export: Export) -> pl.DataFrame:
    """Every schema failure of `frame` as (_i: row position, label, reason)."""
    try:
        schema_for(export.kind).validate(frame, lazy=True)
        return pl.DataFrame(schema={"_i": pl.Int64, "label": pl.String, "reason": pl.String})
    except SchemaErrors as e:
        failures = e.failure_cases
    cases = failures.filter(pl.col("index").is_not_null())
    if cases.height != failures.height:
        # A failure without a row (a wrong dtype) is a bug in the declaration or
        # the parsers, not bad data: stop rather than quarantine nothing.
        raise AssertionError(f"schema failures without row positions: {failures}")

    labels = {c: _label(export, c) for c in cases["column"].drop_nulls().unique().to_list()}
    label = pl.col("column").replace_strict(labels, default=pl.col("column"))
    reason = (
        pl.when(pl.col("schema_context") == "DataFrameSchema")
        .then(pl.col("check"))
        .when(pl.col("check") == "not_nullable")
        .then(pl.format("{}: required but empty", label))
        .otherwise(pl.format("{}: '{}' {}", label, pl.col("failure_case"), pl.col("check")))
    )
    return cases.select(
        pl.col("index").cast(pl.Int64).alias("_i"), label.alias("label"), reason.alias("reason")
    )


def validate(frame: pl.DataFrame, export: Export) -> pl.DataFrame:
    """Adds every schema failure to the rows' `_errors`; a row is valid when that
    list is empty. Values are left as parsed."""
    cases = schema_failures(frame.select(f.stored_name for f in export.stored_fields), export)
    if cases.is_empty():
        return frame
    # A value that failed to parse is null; its parse error already says why, so
    # the "required but empty" that follows from it is not repeated.
    indexed = frame.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    parse_failed = (
        indexed.select("_i", pl.col("_errors").alias("e"))
        .explode("e")
        .select("_i", pl.col("e").str.extract(r"^(.*?): ", 1).alias("label"))
        .drop_nulls()
    )
    reasons = (
        cases.join(parse_failed, on=["_i", "label"], how="anti")
        .group_by("_i")
        .agg(pl.col("reason").unique(maintain_order=True))
    )
    return (
        indexed.join(reasons, on="_i", how="left", maintain_order="left")
        .with_columns(pl.concat_list("_errors", pl.col("reason").fill_null([])).alias("_errors"))
        .drop("_i", "reason")
    )
