"""审判执行案件 — court cases, one row per case (court case management system)."""

import polars as pl

from assets.declaration import Export, Field, RowRule

CASE_TYPES = {
    "刑事": "criminal",
    "民事": "civil", "商事": "civil", "民商事": "civil",
    "行政": "administrative",
    "执行": "enforcement",
    "国家赔偿": "other", "非诉保全审查": "other", "司法救助": "other", "其他": "other",
}

EXPORT = Export(
    kind="court_cases",
    title_zh="审判执行案件",
    source="法院 案件管理系统 / county court case management system",
    description="审判执行案件，每案一行，含往年立案今年结案的案件 / court cases, one row per case",
    monthly=True,
    month_fields=("filed_on", "closed_on"),
    fields=(
        Field("case_no", "案号", "code", "案号（全角半角括号视为相同） / case number",
              required=True, key=True),
        Field("case_type", "案件类型", "enum",
              f"案件类型 / case type: {', '.join(dict.fromkeys(CASE_TYPES.values()))}",
              required=True, vocabulary=CASE_TYPES),
        Field("filed_on", "立案日期", "date", "立案日期 / date filed", required=True),
        Field("closed_on", "结案日期", "date", "结案日期，未结为空 / date closed; null while pending"),
        Field("closing_method", "结案方式", "text", "结案方式 / how the case was closed (判决, 调解, 撤诉, …)"),
        Field("enterprise_related", "是否涉企", "bool", "是否涉企 / whether an enterprise is a party",
              required=True),
        Field("claim_yuan", "标的金额", "money", "标的金额（元） / amount in dispute in yuan",
              min_value=0, unit="元"),
        Field("parties", "当事人", "text", "当事人人数（姓名不入库） / number of parties (names are not stored)",
              column="optional", personal=True, unit="人"),
        Field("division", "承办部门", "text", "承办部门 / handling division", column="optional"),
    ),
    # 〔〕 (hexagonal brackets) are the typographic form of the same case number.
    derived={"case_no": pl.col("case_no").str.replace_all("〔", "(").str.replace_all("〕", ")")},
    row_rules=(
        RowRule("closed_on >= filed_on", "结案日期不得早于立案日期 / a case cannot close before it is filed",
                pl.col("closed_on") >= pl.col("filed_on")),
        RowRule("closing_method required when closed",
                "已结案件须有结案方式 / a closed case needs its closing method",
                pl.col("closed_on").is_null() | pl.col("closing_method").is_not_null()),
    ),
)
