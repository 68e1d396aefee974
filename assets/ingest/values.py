"""Cell values: from the text a clerk's export holds to typed values.

Every parser here is a polars expression, so a batch of a million rows is parsed
without a Python loop. A parser returns the typed value and an error message; the
message is null where the cell parsed (or was empty) and names the field, the rule
and the cell text where it did not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from assets.declaration import Field

# Section 1: the texts that mean "no value".
EMPTY_MARKERS = ("", "-", "--", "—", "——", "/", "无", "NULL", "null", "None", "N/A", "#N/A")

BOOLEANS: Mapping[str, bool] = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
    "1": True, "0": False, "true": True, "false": False,
}

# GB 32100-2015: the alphabet of the unified social credit code and the weights of
# its first 17 characters (3^(i-1) mod 31).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_TIME_PART = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
_YMD = r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"
_YMD_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_YM = r"^(\d{4})[-/.年](\d{1,2})月?$"
_YM_COMPACT = r"^(\d{4})(\d{2})$"
_EXCEL_SERIAL = r"^\d{5}(?:\.\d+)?$"  # days since 1899-12-30, as xlsx stores dates
_DECIMAL = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
_INTEGER = r"^[+-]?\d+(?:\.0*)?$"


def normalize(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width to half-width), trimmed, with the empty markers as null."""
    text = raw.str.normalize("NFKC").str.strip_chars()
    return pl.when(text.is_in(EMPTY_MARKERS)).then(None).otherwise(text)


def _compact(text: pl.Expr) -> pl.Expr:
    """Inside codes, numbers and dates every space is removed."""
    return text.str.replace_all(r"\s+", "")


def _iso_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    iso = pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-")
    return iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def parse_date(text: pl.Expr) -> pl.Expr:
    s = _compact(text.str.replace(_TIME_PART, ""))
    serial = s.str.extract(r"^(\d{5})", 1).cast(pl.Int32, strict=False)
    return pl.coalesce(
        _iso_date(s.str.extract(_YMD, 1), s.str.extract(_YMD, 2), s.str.extract(_YMD, 3)),
        _iso_date(
            s.str.extract(_YMD_COMPACT, 1), s.str.extract(_YMD_COMPACT, 2),
            s.str.extract(_YMD_COMPACT, 3),
        ),
        pl.when(s.str.contains(_EXCEL_SERIAL)).then(
            pl.lit(date(1899, 12, 30)) + pl.duration(days=serial)
        ),
    )


def parse_month(text: pl.Expr) -> pl.Expr:
    s = _compact(text)
    month_only = pl.coalesce(
        _iso_date(s.str.extract(_YM, 1), s.str.extract(_YM, 2), pl.lit("1")),
        _iso_date(s.str.extract(_YM_COMPACT, 1), s.str.extract(_YM_COMPACT, 2), pl.lit("1")),
    )
    return pl.coalesce(month_only, parse_date(text).dt.truncate("1mo"))


def parse_money(text: pl.Expr, scale: int) -> tuple[pl.Expr, pl.Expr]:
    """Exact yuan: the text as a decimal, times the header's unit. Returns the value
    and whether it fits DECIMAL(18,2) exactly (no fraction of a fen is lost)."""
    s = _compact(text).str.replace_all(",", "")
    wide = pl.when(s.str.contains(_DECIMAL)).then(s).cast(pl.Decimal(38, 8), strict=False)
    yuan = wide * pl.lit(scale, dtype=pl.Decimal(38, 0))
    exact = (yuan.round(2) == yuan) & (yuan.abs() < 10**16)
    return pl.when(exact).then(yuan.cast(pl.Decimal(18, 2), strict=False)), exact


def parse_integer(text: pl.Expr) -> pl.Expr:
    s = _compact(text).str.replace_all(",", "")
    return pl.when(s.str.contains(_INTEGER)).then(s.str.replace(r"\.0*$", "")).cast(
        pl.Int64, strict=False
    )


def parse_bool(text: pl.Expr) -> pl.Expr:
    return _compact(text).str.to_lowercase().replace_strict(BOOLEANS, default=None, return_dtype=pl.Boolean)


def parse_enum(text: pl.Expr, vocabulary: Mapping[str, str]) -> pl.Expr:
    accepted = {**vocabulary, **{v: v for v in vocabulary.values()}}
    return _compact(text).replace_strict(accepted, default=None, return_dtype=pl.String)


def count_persons(text: pl.Expr) -> pl.Expr:
    """How many persons a cell names (`张三、李四`): the names themselves are not kept."""
    names = text.str.replace_all(r"[、,;/\s]+", "|").str.split("|")
    return names.list.eval(pl.element().filter(pl.element() != "")).list.len().cast(pl.Int32)


def credit_code_is_valid(code: pl.Expr) -> pl.Expr:
    """GB 32100-2015 check digit, vectorised: 18 characters from the alphabet, the
    last one the check character of the first 17."""
    index = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
    value = [
        code.str.slice(i, 1).replace_strict(index, default=None, return_dtype=pl.Int32)
        for i in range(18)
    ]
    weighted = pl.sum_horizontal([v * w for v, w in zip(value[:17], CREDIT_WEIGHTS, strict=True)])
    check = (31 - weighted % 31) % 31
    return (
        (code.str.len_chars() == 18)
        & pl.all_horizontal([v.is_not_null() for v in value])
        & (value[17] == check)
    )


def parse(field: Field, raw: pl.Expr, scale: int = 1) -> tuple[pl.Expr, pl.Expr]:
    """The typed value of `field` from its raw cell, and the parse error (null if none)."""
    text = normalize(raw)
    label = f"{field.name}（{field.zh}）"
    if field.personal:
        return pl.when(text.is_not_null()).then(count_persons(text)), pl.lit(None, pl.String)

    exact = None
    if field.type == "date":
        value, what = parse_date(text), "is not a date"
    elif field.type == "month":
        value, what = parse_month(text), "is not a month"
    elif field.type == "money":
        value, exact = parse_money(text, scale)
        what = "is not an amount of money"
    elif field.type in ("count", "integer"):
        value, what = parse_integer(text), "is not a whole number"
    elif field.type == "bool":
        value, what = parse_bool(text), "is not yes/no (是/否, Y/N, 1/0, true/false)"
    elif field.type == "enum":
        allowed = "、".join(dict.fromkeys([*field.vocabulary, *field.canonical_values]))
        value, what = parse_enum(text, field.vocabulary), f"is not one of {allowed}"
    elif field.type == "credit_code":
        value, what = _compact(text).str.to_uppercase(), ""
    elif field.type == "code":
        value, what = _compact(text), ""
    else:
        value, what = text, ""

    if not what:
        return value, pl.lit(None, pl.String)
    message = pl.format(f"{label}: '{{}}' {what}", text)
    if exact is not None:
        message = pl.when(exact.is_null() | exact).then(message).otherwise(
            pl.format(f"{label}: '{{}}' has a fraction of a fen", text)
        )
    error = pl.when(text.is_not_null() & value.is_null()).then(message)
    return value, error
