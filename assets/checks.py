"""Data checks as Dagster asset checks: only checks that real input can fail.

What the pipeline itself guarantees is not re-checked here (keys unique in
staging, rows conforming to their declaration, the permit modes adding up to
their total, inspection results adding up to the entities): ingestion enforces
those row by row (a row that breaks a rule is quarantined, a permit row whose
合计 is not the sum of its modes included), and re-checking them afterwards could
only restate what the marts were built from. What input can still get wrong:

- totals_rows_match_data (WARN): an export's own totals row (合计/总计/小计)
  disagrees with its data rows.
- coverage_gaps (WARN): a monthly export has a month with no rows (a report that
  never arrived); the figures whose period includes it are flagged incomplete.
- indicators_recomputed (blocking): every published figure equals an independent
  recomputation from staging (other SQL: straight from the staged rows with running
  sums, not through the monthly marts and indicator definitions). It fails when a
  mart was built from stale months, e.g. a backfill of some months after a
  re-export moved rows between months.
- indicator_revisions (WARN): a re-export changes a figure that was already
  published by more than REVISION_THRESHOLD.
- Great Expectations on marts.coverage (blocking): every staged month lies within
  the warehouse's month calendar (a typo'd year passes row validation). Run on the
  months changed since the last publish when they reach an end of the calendar
  (assets.expectations.months_to_validate): GX is imported only then.

A failed blocking check stops what depends on it, so the analysts' warehouse is
not published and keeps its previous marts.
"""

import logging
from pathlib import Path

import dagster as dg
import duckdb

from assets.expectations import SUITE_MARTS, calendar, docs_index, months_to_validate, run_suites
from assets.exports import EXPORTS
from assets.exports.permit_reform import MODES
from assets.ingest.warehouse import months_to_rebuild
from assets.landing import INGEST_LOG
from assets.marts import mart_key
from assets.resources import WarehouseResource
from assets.sqltext import sql_literal
from assets.state import gaps

log = logging.getLogger("yingshang.checks")

# A published figure that moves by more than this share of its published value
# (or appears, disappears, or moves off zero) is a revision worth a warning.
# Smaller moves are normal: re-exports carry newer states (an inspection leaves
# "in progress", a case gets its closing date).
REVISION_THRESHOLD = 0.05


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, limit: int = 20) -> list[tuple]:
    return conn.execute(f"SELECT * FROM ({sql}) LIMIT {limit}").fetchall()


def coverage_gaps(conn: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    found = gaps(conn)  # the run summary prints them too
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(found) or "no gaps",
        metadata={"gaps": "\n".join(found) or "none"},
    )


# Real estate, from staging and the calendar, other SQL than the marts': a case's
# working days counted day by day over the calendar (the marts subtract running
# numbers), the median as the smallest value whose running count reaches half the
# cases (the marts use quantile_disc), the fee in whole fen rounded by integer
# division (the marts round the summed 万元 with floor).
REALESTATE_RECOMPUTED = """
WITH cases AS (
    SELECT r.county_code, date_trunc('month', r.completed_on)::DATE AS month, r.fee_waived_yuan,
           (SELECT count(*) FROM marts.calendar k
            WHERE k.is_working_day AND k.day > r.accepted_on AND k.day <= r.completed_on) AS working_days
    FROM staging.realestate r
    WHERE r.completed_on IS NOT NULL
),
months AS (
    SELECT county_code, unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH))::DATE AS month
    FROM cases GROUP BY county_code
),
in_period AS (
    SELECT m.county_code, last_day(m.month) AS period_end, c.fee_waived_yuan, c.working_days
    FROM months m
    JOIN cases c
        ON c.county_code = m.county_code AND year(c.month) = year(m.month) AND c.month <= m.month
),
totals AS (
    SELECT m.county_code, last_day(m.month) AS period_end,
           count(p.working_days) AS completed,
           coalesce(sum((p.fee_waived_yuan * 100)::HUGEINT), 0) AS fee_fen,
           count(*) FILTER (p.working_days <= 2) AS within_2
    FROM months m
    LEFT JOIN in_period p ON p.county_code = m.county_code AND p.period_end = last_day(m.month)
    GROUP BY ALL
),
spread AS (
    SELECT county_code, period_end, working_days, count(*) AS n FROM in_period GROUP BY ALL
),
running AS (
    SELECT county_code, period_end, working_days,
           sum(n) OVER (PARTITION BY county_code, period_end ORDER BY working_days) AS reached,
           sum(n) OVER (PARTITION BY county_code, period_end) AS cases
    FROM spread
),
medians AS (
    SELECT county_code, period_end, min(working_days) AS median
    FROM running WHERE reached * 2 >= cases GROUP BY ALL
),
realestate_ytd AS (
    SELECT t.county_code, t.period_end,
           t.completed::DECIMAL(24, 6) AS realestate_completed,
           (((t.fee_fen + 5000) // 10000) * 0.01)::DECIMAL(24, 6) AS realestate_fee_waived_wan,
           m.median::DECIMAL(24, 6) AS realestate_median_working_days,
           t.within_2::DECIMAL(24, 6) AS realestate_within_2_working_days
    FROM totals t
    LEFT JOIN medians m USING (county_code, period_end)
)
SELECT county_code, period_end, indicator, value FROM realestate_ytd
    UNPIVOT INCLUDE NULLS (value FOR indicator IN (COLUMNS(* EXCLUDE (county_code, period_end))))
"""

# Every indicator recomputed from staging, other SQL than the marts': monthly
# aggregates straight from the staged rows, year-to-date running sums over a month
# calendar, ratios rounded half up by integer division, distinct tasks counted in
# the month of their first draw of the year. The permit modes and inspection results
# are those of their export declarations.
_RESULTS = tuple(EXPORTS["inspections"].field("result").labels)


def _each(template: str, values: tuple[str, ...], indent: int = 11) -> str:
    """The template once per value, one per line, comma-separated."""
    return (",\n" + " " * indent).join(template.format(v=v) for v in values)


# Item review and investment projects (EXPORTS.md 2.5, 2.6), in their own query:
# running sums straight from staging; percentages and 亿元 rounded half up by
# integer division of the exact sums; agency sponsors counted in the month of their
# first agency project of the year.
RECOMPUTED_REVIEW_INVEST = """
WITH
review AS (
    SELECT county_code, date_trunc('month', reviewed_on)::DATE AS month, count(*) AS items,
           sum(materials_before) AS before, sum(materials_after) AS after,
           sum(legal_days) AS legal, sum(promised_days) AS promised,
           sum(CASE WHEN immediate THEN 1 ELSE 0 END) AS immediate
    FROM staging.item_review GROUP BY ALL
),
invest AS (
    SELECT county_code, date_trunc('month', decided_on)::DATE AS month, count(*) AS projects,
           sum(investment_yuan) AS yuan,
           sum(CASE WHEN key_project THEN 1 ELSE 0 END) AS key_projects,
           sum(CASE WHEN tolerance_commitment THEN 1 ELSE 0 END) AS tolerance
    FROM staging.investment_projects GROUP BY ALL
),
first_agency AS (
    SELECT county_code, min(date_trunc('month', decided_on))::DATE AS month
    FROM staging.investment_projects WHERE agency_service
    GROUP BY county_code, sponsor, year(decided_on)
),
calendar AS (
    SELECT domain, county_code,
           unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM (
        SELECT 'review' AS domain, county_code, min(month) AS first_month, max(month) AS last_month
        FROM review GROUP BY ALL
        UNION ALL SELECT 'invest', county_code, min(month), max(month) FROM invest GROUP BY ALL
    )
),
review_counts AS (
    SELECT c.county_code, last_day(c.month) AS period_end,
           coalesce(sum(r.items) OVER ytd, 0)::BIGINT AS items,
           coalesce(sum(r.before) OVER ytd, 0)::BIGINT AS before,
           coalesce(sum(r.after) OVER ytd, 0)::BIGINT AS after,
           coalesce(sum(r.legal) OVER ytd, 0)::BIGINT AS legal,
           coalesce(sum(r.promised) OVER ytd, 0)::BIGINT AS promised,
           coalesce(sum(r.immediate) OVER ytd, 0)::BIGINT AS immediate
    FROM calendar c LEFT JOIN review r USING (county_code, month)
    WHERE c.domain = 'review'
    WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
),
review_ytd AS (
    SELECT county_code, period_end,
           items::DECIMAL(24, 6) AS review_items,
           before::DECIMAL(24, 6) AS review_materials_before,
           after::DECIMAL(24, 6) AS review_materials_after,
           legal::DECIMAL(24, 6) AS review_legal_days,
           promised::DECIMAL(24, 6) AS review_promised_days,
           immediate::DECIMAL(24, 6) AS review_immediate_items,
           (CASE WHEN before > 0 THEN ((before - after) * 1000 + before // 2) // before END
            * 0.1)::DECIMAL(24, 6) AS review_materials_cut_pct,
           (CASE WHEN legal > 0 THEN ((legal - promised) * 1000 + legal // 2) // legal END
            * 0.1)::DECIMAL(24, 6) AS review_time_cut_pct,
           (CASE WHEN items > 0 THEN (immediate * 1000 + items // 2) // items END
            * 0.1)::DECIMAL(24, 6) AS review_immediate_pct
    FROM review_counts
),
invest_ytd AS (
    SELECT county_code, period_end,
           projects::DECIMAL(24, 6) AS invest_projects,
           -- fen, then hundredths of 亿元 (10^8 fen) rounded half up
           (((fen + 50000000) // 100000000) * 0.01)::DECIMAL(24, 6) AS invest_total_yi,
           key_projects::DECIMAL(24, 6) AS invest_key_projects,
           tolerance::DECIMAL(24, 6) AS invest_tolerance_projects,
           sponsors::DECIMAL(24, 6) AS invest_agency_sponsors
    FROM (
        SELECT c.county_code, last_day(c.month) AS period_end,
               coalesce(sum(i.projects) OVER ytd, 0) AS projects,
               (coalesce(sum(i.yuan) OVER ytd, 0) * 100)::HUGEINT AS fen,
               coalesce(sum(i.key_projects) OVER ytd, 0) AS key_projects,
               coalesce(sum(i.tolerance) OVER ytd, 0) AS tolerance,
               coalesce(sum(a.sponsors) OVER ytd, 0) AS sponsors
        FROM calendar c
        LEFT JOIN invest i USING (county_code, month)
        LEFT JOIN (SELECT county_code, month, count(*) AS sponsors FROM first_agency GROUP BY ALL) a
            USING (county_code, month)
        WHERE c.domain = 'invest'
        WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
    )
)
SELECT county_code, period_end, indicator, value FROM review_ytd
    UNPIVOT INCLUDE NULLS (value FOR indicator IN (COLUMNS(* EXCLUDE (county_code, period_end))))
UNION ALL
SELECT county_code, period_end, indicator, value FROM invest_ytd
    UNPIVOT INCLUDE NULLS (value FOR indicator IN (COLUMNS(* EXCLUDE (county_code, period_end))))
"""

RECOMPUTED = f"""
WITH
tax AS (
    SELECT county_code, date_trunc('month', relief_date)::DATE AS month,
           sum(relief_yuan) FILTER (revenue_class = 'tax') AS tax_yuan,
           sum(relief_yuan) FILTER (revenue_class = 'non_tax') AS non_tax_yuan
    FROM staging.tax_relief GROUP BY ALL
),
permit AS (
    SELECT county_code, month, {_each("sum({v}) AS {v}", MODES)}
    FROM staging.permit_reform GROUP BY ALL
),
court AS (
    SELECT county_code, month,
           count(*) FILTER (event = 'filed') AS received,
           count(*) FILTER (event = 'closed') AS closed,
           count(*) FILTER (event = 'filed' AND enterprise_related) AS ent_received,
           count(*) FILTER (event = 'closed' AND enterprise_related) AS ent_closed
    FROM (
        SELECT county_code, date_trunc('month', filed_on)::DATE AS month, 'filed' AS event,
               enterprise_related
        FROM staging.court_cases
        UNION ALL
        SELECT county_code, date_trunc('month', closed_on)::DATE, 'closed', enterprise_related
        FROM staging.court_cases WHERE closed_on IS NOT NULL
    )
    GROUP BY ALL
),
first_draws AS (
    SELECT county_code, min(date_trunc('month', drawn_on))::DATE AS month
    FROM staging.inspections GROUP BY county_code, task_id, year(drawn_on)
),
inspection AS (
    SELECT i.*, coalesce(t.tasks, 0) AS tasks
    FROM (
        SELECT county_code, date_trunc('month', drawn_on)::DATE AS month, count(*) AS entities,
               {_each("count(*) FILTER (result = '{v}') AS {v}", _RESULTS, 15)}
        FROM staging.inspections GROUP BY ALL
    ) i
    LEFT JOIN (SELECT county_code, month, count(*) AS tasks FROM first_draws GROUP BY ALL) t
        USING (county_code, month)
),
calendar AS (
    SELECT domain, county_code,
           unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM (
        SELECT 'tax' AS domain, county_code, min(month) AS first_month, max(month) AS last_month FROM tax GROUP BY ALL
        UNION ALL SELECT 'permit', county_code, min(month), max(month) FROM permit GROUP BY ALL
        UNION ALL SELECT 'court', county_code, min(month), max(month) FROM court GROUP BY ALL
        UNION ALL SELECT 'inspection', county_code, min(month), max(month) FROM inspection GROUP BY ALL
    )
),
tax_ytd AS (
    SELECT c.county_code, last_day(c.month) AS period_end,
           (coalesce(sum(t.tax_yuan) OVER ytd, 0) * 0.0001)::DECIMAL(24, 6) AS tax_relief_wan,
           (coalesce(sum(t.non_tax_yuan) OVER ytd, 0) * 0.0001)::DECIMAL(24, 6) AS non_tax_relief_wan
    FROM calendar c LEFT JOIN tax t USING (county_code, month)
    WHERE c.domain = 'tax'
    WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
),
permit_ytd AS (
    SELECT county_code, period_end, {_each("{v} AS permit_{v}", MODES)},
           ({" + ".join(MODES)})::DECIMAL(24, 6) AS permit_cases
    FROM (
        SELECT c.county_code, last_day(c.month) AS period_end,
               {_each("coalesce(sum(p.{v}) OVER ytd, 0)::DECIMAL(24, 6) AS {v}", MODES, 15)}
        FROM calendar c LEFT JOIN permit p USING (county_code, month)
        WHERE c.domain = 'permit'
        WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
    )
),
court_counts AS (
    SELECT c.county_code, last_day(c.month) AS period_end,
           coalesce(sum(k.received) OVER ytd, 0)::BIGINT AS received,
           coalesce(sum(k.closed) OVER ytd, 0)::BIGINT AS closed,
           coalesce(sum(k.ent_received) OVER ytd, 0)::BIGINT AS ent_received,
           coalesce(sum(k.ent_closed) OVER ytd, 0)::BIGINT AS ent_closed
    FROM calendar c LEFT JOIN court k USING (county_code, month)
    WHERE c.domain = 'court'
    WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
),
court_ytd AS (
    SELECT county_code, period_end,
           received::DECIMAL(24, 6) AS court_received, closed::DECIMAL(24, 6) AS court_closed,
           ent_received::DECIMAL(24, 6) AS court_ent_received,
           ent_closed::DECIMAL(24, 6) AS court_ent_closed,
           (CASE WHEN received > 0 THEN (closed * 10000 + received // 2) // received END
            * 0.0001)::DECIMAL(24, 6) AS court_clearance_ratio,
           (CASE WHEN ent_received > 0 THEN (ent_closed * 10000 + ent_received // 2) // ent_received END
            * 0.0001)::DECIMAL(24, 6) AS court_ent_clearance_ratio
    FROM court_counts
),
inspection_ytd AS (
    SELECT c.county_code, last_day(c.month) AS period_end,
           coalesce(sum(i.tasks) OVER ytd, 0)::DECIMAL(24, 6) AS inspection_tasks,
           coalesce(sum(i.entities) OVER ytd, 0)::DECIMAL(24, 6) AS inspection_entities,
           {_each("coalesce(sum(i.{v}) OVER ytd, 0)::DECIMAL(24, 6) AS inspection_{v}", _RESULTS)}
    FROM calendar c LEFT JOIN inspection i USING (county_code, month)
    WHERE c.domain = 'inspection'
    WINDOW ytd AS (PARTITION BY c.county_code, year(c.month) ORDER BY c.month)
),
expected AS (
    UNPIVOT tax_ytd ON COLUMNS(* EXCLUDE (county_code, period_end)) INTO NAME indicator VALUE value
    UNION ALL
    UNPIVOT permit_ytd ON COLUMNS(* EXCLUDE (county_code, period_end)) INTO NAME indicator VALUE value
    UNION ALL
    SELECT * FROM court_ytd
        UNPIVOT INCLUDE NULLS (value FOR indicator IN (COLUMNS(* EXCLUDE (county_code, period_end))))
    UNION ALL
    UNPIVOT inspection_ytd ON COLUMNS(* EXCLUDE (county_code, period_end)) INTO NAME indicator VALUE value
    UNION ALL
    SELECT * FROM ({RECOMPUTED_REVIEW_INVEST})
    UNION ALL
    SELECT * FROM ({REALESTATE_RECOMPUTED})
)
SELECT county_code, indicator, period_end, e.value AS recomputed, i.value AS published
FROM expected e
FULL OUTER JOIN marts.indicators i USING (county_code, indicator, period_end)
WHERE e.value IS DISTINCT FROM i.value
ORDER BY county_code, indicator, period_end
"""


def indicators_recomputed(conn: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    n = conn.execute(f"SELECT count(*) FROM ({RECOMPUTED})").fetchone()[0]
    checked = conn.execute("SELECT count(*) FROM marts.indicators").fetchone()[0]
    return dg.AssetCheckResult(
        passed=n == 0,
        description=f"{n} of {checked} figures differ from their recomputation from staging",
        metadata={
            "figures_checked": checked,
            "disagreements": n,
            "examples (county, indicator, period_end, recomputed, built)": str(_rows(conn, RECOMPUTED, 10)),
        },
    )


def _num(value) -> str:
    return "none" if value is None else f"{value.normalize():f}"


def indicator_revisions(
    conn: duckdb.DuckDBPyConnection, published: Path | None, threshold: float = REVISION_THRESHOLD
) -> dg.AssetCheckResult:
    """The new build's figures against those of the last published warehouse, for
    every county, indicator and period_end it had."""
    if published is None or not published.exists():
        return dg.AssetCheckResult(passed=True, description="nothing published yet")
    conn.execute(f"ATTACH {sql_literal(published)} AS published_warehouse (READ_ONLY)")
    try:
        had = conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'published_warehouse' "
            "AND schema_name = 'marts' AND table_name = 'indicators'"
        ).fetchone()[0]
        if not had:
            return dg.AssetCheckResult(passed=True, description="the published warehouse has no indicators")
        sql = f"""
            SELECT county_code, indicator, period_end, p.value AS published, n.value AS rebuilt
            FROM published_warehouse.marts.indicators p
            LEFT JOIN marts.indicators n USING (county_code, indicator, period_end)
            WHERE p.value IS DISTINCT FROM n.value
              AND (p.value IS NULL OR n.value IS NULL
                   OR abs(n.value - p.value) > {float(threshold)} * abs(p.value))
            ORDER BY county_code, indicator, period_end
        """
        n = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        examples = _rows(conn, sql, 20)
    finally:
        conn.execute("DETACH published_warehouse")
    shown = "; ".join(
        f"{c} {i} at {p}: published {_num(pub)}, now {_num(new)}" for c, i, p, pub, new in examples
    )
    if n:
        log.warning("%d published figures revised by more than %.0f%%: %s", n, threshold * 100, shown)
    return dg.AssetCheckResult(
        passed=n == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{n} published figures revised by more than {threshold:.0%}: {shown}" if n
            else f"no published figure revised by more than {threshold:.0%}"
        ),
        metadata={"threshold": threshold, "revisions": n, "examples": shown or "none"},
    )


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


@dg.asset_check(
    asset=mart_key("coverage"), name="coverage_gaps",
    description="No monthly export has a month without rows between January of its first year "
    "and its last month (marts.coverage). A gap warns and names the months: the figures whose "
    "period includes it are short and flagged incomplete in marts.indicators.",
)
def coverage_gaps_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        return coverage_gaps(conn)


@dg.asset_check(
    asset=mart_key("indicators"), name="indicators_recomputed", blocking=True,
    description="Every figure in marts.indicators equals its recomputation straight from staging "
    "with other SQL (running sums over the staged rows, not the monthly marts), and no figure is "
    "missing or extra. Fails when a mart was built from stale months.",
)
def indicators_recomputed_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        return indicators_recomputed(conn)


@dg.asset_check(
    asset=mart_key("indicators"), name="indicator_revisions",
    description=f"No figure of the last published warehouse moves by more than "
    f"{REVISION_THRESHOLD:.0%} of its value (or appears, disappears or leaves zero) in the new "
    "build. A revision warns and names the figures: a re-export changed published months.",
)
def indicator_revisions_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        return indicator_revisions(conn, warehouse.settings.warehouse)


def _span(months) -> str:
    return " – ".join(f"{m:%Y-%m}" if m else "…" for m in months)


def _expectations_check(mart: str) -> dg.AssetChecksDefinition:
    # One check per suite, not a multi-asset check: a failed blocking multi-asset
    # check fails its step, and the run would report Dagster's error, not the check.
    @dg.asset_check(
        asset=mart_key(mart), name="great_expectations", blocking=True,
        description=f"The Great Expectations suite marts.{mart} passes on the months changed "
        "since the last publish when they reach either end of the calendar (whose partitions "
        "hold anything dated outside it); results in the Data Docs.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            # What changed since the last publish, not what this run was asked to
            # build: a blocked run's typo is still unpublished, and so still checked.
            changed = months_to_rebuild(conn, warehouse.published_ingest_id())
            months = months_to_validate(changed)
            if months is None:
                first, last = calendar()
                reason = (
                    f"months changed since the last publish ({_span(changed)}) lie inside the "
                    f"calendar ({_span((first, last))}): none of their rows can lie outside it"
                    if changed else "no staged month changed since the last publish"
                )
                return dg.AssetCheckResult(
                    passed=True, description=f"suite not run: {reason}",
                    metadata={"expectations": 0, "months_validated": "none"},
                )
            r = run_suites(conn, [mart], warehouse.settings.home, months)[mart]
        return dg.AssetCheckResult(
            passed=r.success,
            description="; ".join(r.failed) or "passed",
            metadata={
                "expectations": r.evaluated,
                "months_validated": _span(months),
                "failed": "\n".join(r.failed) or "none",
                "data_docs": dg.MetadataValue.path(str(docs_index(warehouse.settings.home))),
            },
        )

    return _check


all_checks = [
    totals_rows_match_data,
    coverage_gaps_check,
    indicators_recomputed_check,
    indicator_revisions_check,
    *(_expectations_check(m) for m in SUITE_MARTS),
]
