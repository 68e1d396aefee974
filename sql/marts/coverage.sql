-- 数据覆盖 / Coverage: rows and files per county, export and month, and the gaps.
-- Grain: county_code, kind, month, from January of the first year with data of
-- that kind to its last month with data. A month of a monthly export (as its
-- declaration says) with no rows is a gap: a report that never arrived, which
-- leaves every year-to-date figure whose period includes it short, so
-- marts.indicators flags those figures. A row counts in the month of its
-- export's first month field (the relief date, the report month, the filing
-- date, the draw date). export_rows is generated from the export declarations.
WITH staged AS (
    {{ export_rows }}
),
bounds AS (
    SELECT county_code, kind, bool_or(monthly) AS monthly,
           date_trunc('year', min(month))::DATE AS first_month, max(month) AS last_month
    FROM staged
    GROUP BY county_code, kind
),
spine AS (
    SELECT county_code, kind, monthly,
           unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM bounds
),
counts AS (
    SELECT county_code, kind, month, count(DISTINCT ingest_id) AS files, count(*) AS rows
    FROM staged
    GROUP BY county_code, kind, month
)
SELECT
    s.county_code,
    s.kind,
    s.month,
    s.monthly,
    coalesce(c.files, 0)::BIGINT AS files,
    coalesce(c.rows, 0)::BIGINT AS rows,
    s.monthly AND c.rows IS NULL AS gap
FROM spine s
LEFT JOIN counts c USING (county_code, kind, month)
ORDER BY s.county_code, s.kind, s.month;
