-- 审判执行案件月度收结案 / Court cases received and closed by month.
-- Grain: county_code, month, case_type, enterprise_related. A case counts as
-- received in the month it was filed and as closed in the month it closed,
-- whenever it was filed.
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
