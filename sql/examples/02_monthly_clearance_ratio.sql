-- 月度结收案比（当月，非累计） / Clearance ratio of each month on its own, by case type.
-- A ratio is always computed from its own numerator and denominator, never averaged.
SELECT month, case_type,
       sum(received) AS received,
       sum(closed) AS closed,
       round(sum(closed) / nullif(sum(received), 0), 4) AS clearance_ratio
FROM marts.court_cases_monthly
WHERE month BETWEEN DATE '2023-01-01' AND DATE '2023-06-01'
GROUP BY ALL
ORDER BY month, case_type;
