"""marts.realestate_monthly: its shape, beside realestate_monthly.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

_FIELD = EXPORTS["realestate"].field

MART = Mart(
    name="realestate_monthly",
    zh="不动产登记月度办结件数、免收登记费与办理用时",
    en="real-estate registration cases completed by month, with fees waived and working days taken",
    grain=("county_code", "month", "registration_type", "applicant_type"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("month", "办结月份（月初日期）", "month completed, as the date of its first day"),
        Column("registration_type", "登记类型", "registration type", values=_FIELD("registration_type").labels),
        Column("applicant_type", "申请人类型", "applicant type", values=_FIELD("applicant_type").labels),
        Column("completed", "当月办结件数", "cases completed in the month", unit="件"),
        Column("fee_waived_yuan", "免收登记费（元）", "registration fees waived in yuan", unit="元"),
        Column("working_days_total", "办理用时合计（工作日）", "working days taken, summed over the cases",
               unit="工作日"),
        Column("within_2_working_days", "2个工作日内办结件数", "cases that took at most 2 working days", unit="件"),
    ),
)
