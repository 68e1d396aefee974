"""不动产登记办件: real-estate registration cases accepted from late December 2022 to June
2023, completed in working days of the State Council's 2023 calendar (make-up days
included), the fees waived adding up to section 5's 63.55万元 and the median case
taking 2 working days. Three files: a desktop xlsx of the first quarter's cases as of
31 March (pending ones without a completion date), a GB18030 CSV in 万元 of the second
quarter's, and a newer system's English re-export of the first quarter's cases that
changed since (completed later, fee waivers entered late)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pipelines.sample_data.draws import H1_END, year_to_date
from pipelines.sample_data.files import (
    COUNTY_COLUMN,
    Col,
    File,
    Row,
    Style,
    english,
    export_stamp,
    insert_identical_duplicate,
    insert_inside,
)
from pipelines.sample_data.firms import person
from pipelines.sample_data.world import World

KIND = "realestate"
DRAW_ORDER = 5  # before the item review (6) and investment projects (7) of the same issue
FIELDS = ("case_id", "registration_type", "applicant_type", "applicants", "accepted_on",
          "completed_on", "fee_waived_yuan")
KEY = ("case_id",)

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("realestate_fee_waived_wan", "2023-06-30", Decimal("63.55")),
    ("realestate_median_working_days", "2023-06-30", Decimal("2")),
]
# 635,450 yuan is 63.545万元: exactly half a hundredth, which rounds half up to 63.55
# (a half-even rounding would give 63.54, and miss the summary's figure).
_FEE_TARGET = Decimal("635450.00")

# The State Council's notice on the 2023 holidays (国办发明电〔2022〕16号), typed from
# the notice itself: the sample data takes nothing from the code (or the calendar
# package) it checks. Weekdays off, and weekend days that are working days (调休).
_DAYS_OFF = {date(2023, 1, 2)} | {date(2023, 1, d) for d in range(23, 28)} | {
    date(2023, 4, 5), date(2023, 5, 1), date(2023, 5, 2), date(2023, 5, 3),
    date(2023, 6, 22), date(2023, 6, 23)}
MAKEUP_DAYS = (date(2023, 1, 28), date(2023, 1, 29), date(2023, 4, 23), date(2023, 5, 6),
               date(2023, 6, 25))
_KNOWN = (date(2022, 12, 1), date(2023, 7, 31))  # 2022's December has no holiday on a weekday


def is_working_day(d: date) -> bool:
    if not _KNOWN[0] <= d <= _KNOWN[1]:
        raise ValueError(f"{d}: outside the sample's hand-typed calendar")
    return d in MAKEUP_DAYS or (d.weekday() < 5 and d not in _DAYS_OFF)


def working_days(accepted: date, completed: date) -> int:
    """Working days d with accepted < d <= completed (EXPORTS.md 2.7)."""
    return sum(is_working_day(accepted + timedelta(n)) for n in range(1, (completed - accepted).days + 1))


def _add_working_days(d: date, n: int) -> date:
    while n:
        d += timedelta(1)
        n -= is_working_day(d)
    return d


@dataclass(frozen=True)
class _Type:
    canonical: str
    label: str  # 登记类型 as the centre's system writes it
    share: float
    organisation_share: float
    days: tuple[int, ...]  # weights of 0, 1, 2, … working days
    waivable: bool  # a fee is charged, so it can be waived (注销 and 更正 are free)


_TYPES = (
    _Type("transfer", "转移登记", 36, 0.25, (5, 20, 40, 20, 10, 5), True),
    _Type("mortgage", "抵押登记", 30, 0.35, (25, 35, 25, 10, 3, 2), True),
    _Type("cancellation", "注销登记", 14, 0.3, (50, 30, 12, 5, 2, 1), False),
    _Type("first", "首次登记", 9, 0.45, (0, 5, 25, 30, 25, 15), True),
    _Type("change", "变更登记", 7, 0.4, (15, 30, 30, 15, 6, 4), True),
    _Type("correction", "更正登记", 1, 0.2, (15, 30, 30, 15, 6, 4), False),
    _Type("other", "其他", 3, 0.2, (15, 30, 30, 15, 6, 4), True),
)
_BY_NAME = {t.canonical: t for t in _TYPES}
_TYPE_LABELS = {t.canonical: t.label for t in _TYPES}
_APPLICANT_LABELS = {"organisation": ("企业", "企业", "单位"), "individual": "个人"}
_FIRST_EXPORT = date(2023, 3, 31)  # the state the early export (R1) shows

_COLUMNS = [
    Col("业务编号", "case_id", "code"),
    Col("登记类型", "registration_type", "enum", labels=_TYPE_LABELS),
    Col("申请人类型", "applicant_type", "enum", labels=_APPLICANT_LABELS),
    Col("申请人", "applicants"),
    Col("受理日期", "accepted_on", "date"),
    Col("办结日期", "completed_on", "date"),
    Col("免收登记费（元）", "fee_waived_yuan", "money"),
]


def _working_days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)
            if is_working_day(first + timedelta(n))]


def _applicants(rng: random.Random, organisation: bool, firms: list[tuple[str, str]]) -> str:
    if organisation:
        return rng.choice(firms)[0]
    return "、".join(person(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3))))


def _new_case(rng: random.Random, accepted: date, firms: list) -> dict:
    t = rng.choices(_TYPES, [t.share for t in _TYPES])[0]
    organisation = rng.random() < t.organisation_share
    # 3% wait for the applicant to complete the file (补正材料).
    days = rng.randint(6, 25) if rng.random() < 0.03 else rng.choices(range(len(t.days)), t.days)[0]
    return {
        "case_id": None,
        "registration_type": t.canonical,
        "applicant_type": "organisation" if organisation else "individual",
        "applicants": _applicants(rng, organisation, firms),
        "accepted_on": accepted,
        "completed_on": _add_working_days(accepted, days),  # pending ones cleared below
        "fee_waived_yuan": Decimal(0),
        # 小微企业 non-residential 550元, a home 80元; extra certificates 10元 each (工本费).
        "x_fee": Decimal(550 if organisation else 80),
        "x_unit": None,
    }


def simulate(world: World) -> tuple[list[dict], list[dict]]:
    rng, county = world.rng, world.county
    firms = world.firms.pool("general", 200) + world.firms.pool("construction", 20)
    cases = []
    # A few files accepted just before the New Year holiday, completed in January.
    for accepted in _working_days_between(date(2022, 12, 26), date(2022, 12, 30)):
        for _ in range(rng.randint(6, 10)):
            case = _new_case(rng, accepted, firms)
            while case["completed_on"].year < 2023:
                case["completed_on"] = _add_working_days(case["completed_on"], 1)
            cases.append(case)
    for accepted in _working_days_between(date(2023, 1, 3), H1_END):
        busy = 1.25 if accepted.weekday() == 0 else 1.0  # Mondays carry the weekend's queue
        for _ in range(int(rng.randint(32, 44) * busy)):
            cases.append(_new_case(rng, accepted, firms))
    # 业务编号: acceptance date and the day's sequence.
    per_day: dict[date, int] = {}
    for c in cases:
        per_day[c["accepted_on"]] = per_day.get(c["accepted_on"], 0) + 1
        c["case_id"] = f"{c['accepted_on']:%Y%m%d}{per_day[c['accepted_on']]:04d}"
        c["x_unit"] = (f"{county.code}{rng.randint(1, 15):03d}{rng.randint(1, 60):03d}"
                       f"GB{rng.randint(1, 99999):05d}F{rng.randint(1, 40):04d}{rng.randint(1, 2400):04d}")
        if c["completed_on"] > H1_END:
            c["completed_on"] = None  # still pending when the last export was made
    _waive_fees(rng, cases)
    return cases, cases


def _waive_fees(rng: random.Random, cases: list[dict]) -> None:
    """Waive fees (小微企业 always unless the file says otherwise, some homes) so that the
    cases completed in the half-year waived exactly _FEE_TARGET; pending cases may have a
    waiver too, which counts only once they are completed."""
    eligible = [c for c in cases if _BY_NAME[c["registration_type"]].waivable]
    for c in eligible:
        if rng.random() < (0.9 if c["applicant_type"] == "organisation" else 0.33):
            c["fee_waived_yuan"] = c["x_fee"] + 10 * rng.choice((0, 0, 0, 0, 1, 2))

    def counted() -> Decimal:
        return sum((c["fee_waived_yuan"] for c in cases if year_to_date(c["completed_on"], H1_END)), Decimal(0))

    total = counted()
    waived = [c for c in eligible if c["fee_waived_yuan"] and c["completed_on"]]
    rng.shuffle(waived)
    while total > _FEE_TARGET:  # drop whole waivers until under the target
        c = waived.pop()
        total -= c["fee_waived_yuan"]
        c["fee_waived_yuan"] = Decimal(0)
    unwaived = [c for c in eligible if not c["fee_waived_yuan"] and c["completed_on"]]
    rng.shuffle(unwaived)
    while _FEE_TARGET - total >= 80:
        c = unwaived.pop()
        if c["x_fee"] <= _FEE_TARGET - total:
            c["fee_waived_yuan"] = c["x_fee"]
            total += c["x_fee"]
    for c in rng.sample(waived, int((_FEE_TARGET - total) / 10)):  # the rest as extra certificates
        c["fee_waived_yuan"] += 10
    assert counted() == _FEE_TARGET


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    done = [c for c in records if year_to_date(c["completed_on"], end)]
    days = sorted(working_days(c["accepted_on"], c["completed_on"]) for c in done)
    fee = sum((c["fee_waived_yuan"] for c in done), Decimal(0))
    out = {
        "realestate_completed": Decimal(len(done)),
        "realestate_fee_waived_wan": (fee / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "realestate_within_2_working_days": Decimal(sum(d <= 2 for d in days)),
    }
    if days:
        out["realestate_median_working_days"] = Decimal(days[(len(days) - 1) // 2])  # lower middle
    return out


def _as_of(case: dict, day: date) -> dict:
    c = dict(case)
    if c["completed_on"] is not None and c["completed_on"] > day:
        c["completed_on"] = None
    return c


def _canonical(values: dict) -> tuple:
    return tuple(values.get(f) for f in FIELDS)


def _row(rng: random.Random, values: dict, empty_forms: tuple) -> Row:
    """A valid row; a fee of 0 is often left empty (empty = 0), in one of the file's forms."""
    row = Row(values)
    if values["fee_waived_yuan"] == 0 and rng.random() < 0.6:
        row.raw_cells["fee_waived_yuan"] = rng.choice(empty_forms)
    return row


def export_files(world: World, cases: list[dict]) -> list[File]:
    rng, county = world.rng, world.county
    firms = world.firms.pool("general", 200)
    centre = f"{county.name}不动产登记中心"
    broken = iter(range(9001, 9100))

    def broken_case(accepted: date, **changes) -> dict:
        case = _new_case(rng, accepted, firms)
        case["case_id"] = f"{accepted:%Y%m%d}{next(broken):04d}"
        case["x_unit"] = f"{county.code}001001GB00001F00010001"
        case["county_code"] = county.code
        case.update(changes)
        return case

    files = []
    q1 = [c for c in cases if c["accepted_on"] <= _FIRST_EXPORT]
    q2 = [c for c in cases if c["accepted_on"] > _FIRST_EXPORT]

    # R1: the first quarter's cases as of 31 March, a desktop xlsx with a two-row header.
    # The centre entered a few waivers late: R1 shows them as no waiver, R3 corrects them.
    late = {c["case_id"] for c in rng.sample(
        [c for c in q1 if c["fee_waived_yuan"] and c["completed_on"] and c["completed_on"] <= _FIRST_EXPORT], 6)}
    r1_state = {}
    for c in q1:
        s = _as_of(c, _FIRST_EXPORT)
        if s["case_id"] in late:
            s["fee_waived_yuan"] = Decimal(0)
        r1_state[s["case_id"]] = s
    rows = [_row(rng, s, (None, "—")) for s in sorted(r1_state.values(), key=lambda s: s["case_id"])]
    bad = broken_case(date(2023, 2, 15))
    insert_inside(rng, rows, Row(bad, "registration_type: '预告登记' is not in the vocabulary",
                                 raw_cells={"registration_type": "预告登记"}))
    bad = broken_case(date(2023, 3, 8), completed_on=date(2023, 3, 6))
    insert_inside(rng, rows, Row(bad, "completed_on before accepted_on"))
    bad = broken_case(date(2023, 2, 27))
    insert_inside(rng, rows, Row(bad, "completed_on: '2023-02-30' is not a date",
                                 raw_cells={"completed_on": "2023-02-30"}))
    insert_identical_duplicate(rng, rows)
    columns = [replace(c, merged_header="申请人信息") if c.field in ("applicant_type", "applicants")
               else replace(c, merged_header="办理时间") if c.field in ("accepted_on", "completed_on")
               else c for c in _COLUMNS]
    columns.insert(1, Col("不动产单元号", "x_unit", "code"))
    files.append(File(
        "不动产登记业务办件明细（2023年1-3月）.xlsx", KIND, datetime(2023, 4, 4, 10, 12, 5), "xlsx", None,
        columns, rows,
        Style(date_forms={"*": (("xl_date", 6), ("xl_serial", 1), ("xl_datetime", 2))},
              money_form="number", null_forms=(None, "—")),
        "xlsx; merged title row and 填报单位; two-row header: 申请人信息 over 申请人类型/申请人 and 办理时间 "
        "over 受理日期/办结日期, the other cells merged down; extra column 不动产单元号; dates as date, "
        "date-time and serial-number cells; 企业 and 单位 for organisations; pending cases (accepted by 31 "
        "March, not yet completed) with an empty 办结日期; an empty or — fee (= 0); 合计 row of the fees; "
        "footer. R3 later completes many of these cases",
        preamble=[f"{county.name}不动产登记业务办件明细表（2023年1-3月）", f"填报单位：{centre}"],
        footer=["注：免收登记费单位为元；办结日期为空的为在办件。", "制表人：孙某"],
        totals_label="合计", totals_fields=("fee_waived_yuan",)))

    # R2: the second quarter's cases in their final state, GB18030 CSV in 万元.
    rows = [_row(rng, {**c, "county_code": county.code}, ("", "-", "/", "无"))
            for c in sorted(q2, key=lambda c: c["case_id"])]
    bad = broken_case(date(2023, 5, 9))
    insert_inside(rng, rows, Row(bad, "fee_waived_yuan: must be >= 0", raw_cells={"fee_waived_yuan": "-0.008"}))
    bad = broken_case(date(2023, 4, 18))
    insert_inside(rng, rows, Row(bad, "fee_waived_yuan: '全免' is not an amount of money",
                                 raw_cells={"fee_waived_yuan": "全免"}))
    bad = broken_case(date(2023, 6, 12))
    insert_inside(rng, rows, Row(bad, "applicant_type: required value missing", raw_cells={"applicant_type": ""}))
    twin = broken_case(date(2023, 6, 2), completed_on=date(2023, 6, 5))
    insert_inside(rng, rows, Row(twin, "case_id: same key twice in the file with different values"))
    insert_inside(rng, rows, Row({**twin, "completed_on": date(2023, 6, 6)},
                                 "case_id: same key twice in the file with different values"))
    files.append(File(
        "不动产登记办件_202304-202306.csv", KIND, datetime(2023, 7, 3, 16, 20, 41), "csv", "gb18030",
        [*_COLUMNS[:6], Col("免收登记费（万元）", "fee_waived_yuan", "money", yuan_per_unit=10000), COUNTY_COLUMN],
        rows,
        Style(date_forms={"*": (("iso", 4), ("slash", 2), ("cn", 1)), "completed_on": (("iso_time", 2), ("iso", 1))},
              null_forms=("", "-", "/", "无"), fullwidth_share=0.05, padded_share=0.05),
        "GB18030 CSV, Excel-padded; 3 title rows; 免收登记费（万元） (550元 is 0.055); 行政区划代码 column; "
        "full-width digits; dates 2023-04-03, 2023/4/3, 2023年4月3日 and date-times; pending cases with "
        "an empty 办结日期; empty fees as ''/-/无 (= 0); 合计 row in 万元; footer",
        preamble=[f"{county.name}不动产登记办件统计（2023年4月至6月）", f"填报单位：{centre}",
                  export_stamp(datetime(2023, 7, 3, 16, 20, 41))],
        footer=["", "注：金额单位为万元。", "制表人：孙某　审核人：周某"],
        totals_label="合计", totals_fields=("fee_waived_yuan",), excel_padded=True))

    # R3: a newer system's English re-export of the R1 cases that changed since.
    changed = [c for c in cases if c["case_id"] in r1_state
               and _canonical(c) != _canonical(r1_state[c["case_id"]])]
    rows = [_row(rng, dict(c), ("", "NULL")) for c in sorted(changed, key=lambda c: c["case_id"])]
    files.append(File(
        "realestate_cases_update_20230704.csv", KIND, datetime(2023, 7, 4, 9, 3, 12), "csv", "utf-8-sig",
        english(_COLUMNS), rows,
        Style(date_forms={"*": (("compact", 1), ("dot", 1))}, null_forms=("", "NULL")),
        "UTF-8 CSV with BOM; canonical English headers (case_id, fee_waived_yuan, …) over the Chinese "
        "values; a re-export of R1's cases that were completed after 31 March, or whose "
        "fee waiver was entered late (later file wins); dates 20230405 and 2023.4.5",
    ))
    return files
