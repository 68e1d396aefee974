"""marts.permit_reform_monthly: its shape, beside permit_reform_monthly.sql (see assets.models).

The reform modes are the permit_reform export's mode fields: their names are the
values of reform_mode, their Chinese headers those of reform_mode_zh."""

from assets.declaration import Column, Mart
from assets.exports.permit_reform import MODE_FIELDS


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


MART = Mart(
    name="permit_reform_monthly",
    zh="证照分离改革当月办结件数（按改革方式）",
    en="permit reform completions by month and reform mode",
    grain=("county_code", "month", "reform_mode"),
    partitioned_by="month",
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("month", "统计月份（月初日期）", "report month, as the date of its first day"),
        Column("reform_mode", "改革方式", "reform mode", values=tuple(f.name for f in MODE_FIELDS)),
        Column("reform_mode_zh", "改革方式（中文）", "reform mode in Chinese"),
        Column("cases", "当月办结件数", "completions in the month", unit="件"),
    ),
    generated={
        "reform_modes": ", ".join(f.name for f in MODE_FIELDS),
        "reform_mode_zh": "CASE reform_mode "
        + " ".join(f"WHEN {_quote(f.name)} THEN {_quote(f.zh)}" for f in MODE_FIELDS)
        + " END",
    },
)
