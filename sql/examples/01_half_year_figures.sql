-- 上半年各项指标（年初至6月30日） / Every indicator, year to date at 30 June 2023.
SELECT indicator_zh AS 指标, indicator, value, unit, period_start, period_end, complete, missing_months
FROM marts.indicators
WHERE period_end = DATE '2023-06-30'
ORDER BY indicator;
