-- 数据覆盖 / Coverage: rows and files per county, export and month, and the gaps.
-- Grain: county_code, kind, month, from January of the first year with data of
-- that kind to its last month with data. A month of a monthly export (as its
-- declaration says) with no rows is a gap: a report that never arrived, which
-- leaves every year-to-date figure whose period includes it short, so
-- marts.indicators flags those figures. A row counts in the month of its
-- export's first month field (the relief date, the report month, the filing
-- date, the draw date). export_rows is generated from the export declarations.
-- parquet by month of: month
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

COMMENT ON TABLE marts.coverage IS '数据覆盖：每县、每类导出、每月的文件数与行数及缺报月份 / coverage: files and rows per county, export and month, and the months missing';
COMMENT ON COLUMN marts.coverage.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.coverage.kind IS '导出类型，每个导出声明一种（同 meta.ingest_log.kind） / export kind, one per export declaration (as in meta.ingest_log.kind)';
COMMENT ON COLUMN marts.coverage.month IS '月份（月初日期），自有数据首年1月至最后有数据月份 / month, as the date of its first day, from January of the first year with data to the last month with data';
COMMENT ON COLUMN marts.coverage.monthly IS '是否按月报送（见导出声明） / whether the source produces data every month (its declaration)';
COMMENT ON COLUMN marts.coverage.files IS '当月有数据的已入库文件数 / loaded files with rows in the month';
COMMENT ON COLUMN marts.coverage.rows IS '当月数据行数 / staged rows in the month';
COMMENT ON COLUMN marts.coverage.gap IS '缺报：按月报送而当月无数据 / gap: a monthly export with no rows in the month';
