-- 税费减免月度汇总 / Tax and fee relief by month, revenue class and levy.
-- Grain: county_code, month, revenue_class, levy. The month is the relief date's.
SELECT
    county_code,
    date_trunc('month', relief_date)::DATE AS month,
    revenue_class,
    levy,
    count(*)::BIGINT AS vouchers,
    sum(relief_yuan)::DECIMAL(18, 2) AS relief_yuan
FROM staging.tax_relief
GROUP BY ALL
ORDER BY ALL;
