"""marts.coverage: its shape, beside coverage.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

MART = Mart(
    name="coverage",
    zh="数据覆盖：每县、每类导出、每月的文件数与行数及缺报月份",
    en="coverage: files and rows per county, export and month, and the months missing",
    grain=("county_code", "kind", "month"),
    parquet_by_month="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("kind", "导出类型", "export kind", values=tuple(sorted(EXPORTS))),
        # Every staged row's month is here, whatever partitions were built, so this
        # is where a typo'd year is caught before it reaches the analysts.
        Column("month", "月份（月初日期），自有数据首年1月至最后有数据月份",
               "month, as the date of its first day, from January of the first year with data "
               "to the last month with data", within_calendar=True),
        Column("monthly", "是否按月报送（见导出声明）",
               "whether the source produces data every month (its declaration)"),
        Column("files", "当月有数据的已入库文件数", "loaded files with rows in the month", unit="个"),
        Column("rows", "当月数据行数", "staged rows in the month", unit="行"),
        Column("gap", "缺报：按月报送而当月无数据", "gap: a monthly export with no rows in the month"),
    ),
)
