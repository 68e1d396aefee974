-- 证照分离改革办件月度汇总 / Permit reform completions by month and reform mode.
-- Grain: county_code, month, reform_mode. Each monthly report holds that month's
-- new completions, so months add up; nothing here is cumulative. An empty count
-- is no completions: a report whose cells are all empty still gives its month
-- (zeros), so the month counts as reported.
-- partitioned by month of: month
SELECT
    county_code,
    month,
    reform_mode,
    CASE reform_mode
        WHEN 'cancelled' THEN '直接取消审批'
        WHEN 'filing' THEN '审批改为备案'
        WHEN 'commitment' THEN '实行告知承诺'
        WHEN 'optimized' THEN '优化审批服务'
    END AS reform_mode_zh,
    coalesce(sum(cases), 0)::BIGINT AS cases
FROM staging.permit_reform
UNPIVOT INCLUDE NULLS (cases FOR reform_mode IN (cancelled, filing, commitment, optimized))
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.permit_reform_monthly IS '证照分离改革当月办结件数（按改革方式） / permit reform completions by month and reform mode';
COMMENT ON COLUMN marts.permit_reform_monthly.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.permit_reform_monthly.month IS '统计月份（月初日期） / report month, as the date of its first day';
COMMENT ON COLUMN marts.permit_reform_monthly.reform_mode IS '改革方式：cancelled, filing, commitment, optimized / reform mode';
COMMENT ON COLUMN marts.permit_reform_monthly.reform_mode_zh IS '改革方式（中文） / reform mode in Chinese';
COMMENT ON COLUMN marts.permit_reform_monthly.cases IS '当月办结件数 / completions in the month';
