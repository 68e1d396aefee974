-- 投资项目审批办结月度汇总 / Investment projects decided, by month and approval type.
-- Grain: county_code, month, approval_type. The month is the decision date's
-- (办结日期). Investment is exact yuan; an empty 容缺受理＋告知承诺 or 全程代办
-- was staged as no.
-- partitioned by month of: month
SELECT
    county_code,
    date_trunc('month', decided_on)::DATE AS month,
    approval_type,
    CASE approval_type
        WHEN 'approval' THEN '审批'
        WHEN 'endorsement' THEN '核准'
        WHEN 'filing' THEN '备案'
    END AS approval_type_zh,
    count(*)::BIGINT AS projects,
    sum(investment_yuan)::DECIMAL(18, 2) AS investment_yuan,
    count(*) FILTER (key_project)::BIGINT AS key_projects,
    count(*) FILTER (tolerance_commitment)::BIGINT AS tolerance_projects,
    count(*) FILTER (agency_service)::BIGINT AS agency_projects
FROM staging.investment_projects
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.investment_projects_monthly IS '投资项目审批（核准、备案）月度办结（按办结日期所属月份） / investment projects decided by month of decision and approval type';
COMMENT ON COLUMN marts.investment_projects_monthly.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.investment_projects_monthly.month IS '月份（月初日期） / month, as the date of its first day';
COMMENT ON COLUMN marts.investment_projects_monthly.approval_type IS '管理类型：approval 审批, endorsement 核准, filing 备案 / approval type';
COMMENT ON COLUMN marts.investment_projects_monthly.approval_type_zh IS '管理类型（中文） / approval type in Chinese';
COMMENT ON COLUMN marts.investment_projects_monthly.projects IS '办结项目数 / projects decided in the month';
COMMENT ON COLUMN marts.investment_projects_monthly.investment_yuan IS '总投资（元） / total investment of those projects in yuan';
COMMENT ON COLUMN marts.investment_projects_monthly.key_projects IS '其中重点项目数 / of which key projects';
COMMENT ON COLUMN marts.investment_projects_monthly.tolerance_projects IS '其中容缺受理＋告知承诺项目数 / of which accepted with documents pending under a commitment';
COMMENT ON COLUMN marts.investment_projects_monthly.agency_projects IS '其中全程代办项目数 / of which handled by the platform''s agents throughout';
