"""SQL models: one file in sql/marts/ per mart, named for the table it makes.

A model file holds a leading comment (the table's description), a `SELECT` (the
model) and `COMMENT ON` statements documenting the table and its columns. A
comment line `-- partitioned by month of: <column>` makes the model monthly
partitioned: building some months deletes those months and inserts them again,
so a rebuild is idempotent and touches nothing else. A line `-- parquet by month
of: <column>` lays an unpartitioned model's Parquet export out by month like the
partitioned ones (`month=2023-05-01/`). The tables a model reads
(`staging.x`, `marts.y`) are its dependencies.

Plain SQL cannot enumerate the exports, so a model that needs every export reads a
relation generated from the export declarations, written `{{ name }}` (see
GENERATED); the model is parsed, documented and built with it expanded, and its
dependencies include the staging tables it reads.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb

# Package data of the `sql` package, so an installed wheel finds them too.
SQL_DIR = files("sql")
MARTS_DIR = SQL_DIR / "marts"

_TABLE_REF = re.compile(r"\b(staging|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|'(?:[^']|'')*'")
_PARTITION = re.compile(r"^--\s*partitioned by month of:\s*(\w+)\s*$", re.M)
_PARQUET_MONTH = re.compile(r"^--\s*parquet by month of:\s*(\w+)\s*$", re.M)
_GENERATED_REF = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def export_rows() -> str:
    """One row per staged row of every export: county_code, kind, monthly (the
    declaration's flag), month (of the row's first month field), file_name and
    ingest_id (the load it came from)."""
    from assets.exports import EXPORTS

    selects = [
        f"SELECT county_code, '{e.kind}' AS kind, {str(e.monthly).upper()} AS monthly, "
        f"date_trunc('month', {e.field(e.month_fields[0]).stored_name})::DATE AS month, "
        f"_file_name AS file_name, _ingest_id AS ingest_id FROM staging.{e.kind} "
        f"WHERE {e.field(e.month_fields[0]).stored_name} IS NOT NULL"
        for e in EXPORTS.values()
        if e.month_fields
    ]
    if not selects:
        raise ValueError("no export declares a month field")
    return "\n    UNION ALL\n    ".join(selects)


def statutory_days() -> str:
    """The State Council's holidays and make-up working days, from the calendar package."""
    from assets.workdays import statutory_days_sql

    return statutory_days_sql()


# Relations generated from the export declarations (or, for statutory_days, the
# holiday calendar package), by the name a model uses.
GENERATED = {"export_rows": export_rows, "statutory_days": statutory_days}


def expand(sql: str, source: str = "model") -> str:
    def generated(match: re.Match) -> str:
        name = match.group(1)
        if name not in GENERATED:
            raise ValueError(f"{source}: unknown generated relation {{{{ {name} }}}}")
        return GENERATED[name]()

    return _GENERATED_REF.sub(generated, sql)


@dataclass(frozen=True)
class Model:
    name: str
    path: Traversable
    query: str  # the SELECT
    documentation: tuple[str, ...]  # COMMENT ON statements
    description: str
    deps: tuple[tuple[str, str], ...]  # (schema, table) it reads
    partition_column: str | None
    parquet_month: str | None = None  # the month column of its Parquet layout

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def sql(self) -> str:
        return self.path.read_text("utf-8")


def _description(sql: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        if not (_PARTITION.match(line) or _PARQUET_MONTH.match(line)):
            lines.append(line[2:].strip())
    return "\n".join(lines)


def parse_model(path: Traversable) -> Model:
    sql = expand(path.read_text("utf-8"), path.name)
    statements = duckdb.extract_statements(sql)
    queries = [s.query.strip() for s in statements if s.type == duckdb.StatementType.SELECT]
    documentation = [s.query.strip() for s in statements if s.type != duckdb.StatementType.SELECT]
    if len(queries) != 1 or not all(d.upper().startswith("COMMENT ON") for d in documentation):
        raise ValueError(f"{path.name}: a model holds one SELECT and COMMENT ON statements")
    code = _COMMENTS_AND_STRINGS.sub(" ", queries[0])
    name = path.name.removesuffix(".sql")
    refs = sorted({ref for ref in _TABLE_REF.findall(code) if ref != ("marts", name)})
    partition = _PARTITION.search(sql)
    parquet_month = _PARQUET_MONTH.search(sql)
    return Model(
        name=name,
        path=path,
        query=queries[0],
        documentation=tuple(documentation),
        description=_description(sql),
        deps=tuple(refs),
        partition_column=partition.group(1) if partition else None,
        parquet_month=(partition or parquet_month).group(1) if (partition or parquet_month) else None,
    )


@cache
def load_models() -> tuple[Model, ...]:
    """Every model, each after the models it reads. No models, or a model reading a
    mart that has no model, is an error: an install without its SQL files must not
    publish a warehouse without marts."""
    paths = sorted(
        (p for p in MARTS_DIR.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name
    ) if MARTS_DIR.is_dir() else []
    if not paths:
        raise FileNotFoundError(
            f"no SQL models in {MARTS_DIR}: the package was installed without its sql/ files"
        )
    models = {m.name: m for m in map(parse_model, paths)}
    for m in models.values():
        for schema, table in m.deps:
            if schema == "marts" and table not in models:
                raise FileNotFoundError(
                    f"model {m.name} reads marts.{table}, but there is no "
                    f"{MARTS_DIR / (table + '.sql')}"
                )
    ordered: list[Model] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in path:
            raise ValueError(f"models depend on each other in a cycle: {' -> '.join((*path, name))}")
        if any(m.name == name for m in ordered):
            return
        for schema, table in models[name].deps:
            if schema == "marts" and table in models:
                visit(table, (*path, name))
        ordered.append(models[name])

    for name in models:
        visit(name)
    return tuple(ordered)


def _columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    schema, name = table.split(".")
    rows = conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows] or None


def build(
    conn: duckdb.DuckDBPyConnection,
    model: Model,
    months: tuple[date | None, date | None] | None = None,
) -> int:
    """Build a model; with `months` (first, last), only those months of a
    partitioned model are deleted and inserted again; a None bound is open (every
    month before, or after). Returns the rows written."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    query = model.query.rstrip().rstrip(";")
    existing = _columns(conn, model.table)
    wanted = [d[0] for d in conn.execute(f"SELECT * FROM ({query}) LIMIT 0").description]
    conn.begin()
    try:
        if model.partition_column and months and existing == wanted:
            month = f"date_trunc('month', {model.partition_column})"
            bounds = [(f"{month} >= ?::DATE", months[0]), (f"{month} <= ?::DATE", months[1])]
            in_range = " AND ".join([c for c, b in bounds if b is not None] or ["true"])
            params = [b for _, b in bounds if b is not None]
            conn.execute(f"DELETE FROM {model.table} WHERE {in_range}", params)
            written = conn.execute(
                f"INSERT INTO {model.table} SELECT * FROM ({query}) WHERE {in_range}", params
            ).fetchone()[0]
        else:
            # No table yet, a changed column list, or an unpartitioned model: build whole.
            conn.execute(f"CREATE OR REPLACE TABLE {model.table} AS {query}")
            written = conn.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
        for statement in model.documentation:
            conn.execute(statement)
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    return written


def build_all(conn: duckdb.DuckDBPyConnection, months: tuple[date, date] | None = None) -> None:
    for model in load_models():
        build(conn, model, months)


def export_parquet(conn: duckdb.DuckDBPyConnection, target: Path) -> list[Path]:
    """Every mart as Parquet for other engines, hive-partitioned by county and,
    for monthly models, by month (`county_code=610528/month=2023-05-01/…`). Written to
    a fresh folder that then replaces `target` whole. The month is the DATE of its
    first day, as in the marts: `month=2023-05-01`."""
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for model in load_models():
        columns = _columns(conn, model.table) or []
        keys = [c for c in ("county_code",) if c in columns]
        select = f"SELECT * FROM {model.table}"
        if model.parquet_month:
            select = (
                f"SELECT *, date_trunc('month', {model.parquet_month})::DATE AS month "
                f"FROM {model.table}"
            ) if "month" not in columns else select
            keys.append("month")
        out = staging / model.name
        if keys:
            conn.execute(
                f"COPY ({select}) TO '{out}' (FORMAT parquet, PARTITION_BY ({', '.join(keys)}))"
            )
        else:
            out.mkdir()
            conn.execute(f"COPY ({select}) TO '{out / 'data.parquet'}' (FORMAT parquet)")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return sorted(target.rglob("*.parquet"))
