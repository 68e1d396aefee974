"""Marts as Dagster assets, one per SQL model in sql/marts/ (see assets.models).

Models declared `partitioned_by` a month column are monthly partitioned: a run
names a range of months and only those are deleted and inserted again. Each
asset's column schema is its mart declaration's.
"""

from datetime import date

import dagster as dg
import duckdb

from assets.dictionary import write_dictionary
from assets.models import Model, build, create_empty, export_parquet, load_models
from assets.partitions import MONTHS
from assets.releases import record_release
from assets.resources import WRITER_POOL, WarehouseResource

PUBLISHED = dg.AssetKey(["published_warehouse"])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def column_schema(model: Model) -> dg.TableSchema:
    """From the mart declaration, with the types its SQL produces (assets.models)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(c.name, t, description=c.comment)
            for c, t in zip(model.mart.columns, model.types, strict=True)
        ]
    )


def preview(conn: duckdb.DuckDBPyConnection, table: str, n: int = 10) -> str:
    cur = conn.execute(f"SELECT * FROM {table} LIMIT {n}")
    columns = [d[0] for d in cur.description]
    header = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)
    body = "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in cur.fetchall())
    return f"{header}\n{body}"


def _months(context: dg.AssetExecutionContext) -> tuple[date | None, date | None] | None:
    """The months a run rebuilds. The first and last partitions are open-ended: a
    row dated outside the calendar (a typo'd year, which the coverage suite stops
    before publishing) belongs to them, so that rebuilding them after a corrected
    re-export removes it."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    r = context.partition_key_range
    keys = MONTHS.get_partition_keys()
    return (
        None if r.start == keys[0] else date.fromisoformat(r.start),
        None if r.end == keys[-1] else date.fromisoformat(r.end),
    )


def _mart_asset(model: Model) -> dg.AssetsDefinition:
    partitioned = model.partition_column is not None

    @dg.asset(
        key=mart_key(model.name),
        deps=[dg.AssetKey([schema, table]) for schema, table in model.deps],
        description=model.description,
        group_name="marts",
        kinds={"duckdb", "sql"},
        partitions_def=MONTHS if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
        metadata={
            "sql_file": f"sql/marts/{model.path.name}",
            "declaration": f"sql/marts/{model.name}.py",
            "grain": ", ".join(model.mart.grain),
            "dagster/column_schema": column_schema(model),
        },
        pool=WRITER_POOL,
    )
    def _mart(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        months = _months(context) if partitioned else None
        with warehouse.connect() as conn:
            written = build(conn, model, months)
            return dg.MaterializeResult(
                metadata={
                    "dagster/row_count": conn.execute(
                        f"SELECT count(*) FROM {model.table}"
                    ).fetchone()[0],
                    "rows_written": written,
                    "months": " – ".join(f"{m:%Y-%m}" if m else "…" for m in months) if months else "all",
                    "dagster/column_schema": column_schema(model),
                    "preview": dg.MetadataValue.md(preview(conn, model.table)),
                    "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```"),
                }
            )

    return _mart


mart_assets = [_mart_asset(m) for m in load_models()]
partitioned_marts = [a for a in mart_assets if a.partitions_def is not None]
unpartitioned_marts = [a for a in mart_assets if a.partitions_def is None]


@dg.asset(
    key=PUBLISHED,
    deps=[a.key for a in mart_assets],
    description=(
        "The analysts' DuckDB file (--warehouse): the checked build, published by an "
        "atomic rename. Analysts open this file read-only; the pipeline never writes it in place."
    ),
    group_name="publish",
    kinds={"duckdb", "parquet"},
    pool=WRITER_POOL,
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    parquet_dir = warehouse.settings.home / "parquet"
    with warehouse.connect() as conn:
        create_empty(conn)  # a first run with no data still publishes every mart
        release = record_release(conn, warehouse.settings.warehouse)  # before the lake has the history
        files = export_parquet(conn, parquet_dir)
        dictionary = write_dictionary(conn, warehouse.settings.home)
    path = warehouse.publish()
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "bytes": path.stat().st_size,
            "parquet": dg.MetadataValue.path(str(parquet_dir)),
            "parquet_files": len(files),
            "data_dictionary": dg.MetadataValue.path(str(dictionary[1])),
            "release": release.summary() if release else "none: nothing changed since the last release",
        }
    )
