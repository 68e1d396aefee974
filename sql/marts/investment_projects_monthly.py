"""marts.investment_projects_monthly: its shape, beside investment_projects_monthly.sql
(see assets.models)."""

from assets.declaration import Column, Mart, labels_case
from assets.exports import EXPORTS

_APPROVAL_TYPE = EXPORTS["investment_projects"].field("approval_type")

MART = Mart(
    name="investment_projects_monthly",
    zh="投资项目审批（核准、备案）月度办结（按办结日期所属月份）",
    en="investment projects decided by month of decision and approval type",
    grain=("county_code", "month", "approval_type"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("month", "月份（月初日期）", "month, as the date of its first day"),
        Column("approval_type", "管理类型", "approval type", values=tuple(_APPROVAL_TYPE.labels)),
        Column("approval_type_zh", "管理类型（中文）", "approval type in Chinese"),
        Column("projects", "办结项目数", "projects decided in the month", unit="个"),
        Column("investment_yuan", "总投资（元）", "total investment of those projects in yuan", unit="元"),
        Column("key_projects", "其中重点项目数", "of which key projects", unit="个"),
        Column("tolerance_projects", "其中容缺受理＋告知承诺项目数",
               "of which accepted with documents pending under a commitment", unit="个"),
        Column("agency_projects", "其中全程代办项目数", "of which handled by the platform's agents throughout",
               unit="个"),
    ),
    generated={"approval_type_zh": labels_case("approval_type", _APPROVAL_TYPE.labels)},
)
