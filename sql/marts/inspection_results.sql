-- 双随机抽查结果汇总 / Random inspection results by task and result.
-- Grain: county_code, task_id, department, result; results are the current ones
-- (a re-export replaces an in-progress result with the final one).
SELECT
    county_code,
    task_id,
    department,
    result,
    min(task_name) AS task_name,
    min(drawn_on) AS first_drawn_on,
    count(*)::BIGINT AS entities
FROM staging.inspections
GROUP BY county_code, task_id, department, result
ORDER BY ALL;
