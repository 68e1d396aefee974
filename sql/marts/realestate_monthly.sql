-- 不动产登记办件月度汇总 / Real-estate registration cases completed by month, registration type and applicant type.
-- Grain: county_code, month, registration_type, applicant_type. The month is the
-- completion date's; pending cases are not counted. Working days are those of
-- marts.realestate_cases (State Council calendar with its make-up days).
SELECT
    county_code,
    month,
    registration_type,
    applicant_type,
    count(*)::BIGINT AS completed,
    sum(fee_waived_yuan)::DECIMAL(18, 2) AS fee_waived_yuan,
    sum(working_days)::BIGINT AS working_days_total,
    count(*) FILTER (working_days <= 2)::BIGINT AS within_2_working_days
FROM marts.realestate_cases
GROUP BY ALL
ORDER BY ALL;
