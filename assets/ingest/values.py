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

# Every written form of a date (section 1) is first rewritten to Y-M-D by one regex
# replace, so the parse itself is a single strptime; a time part is dropped.
_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + "$"
_YMD_COMPACT = r"^(\d{4})(\d{2})(\d{2})" + _TIME + "$"
_YM = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"
_YM_COMPACT = r"^(\d{4})(\d{2})$"
_EXCEL_SERIAL = r"^\d{5}(?:\.\d+)?$"  # days since 1899-12-30, as xlsx stores dates
_INTEGER = r"^[+-]?\d+(?:\.0*)?$"


def nfkc(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width to half-width), trimmed. NFKC leaves ASCII and CJK unified
    ideographs as they are, so only text with other characters pays for it."""
    stable = raw.str.contains(r"^[\x00-\x7F\x{4E00}-\x{9FFF}]*$")
    return pl.when(stable).then(raw).otherwise(raw.str.normalize("NFKC")).str.strip_chars()


def blank_to_null(text: pl.Expr) -> pl.Expr:
    """The empty markers as null."""
    return pl.when(text.is_in(EMPTY_MARKERS)).then(None).otherwise(text)


def lookup(text: pl.Expr, mapping: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
    """`mapping[text]`, null where absent. A when/then chain rather than
    `replace_strict`, which makes polars' streaming engine hold the whole file."""
    expr = pl.when(text == next(iter(mapping))).then(pl.lit(mapping[next(iter(mapping))], dtype))
    for key, value in list(mapping.items())[1:]:
        expr = expr.when(text == key).then(pl.lit(value, dtype))
    return expr.otherwise(pl.lit(None, dtype))


def _compact(text: pl.Expr) -> pl.Expr:
    """Inside codes, numbers and dates every space is removed."""
    return text.str.replace_all(r"\s+", "")


def clean(field: Field, text: pl.Expr, scale: int = 1) -> pl.Expr | None:
    """The normalised text made ready for the field's parser, or None when the
    parser takes the text as it is. Computed once per cell, as its own column."""
    if field.personal:
        return None
    if field.type == "date":
        return text.str.replace(_YMD, "${1}-${2}-${3}").str.replace(_YMD_COMPACT, "${1}-${2}-${3}")
    if field.type == "month":
        return (
            text.str.replace(_YM, "${1}-${2}-1")
            .str.replace(_YM_COMPACT, "${1}-${2}-1")
            .str.replace(_YMD, "${1}-${2}-${3}")
            .str.replace(_YMD_COMPACT, "${1}-${2}-${3}")
        )
    if field.type in ("money", "count", "integer"):
        return text.str.replace_all(r"[\s,]", "")
    if field.type == "credit_code":
        return _compact(text).str.to_uppercase()
    if field.type in ("code", "bool", "enum"):
        return _compact(text)
    return None


def parse_date(s: pl.Expr) -> pl.Expr:
    """From cleaned text: Y-M-D, or an Excel serial day number."""
    serial = s.str.extract(r"^(\d{5})", 1).cast(pl.Int32, strict=False)
    return pl.coalesce(
        s.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.when(s.str.contains(_EXCEL_SERIAL)).then(
            pl.lit(date(1899, 12, 30)) + pl.duration(days=serial)
        ),
    )


def parse_month(s: pl.Expr) -> pl.Expr:
    return parse_date(s).dt.truncate("1mo")


def _money_pattern(scale: int) -> str:
    """A number whose value in yuan is exact to the fen: at most 2 decimals in
    yuan, 6 in 万元 (trailing zeros aside)."""
    decimals = 2 + len(str(scale)) - 1
    return rf"^[+-]?\d+(?:\.\d{{0,{decimals}}}0*)?$"


def parse_money(s: pl.Expr, scale: int) -> pl.Expr:
    """Exact yuan: the text as a decimal, times the header's unit."""
    exact = s.str.contains(_money_pattern(scale))
    value = s.cast(pl.Decimal(38, 8), strict=False)
    if scale != 1:
        value = value * pl.lit(scale, dtype=pl.Decimal(38, 0))
    return pl.when(exact).then(value).cast(pl.Decimal(18, 2), strict=False)


def parse_integer(s: pl.Expr) -> pl.Expr:
    return pl.when(s.str.contains(_INTEGER)).then(s.str.replace(r"\.0*$", "")).cast(
        pl.Int64, strict=False
    )


def parse_bool(s: pl.Expr) -> pl.Expr:
    return lookup(s.str.to_lowercase(), BOOLEANS, pl.Boolean())


def parse_enum(s: pl.Expr, vocabulary: Mapping[str, str]) -> pl.Expr:
    accepted = {**vocabulary, **{v: v for v in vocabulary.values()}}
    return lookup(s, accepted, pl.String())


PERSON_SEPARATORS = r"[、,;/\s]+"


def count_persons(text: pl.Expr) -> pl.Expr:
    """How many persons a cell names (`张三、李四`): the names themselves are not kept."""
    inner = text.str.strip_chars("、,;/ \t\n")
    return (inner.str.count_matches(PERSON_SEPARATORS) + 1).cast(pl.Int32)


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


def parse(field: Field, text: pl.Expr, cleaned: pl.Expr | None, scale: int = 1) -> pl.Expr:
    """The typed value of `field` from its normalised text and cleaned text."""
    s = text if cleaned is None else cleaned
    if field.personal:
        return pl.when(text.is_not_null()).then(count_persons(text))
    if field.type == "date":
        return parse_date(s)
    if field.type == "month":
        return parse_month(s)
    if field.type == "money":
        return parse_money(s, scale)
    if field.type in ("count", "integer"):
        return parse_integer(s)
    if field.type == "bool":
        return parse_bool(s)
    if field.type == "enum":
        return parse_enum(s, field.vocabulary)
    return s


def parse_error(field: Field, text: pl.Expr, value: pl.Expr, scale: int = 1) -> pl.Expr | None:
    """The error of a cell whose text did not parse (null where it did, or was empty).
    None for fields whose parse cannot fail (text, codes: their rules are checked later)."""
    label = f"{field.name}（{field.zh}）"
    if field.personal:
        return None
    what = {
        "date": "is not a date",
        "month": "is not a month",
        "money": "is not an amount of money",
        "count": "is not a whole number",
        "integer": "is not a whole number",
        "bool": "is not yes/no (是/否, Y/N, 1/0, true/false)",
    }.get(field.type)
    if field.type == "enum":
        allowed = "、".join(dict.fromkeys([*field.vocabulary, *field.canonical_values]))
        what = f"is not one of {allowed}"
    if what is None:
        return None
    message = pl.format(f"{label}: '{{}}' {what}", text)
    if field.type == "money":
        number = text.str.replace_all(r"[\s,]", "").str.contains(r"^[+-]?\d+(?:\.\d+)?$")
        message = pl.when(number).then(
            pl.format(f"{label}: '{{}}' has a fraction of a fen", text)
        ).otherwise(message)
    return pl.when(text.is_not_null() & value.is_null()).then(message)
