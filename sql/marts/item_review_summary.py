"""marts.item_review_summary: its shape, beside item_review_summary.sql (see assets.models)."""

from assets.declaration import Column, Mart, labels_case
from assets.exports import EXPORTS

_ITEM_TYPE = EXPORTS["item_review"].field("item_type")

MART = Mart(
    name="item_review_summary",
    zh="行政许可事项梳理汇总（现行目录，每个事项按最近一次梳理计一次）",
    en="licensing item review: the current catalogue by department and item type, each item once as last reviewed",
    grain=("county_code", "department", "item_type"),
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("department", "实施部门", "implementing department"),
        Column("item_type", "事项类型", "item type", values=tuple(_ITEM_TYPE.labels)),
        Column("item_type_zh", "事项类型（中文）", "item type in Chinese"),
        Column("items", "事项数", "items", unit="项"),
        Column("materials_before", "梳理前申请材料数合计", "application documents before the review, summed",
               unit="件"),
        Column("materials_after", "梳理后申请材料数合计", "application documents after the review, summed",
               unit="件"),
        Column("legal_days", "法定办结时限合计（工作日）", "statutory time limits summed, in working days",
               unit="工作日"),
        Column("promised_days", "承诺办结时限合计（工作日）", "promised time limits summed, in working days",
               unit="工作日"),
        Column("immediate_items", "即办件数", "items decided on the spot", unit="项"),
        Column("last_reviewed_on", "最近梳理日期", "latest review date among the items"),
    ),
    generated={"item_type_zh": labels_case("item_type", _ITEM_TYPE.labels)},
)
