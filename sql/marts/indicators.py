"""marts.indicators: its shape, beside indicators.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.indicators import INDICATORS

# Ratios (no unit) last, as the comment has always listed them.
_UNITS = sorted(dict.fromkeys(i.unit for i in INDICATORS), key=lambda u: u == "ratio")

MART = Mart(
    name="indicators",
    zh="年初至今指标，每月末一期",
    en="year-to-date indicators at every month end; definitions in marts.indicator_definitions",
    grain=("county_code", "indicator", "period_end"),
    parquet_by_month="period_end",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("indicator", "指标代码", "indicator code"),
        Column("period_end", "统计期止（月末）", "last day of the period (a month end)"),
        Column("period_start", "统计期起（当年1月1日）", "first day of the period (1 January)"),
        Column("value", "指标值", "value, in unit"),
        Column("unit", "单位", "unit", values=tuple(_UNITS)),
        Column("indicator_zh", "指标名称", "indicator name in Chinese"),
        Column("complete", "数据完整：统计期内来源导出无缺报月份",
               "complete: no month of the period is a gap of its export (marts.coverage)"),
        Column("missing_months", "统计期内缺报月份，如 2023-04，逗号分隔；无则为空",
               "gaps within the period, e.g. 2023-04, comma-separated; empty when none"),
    ),
)
