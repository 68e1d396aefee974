"""marts.court_cases_monthly: its shape, beside court_cases_monthly.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

MART = Mart(
    name="court_cases_monthly",
    zh="审判执行案件月度收案、结案",
    en="court cases received (filed) and closed by month",
    grain=("county_code", "month", "case_type", "enterprise_related"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("month", "月份（月初日期）", "month, as the date of its first day"),
        Column("case_type", "案件类型", "case type",
               values=tuple(EXPORTS["court_cases"].field("case_type").labels)),
        Column("enterprise_related", "是否涉企", "whether an enterprise is a party"),
        Column("received", "当月收案数（立案日期在当月）", "cases filed in the month", unit="件"),
        Column("closed", "当月结案数（结案日期在当月，不论何时立案）",
               "cases closed in the month, whenever filed", unit="件"),
    ),
)
