"""Marts as Dagster assets, one per SQL file in sql/marts/.

Each file creates one table named after the file; its leading comment is the
asset's description, and the tables it reads (`staging.x`, `marts.y`) are its
upstream assets. Adding a mart is adding a file.
"""

import re
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.resources import WarehouseResource

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MARTS_DIR = SQL_DIR / "marts"
PUBLISHED = dg.AssetKey(["published_warehouse"])

_TABLE_REF = re.compile(r"\b(staging|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|'(?:[^']|'')*'")

def mart_files() -> list[Path]:
    return sorted(MARTS_DIR.glob("*.sql"))

def sql_description(sql: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)

def sql_dependencies(name: str, sql: str) -> list[dg.AssetKey]:
    code = _COMMENTS_AND_STRINGS.sub(" ", sql)
    refs = {(schema, table) for schema, table in _TABLE_REF.findall(code)}
    refs.discard(("marts", name))
    return [dg.AssetKey([schema, table]) for schema, table in sorted(refs)]

def table_schema(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> dg.TableSchema:
    rows = conn.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    return dg.TableSchema(
        columns=[dg.TableColumn(n, t, description=c or None) for n, t, c in rows]
    )

def preview(conn: duckdb.DuckDBPyConnection, table: str, n: int = 10) -> str:
    rel = conn.sql(f"SELECT * FROM {table} LIMIT {n}")
    header = "| " + " | ".join(rel.columns) + " |\n|" + "---|" * len(rel.columns)
    body = "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in rel.fetchall())
    return f"{header}\n{body}"

def build_mart(conn: duckdb.DuckDBPyConnection, path: Path) -> dict:
    sql = path.read_text("utf-8")
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute(sql)
    table = f"marts.{path.stem}"
    return {
        "dagster/row_count": conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
        "dagster/column_schema": table_schema(conn, "marts", path.stem),
        "preview": dg.MetadataValue.md(preview(conn, table)),
        "sql": dg.MetadataValue.md(f"```sql\n{sql}\n```"),
    }

def _mart_asset(path: Path) -> dg.AssetsDefinition:
    sql = path.read_text("utf-8")

    @dg.asset(
        key=dg.AssetKey(["marts", path.stem]),
        deps=sql_dependencies(path.stem, sql),
        description=sql_description(sql),
        group_name="marts",
        kinds={"duckdb", "sql"},
    )
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            return dg.MaterializeResult(metadata=build_mart(conn, path))

    return _mart

mart_assets = [_mart_asset(p) for p in mart_files()]

@dg.asset(
    key=PUBLISHED,
    deps=[a.key for a in mart_assets],
    description=(
        "The analysts' DuckDB file (--warehouse): the checked build, published by an "
        "atomic rename. Analysts open this file read-only; the pipeline never writes it in place."
    ),
    group_name="publish",
    kinds={"duckdb"},
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = warehouse.publish()
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
    )
