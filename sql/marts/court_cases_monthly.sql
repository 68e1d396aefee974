-- 审判执行案件月度收结案 / Court cases received and closed by month.
-- Grain: county_code, month, case_type, enterprise_related. A case counts as
-- received in the month it was filed and as closed in the month it closed,
-- whenever it was filed.
-- partitioned by month of: month
WITH events AS (
    SELECT county_code, date_trunc('month', filed_on)::DATE AS month, case_type,
           enterprise_related, 1 AS received, 0 AS closed
    FROM staging.court_cases
    UNION ALL
    SELECT county_code, date_trunc('month', closed_on)::DATE AS month, case_type,
           enterprise_related, 0 AS received, 1 AS closed
    FROM staging.court_cases
    WHERE closed_on IS NOT NULL
)
SELECT
    county_code,
    month,
    case_type,
    enterprise_related,
    sum(received)::BIGINT AS received,
    sum(closed)::BIGINT AS closed
FROM events
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.court_cases_monthly IS '审判执行案件月度收案、结案 / court cases received (filed) and closed by month';
COMMENT ON COLUMN marts.court_cases_monthly.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.court_cases_monthly.month IS '月份（月初日期） / month, as the date of its first day';
COMMENT ON COLUMN marts.court_cases_monthly.case_type IS '案件类型：criminal, civil, administrative, enforcement, other / case type';
COMMENT ON COLUMN marts.court_cases_monthly.enterprise_related IS '是否涉企 / whether an enterprise is a party';
COMMENT ON COLUMN marts.court_cases_monthly.received IS '当月收案数（立案日期在当月） / cases filed in the month';
COMMENT ON COLUMN marts.court_cases_monthly.closed IS '当月结案数（结案日期在当月，不论何时立案） / cases closed in the month, whenever filed';
