"""Data checks as Dagster asset checks.

- Staging (blocking, generated from each export declaration): keys unique, and
  every row conforming to the declaration (types, required values, ranges,
  vocabularies, code patterns and check digits, the rules relating a row's fields
  such as dates in order), re-validated with the same pandera schema.
- Reconciliation: totals rows against their files' data, permit modes against
  their sum, inspection results against entities, and every ratio recomputed from
  its numerator and denominator at each level.
- Great Expectations suites on the marts (see assets.expectations).

A failed blocking check stops what depends on it, so the analysts' warehouse is
not published and keeps its previous marts.
"""

import dagster as dg
import duckdb
import polars as pl

from assets.expectations import SUITE_MARTS, docs_index, run_suites
from assets.exports import EXPORTS
from assets.ingest.validate import schema_failures
from assets.landing import INGEST_LOG, staging_key
from assets.marts import mart_key
from pipelines.resources import WarehouseResource

BATCH_ROWS = 500_000


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, limit: int = 20) -> list[tuple]:
    return conn.execute(f"SELECT * FROM ({sql}) LIMIT {limit}").fetchall()


def _new_rows(since_ingest_id: int | None) -> str:
    """Rows staged since the last publish: earlier ones were checked before they
    were published, and a re-check of ten million rows would cost every run."""
    return "true" if since_ingest_id is None else f"_ingest_id > {int(since_ingest_id)}"


def keys_unique(
    conn: duckdb.DuckDBPyConnection, kind: str, since_ingest_id: int | None = None
) -> dg.AssetCheckResult:
    key = ", ".join(EXPORTS[kind].key)
    only_new = (
        ""
        if since_ingest_id is None
        else f"WHERE ({key}) IN (SELECT ({key}) FROM staging.{kind} WHERE {_new_rows(since_ingest_id)}) "
    )
    sql = f"SELECT {key}, count(*) AS n FROM staging.{kind} {only_new}GROUP BY ALL HAVING count(*) > 1"
    n = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    return dg.AssetCheckResult(
        passed=n == 0,
        metadata={"duplicate_keys": n, "examples": str(_rows(conn, sql, 5))},
        description=f"key ({key}) unique in staging.{kind}",
    )


def conforms_to_declaration(
    conn: duckdb.DuckDBPyConnection, kind: str, since_ingest_id: int | None = None
) -> dg.AssetCheckResult:
    """The pandera schema of the export, over the staging rows new since the last
    publish (all rows when nothing is published), in batches."""
    export = EXPORTS[kind]
    cols = ", ".join(f.stored_name for f in export.stored_fields)
    reader = conn.sql(
        f"SELECT {cols} FROM staging.{kind} WHERE {_new_rows(since_ingest_id)}"
    ).to_arrow_reader(BATCH_ROWS)
    counts: dict[str, int] = {}
    rows = 0
    for batch in reader:
        frame = pl.from_arrow(batch)
        rows += frame.height
        failures = schema_failures(frame, export)
        for reason, n in failures.group_by(
            pl.col("reason").str.replace(r": '.*?' ", ": ")
        ).len().iter_rows():
            counts[reason] = counts.get(reason, 0) + n
    return dg.AssetCheckResult(
        passed=not counts,
        metadata={"rows_checked": rows, "failures_by_rule": str(counts or "none")},
    )


def _staging_checks(kind: str) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=staging_key(kind), name="keys_unique", blocking=True,
        description=f"Each key ({', '.join(EXPORTS[kind].key)}) appears once in staging.{kind}.",
    )
    def _keys(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        since = warehouse.published_ingest_id()
        with warehouse.connect() as conn:
            return keys_unique(conn, kind, since)

    @dg.asset_check(
        asset=staging_key(kind), name="conforms_to_declaration", blocking=True,
        description="Every staged row passes the export's pandera schema: types, required values, "
        "ranges, vocabularies, codes and check digits, and the rules relating its fields.",
    )
    def _conforms(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        since = warehouse.published_ingest_id()
        with warehouse.connect() as conn:
            return conforms_to_declaration(conn, kind, since)

    return [_keys, _conforms]


# Reconciliation queries: each returns the rows that disagree.
RECONCILIATIONS = {
    "permit_modes_sum_to_cases": (
        mart_key("indicators"),
        "permit_cases equals the sum of the four reform modes at every period.",
        """
        SELECT county_code, period_end,
               sum(value) FILTER (indicator = 'permit_cases') AS cases,
               sum(value) FILTER (indicator IN ('permit_cancelled', 'permit_filing',
                                                'permit_commitment', 'permit_optimized')) AS modes
        FROM marts.indicators WHERE indicator LIKE 'permit_%'
        GROUP BY ALL HAVING cases IS DISTINCT FROM modes
        """,
    ),
    "inspection_results_sum_to_entities": (
        mart_key("indicators"),
        "The four inspection results add up to inspection_entities at every period, and "
        "marts.inspection_results holds every staged (task, entity) row once.",
        """
        SELECT county_code, period_end::VARCHAR AS at,
               sum(value) FILTER (indicator = 'inspection_entities') AS entities,
               sum(value) FILTER (indicator IN ('inspection_no_issue', 'inspection_corrected',
                                                'inspection_follow_up', 'inspection_in_progress')) AS by_result
        FROM marts.indicators WHERE indicator LIKE 'inspection_%'
        GROUP BY ALL HAVING entities IS DISTINCT FROM by_result
        UNION ALL
        SELECT 'all', 'marts.inspection_results',
               (SELECT count(*) FROM staging.inspections),
               (SELECT coalesce(sum(entities), 0) FROM marts.inspection_results)
        WHERE (SELECT count(*) FROM staging.inspections)
              <> (SELECT coalesce(sum(entities), 0) FROM marts.inspection_results)
        """,
    ),
    "ratios_recomputed": (
        mart_key("indicators"),
        "Every clearance ratio equals closed / received recomputed from staging.court_cases "
        "for its period (never an average of monthly ratios), and the monthly mart's counts "
        "equal staging's.",
        """
        WITH by_month AS (  -- straight from staging, not from the monthly mart
            SELECT county_code, date_trunc('month', filed_on)::DATE AS month, enterprise_related,
                   count(*) AS received, 0 AS closed
            FROM staging.court_cases GROUP BY ALL
            UNION ALL
            SELECT county_code, date_trunc('month', closed_on)::DATE, enterprise_related, 0, count(*)
            FROM staging.court_cases WHERE closed_on IS NOT NULL GROUP BY ALL
        ),
        periods AS (
            SELECT DISTINCT county_code, period_start, period_end FROM marts.indicators
            WHERE indicator = 'court_clearance_ratio'
        ),
        counts AS (
            SELECT p.county_code, p.period_end, ent.flag,
                   coalesce(sum(m.received) FILTER (NOT ent.flag OR m.enterprise_related), 0) AS received,
                   coalesce(sum(m.closed) FILTER (NOT ent.flag OR m.enterprise_related), 0) AS closed
            FROM periods p
            CROSS JOIN (VALUES (false), (true)) ent(flag)
            LEFT JOIN by_month m
              ON m.county_code = p.county_code AND m.month BETWEEN p.period_start AND p.period_end
            GROUP BY ALL
        ),
        expected AS (
            SELECT county_code, period_end,
                   CASE WHEN flag THEN 'court_ent_clearance_ratio' ELSE 'court_clearance_ratio' END AS indicator,
                   CASE WHEN received > 0
                        THEN ((closed * 20000 + received) // (2 * received)) * 0.0001::DECIMAL(5, 4)
                   END AS ratio
            FROM counts
        )
        SELECT e.county_code, e.period_end::VARCHAR, e.indicator, e.ratio, i.value
        FROM expected e
        LEFT JOIN marts.indicators i USING (county_code, period_end, indicator)
        WHERE i.value IS DISTINCT FROM e.ratio
        UNION ALL
        SELECT 'all', 'marts.court_cases_monthly', 'received/closed',
               (SELECT sum(received) + sum(closed) FROM marts.court_cases_monthly),
               (SELECT count(*) + count(closed_on) FROM staging.court_cases)
        WHERE (SELECT coalesce(sum(received) + sum(closed), 0) FROM marts.court_cases_monthly)
              <> (SELECT count(*) + count(closed_on) FROM staging.court_cases)
        """,
    ),
}


def reconcile(conn: duckdb.DuckDBPyConnection, name: str) -> dg.AssetCheckResult:
    _, _, sql = RECONCILIATIONS[name]
    n = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    return dg.AssetCheckResult(
        passed=n == 0, metadata={"disagreements": n, "examples": str(_rows(conn, sql, 10))}
    )


def _reconciliation_check(name: str) -> dg.AssetChecksDefinition:
    asset, description, _ = RECONCILIATIONS[name]

    @dg.asset_check(asset=asset, name=name, blocking=True, description=description)
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            return reconcile(conn, name)

    return _check


def totals_rows(conn: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    sql = "SELECT file_name, row_number, field, stated, computed FROM meta.file_totals WHERE NOT matches"
    n = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    checked = conn.execute("SELECT count(*) FROM meta.file_totals").fetchone()[0]
    return dg.AssetCheckResult(
        passed=n == 0,
        # The source's own totals row is wrong, not our data: warn, do not block.
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"totals_checked": checked, "mismatches": n, "examples": str(_rows(conn, sql, 10))},
    )


@dg.asset_check(
    asset=INGEST_LOG, name="totals_rows_match_data",
    description="Every totals row (合计/总计/小计) equals the sum of its file's data rows, "
    "quarantined ones included. A mismatch warns: the export itself disagrees.",
)
def totals_rows_match_data(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        return totals_rows(conn)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "great_expectations", asset=mart_key(m), blocking=True,
            description=f"The Great Expectations suite marts.{m} passes; results in the Data Docs.",
        )
        for m in SUITE_MARTS
    ],
    can_subset=True,
    name="great_expectations_suites",
)
def great_expectations_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    marts = [k.asset_key.path[-1] for k in context.selected_asset_check_keys]
    with warehouse.connect() as conn:
        results = run_suites(conn, marts, warehouse.settings.home)
    docs = docs_index(warehouse.settings.home)
    for mart, r in results.items():
        yield dg.AssetCheckResult(
            asset_key=mart_key(mart),
            check_name="great_expectations",
            passed=r.success,
            metadata={
                "expectations": r.evaluated,
                "failed": "\n".join(r.failed) or "none",
                "data_docs": dg.MetadataValue.path(str(docs)),
            },
        )


staging_checks = [c for kind in EXPORTS for c in _staging_checks(kind)]
reconciliation_checks = [_reconciliation_check(n) for n in RECONCILIATIONS] + [totals_rows_match_data]
all_checks = [*staging_checks, *reconciliation_checks, great_expectations_suites]
