-- 各税费种类减免金额（万元），上半年 / Relief by levy in the first half year, in 万元.
SELECT revenue_class, levy,
       sum(vouchers) AS vouchers,
       round(sum(relief_yuan) / 10000, 2) AS relief_wan
FROM marts.tax_relief_monthly
WHERE month BETWEEN DATE '2023-01-01' AND DATE '2023-06-01'
GROUP BY ALL
ORDER BY relief_wan DESC;
