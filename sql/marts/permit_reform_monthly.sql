-- 证照分离改革办件月度汇总 / Permit reform completions by month and reform mode.
-- Grain: county_code, month, reform_mode. Each monthly report holds that month's
-- new completions, so months add up; nothing here is cumulative. An empty count
-- is no completions: a report whose cells are all empty still gives its month
-- (zeros), so the month counts as reported. The modes are the export
-- declaration's mode fields, expanded from permit_reform_monthly.py.
SELECT
    county_code,
    month,
    reform_mode,
    {{ reform_mode_zh }} AS reform_mode_zh,
    coalesce(sum(cases), 0)::BIGINT AS cases
FROM staging.permit_reform
UNPIVOT INCLUDE NULLS (cases FOR reform_mode IN ({{ reform_modes }}))
GROUP BY ALL
ORDER BY ALL;
