-- 各发起部门抽查发现问题率 / Share of finished inspections that found a problem, by department.
SELECT department,
       sum(entities) AS entities,
       sum(entities) FILTER (result IN ('corrected', 'follow_up')) AS problems,
       round(sum(entities) FILTER (result IN ('corrected', 'follow_up'))
             / nullif(sum(entities) FILTER (result <> 'in_progress'), 0), 4) AS problem_rate
FROM marts.inspection_results
GROUP BY department
ORDER BY entities DESC;
