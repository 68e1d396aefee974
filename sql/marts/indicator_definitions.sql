-- 指标定义 / Definitions of the indicators in marts.indicators.
-- One row per indicator: its domain, the export it is computed from (whose gaps
-- make it incomplete), unit, how it is computed and, for a ratio or percentage,
-- its numerator and denominator, and the decimals it is rounded to. marts.indicators is
-- computed from this table. The rows are generated from assets/indicators.py.
{{ indicator_definitions }}
