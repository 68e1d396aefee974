"""SQL models: per mart, a SQL file and its declaration in sql/marts/.

`sql/marts/<name>.sql` holds a leading comment (how the mart is computed, shown in
Dagster) and one `SELECT`; `sql/marts/<name>.py` declares `MART = Mart(...)`
(assets.declaration): its grain, its columns with descriptions, units and
accepted values, and whether it is monthly partitioned. The COMMENT ON statements,
the data dictionary, the Dagster column schema and the Great Expectations suite
are derived from the declaration. Loading checks the pair against each other: a
SQL file without a declaration (or the reverse), or a column the SQL produces that
is not declared (or the reverse), stops the load, naming the file. The columns
the SQL produces are found by building every model, empty, in an in-memory
database with the staging tables of the export declarations.

A partitioned model (`partitioned_by`): building some months deletes those months
and inserts them again, so a rebuild is idempotent and touches nothing else.
`parquet_by_month` lays an unpartitioned model's Parquet export out by month like
the partitioned ones (`month=2023-05-01/`). The tables a model reads (`staging.x`,
`marts.y`) are its dependencies.

Plain SQL cannot enumerate the exports or read a vocabulary, so a model may read
SQL generated from the declarations, written `{{ name }}`: the relations in
GENERATED, or the fragments its own declaration gives (`Mart.generated`); the
model is parsed, documented and built with them expanded.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb

from assets.declaration import Mart

# Package data of the `sql` package, so an installed wheel finds them too.
SQL_DIR = files("sql")
MARTS_DIR = SQL_DIR / "marts"

_TABLE_REF = re.compile(r"\b(staging|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|'(?:[^']|'')*'")
# The directives models once carried in comments, now declared in the Mart.
_OLD_DIRECTIVE = re.compile(r"^--\s*(partitioned|parquet) by month of:", re.M)
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


def expand(sql: str, source: str = "model", own: dict[str, str] | None = None) -> str:
    def generated(match: re.Match) -> str:
        name = match.group(1)
        if own and name in own:
            return own[name]
        if name not in GENERATED:
            raise ValueError(f"{source}: unknown generated relation {{{{ {name} }}}}")
        return GENERATED[name]()

    return _GENERATED_REF.sub(generated, sql)


@dataclass(frozen=True)
class Model:
    name: str
    path: Traversable
    query: str  # the SELECT
    description: str
    deps: tuple[tuple[str, str], ...]  # (schema, table) it reads
    mart: Mart  # its declaration
    types: tuple[str, ...] = ()  # DuckDB type of each declared column, as the SQL produces it

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def sql(self) -> str:
        return self.path.read_text("utf-8")

    @property
    def partition_column(self) -> str | None:
        return self.mart.partitioned_by

    @property
    def parquet_month(self) -> str | None:
        """The month column of its Parquet layout."""
        return self.mart.partitioned_by or self.mart.parquet_by_month

    @property
    def documentation(self) -> tuple[str, ...]:
        """COMMENT ON statements, from the declaration."""
        return self.mart.documentation(self.table)


def _description(sql: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)


def load_declaration(path: Traversable) -> Mart:
    """`MART` of a declaration file. Executed from its text, so that a models folder
    anywhere (an installed wheel, a test's own) is read the same way."""
    namespace: dict = {"__name__": f"sql.marts.{path.name.removesuffix('.py')}"}
    exec(compile(path.read_text("utf-8"), f"sql/marts/{path.name}", "exec"), namespace)
    mart = namespace.get("MART")
    if not isinstance(mart, Mart):
        raise ValueError(f"sql/marts/{path.name} defines no MART = Mart(...)")
    name = path.name.removesuffix(".py")
    if mart.name != name:
        raise ValueError(f"sql/marts/{path.name} declares mart {mart.name!r}, not {name!r}")
    return mart


def parse_model(path: Traversable, mart: Mart) -> Model:
    raw = path.read_text("utf-8")
    if _OLD_DIRECTIVE.search(raw):
        raise ValueError(
            f"sql/marts/{path.name}: partitioning is declared in the mart declaration "
            "(Mart(partitioned_by=..., parquet_by_month=...)), not in a SQL comment"
        )
    sql = expand(raw, path.name, dict(mart.generated))
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ValueError(
            f"sql/marts/{path.name}: a model holds one SELECT (its comments are generated "
            f"from sql/marts/{mart.name}.py)"
        )
    query = statements[0].query.strip()
    code = _COMMENTS_AND_STRINGS.sub(" ", query)
    name = path.name.removesuffix(".sql")
    refs = sorted({ref for ref in _TABLE_REF.findall(code) if ref != ("marts", name)})
    return Model(name=name, path=path, query=query, description=_description(sql),
                 deps=tuple(refs), mart=mart)


def _with_produced_columns(ordered: list[Model]) -> list[Model]:
    """Build every model, empty, over empty staging tables, and hold what each
    produces against its declaration."""
    from assets.exports import EXPORTS
    from assets.ingest.warehouse import staging_ddl

    checked = []
    with duckdb.connect() as conn:
        conn.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
        for export in EXPORTS.values():
            conn.execute(staging_ddl(export))
        for m in ordered:
            query = m.query.rstrip().rstrip(";")
            try:
                conn.execute(f"CREATE TABLE {m.table} AS SELECT * FROM ({query}) LIMIT 0")
            except duckdb.Error as e:
                raise ValueError(f"sql/marts/{m.name}.sql does not run: {e}") from e
            produced = conn.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                [m.name],
            ).fetchall()
            names = [n for n, _ in produced]
            declared = [c.name for c in m.mart.columns]
            if names != declared:
                undeclared = [n for n in names if n not in declared]
                missing = [n for n in declared if n not in names]
                raise ValueError(
                    f"sql/marts/{m.name}.sql and its declaration {m.name}.py disagree: "
                    + "; ".join(filter(None, (
                        f"produced but not declared: {', '.join(undeclared)}" if undeclared else "",
                        f"declared but not produced: {', '.join(missing)}" if missing else "",
                        "" if undeclared or missing else
                        f"declared in another order than produced ({', '.join(names)})",
                    )))
                )
            checked.append(replace(m, types=tuple(t for _, t in produced)))
    return checked


@cache
def load_models() -> tuple[Model, ...]:
    """Every model, each after the models it reads. No models, or a model reading a
    mart that has no model, is an error: an install without its SQL files must not
    publish a warehouse without marts."""
    files_ = {p.name: p for p in MARTS_DIR.iterdir()} if MARTS_DIR.is_dir() else {}
    paths = sorted((p for n, p in files_.items() if n.endswith(".sql")), key=lambda p: p.name)
    if not paths:
        raise FileNotFoundError(
            f"no SQL models in {MARTS_DIR}: the package was installed without its sql/ files"
        )
    declarations = sorted(n for n in files_ if n.endswith(".py") and n != "__init__.py")
    for n in declarations:
        if n.removesuffix(".py") + ".sql" not in files_:
            raise FileNotFoundError(f"sql/marts/{n} declares a mart that has no SQL file {n[:-3]}.sql")
    models = {}
    for p in paths:
        declaration = p.name.removesuffix(".sql") + ".py"
        if declaration not in files_:
            raise FileNotFoundError(
                f"sql/marts/{p.name} has no declaration: add sql/marts/{declaration} "
                "defining MART = Mart(...) (assets.declaration)"
            )
        m = parse_model(p, load_declaration(files_[declaration]))
        models[m.name] = m
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
    return tuple(_with_produced_columns(ordered))


def _columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    schema, name = table.split(".")
    rows = conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows] or None


def create_empty(conn: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> list[str]:
    """Create each missing model table (all, or `names` and the marts they read)
    with its columns and comments and no rows, so that the analysts' file has every
    mart even before any data, and a model never fails on a mart not built yet."""
    models = {m.name: m for m in load_models()}
    wanted, todo = set(), list(models if names is None else names)
    while todo:
        name = todo.pop()
        if name in models and name not in wanted:
            wanted.add(name)
            todo += [t for s, t in models[name].deps if s == "marts"]
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    created = []
    for model in load_models():  # in dependency order
        if model.name in wanted and _columns(conn, model.table) is None:
            query = model.query.rstrip().rstrip(";")
            conn.execute(f"CREATE TABLE {model.table} AS SELECT * FROM ({query}) WHERE false")
            for statement in model.documentation:
                conn.execute(statement)
            created.append(model.name)
    return created


def build(
    conn: duckdb.DuckDBPyConnection,
    model: Model,
    months: tuple[date | None, date | None] | None = None,
) -> int:
    """Build a model; with `months` (first, last), only those months of a
    partitioned model are deleted and inserted again; a None bound is open (every
    month before, or after). Returns the rows written."""
    create_empty(conn, [t for s, t in model.deps if s == "marts"])
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
    from assets.releases import history_mart

    lake = [(m.name, m.parquet_month) for m in load_models()]
    if _columns(conn, "marts.indicator_history"):  # appended at publish, not a model
        lake.append((history_mart().name, history_mart().parquet_by_month))
    for name, parquet_month in lake:
        table = f"marts.{name}"
        columns = _columns(conn, table) or []
        keys = [c for c in ("county_code",) if c in columns]
        select = f"SELECT * FROM {table}"
        if parquet_month:
            select = (
                f"SELECT *, date_trunc('month', {parquet_month})::DATE AS month "
                f"FROM {table}"
            ) if "month" not in columns else select
            keys.append("month")
        out = staging / name
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
