"""Ingestion as Dagster assets: the landing folder into staging, quarantine and the
ingest log. The staging assets are generated from the export declarations."""

import logging

import dagster as dg

from assets import partitions
from assets.exports import EXPORTS
from assets.ingest.warehouse import marts_built, months_to_rebuild, staging_columns
from assets.resources import WRITER_POOL, WarehouseResource

log = logging.getLogger("yingshang.ingest")

INGEST_LOG = dg.AssetKey(["meta", "ingest_log"])
QUARANTINE = dg.AssetKey(["quarantine", "rows"])
REBUILD_MONTHS = "rebuild_months"

def staging_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", kind])

def _column_schema(kind: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, typ, description=doc)
            for name, typ, doc in staging_columns(EXPORTS[kind])
        ]
    )

def _progress(context: dg.AssetExecutionContext, message: str) -> None:
    context.log.info(message)  # the run's log in the UI
    log.info(message)  # the terminal of `yingshang run`


_specs = [
    dg.AssetSpec(
        staging_key(kind),
        description=f"{e.title_zh} — {e.description}. Key: {', '.join(e.key)}. Source: {e.source}.",
        group_name="staging",
        metadata={"dagster/column_schema": _column_schema(kind)},
        kinds={"duckdb", "polars"},
    )
    for kind, e in EXPORTS.items()
] + [
    dg.AssetSpec(INGEST_LOG, description="One row per file name and content seen.",
                 group_name="landing", kinds={"duckdb"}),
    dg.AssetSpec(QUARANTINE, description="Rows that broke a rule, with every reason.",
                 group_name="landing", kinds={"duckdb"}),
]

@dg.multi_asset(specs=_specs, can_subset=False, name="ingest_landing", pool=WRITER_POOL)
def ingest_landing(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Ingest every file in the landing folder not ingested before: archive it,
    recognise its export from the header, parse, validate, quarantine failing rows
    and upsert the rest into staging (the file ingested later wins)."""
    # Imported here: it brings pandera and pandas (~1 s), which a run that only
    # builds and publishes (its own process under the daemon) never needs.
    from assets.ingest.files import ingest_folder

    s = warehouse.settings
    # Before anything is archived or logged: a run without them would invent data.
    landing, county = s.require_landing(), s.require_county()
    with warehouse.connect() as conn:
        results = ingest_folder(
            conn, landing, s.archive, county, progress=lambda m: _progress(context, m),
            folder_county=s.rows_county,
        )
        counts = {
            kind: conn.execute(f"SELECT count(*) FROM staging.{kind}").fetchone()[0]
            for kind in EXPORTS
        }
        quarantined = conn.execute("SELECT count(*) FROM quarantine.rows").fetchone()[0]
        published = warehouse.published_ingest_id() if marts_built(conn) else None
        rebuild = months_to_rebuild(conn, published)
    for r in results:
        (context.log.warning if r.status == "rejected" or r.notes else context.log.info)(r.summary())

    by_kind = {kind: [r for r in results if r.kind == kind and r.status == "loaded"] for kind in EXPORTS}
    for kind in EXPORTS:
        loaded = by_kind[kind]
        months = sorted({m.isoformat()[:7] for r in loaded for m in r.months})
        yield dg.MaterializeResult(
            asset_key=staging_key(kind),
            metadata={
                "dagster/row_count": counts[kind],
                "files_loaded": len(loaded),
                "rows_loaded": sum(r.rows_loaded for r in loaded),
                "rows_quarantined": sum(r.rows_quarantined for r in loaded),
                "months_touched": ", ".join(months) or "none",
            },
        )
    table = "\n".join(
        f"| {r.file_name} | {r.kind or '-'} | {r.status} | {r.rows_read} | {r.rows_loaded} "
        f"| {r.rows_quarantined} | {(r.reason or r.notes or '').replace('|', '/')} |"
        for r in results
    )
    yield dg.MaterializeResult(
        asset_key=INGEST_LOG,
        metadata={
            "files_seen": len(results),
            "rejected": sum(r.status == "rejected" for r in results),
            "duplicates": sum(r.status == "duplicate" for r in results),
            # What build_and_publish must rebuild; read by the sensor and `yingshang run`.
            REBUILD_MONTHS: partitions.encode(rebuild),
            "files": dg.MetadataValue.md(
                "| file | kind | status | read | loaded | quarantined | reason |\n"
                "|---|---|---|---|---|---|---|\n" + table
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE,
        metadata={
            "dagster/row_count": quarantined,
            "quarantined_this_run": sum(r.rows_quarantined for r in results),
        },
    )
