-- 税费减免月度汇总 / Tax and fee relief by month, revenue class and levy.
-- Grain: county_code, month, revenue_class, levy. The month is the relief date's.
-- partitioned by month of: month
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

COMMENT ON TABLE marts.tax_relief_monthly IS '税费减免月度汇总（按减免日期所属月份） / tax and fee relief by month of relief date, revenue class and levy';
COMMENT ON COLUMN marts.tax_relief_monthly.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.tax_relief_monthly.month IS '月份（月初日期） / month, as the date of its first day';
COMMENT ON COLUMN marts.tax_relief_monthly.revenue_class IS '收入类别：tax 税收收入, non_tax 非税收入 / revenue class';
COMMENT ON COLUMN marts.tax_relief_monthly.levy IS '征收项目 / levied tax or fee';
COMMENT ON COLUMN marts.tax_relief_monthly.vouchers IS '减免凭证数 / number of relief vouchers';
COMMENT ON COLUMN marts.tax_relief_monthly.relief_yuan IS '减免金额（元） / relief amount in yuan';
