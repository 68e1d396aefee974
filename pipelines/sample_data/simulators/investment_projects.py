"""投资项目审批（核准、备案）办结: projects decided January to early July; those of the
first half give section 5's figures at 30 June exactly. Three files: an xlsx of
January-March with a merged two-row header and 总投资 in 万元 (some projects in an
earlier state), a GB18030 CSV of April in 元 with the alternate headers, and a July
re-export of May to early July that also updates earlier projects."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from pipelines.sample_data.draws import split_total, weekday_in, year_to_date
from pipelines.sample_data.files import (
    Col,
    File,
    Row,
    Style,
    export_stamp,
    insert_identical_duplicate,
    insert_inside,
    renamed,
)
from pipelines.sample_data.firms import with_wrong_check_char
from pipelines.sample_data.world import World

KIND = "investment_projects"
DRAW_ORDER = 7
FIELDS = ("project_code", "project_name", "sponsor", "sponsor_id", "approval_type", "investment_yuan",
          "decided_on", "key_project", "tolerance_commitment", "agency_service")
KEY = ("project_code",)

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
# The summary says 96亿元: it rounds to whole 亿元 what the warehouse gives to 2
# decimals (half up), so the sample's total is one that rounds to 96, and
# SUMMARY_ROUNDED says how the summary printed it (checked in reference.py).
REFERENCE_FIGURES = [
    ("invest_projects", "2023-06-30", Decimal("203")),
    ("invest_total_yi", "2023-06-30", Decimal("95.87")),
    ("invest_key_projects", "2023-06-30", Decimal("31")),
    ("invest_tolerance_projects", "2023-06-30", Decimal("30")),
    ("invest_agency_sponsors", "2023-06-30", Decimal("32")),
]
SUMMARY_ROUNDED = {"invest_total_yi": Decimal("96")}
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit

_AGENCY_TWICE = 5  # sponsors with two agency projects: sponsors, not projects, are counted
_JULY = 6  # projects decided 3-5 July, in the July export but not in the half year

_APPROVAL_LABELS = {"approval": "审批", "endorsement": "核准", "filing": "备案"}
_TYPE_CODES = {"approval": "01", "endorsement": "02", "filing": "03"}
_INDUSTRIES = ("01", "04", "13", "14", "26", "30", "44", "47", "48", "50", "51", "59", "70", "78")
_PUBLIC_SPONSORS = ("教育局", "住房和城乡建设局", "交通运输局", "水务局", "卫生健康局", "农业农村局",
                    "城市管理局", "文化和旅游局")
_ENTERPRISE_PROJECTS = ("年产{n}万吨{p}生产线建设项目", "{p}技术改造项目", "标准化厂房建设项目",
                        "{p}仓储物流中心项目", "分布式光伏发电项目", "{p}精深加工项目",
                        "冷链物流园项目", "智能化改造项目")
_PRODUCTS = ("柿饼", "羊乳粉", "苹果", "石材", "水泥制品", "包装材料", "预制构件", "饲料", "果汁")
_PUBLIC_PROJECTS = ("{t}污水处理厂提标改造项目", "{t}中心小学教学楼建设项目", "{t}农村公路改造工程",
                    "{t}卫生院业务用房建设项目", "{t}高标准农田建设项目", "{t}供水管网改造工程")

_COLUMNS = [
    Col("项目代码", "project_code", "code"), Col("项目名称", "project_name"), Col("项目单位", "sponsor"),
    Col("统一社会信用代码", "sponsor_id", "credit"),
    Col("管理类型", "approval_type", "enum", labels=_APPROVAL_LABELS),
    Col("总投资（万元）", "investment_yuan", "money", yuan_per_unit=10000), Col("办结日期", "decided_on", "date"),
    Col("是否重点项目", "key_project", "bool"), Col("容缺受理＋告知承诺", "tolerance_commitment", "bool"),
    Col("是否全程代办", "agency_service", "bool"),
]
_OPTIONAL_FLAGS = ("tolerance_commitment", "agency_service")


@dataclass
class _Projects:
    final: list[dict]
    earlier: dict[str, dict]  # project_code -> its state in the first export
    serials: set[int]


def _yuan_window(yi: Decimal) -> tuple[int, int]:
    """Fen totals whose 亿元 rounds half up to `yi` at 2 decimals: [low, high)."""
    fen_per_hundredth = 10**10 // 100
    centre = int(yi * 100) * fen_per_hundredth
    return centre - fen_per_hundredth // 2, centre + fen_per_hundredth // 2


def _sponsors(world: World) -> list[tuple[str, str | None, bool]]:
    """(name, credit code or None, enterprise): 20 public bodies, 160 enterprises of
    which a few groups (whose names carry brackets, written full-width in some files)."""
    county, firms, rng = world.county, world.firms, world.rng
    public = [(county.department(d), None, False) for d in _PUBLIC_SPONSORS]
    public += [(f"{county.name}{t}人民政府", None, False) for t in county.towns[:12]]
    enterprises = [(name, code, True) for sector, n in (("industry", 70), ("construction", 30),
                                                         ("general", 50), ("agri", 4))
                   for name, code in firms.pool(sector, n)[-n:]]
    for trade in ("秦川", "渭北", "陕富", "关中", "华泰", "鑫源"):
        name = f"{county.name}{trade}实业(集团)有限公司"
        if name not in firms.code_by_name:
            code = firms.credit_code("91")
            firms.code_by_name[name], firms.name_by_code[code] = code, name
            enterprises.append((name, code, True))
    rng.shuffle(enterprises)
    return public + enterprises


def simulate(world: World) -> tuple[list[dict], _Projects]:
    rng, county = world.rng, world.county
    n = int(_TARGET["invest_projects"])
    sponsors = _sponsors(world)
    public = [s for s in sponsors if not s[2]]
    enterprises = [s for s in sponsors if s[2]]
    # Every enterprise of the first 150 has a project, some two or three; public bodies
    # sponsor the approvals (government investment).
    n_public = 26
    owners = rng.choices(public, k=n_public) + enterprises[:150]
    owners += rng.choices(enterprises[:150], k=n - len(owners))
    rng.shuffle(owners)

    serials: set[int] = set()
    projects = []
    for sponsor, code, enterprise in owners:
        kind = "approval" if not enterprise else ("endorsement" if rng.random() < 0.07 else "filing")
        month = rng.choices(range(1, 7), weights=(0.7, 0.8, 1.2, 1.1, 1.0, 1.2))[0]
        projects.append(_project(rng, county, serials, sponsor, code, kind, weekday_in(rng, 2023, month)))
    july = rng.sample(enterprises[150:], _JULY)
    late = [_project(rng, county, serials, s, c, "filing", weekday_in(rng, 2023, 7, first=3, last=5))
            for s, c, _ in july]

    # Key projects are the large ones, mostly; investment split exactly to the target.
    key = rng.sample(projects, int(_TARGET["invest_key_projects"]))
    for p in key:
        p["key_project"] = True
    weights = [rng.lognormvariate(0, 1.0) * (6 if p["key_project"] else 1) for p in projects]
    low, high = _yuan_window(_TARGET["invest_total_yi"])
    fen = split_total(rng, rng.randrange(low, high), weights, round_share=0.7, round_to=1_000_000,
                      minimum=30_000_000)
    for p, f in zip(projects, fen, strict=True):
        p["investment_yuan"] = Decimal(f) / 100
    for p in late:
        p["investment_yuan"] = Decimal(rng.randrange(300, 8000) * 10000)

    for p in rng.sample(projects, int(_TARGET["invest_tolerance_projects"])):
        p["tolerance_commitment"] = True
    by_sponsor: dict[str, list[dict]] = {}
    for p in projects:
        if p["sponsor_id"] is not None:
            by_sponsor.setdefault(p["sponsor"], []).append(p)
    several = [s for s, ps in by_sponsor.items() if len(ps) >= 2]
    twice = rng.sample(several, _AGENCY_TWICE)
    once = rng.sample([s for s in by_sponsor if s not in twice],
                      int(_TARGET["invest_agency_sponsors"]) - _AGENCY_TWICE)
    for s in twice:
        for p in rng.sample(by_sponsor[s], 2):
            p["agency_service"] = True
    for s in once:
        rng.choice(by_sponsor[s])["agency_service"] = True

    # The first export showed some January-March projects before their last update:
    # 代办 not yet recorded, an investment since corrected, a decision date since moved.
    early = [p for p in projects if p["decided_on"] < date(2023, 3, 28)]
    earlier = {}
    for p in rng.sample([p for p in early if p["agency_service"]], 3):
        earlier[p["project_code"]] = dict(p, agency_service=False)
    for p in rng.sample([p for p in early if p["project_code"] not in earlier], 2):
        earlier[p["project_code"]] = dict(p, investment_yuan=p["investment_yuan"] + 500000)
    moved = next(p for p in projects if p["decided_on"].month == 4 and p["decided_on"].day <= 14)
    earlier[moved["project_code"]] = dict(moved, decided_on=date(2023, 3, 31))
    records = projects + late
    records.sort(key=lambda p: (p["decided_on"], p["project_code"]))
    return records, _Projects(records, earlier, serials)


def _project(rng: random.Random, county, serials: set[int], sponsor: str, code: str | None,
             kind: str, decided: date) -> dict:
    serial = rng.randrange(1, 999_999)
    while serial in serials:
        serial = rng.randrange(1, 999_999)
    serials.add(serial)
    year = 2022 if rng.random() < 0.15 else 2023  # applied for last year, decided this year
    if kind == "approval":
        name = rng.choice(_PUBLIC_PROJECTS).format(t=rng.choice(county.towns))
    else:
        name = rng.choice(_ENTERPRISE_PROJECTS).format(n=rng.choice((1, 2, 3, 5, 10)), p=rng.choice(_PRODUCTS))
    return {
        "project_code": f"{year}-{county.code}-{rng.choice(_INDUSTRIES)}-{_TYPE_CODES[kind]}-{serial:06d}",
        "project_name": name, "sponsor": sponsor, "sponsor_id": code, "approval_type": kind,
        "investment_yuan": None, "decided_on": decided, "key_project": False,
        "tolerance_commitment": False, "agency_service": False,
    }


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    rows = [r for r in records if year_to_date(r["decided_on"], end)]
    fen = int(sum((r["investment_yuan"] for r in rows), Decimal(0)) * 100)
    return {
        "invest_projects": Decimal(len(rows)),
        "invest_total_yi": Decimal((fen + 10**8 // 2) // 10**8) / 100,
        "invest_key_projects": Decimal(sum(r["key_project"] for r in rows)),
        "invest_tolerance_projects": Decimal(sum(r["tolerance_commitment"] for r in rows)),
        "invest_agency_sponsors": Decimal(len({r["sponsor"] for r in rows if r["agency_service"]})),
    }


def _with_blank_flags(rng: random.Random, rows: list[Row], share: float, blank: object) -> None:
    """The optional yes/no columns left empty where the answer is no (empty = no)."""
    for r in rows:
        for flag in _OPTIONAL_FLAGS:
            if not r.values[flag] and rng.random() < share:
                r.raw_cells[flag] = blank


def _full_width_brackets(rng: random.Random, rows: list[Row]) -> None:
    """Group names as clerks type them: （集团） with full-width brackets, one in two."""
    for r in rows:
        if "(集团)" in r.values["sponsor"] and rng.random() < 0.5:
            r.raw_cells["sponsor"] = r.values["sponsor"].replace("(", "（").replace(")", "）")


def export_files(world: World, data: _Projects) -> list[File]:
    rng, county = world.rng, world.county
    platform = county.department("发展和改革局")
    files = []

    def broken(decided: date, **changes) -> dict:
        firm, code = world.firms.new("industry")  # a sponsor with no valid project
        p = _project(rng, county, data.serials, firm, code, "filing", decided)
        p["investment_yuan"] = Decimal(rng.randrange(200, 3000) * 10000)
        p.update(changes)
        return p

    final = {p["project_code"]: p for p in data.final}
    updated = set(data.earlier)

    # V1: January-March, the platform's workbook; some projects in an earlier state.
    first = [data.earlier.get(code, p) for code, p in final.items()]
    rows = [Row(dict(p)) for p in first if p["decided_on"] <= date(2023, 3, 31)]
    bad = broken(date(2023, 2, 15))
    bad["project_code"] = bad["project_code"][:-1]  # a digit short
    insert_inside(rng, rows, Row(bad, "project_code: not YYYY-CCCCCC-II-TT-NNNNNN (5-digit serial)"))
    bad = broken(date(2023, 3, 9))
    bad["sponsor_id"] = with_wrong_check_char(bad["sponsor_id"])
    insert_inside(rng, rows, Row(bad, "sponsor_id: credit code check character is wrong"))
    insert_identical_duplicate(rng, rows)
    _with_blank_flags(rng, rows, 0.6, None)
    _full_width_brackets(rng, rows)
    columns = [replace(c, merged_header="项目属性") if c.type == "bool" else c for c in _COLUMNS]
    files.append(File(
        "投资项目审批（核准、备案）办结情况_1-3月.xlsx", KIND, datetime(2023, 4, 6, 15, 22, 9), "xlsx", None,
        columns, rows,
        Style(date_forms={"*": (("xl_date", 2), ("xl_datetime", 1))}, null_forms=(None,)),
        "xlsx; merged title and 填报单位 rows; two-row header: 项目属性 merged over 是否重点项目/容缺受理＋"
        "告知承诺/是否全程代办, the others merged down; 总投资（万元） with up to 6 decimals; empty "
        "optional yes/no cells (= no); public sponsors without credit code; 合计 row. Some projects "
        "in an earlier state (the July re-export updates them)",
        preamble=[f"{county.name}2023年1-3月投资项目审批（核准、备案）办结情况", f"填报单位：{platform}"],
        footer=["注：总投资单位为万元。"], totals_label="合计", totals_fields=("investment_yuan",)))

    # V2: April, GB18030 CSV in 元 with the alternate headers.
    rows = [Row(dict(p)) for p in data.final if p["decided_on"].month == 4 and p["project_code"] not in updated]
    insert_inside(rng, rows, Row(broken(date(2023, 4, 12)), "investment_yuan: must be >= 0",
                                 raw_cells={"investment_yuan": "-3,000,000.00"}))
    insert_inside(rng, rows, Row(broken(date(2023, 4, 18)), "approval_type: '许可' is not in the vocabulary",
                                 raw_cells={"approval_type": "许可"}))
    insert_inside(rng, rows, Row(broken(date(2023, 4, 20)), "key_project: required value missing",
                                 raw_cells={"key_project": ""}))
    _with_blank_flags(rng, rows, 0.8, "")
    _full_width_brackets(rng, rows)
    columns = renamed(_COLUMNS, approval_type="审批类型", investment_yuan="总投资（元）",
                      tolerance_commitment="是否容缺承诺")
    columns = [replace(c, yuan_per_unit=1) if c.field == "investment_yuan" else c for c in columns]
    files.append(File(
        "投资项目办结清单.csv", KIND, datetime(2023, 5, 8, 11, 37, 52), "csv", "gb18030",
        columns, rows,
        Style(date_forms={"*": (("slash", 2), ("cn", 1))}, money_form="thousands",
              yes_no=(("是", "否"), ("1", "0")), null_forms=("", "—"), padded_share=0.1),
        "GB18030 CSV, Excel-padded; 2 title rows; headers 审批类型, 总投资（元）, 是否容缺承诺; money with "
        "thousands separators; yes/no as 是/否 and 1/0, optional ones mostly empty; spaces around names; "
        "总计 row",
        preamble=[f"{county.name}投资项目办结清单（2023年4月）", export_stamp(datetime(2023, 5, 8, 11, 37, 52))],
        totals_label="总计", totals_fields=("investment_yuan",), excel_padded=True))

    # V3: the July re-export: May to 5 July, and the projects updated since V1.
    rows = [Row(dict(p)) for p in data.final if p["decided_on"] >= date(2023, 5, 1) or p["project_code"] in updated]
    insert_inside(rng, rows, Row(broken(date(2023, 5, 26)), "decided_on: '2023-02-30' is not a date",
                                 raw_cells={"decided_on": "2023-02-30"}))
    twin = broken(date(2023, 6, 8))
    insert_inside(rng, rows, Row(twin, "project_code: same key twice in the file with different values"))
    insert_inside(rng, rows, Row({**twin, "key_project": True},
                                 "project_code: same key twice in the file with different values"))
    _with_blank_flags(rng, rows, 0.3, "")
    _full_width_brackets(rng, rows)
    files.append(File(
        "投资项目审批办结_导出_20230705.csv", KIND, datetime(2023, 7, 5, 17, 8, 44), "csv", "utf-8-sig",
        list(_COLUMNS), rows,
        Style(date_forms={"*": (("iso", 3), ("iso_time", 1), ("compact", 1))},
              yes_no=(("是", "否"), ("Y", "N")), null_forms=("", "-"), fullwidth_share=0.15),
        "UTF-8 CSV with BOM; 1 title row; May to 5 July, and January-April projects updated since "
        "(代办 recorded, investment corrected, a decision date moved from March to April); full-width "
        "project codes and digits; dates 2023-05-17, 20230517 and date-times",
        preamble=["投资项目审批（核准、备案）办结信息导出"]))
    return files
