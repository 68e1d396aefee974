"""审判执行案件: court and enforcement cases, the older ones still pending on 1 January
2023 and the new filings of January to June, received and closed as section 5 says.
Three files: an early export of Q1 as of 31 March, Q2 filings in their final state,
and a re-export of the Q1 cases that changed since."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pipelines.sample_data.county import County
from pipelines.sample_data.draws import (
    H1_END,
    YEAR_START,
    split_total,
    weekday_in,
    weighted_pick,
    workday,
    year_to_date,
)
from pipelines.sample_data.files import (
    COUNTY_COLUMN,
    Col,
    File,
    Row,
    Style,
    export_stamp,
    insert_inside,
)
from pipelines.sample_data.firms import person
from pipelines.sample_data.world import World

KIND = "court_cases"
DRAW_ORDER = 3
FIELDS = ("case_no", "case_type", "filed_on", "closed_on", "closing_method",
          "enterprise_related", "claim_yuan", "parties", "division")
KEY = ("case_no",)

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("court_received", "2023-06-30", Decimal("5648")),
    ("court_closed", "2023-06-30", Decimal("4955")),
    ("court_clearance_ratio", "2023-06-30", Decimal("0.8773")),
    ("court_ent_received", "2023-06-30", Decimal("1256")),
    ("court_ent_closed", "2023-06-30", Decimal("1118")),
    ("court_ent_clearance_ratio", "2023-06-30", Decimal("0.8901")),
]
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit


@dataclass(frozen=True)
class _CaseType:
    system_labels: tuple[str, ...]  # 案件类型 as the system writes it (one is drawn per case)
    canonical: str
    case_no_code: str  # 民初, 执, 刑初, …: the case number's type code
    filing_share: float
    enterprise_weight: float  # how likely a case of this type is enterprise-related
    mean_days_to_close: int
    closing_methods: tuple[tuple[str, int], ...]  # 结案方式 with weights
    divisions: tuple[str, ...]
    causes: tuple[str, ...]  # 案由 (an extra column, ignored by the warehouse)
    claim_share: float  # of cases with a claim amount
    parties_form: str  # two_sides, defendants, against_government or one_person


_CASE_TYPES = (
    _CaseType(("民事", "民事", "民事", "商事", "民商事"), "civil", "民初", 52, 1.0, 45,
              (("判决", 35), ("调解", 30), ("撤诉", 28), ("驳回起诉", 4), ("移送", 3)),
              ("民事审判庭", "民事审判第二庭", "庄里人民法庭", "美原人民法庭", "流曲人民法庭"),
              ("民间借贷纠纷", "买卖合同纠纷", "离婚纠纷", "机动车交通事故责任纠纷", "劳务合同纠纷",
               "金融借款合同纠纷", "物业服务合同纠纷", "房屋租赁合同纠纷", "建设工程施工合同纠纷",
               "追索劳动报酬纠纷"), 0.8, "two_sides"),
    _CaseType(("执行",), "enforcement", "执", 31, 1.2, 80,
              (("执行完毕", 45), ("终结本次执行", 40), ("终结执行", 10), ("销案", 3), ("不予执行", 2)),
              ("执行局",), ("民间借贷纠纷", "金融借款合同纠纷", "买卖合同纠纷", "劳务合同纠纷"),
              1.0, "two_sides"),
    _CaseType(("刑事",), "criminal", "刑初", 7, 0.05, 40,
              (("判决", 90), ("准许撤诉", 6), ("终止审理", 4)), ("刑事审判庭",),
              ("危险驾驶罪", "盗窃罪", "诈骗罪", "故意伤害罪", "帮助信息网络犯罪活动罪", "交通肇事罪",
               "非法吸收公众存款罪"), 0.0, "defendants"),
    _CaseType(("行政",), "administrative", "行初", 2, 0.6, 60,
              (("判决", 40), ("驳回起诉", 25), ("撤诉", 35)), ("行政审判庭",),
              ("行政处罚", "行政强制", "政府信息公开", "行政确认"), 0.0, "against_government"),
    _CaseType(("非诉保全审查",), "other", "财保", 5, 1.5, 4,
              (("准予保全", 85), ("驳回申请", 10), ("撤回申请", 5)), ("立案庭",),
              ("申请诉前财产保全", "申请诉讼财产保全"), 1.0, "two_sides"),
    _CaseType(("司法救助",), "other", "司救", 1, 0.0, 20,
              (("决定救助", 80), ("不予救助", 20)), ("立案庭",), ("司法救助",), 0.0, "one_person"),
    _CaseType(("国家赔偿",), "other", "法赔", 0.3, 0.1, 60,
              (("决定赔偿", 50), ("驳回申请", 50)), ("赔偿委员会办公室",), ("刑事赔偿",), 0.0,
              "against_government"),
    _CaseType(("其他",), "other", "民特", 1.7, 0.3, 15,
              (("确认有效", 70), ("驳回申请", 30)), ("民事审判庭",), ("申请司法确认调解协议",), 0.0,
              "two_sides"),
)
# Offences a firm itself can commit (单位犯罪): the cause of an enterprise-related criminal case.
_UNIT_CRIMES = ("非法吸收公众存款罪", "污染环境罪", "重大责任事故罪", "虚开增值税专用发票罪", "串通投标罪")
_GOVERNMENT = ("人力资源和社会保障局", "自然资源局", "人民政府", "市场监督管理局", "公安局交通警察大队",
               "住房和城乡建设局")
_FIRST_EXPORT = date(2023, 3, 31)  # the state the early export (C1) shows

# case_type has no labels: each case carries the one its system wrote (x_case_type_label).
_COLUMNS = [
    Col("案号", "case_no", "case_no"), Col("案件类型", "case_type", "enum"), Col("立案日期", "filed_on", "date"),
    Col("结案日期", "closed_on", "date"), Col("结案方式", "closing_method"),
    Col("是否涉企", "enterprise_related", "bool"), Col("标的金额（元）", "claim_yuan", "money"),
    Col("当事人", "parties"), Col("承办部门", "division"),
]


def _case_no(county: County, year: int, code: str, seq: int) -> str:
    """Canonical (half-width) case number; rendering may write it full-width."""
    return f"({year}){county.case_no_prefix}{code}{seq}号"


def _banks(county: County) -> list[str]:
    return [f"中国农业银行股份有限公司{county.name}支行", f"中国邮政储蓄银行股份有限公司{county.name}支行",
            f"{county.province}{county.short_name}农村商业银行股份有限公司",
            f"中国建设银行股份有限公司{county.name}支行"]


def _parties(rng: random.Random, ct: _CaseType, ent: bool, county: County,
             party_firms: list[tuple[str, str]]) -> str:
    def a_person() -> str:
        return person(rng)

    def a_firm() -> str:
        return rng.choice(_banks(county)) if rng.random() < 0.25 else rng.choice(party_firms)[0]

    if ct.parties_form == "defendants":
        names = [a_person() for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        if ent:
            names.insert(0, rng.choice(party_firms)[0])  # a unit offence
    elif ct.parties_form == "against_government":
        names = [a_firm() if ent else a_person(), county.department(rng.choice(_GOVERNMENT))]
    elif ct.parties_form == "one_person":
        names = [a_person()]
    else:
        side_a = [a_firm() if ent and rng.random() < 0.7 else a_person()]
        side_b = [a_person() for _ in range(rng.choice((1, 1, 2)))]
        if ent and not any(n.endswith(("公司", "行", "社", "店")) for n in side_a):
            side_b[0] = rng.choice(party_firms)[0]
        names = side_a + side_b
    return "、".join(names)


def _claim(rng: random.Random, ct: _CaseType, ent: bool) -> Decimal | None:
    if rng.random() >= ct.claim_share:
        return None
    fen = int(rng.lognormvariate(15.2 if ent else 14.9, 1.3))  # median about 40,000 yuan
    if rng.random() < 0.45:
        fen -= fen % 100
    return Decimal(max(fen, 50000)) / 100


def _new_case(rng: random.Random, county: County, ct: _CaseType, filed_on: date, ent: bool,
              party_firms: list) -> dict:
    return {
        "case_no": None,
        "case_type": ct.canonical,
        "filed_on": filed_on,
        "closed_on": None,
        "closing_method": None,
        "enterprise_related": ent,
        "claim_yuan": _claim(rng, ct, ent),
        "parties": _parties(rng, ct, ent, county, party_firms),
        "division": None if rng.random() < 0.04 else rng.choice(ct.divisions),
        "x_case_type_label": rng.choice(ct.system_labels),
        "x_cause": rng.choice(_UNIT_CRIMES if ent and ct.canonical == "criminal" else ct.causes),
        "x_case_type": ct,
    }


def _close(rng: random.Random, case: dict, on: date) -> None:
    ct = case["x_case_type"]
    case["closed_on"] = on
    case["closing_method"] = rng.choices([m for m, _ in ct.closing_methods],
                                         [w for _, w in ct.closing_methods])[0]


@dataclass
class _Cases:
    final: list[dict]  # every case in its final state
    carry: list[dict]  # filed before 2023
    q1: list[dict]  # filed January to March 2023
    q2: list[dict]  # filed April to June 2023
    ent_flipped: list[str]  # case numbers whose 是否涉企 the first export got wrong


def simulate(world: World) -> tuple[list[dict], _Cases]:
    rng, county = world.rng, world.county
    party_firms = (world.firms.pool("general", 160) + world.firms.pool("construction", 15)
                   + world.firms.pool("restaurant", 15))
    types = list(_CASE_TYPES)

    # New filings, January to June 2023, exactly section 5's received figures.
    received = int(_TARGET["court_received"])
    per_month = split_total(rng, received, [w * rng.uniform(0.92, 1.08)
                                            for w in (0.85, 0.88, 1.1, 1.05, 1.02, 1.1)], minimum=1)
    new = []
    for month, n in zip(range(1, 7), per_month, strict=True):
        for ct in rng.choices(types, weights=[t.filing_share for t in types], k=n):
            new.append(_new_case(rng, county, ct, weekday_in(rng, 2023, month), False, party_firms))
    ent_cases = weighted_pick(rng, new, [c["x_case_type"].enterprise_weight for c in new],
                              int(_TARGET["court_ent_received"]))
    for c in ent_cases:
        c.update(_new_case(rng, county, c["x_case_type"], c["filed_on"], True, party_firms))

    # Older cases still pending on 1 January 2023: most close in the first half-year.
    carry_closed = rng.randint(560, 660)
    carry_ent_closed = rng.randint(115, 150)
    carry = []
    for i in range(carry_closed + rng.randint(25, 45)):
        ent = i < carry_ent_closed or (i >= carry_closed and rng.random() < 0.2)
        # long cases are the ones left over: weight the types by their duration
        ct = rng.choices(types, weights=[t.filing_share * t.mean_days_to_close
                                         * (t.enterprise_weight if ent else 1) for t in types])[0]
        filed = (weekday_in(rng, 2021, rng.randint(9, 12)) if i % 97 == 5
                 else date(2022, 12, 31) - timedelta(int(rng.expovariate(1 / 70))))
        filed = workday(filed, date(2021, 1, 1), date(2022, 12, 30))
        case = _new_case(rng, county, ct, filed, ent, party_firms)
        if i < carry_closed:
            on = YEAR_START + timedelta(2 + int(178 * rng.random() ** 1.5))
            _close(rng, case, workday(on, date(2023, 1, 3), H1_END))
        carry.append(case)

    # Which of the new cases are closed by 30 June: those whose natural duration ends
    # first, exactly as many as section 5 needs, separately for enterprise cases.
    closed_total = int(_TARGET["court_closed"]) - carry_closed
    closed_ent = int(_TARGET["court_ent_closed"]) - carry_ent_closed
    for ent, n_closed in ((True, closed_ent), (False, closed_total - closed_ent)):
        group = [c for c in new if c["enterprise_related"] is ent]
        natural = [(c["filed_on"] + timedelta(int(rng.expovariate(1 / c["x_case_type"].mean_days_to_close))), i)
                   for i, c in enumerate(group)]
        for when, i in sorted(natural)[:n_closed]:
            c = group[i]
            if when > H1_END:
                when = c["filed_on"] + timedelta(rng.randint(0, (H1_END - c["filed_on"]).days))
            _close(rng, c, workday(when, c["filed_on"], H1_END))

    # Case numbers: per year and type code, in order of filing.
    seqs: Counter = Counter()
    for c in sorted(new, key=lambda c: c["filed_on"]):
        code = c["x_case_type"].case_no_code
        seqs[code] += 1
        c["case_no"] = _case_no(county, 2023, code, seqs[code])
    used: set[tuple[int, str, int]] = set()
    for c in sorted(carry, key=lambda c: c["filed_on"]):
        year, code = c["filed_on"].year, c["x_case_type"].case_no_code
        rate = max(40, 2 * seqs[code])  # yearly filings of that type, roughly
        seq = max(1, int(rate * c["filed_on"].timetuple().tm_yday / 366))
        while (year, code, seq) in used:
            seq += 1
        used.add((year, code, seq))
        c["case_no"] = _case_no(county, year, code, seq)

    q1 = [c for c in new if c["filed_on"].month <= 3]
    q2 = [c for c in new if c["filed_on"].month > 3]
    # The first export flagged a few cases wrongly; the re-export corrects them.
    flipped = [c["case_no"] for c in rng.sample([c for c in q1 if c["x_case_type"].enterprise_weight > 0], 6)]
    final = carry + new
    return final, _Cases(final, carry, q1, q2, flipped)


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    out = {}
    for prefix, cases in (("court_", records), ("court_ent_", [c for c in records if c["enterprise_related"]])):
        received = sum(year_to_date(c["filed_on"], end) for c in cases)
        closed = sum(year_to_date(c["closed_on"], end) for c in cases)
        out[f"{prefix}received"] = Decimal(received)
        out[f"{prefix}closed"] = Decimal(closed)
        if received:
            out[f"{prefix}clearance_ratio"] = (Decimal(closed) / Decimal(received)).quantize(
                Decimal("0.0001"), ROUND_HALF_UP)
    return out


def _as_of(case: dict, day: date) -> dict:
    """The case as an export made after `day` shows it."""
    c = dict(case)
    if c["closed_on"] is not None and c["closed_on"] > day:
        c["closed_on"] = c["closing_method"] = None
    return c


def _canonical(values: dict) -> tuple:
    return tuple(values.get(f) for f in FIELDS)


def export_files(world: World, cases: _Cases) -> list[File]:
    rng, county = world.rng, world.county
    party_firms = world.firms.pool("general", 160)
    files = []
    broken_seq = Counter()

    def broken_case(ct_index: int, filed_on: date, **changes) -> dict:
        ct = _CASE_TYPES[ct_index]
        case = _new_case(rng, county, ct, filed_on, ct.enterprise_weight > 0 and rng.random() < 0.3, party_firms)
        broken_seq[ct.case_no_code] += 1
        case["case_no"] = _case_no(county, 2023, ct.case_no_code, 8800 + broken_seq[ct.case_no_code])
        case.update(changes)
        return case

    # C1: the export of early April: old pending cases and the first quarter's filings,
    # as they stood on 31 March.
    c1_state = {}
    for c in cases.carry + cases.q1:
        s = _as_of(c, _FIRST_EXPORT)
        if s["case_no"] in cases.ent_flipped:
            s["enterprise_related"] = not s["enterprise_related"]
        c1_state[s["case_no"]] = s
    rows = [Row(s) for s in sorted(c1_state.values(), key=lambda s: (s["filed_on"], s["case_no"]))]
    bad = broken_case(0, date(2023, 2, 13))
    insert_inside(rng, rows, Row(bad, "case_type: '再审审查' is not in the vocabulary",
                                 raw_cells={"case_type": "再审审查"}))
    bad = broken_case(0, date(2023, 1, 9))
    _close(rng, bad, date(2023, 3, 15))
    insert_inside(rng, rows, Row(bad, "closing_method: required when closed_on is set",
                                 raw_cells={"closing_method": ""}))
    final_by_no = {c["case_no"]: c for c in cases.final}
    # A row duplicated identically: one whose case does not change later.
    stable = [i for i, r in enumerate(rows) if r.broken_rule is None
              and _canonical(r.values) == _canonical(final_by_no[r.values["case_no"]])]
    i = rng.choice(stable[1:-1])
    rows.insert(i + 1, Row(rows[i].values, repeat_previous=True))
    c1_columns = list(_COLUMNS)
    c1_columns.insert(2, Col("案由", "x_cause"))
    files.append(File(
        "审判执行案件明细_20230404.csv", KIND, datetime(2023, 4, 4, 8, 47, 12), "csv", "gb18030",
        c1_columns, rows,
        Style(date_forms={"*": (("iso", 5), ("slash", 2), ("cn", 1))}, money_form="thousands",
              null_forms=("", "-", "—", "无"), yes_no=(("是", "否"),), case_no_brackets="full",
              fullwidth_share=0.03, padded_share=0.05),
        "GB18030 CSV, Excel-padded; 3 title rows; case numbers with full-width brackets （2023）, a few "
        "entirely full-width; extra column 案由; dates 2023-01-05, 2023/1/5, 2023年1月5日; 是/否; "
        "money with thousands separators (元), a few full-width; pending cases shown with empty markers; "
        "合计 row of 标的金额; footer. Holds old cases still pending on 2023-01-01 and Q1 filings as "
        "of 2023-03-31 (C3 later updates many of them)",
        preamble=[f"{county.court}审判执行案件明细表", "统计口径：2023年新收案件及旧存未结案件（截至3月31日）",
                  export_stamp(datetime(2023, 4, 4, 8, 47, 12))],
        footer=["", "注：标的金额单位为元；结案日期为空的为未结案件。", "制表人：赵某"],
        totals_label="合计", totals_fields=("claim_yuan",), excel_padded=True))

    # C2: April-June filings in their final state, xlsx with date cells.
    rows = [Row({**c, "county_code": county.code})
            for c in sorted(cases.q2, key=lambda c: (c["filed_on"], c["case_no"]))]
    bad = broken_case(1, date(2023, 5, 22), county_code=county.code)
    _close(rng, bad, date(2023, 5, 12))
    insert_inside(rng, rows, Row(bad, "closed_on before filed_on"))
    bad = broken_case(0, date(2023, 4, 28), county_code=county.code)
    insert_inside(rng, rows, Row(bad, "filed_on: '2023-04-31' is not a date",
                                 raw_cells={"filed_on": "2023-04-31"}))
    bad = broken_case(1, date(2023, 6, 6), county_code=county.code)
    insert_inside(rng, rows, Row(bad, "claim_yuan: must be >= 0", raw_cells={"claim_yuan": -8000}))
    twin = broken_case(0, date(2023, 6, 1), county_code=county.code)
    other = dict(twin)
    _close(rng, other, date(2023, 6, 12))
    insert_inside(rng, rows, Row(twin, "case_no: same key twice in the file with different values"))
    insert_inside(rng, rows, Row(other, "case_no: same key twice in the file with different values"))
    files.append(File(
        "审判执行案件（2023年4-6月立案）.xlsx", KIND, datetime(2023, 7, 3, 9, 10, 26), "xlsx", None,
        [COUNTY_COLUMN, *_COLUMNS], rows,
        Style(date_forms={"*": (("xl_date", 8), ("xl_datetime", 2))}, money_form="number",
              null_forms=(None, "-", "NULL"), yes_no=(("Y", "N"), ("1", "0")), case_no_brackets="half"),
        "xlsx; 2 title rows; 行政区划代码 column; half-width brackets (2023); real Excel date and "
        "date-time cells; 是否涉企 as Y/N and 1/0; money as numbers; Q2 filings in their final state",
        preamble=[f"{county.court}2023年4-6月新收案件明细", export_stamp(datetime(2023, 7, 3, 9, 10, 26))]))

    # C3: re-export of the C1 cases that changed since (closed in Q2, or 是否涉企 corrected).
    changed = [c for c in cases.final if c["case_no"] in c1_state
               and _canonical(c) != _canonical(c1_state[c["case_no"]])]
    changed.sort(key=lambda c: (c["closed_on"] or H1_END, c["case_no"]))
    files.append(File(
        "案件信息导出(1).csv", KIND, datetime(2023, 7, 3, 9, 25, 40), "csv", "utf-8-sig",
        [*_COLUMNS[:6], Col("标的金额（万元）", "claim_yuan", "money", yuan_per_unit=10000), *_COLUMNS[7:]],
        [Row(dict(c)) for c in changed],
        Style(date_forms={"*": (("dot", 3), ("slash_time", 2), ("cn", 2), ("compact", 1))},
              null_forms=("", "NULL", "/"), yes_no=(("true", "false"),), case_no_brackets="half"),
        "UTF-8 CSV with BOM; a re-export that updates cases of C1: pending then, closed now, and a few "
        "是否涉企 corrections (later file wins); half-width brackets where C1 had full-width; "
        "标的金额（万元）; dates 2023.5.17, 2023/5/17 14:03, 2023年5月17日, 20230517; true/false",
    ))
    return files
