"""税费减免明细 — tax and fee relief detail, one row per relief voucher (tax bureau)."""

import polars as pl

from assets.declaration import Export, Field, RowRule

EXPORT = Export(
    kind="tax_relief",
    title_zh="税费减免明细",
    source="税务局 征管系统 / county tax bureau",
    description="税费减免明细，每张减免凭证一行 / tax and fee relief detail, one row per relief voucher",
    monthly=True,
    month_fields=("relief_date",),
    fields=(
        Field("voucher_id", "凭证序号", "code", "减免凭证序号 / relief voucher number",
              required=True, key=True),
        Field("taxpayer_id", "纳税人识别号", "credit_code",
              "纳税人识别号（统一社会信用代码） / taxpayer id (unified social credit code)",
              aliases=("统一社会信用代码",), required=True),
        Field("taxpayer_name", "纳税人名称", "text", "纳税人名称 / taxpayer name", required=True),
        Field("revenue_class", "收入类别", "enum", "收入类别 / revenue class: tax or non_tax",
              required=True, vocabulary={"税收收入": "tax", "非税收入": "non_tax"}),
        Field("levy", "征收项目", "text", "征收项目（税费种类） / levied tax or fee (增值税, 企业所得税, …)",
              aliases=("税费种类",), required=True),
        Field("relief_code", "减免性质代码", "code", "减免性质代码（10位） / relief type code (10 digits)",
              required=True, pattern=r"\d{10}"),
        Field("relief_policy", "减免政策名称", "text", "减免政策名称 / relief policy name",
              column="optional"),
        Field("relief_yuan", "减免金额", "money", "减免金额（元） / relief amount in yuan",
              required=True, min_value=0, unit="元"),
        Field("period_start", "所属期起", "date", "税款所属期起 / tax period start", required=True),
        Field("period_end", "所属期止", "date", "税款所属期止 / tax period end", required=True),
        Field("relief_date", "减免日期", "date", "减免日期，决定所属月份 / relief date; decides the month",
              required=True),
    ),
    row_rules=(
        RowRule("period_end >= period_start", "所属期止不得早于所属期起 / the period cannot end before it starts",
                pl.col("period_end") >= pl.col("period_start")),
    ),
)
