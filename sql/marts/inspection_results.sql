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

COMMENT ON TABLE marts.inspection_results IS '双随机抽查结果（按任务、部门、结果） / random inspection results by task, department and current result';
COMMENT ON COLUMN marts.inspection_results.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.inspection_results.task_id IS '抽查任务编号 / inspection task id';
COMMENT ON COLUMN marts.inspection_results.department IS '发起部门 / initiating department';
COMMENT ON COLUMN marts.inspection_results.result IS '检查结果：no_issue, corrected, follow_up, in_progress / current result';
COMMENT ON COLUMN marts.inspection_results.task_name IS '任务名称 / task name';
COMMENT ON COLUMN marts.inspection_results.first_drawn_on IS '最早抽取日期 / earliest date an entity of the task was drawn';
COMMENT ON COLUMN marts.inspection_results.entities IS '检查对象户数 / inspected entities';
