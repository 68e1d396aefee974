"""数据摘要: the report's opening sentences, written from marts.indicators in the
county's own wording (each section's `summary` in assets.indicators).

Each sentence gives its figures as of the last month end in the period with data
for its export. Numbers are rounded half up from the exact value: a ratio or
percentage from its numerator and denominator (never from the 4-decimal ratio
stored), a sum from its stored exact value. A figure the gaps of its export leave
short says so in its sentence; a sentence whose template names no date says how
far its data reach when that is before the period's end.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from assets.declaration import Indicator, Section
from assets.exports import EXPORTS
from assets.indicators import BY_NAME, SUMMARY_DATES, SUMMARY_FIELD, section_kind


def half_up(x: Fraction, decimals: int) -> str:
    """`x` rounded half up (away from zero on a tie) to `decimals`, written with them."""
    scaled = abs(x) * 10**decimals
    n = int(scaled + Fraction(1, 2))  # floor, as scaled >= 0
    sign = "-" if x < 0 and n else ""
    whole, frac = divmod(n, 10**decimals)
    return f"{sign}{whole}" + (f".{frac:0{decimals}d}" if decimals else "")


def exact(indicator: Indicator, values: dict[str, Decimal | None]) -> Fraction | None:
    """The indicator's exact value from the stored figures at one period end."""
    if indicator.numerator is None:
        v = values.get(indicator.name)
        return None if v is None else Fraction(v)
    n, d = values.get(indicator.numerator), values.get(indicator.denominator)
    if n is None or not d:
        return None
    q = Fraction(n) / Fraction(d)
    return {"ratio": q, "pct": q * 100, "cut_pct": (1 - q) * 100}[indicator.method]


def written(indicator: Indicator, value: Fraction | None, decimals: int | None) -> str:
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if value.denominator == 1 else (indicator.decimals if indicator.decimals is not None else 2)
    return half_up(value, decimals)


def _months_zh(missing: str) -> str:
    """`2023-03, 2023-04` as 2023年3月、4月."""
    out, year = [], None
    for m in (x.strip() for x in missing.split(",") if x.strip()):
        y, mo = m.split("-")
        out.append(f"{int(mo)}月" if y == year else f"{y}年{int(mo)}月")
        year = y
    return "、".join(out)


def sentence(conn, county: str, section: Section, as_of: date | None, period_end: date) -> str:
    """The section's 数据摘要 sentence, its figures as of `as_of` (None: no data in the period)."""
    if as_of is None:
        return f"{EXPORTS[section_kind(section)].title_zh}：本期无数据。"
    rows = conn.execute(
        "SELECT i.indicator, i.value, i.missing_months FROM marts.indicators i "
        "JOIN marts.indicator_definitions d USING (indicator) "
        "WHERE d.domain = ? AND i.county_code = ? AND i.period_end = ?",
        [section.domain, county, as_of],
    ).fetchall()
    values = {name: value for name, value, _ in rows}
    missing_by = {name: m or "" for name, _, m in rows}
    missing: list[str] = []

    def field(m) -> str:
        name, decimals = m.group(1), m.group(2)
        if name == "月底":
            return f"{as_of.month}月底"
        if name == "截止":
            return "截止目前" if as_of == period_end else f"截止{as_of.month}月底"
        i = BY_NAME[name]
        for part in (name, i.numerator, i.denominator):
            for month in missing_by.get(part or "", "").split(","):
                if month.strip() and month.strip() not in missing:
                    missing.append(month.strip())
        return written(i, exact(i, values), None if decimals is None else int(decimals))

    text = SUMMARY_FIELD.sub(field, section.summary)
    notes = []
    if missing:
        notes.append(f"缺报{_months_zh(', '.join(sorted(missing)))}数据，以上累计数不完整")
    dated = any(m.group(1) in SUMMARY_DATES for m in SUMMARY_FIELD.finditer(section.summary))
    if not dated and as_of < period_end:
        notes.append(f"数据截至{as_of.month}月底")
    if notes:
        body = text[:-1] if text.endswith("。") else text
        text = f"{body}（{'；'.join(notes)}）。"
    return text
