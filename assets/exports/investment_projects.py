"""投资项目审批（核准、备案）办结 — investment project decisions, one row per project
(investment project online approval platform)."""

import polars as pl

from assets.declaration import Export, Field

APPROVAL_TYPES = {"审批": "approval", "核准": "endorsement", "备案": "filing"}

# 项目代码 of the national investment project platform: year, 6-digit county code,
# 2-digit industry, 2-digit project type, 6-digit serial (2023-610528-04-01-123456).
PROJECT_CODE = r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}"

EXPORT = Export(
    kind="investment_projects",
    title_zh="投资项目审批（核准、备案）办结",
    source="投资项目在线审批监管平台 / investment project online approval platform",
    description=(
        "投资项目审批（核准、备案）办结，每个项目一行 / investment projects decided "
        "(approved, endorsed or filed), one row per project"
    ),
    monthly=False,  # decisions follow applications, not a monthly report
    month_fields=("decided_on",),
    fields=(
        Field("project_code", "项目代码", "code",
              "项目代码（年份-行政区划代码-行业-类型-流水号） / project code YYYY-CCCCCC-II-TT-NNNNNN",
              required=True, key=True, pattern=PROJECT_CODE),
        Field("project_name", "项目名称", "text", "项目名称 / project name", required=True),
        Field("sponsor", "项目单位", "text", "项目单位 / sponsoring organisation", required=True),
        Field("sponsor_id", "统一社会信用代码", "credit_code",
              "项目单位统一社会信用代码，可空 / sponsor's unified social credit code, when given",
              column="optional"),
        Field("approval_type", "管理类型", "enum",
              f"管理类型 / approval type: {', '.join(dict.fromkeys(APPROVAL_TYPES.values()))}",
              aliases=("审批类型",), required=True, vocabulary=APPROVAL_TYPES),
        Field("investment_yuan", "总投资", "money", "总投资（元） / total investment in yuan",
              required=True, min_value=0, unit="元"),
        Field("decided_on", "办结日期", "date", "办结日期，决定所属月份 / decision date; decides the month",
              required=True),
        Field("key_project", "是否重点项目", "bool", "是否重点项目 / whether it is a key project", required=True),
        Field("tolerance_commitment", "容缺受理＋告知承诺", "bool",
              "是否容缺受理＋告知承诺，空为否 / accepted with documents pending under a commitment; empty means no",
              aliases=("是否容缺承诺",), column="optional"),
        Field("agency_service", "是否全程代办", "bool",
              "是否全程代办，空为否 / whether the platform's agents handled it throughout; empty means no",
              column="optional"),
    ),
    # Section 2.6: these two are ticked only when they apply, so an empty cell (or a
    # file without the column) is no.
    derived={
        "tolerance_commitment": pl.col("tolerance_commitment").fill_null(False),
        "agency_service": pl.col("agency_service").fill_null(False),
    },
)
