"""marts.tax_relief_monthly: its shape, beside tax_relief_monthly.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

MART = Mart(
    name="tax_relief_monthly",
    zh="税费减免月度汇总（按减免日期所属月份）",
    en="tax and fee relief by month of relief date, revenue class and levy",
    grain=("county_code", "month", "revenue_class", "levy"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("month", "月份（月初日期）", "month, as the date of its first day"),
        Column("revenue_class", "收入类别", "revenue class",
               values=EXPORTS["tax_relief"].field("revenue_class").labels),
        Column("levy", "征收项目", "levied tax or fee"),
        Column("vouchers", "减免凭证数", "number of relief vouchers", unit="张"),
        Column("relief_yuan", "减免金额（元）", "relief amount in yuan", unit="元"),
    ),
)
