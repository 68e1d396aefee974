-- 缺报月份及其影响的累计指标 / Months a monthly export never delivered, and how many
-- year-to-date figures each leaves short (those figures have complete = false).
SELECT c.county_code, c.kind, strftime(c.month, '%Y-%m') AS 缺报月份,
       count(i.indicator) AS figures_short
FROM marts.coverage c
LEFT JOIN marts.indicator_definitions d ON d.kind = c.kind
LEFT JOIN marts.indicators i
    ON i.indicator = d.indicator AND i.county_code = c.county_code
    AND c.month BETWEEN i.period_start AND i.period_end
WHERE c.gap
GROUP BY ALL
ORDER BY ALL;
