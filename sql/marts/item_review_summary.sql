-- 行政许可事项梳理汇总 / Licensing item review: the current catalogue by department and item type.
-- Grain: county_code, department, item_type. Every item counts once, as last
-- reviewed (a re-export of an item replaces it, review date included), whatever
-- its review date: this is the catalogue as it stands, not a month's activity.
-- The year-to-date review figures (by review date) are in marts.indicators.
SELECT
    county_code,
    department,
    item_type,
    {{ item_type_zh }} AS item_type_zh,
    count(*)::BIGINT AS items,
    sum(materials_before)::BIGINT AS materials_before,
    sum(materials_after)::BIGINT AS materials_after,
    sum(legal_days)::BIGINT AS legal_days,
    sum(promised_days)::BIGINT AS promised_days,
    count(*) FILTER (immediate)::BIGINT AS immediate_items,
    max(reviewed_on) AS last_reviewed_on
FROM staging.item_review
GROUP BY county_code, department, item_type
ORDER BY ALL;
