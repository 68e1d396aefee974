-- 各实施部门证照分离改革办件量 / Permit reform completions by department, from staging.
SELECT department,
       sum(cancelled) AS cancelled, sum(filing) AS filing,
       sum(commitment) AS commitment, sum(optimized) AS optimized,
       sum(coalesce(cancelled, 0) + coalesce(filing, 0) + coalesce(commitment, 0) + coalesce(optimized, 0)) AS total
FROM staging.permit_reform
WHERE month BETWEEN DATE '2023-01-01' AND DATE '2023-06-01'
GROUP BY department
ORDER BY total DESC;
