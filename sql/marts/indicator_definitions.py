"""marts.indicator_definitions: its shape, beside indicator_definitions.sql (see
assets.models). Its rows are the indicators declared in assets.indicators."""

from assets.declaration import METHODS, Column, Mart
from assets.indicators import INDICATORS, definitions_sql

MART = Mart(
    name="indicator_definitions",
    zh="指标定义",
    en="definitions of the indicators in marts.indicators",
    grain=("indicator",),
    columns=(
        Column("indicator", "指标代码", "indicator code"),
        Column("indicator_zh", "指标名称", "indicator name in Chinese"),
        Column("domain", "领域", "domain", values=tuple(dict.fromkeys(i.domain for i in INDICATORS))),
        Column("kind", "数据来源导出（其缺报月份见 marts.coverage）",
               "the export it is computed from, whose gaps are in marts.coverage"),
        Column("unit", "单位", "unit"),
        Column("method", "计算方法", "how it is computed", values=METHODS),
        Column("numerator", "比值的分子指标", "numerator indicator of a ratio"),
        Column("denominator", "比值的分母指标", "denominator indicator of a ratio"),
        Column("definition", "口径说明", "definition"),
        Column("decimals", "比值或累计保留小数位数（四舍五入）", "decimals a ratio or sum is rounded (half up) to"),
    ),
    generated={"indicator_definitions": definitions_sql()},
)
