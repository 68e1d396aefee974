"""不动产登记办件 — real-estate registration cases, one row per case (registration centre)."""

from decimal import Decimal

import polars as pl

from assets.declaration import Export, Field, RowRule

REGISTRATION_TYPES = {
    "首次登记": "first",
    "转移登记": "transfer",
    "变更登记": "change",
    "抵押登记": "mortgage",
    "注销登记": "cancellation",
    "更正登记": "correction",
    "其他": "other",
}
APPLICANT_TYPES = {"企业": "organisation", "单位": "organisation", "个人": "individual"}

EXPORT = Export(
    kind="realestate",
    title_zh="不动产登记办件",
    source="不动产登记中心 / real-estate registration centre",
    description="不动产登记办件，每件一行，含未办结件 / real-estate registration cases, one row per case, pending ones included",
    monthly=True,
    # The completion date decides the month; a pending case belongs to no month yet.
    month_fields=("completed_on",),
    fields=(
        Field("case_id", "业务编号", "code", "业务编号（受理编号） / case number",
              aliases=("受理编号",), required=True, key=True),
        Field("registration_type", "登记类型", "enum",
              f"登记类型 / registration type: {', '.join(dict.fromkeys(REGISTRATION_TYPES.values()))}",
              required=True, vocabulary=REGISTRATION_TYPES),
        Field("applicant_type", "申请人类型", "enum", f"申请人类型 / applicant type: {', '.join(dict.fromkeys(APPLICANT_TYPES.values()))}",
              required=True, vocabulary=APPLICANT_TYPES),
        Field("applicants", "申请人", "text", "申请人人数（姓名不入库） / number of applicants (names are not stored)",
              column="optional", personal=True, unit="人"),
        Field("accepted_on", "受理日期", "date", "受理日期 / date accepted", required=True),
        Field("completed_on", "办结日期", "date",
              "办结日期，未办结为空，决定所属月份 / date completed; null while pending; decides the month"),
        Field("fee_waived_yuan", "免收登记费", "money", "免收登记费（元），空为0 / registration fee waived in yuan; empty is 0",
              min_value=0, unit="元", default=Decimal(0)),
    ),
    row_rules=(
        RowRule("completed_on >= accepted_on", "办结日期不得早于受理日期 / a case cannot be completed before it is accepted",
                pl.col("completed_on") >= pl.col("accepted_on")),
    ),
)
