"""行政许可事项梳理表 — licensing item review, one row per item as reviewed (approval bureau)."""

import polars as pl

from assets.declaration import Export, Field, RowRule

ITEM_TYPES = {
    "行政许可": "licence",
    "行政确认": "confirmation",
    "行政备案": "filing",
    "其他行政权力": "other_power",
    "公共服务": "public_service",
}

EXPORT = Export(
    kind="item_review",
    title_zh="行政许可事项梳理表",
    source="行政审批服务局 / county approval bureau",
    description=(
        "行政许可事项梳理表，每个事项一行（材料精简、时限压缩）；重新梳理以最新导出为准，梳理日期随之更新 / "
        "licensing item review, one row per item; a re-review (a later export) replaces the item, its review date included"
    ),
    monthly=False,  # items are reviewed in campaigns, not every month
    month_fields=("reviewed_on",),
    fields=(
        Field("item_code", "事项编码", "code", "事项编码 / item code", required=True, key=True),
        Field("item_name", "事项名称", "text", "事项名称 / item name", required=True),
        Field("department", "实施部门", "text", "实施部门 / implementing department", required=True),
        Field("item_type", "事项类型", "enum",
              f"事项类型 / item type: {', '.join(dict.fromkeys(ITEM_TYPES.values()))}",
              required=True, vocabulary=ITEM_TYPES),
        Field("materials_before", "原申请材料数", "count", "梳理前申请材料数 / application documents before the review",
              aliases=("梳理前材料数",), required=True, min_value=0, unit="件"),
        Field("materials_after", "现申请材料数", "count",
              "梳理后申请材料数，不得多于梳理前 / application documents after the review, at most as many as before",
              aliases=("梳理后材料数",), required=True, min_value=0, unit="件"),
        Field("legal_days", "法定办结时限（工作日）", "integer", "法定办结时限（工作日） / statutory time limit in working days",
              aliases=("法定时限", "法定办结时限"), required=True, min_value=0, unit="工作日"),
        Field("promised_days", "承诺办结时限（工作日）", "integer",
              "承诺办结时限（工作日），不得长于法定时限，即办件为0 / promised time limit in working days: "
              "at most the statutory one, 0 for an immediate item",
              aliases=("承诺时限", "承诺办结时限"), required=True, min_value=0, unit="工作日"),
        Field("immediate", "是否即办件", "bool", "是否即办件（当场办结） / whether the item is decided on the spot",
              required=True),
        Field("reviewed_on", "梳理日期", "date", "梳理日期，决定所属月份 / review date; decides the month",
              required=True),
    ),
    row_rules=(
        RowRule("materials_after <= materials_before",
                "梳理后材料数不得多于梳理前 / a review cannot add application documents",
                pl.col("materials_after") <= pl.col("materials_before")),
        RowRule("promised_days <= legal_days",
                "承诺时限不得长于法定时限 / the promised time limit cannot exceed the statutory one",
                pl.col("promised_days") <= pl.col("legal_days")),
        RowRule("immediate requires promised_days = 0",
                "即办件的承诺时限须为0 / an immediate item is promised in 0 working days",
                ~pl.col("immediate") | (pl.col("promised_days") == 0)),
    ),
)
