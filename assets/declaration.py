"""The shapes of the declarations: exports, marts and indicators.

An export (one kind of file a county system produces) is declared once, as data:
its fields with their Chinese headers, canonical names, types, units, rules and
descriptions, its key, and the few rules that relate fields of one row. Header
recognition, parsing, the pandera schema, the DuckDB staging table and its
comments are all derived from that declaration by `assets.ingest`; nothing in the
machinery names a particular export.

A mart is declared the same way, beside its SQL (`sql/marts/<name>.py` next to
`<name>.sql`): its grain and its columns with their descriptions, units and
accepted values (taken from the export declarations, never retyped). The COMMENT
ON statements, the data dictionary, the Dagster column schema and the Great
Expectations suite are derived from it (`assets.models`). Indicators, which combine
the marts into the figures of the report, are declared in `assets.indicators`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from assets.sqltext import sql_literal

# Field types the machinery knows how to parse, with the DuckDB type they are
# stored as. `money` is always stored in yuan; the unit in the header says how to
# scale it. `month` is stored as the DATE of the month's first day.
DUCKDB_TYPES: Mapping[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",  # identifiers: every space removed
    "credit_code": "VARCHAR",  # unified social credit code, check digit verified
    "enum": "VARCHAR",  # mapped to the canonical vocabulary
    "date": "DATE",
    "month": "DATE",
    "money": "DECIMAL(18,2)",
    "count": "BIGINT",
    "integer": "BIGINT",
    "bool": "BOOLEAN",
}

POLARS_TYPES: Mapping[str, pl.DataType] = {
    "text": pl.String(),
    "code": pl.String(),
    "credit_code": pl.String(),
    "enum": pl.String(),
    "date": pl.Date(),
    "month": pl.Date(),
    "money": pl.Decimal(18, 2),
    "count": pl.Int64(),
    "integer": pl.Int64(),
    "bool": pl.Boolean(),
}

# Money headers carry their unit: 减免金额（元） or 减免金额（万元）. NFKC turns the
# full-width brackets into ASCII ones before headers are compared.
MONEY_UNITS: Mapping[str, int] = {"元": 1, "万元": 10_000}


@dataclass(frozen=True)
class Field:
    """One column of an export."""

    name: str  # canonical English name; also the staging column name
    zh: str  # the Chinese header (for money: without the unit)
    type: str  # a key of DUCKDB_TYPES
    description: str  # Chinese and English, shown in comments and the data dictionary
    aliases: tuple[str, ...] = ()  # other Chinese headers the source systems use
    required: bool = False  # a value must be present
    key: bool = False  # part of the key that decides duplicates
    column: str = "required"  # "required", "optional" (may be missing) or "ignored"
    vocabulary: Mapping[str, str] | None = None  # enum: source value -> canonical value
    min_value: int | None = None  # numbers: smallest allowed value
    pattern: str | None = None  # codes: a regex the whole cleaned value must match
    personal: bool = False  # names natural persons: only a count of them is kept
    unit: str | None = None  # unit of the stored value, for documentation
    # The value an empty cell (or an absent optional column) stands for, e.g. 0 for
    # money nobody waived, False for a yes/no left blank. Only an empty cell takes
    # it: a cell that does not parse is still a row error.
    default: object = None

    def __post_init__(self) -> None:
        if self.type not in DUCKDB_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.type == "enum" and not self.vocabulary:
            raise ValueError(f"field {self.name}: an enum needs a vocabulary")
        if self.column not in ("required", "optional", "ignored"):
            raise ValueError(f"field {self.name}: column must be required, optional or ignored")
        if self.default is not None and (self.required or self.personal):
            raise ValueError(f"field {self.name}: a default is for optional, non-personal values")

    @property
    def default_expr(self) -> pl.Expr | None:
        """The parsed column with the default put into its empty cells."""
        if self.default is None:
            return None
        return pl.col(self.stored_name).fill_null(pl.lit(self.default, self.polars_type))

    @property
    def stored_name(self) -> str:
        """Personal-data fields are stored only as a count of the persons named."""
        return f"{self.name}_count" if self.personal else self.name

    @property
    def stored_type(self) -> str:
        return "INTEGER" if self.personal else DUCKDB_TYPES[self.type]

    @property
    def polars_type(self) -> pl.DataType:
        return pl.Int32() if self.personal else POLARS_TYPES[self.type]

    @property
    def canonical_values(self) -> list[str]:
        return sorted(set(self.vocabulary.values())) if self.vocabulary else []

    @property
    def labels(self) -> dict[str, str]:
        """Canonical value -> its Chinese label (the first source spelling declared
        for it), in the order the vocabulary declares them."""
        labels: dict[str, str] = {}
        for source, canonical in (self.vocabulary or {}).items():
            labels.setdefault(canonical, source)
        return labels

    def header_variants(self) -> dict[str, int]:
        """Every header text that names this field, with the scale it implies."""
        bases = (self.zh, *self.aliases)
        if self.type == "money":
            variants = {f"{b}({u})": s for b in bases for u, s in MONEY_UNITS.items()}
        else:
            variants = dict.fromkeys(bases, 1)
        variants[self.name] = 1
        return variants


# Section 1: every export may carry the county's administrative division code;
# when the column is absent (or a cell empty) the deployment's county is used.
COUNTY_FIELD = Field(
    name="county_code",
    zh="行政区划代码",
    type="code",
    description="行政区划代码（GB/T 2260，6位） / county administrative division code (GB/T 2260, 6 digits)",
    required=True,
    key=True,
    column="optional",
    pattern=r"\d{6}",
)


@dataclass(frozen=True)
class RowRule:
    """A rule that relates fields of one row. `ok` is a polars expression over the
    parsed columns, true where the row passes; a null result passes, because a
    missing value is already reported by the field's own rule."""

    name: str
    description: str
    ok: pl.Expr


@dataclass(frozen=True)
class Export:
    """One kind of source export."""

    kind: str  # table name: staging.<kind>
    title_zh: str
    source: str  # the system that exports it
    description: str
    fields: tuple[Field, ...]
    # The source produces data every month (EXPORTS.md section 2): a month with no
    # rows between January and its last month with data is a gap (marts.coverage).
    # Required, so that no export is silently taken as complete.
    monthly: bool
    row_rules: tuple[RowRule, ...] = ()
    # Values computed from parsed columns before validation, e.g. a default that
    # depends on another column. Applied in order.
    derived: Mapping[str, pl.Expr] = field(default_factory=dict)
    # Fields whose month a row belongs to (drives monthly partitions). The first
    # one decides the month a row counts for in marts.coverage.
    month_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"export {self.kind}: duplicate field names")
        if not any(f.key for f in self.fields):
            raise ValueError(f"export {self.kind}: declares no key")
        if self.monthly and not self.month_fields:
            raise ValueError(f"export {self.kind}: a monthly export needs a month field")
        # Field defaults are the first derivations (parse errors are taken before
        # any derivation, so a cell that did not parse is not defaulted away).
        defaults = {f.name: f.default_expr for f in self.fields if f.default is not None}
        if defaults.keys() & self.derived.keys():
            raise ValueError(f"export {self.kind}: a field has both a default and a derivation")
        object.__setattr__(self, "derived", {**defaults, **self.derived})

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """The declared fields plus the county code every export may carry."""
        return (COUNTY_FIELD, *self.fields)

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.all_fields if f.key)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.column != "ignored")

    def field(self, name: str) -> Field:
        for f in self.all_fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class Column:
    """One column of a mart, as its SQL produces it."""

    name: str
    zh: str  # Chinese description (with its unit where the Chinese reader expects it)
    en: str  # English description
    unit: str | None = None  # unit of the value, for the data dictionary
    # Accepted values, taken from an export declaration (`Field.labels`), never
    # retyped. A tuple lists them; a mapping (value -> Chinese label) shows each
    # value with its label in the comment.
    values: tuple[str, ...] | Mapping[str, str] = ()
    # The value is a month that must lie in the warehouse's calendar (first monthly
    # partition to the current month). Row validation cannot see a typo'd year (a
    # date is a date), so this generates an expectation (assets.expectations).
    within_calendar: bool = False

    @property
    def comment(self) -> str:
        """`中文：value, value / English`, the text of COMMENT ON and the dictionary."""
        if isinstance(self.values, Mapping):
            listed = ", ".join(f"{v} {label}" for v, label in self.values.items())
        else:
            listed = ", ".join(self.values)
        return f"{self.zh}：{listed} / {self.en}" if listed else f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Mart:
    """One mart (`marts.<name>`), declared beside its SQL."""

    name: str
    zh: str  # table description, Chinese
    en: str  # table description, English
    grain: tuple[str, ...]  # the columns one row stands for
    columns: tuple[Column, ...]  # every column the SQL produces, in its order
    # Monthly partitioned by the month of this column: building some months deletes
    # those months and inserts them again (assets.models.build).
    partitioned_by: str | None = None
    # An unpartitioned mart's Parquet export laid out by the month of this column.
    parquet_by_month: str | None = None
    # SQL fragments derived from declarations, written `{{ name }}` in the SQL
    # (plain SQL cannot read a vocabulary).
    generated: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"mart {self.name}: duplicate column names")
        for what, cols in (("grain", self.grain), ("partitioned_by", (self.partitioned_by,)),
                           ("parquet_by_month", (self.parquet_by_month,))):
            unknown = [c for c in cols if c is not None and c not in names]
            if unknown:
                raise ValueError(f"mart {self.name}: {what} names undeclared columns {unknown}")

    @property
    def comment(self) -> str:
        return f"{self.zh} / {self.en}"

    def documentation(self, table: str | None = None) -> tuple[str, ...]:
        """COMMENT ON statements for the table (`marts.<name>` by default) and its columns."""
        table = table or f"marts.{self.name}"
        return (
            f"COMMENT ON TABLE {table} IS {sql_literal(self.comment)}",
            *(f"COMMENT ON COLUMN {table}.{c.name} IS {sql_literal(c.comment)}" for c in self.columns),
        )

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def labels_case(column: str, labels: Mapping[str, str]) -> str:
    """`CASE column WHEN 'value' THEN '标签' … END`: a coded column's Chinese label,
    for a mart's `generated` (`labels=EXPORT.field(column).labels`), so that SQL
    never retypes a vocabulary."""
    whens = " ".join(f"WHEN {sql_literal(v)} THEN {sql_literal(label)}" for v, label in labels.items())
    return f"CASE {column} {whens} END"


# How an indicator is computed (marts.indicators), with its Chinese name (shown in
# the comment of marts.indicator_definitions.method). A sum adds its facts over the
# period (rounded half up once summed, to its decimals if it has any); a distinct
# count counts its members once however many months they appear in; the others
# divide their numerator by their denominator (both indicators, exact sums) and
# round half up to their decimals: ratio as is, pct x 100, cut_pct (1 - n / d) x 100.
# A median is taken over the items (one value each, e.g. a case's working days) of
# the whole period, never from monthly medians: the lower middle value for an even count.
METHODS: Mapping[str, str] = {
    "sum": "累计", "distinct": "去重计数", "ratio": "比值",
    "pct": "百分比（分子÷分母×100）", "cut_pct": "压缩比例（(1-分子÷分母)×100）",
    "median": "中位数（偶数个取较小的中间值）",
}
DIVIDED = ("ratio", "pct", "cut_pct")  # the methods with a numerator and a denominator


@dataclass(frozen=True)
class Section:
    """A section of the report (`yingshang report`): a domain's indicators.

    Consecutive sections with one title are parts (one export each) of one
    heading of the county's summary (项目服务保障: tax relief, then investment)."""

    domain: str  # the indicators' domain (marts.indicator_definitions.domain)
    title: str  # Chinese title, as in the county's own summary
    en: str
    chart: str  # the chart drawn under it (pipelines.report)
    # The report's 数据摘要 sentence for this domain, in the county's own wording:
    # `{indicator}` or `{indicator:.N}` (N decimals), `{月底}`, `{截止}`
    # (assets.indicators.SUMMARY_FIELD says what each means).
    summary: str = ""


@dataclass(frozen=True)
class Indicator:
    """One figure of marts.indicators: a row of marts.indicator_definitions."""

    name: str
    zh: str
    domain: str  # the report section it belongs to (a Section.domain)
    kind: str  # the export it is computed from: its gaps make it incomplete
    unit: str
    method: str  # a key of METHODS
    definition: str  # `English / 中文`
    numerator: str | None = None  # ratio, pct, cut_pct: the indicators divided
    denominator: str | None = None
    # Rounded half up to this many decimals: required when divided, optional for a
    # sum (亿元 to 2 decimals, from the exact sum).
    decimals: int | None = None
    # False for a numerator or denominator the summary does not print: it is in
    # marts.indicators, not among its section's figures in the report.
    reported: bool = True

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"indicator {self.name}: unknown method {self.method!r}")
        divided = self.method in DIVIDED
        if divided != (self.numerator is not None and self.denominator is not None) or (
            self.numerator is None) != (self.denominator is None):
            raise ValueError(
                f"indicator {self.name}: a {'/'.join(DIVIDED)}, and only that, has a numerator and a denominator"
            )
        if (divided and self.decimals is None) or (self.method == "distinct" and self.decimals is not None):
            raise ValueError(
                f"indicator {self.name}: decimals are required for a {'/'.join(DIVIDED)}, possible for a sum, "
                "not for a distinct count"
            )
