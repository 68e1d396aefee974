-- 行政许可事项梳理汇总 / Licensing item review: the current catalogue by department and item type.
-- Grain: county_code, department, item_type. Every item counts once, as last
-- reviewed (a re-export of an item replaces it, review date included), whatever
-- its review date: this is the catalogue as it stands, not a month's activity.
-- The year-to-date review figures (by review date) are in marts.indicators.
SELECT
    county_code,
    department,
    item_type,
    CASE item_type
        WHEN 'licence' THEN '行政许可'
        WHEN 'confirmation' THEN '行政确认'
        WHEN 'filing' THEN '行政备案'
        WHEN 'other_power' THEN '其他行政权力'
        WHEN 'public_service' THEN '公共服务'
    END AS item_type_zh,
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

COMMENT ON TABLE marts.item_review_summary IS '行政许可事项梳理汇总（现行目录，每个事项按最近一次梳理计一次） / licensing item review: the current catalogue by department and item type, each item once as last reviewed';
COMMENT ON COLUMN marts.item_review_summary.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.item_review_summary.department IS '实施部门 / implementing department';
COMMENT ON COLUMN marts.item_review_summary.item_type IS '事项类型：licence, confirmation, filing, other_power, public_service / item type';
COMMENT ON COLUMN marts.item_review_summary.item_type_zh IS '事项类型（中文） / item type in Chinese';
COMMENT ON COLUMN marts.item_review_summary.items IS '事项数 / items';
COMMENT ON COLUMN marts.item_review_summary.materials_before IS '梳理前申请材料数合计 / application documents before the review, summed';
COMMENT ON COLUMN marts.item_review_summary.materials_after IS '梳理后申请材料数合计 / application documents after the review, summed';
COMMENT ON COLUMN marts.item_review_summary.legal_days IS '法定办结时限合计（工作日） / statutory time limits summed, in working days';
COMMENT ON COLUMN marts.item_review_summary.promised_days IS '承诺办结时限合计（工作日） / promised time limits summed, in working days';
COMMENT ON COLUMN marts.item_review_summary.immediate_items IS '即办件数 / items decided on the spot';
COMMENT ON COLUMN marts.item_review_summary.last_reviewed_on IS '最近梳理日期 / latest review date among the items';
