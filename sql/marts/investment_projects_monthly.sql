-- 投资项目审批办结月度汇总 / Investment projects decided, by month and approval type.
-- Grain: county_code, month, approval_type. The month is the decision date's
-- (办结日期). Investment is exact yuan; an empty 容缺受理＋告知承诺 or 全程代办
-- was staged as no.
SELECT
    county_code,
    date_trunc('month', decided_on)::DATE AS month,
    approval_type,
    {{ approval_type_zh }} AS approval_type_zh,
    count(*)::BIGINT AS projects,
    sum(investment_yuan)::DECIMAL(18, 2) AS investment_yuan,
    count(*) FILTER (key_project)::BIGINT AS key_projects,
    count(*) FILTER (tolerance_commitment)::BIGINT AS tolerance_projects,
    count(*) FILTER (agency_service)::BIGINT AS agency_projects
FROM staging.investment_projects
GROUP BY ALL
ORDER BY ALL;
