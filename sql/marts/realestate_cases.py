"""marts.realestate_cases: its shape, beside realestate_cases.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

_FIELD = EXPORTS["realestate"].field

MART = Mart(
    name="realestate_cases",
    zh="不动产登记办结件（每件一行，含所用工作日）",
    en="real-estate registration cases completed, one row per case, with the working days taken",
    grain=("county_code", "case_id"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("case_id", "业务编号", "case number"),
        Column("month", "办结月份（月初日期）", "month completed, as the date of its first day"),
        Column("registration_type", "登记类型", "registration type", values=_FIELD("registration_type").labels),
        Column("applicant_type", "申请人类型", "applicant type", values=_FIELD("applicant_type").labels),
        Column("accepted_on", "受理日期", "date accepted"),
        Column("completed_on", "办结日期", "date completed"),
        Column("working_days", "办理用时（工作日）：受理日之后至办结日（含）的工作日数，按国务院节假日及调休安排",
               "working days taken: working days after the acceptance day up to and including the completion "
               "day, State Council calendar", unit="工作日"),
        Column("fee_waived_yuan", "免收登记费（元）", "registration fee waived in yuan", unit="元"),
        Column("applicants_count", "申请人人数（姓名不入库）", "number of applicants (names are not stored)",
               unit="人"),
    ),
)
