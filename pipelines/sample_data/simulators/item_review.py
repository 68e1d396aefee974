"""行政许可事项梳理表: the county's licensing items as reviewed (材料精简, 时限压缩), the
2023 reviews giving section 5's percentages at 30 June exactly. Three files: the
first batch (late 2022 to February) as an xlsx with a merged two-row header, the
March-April batch as GB18030 CSV with the alternate headers, and a July re-export
of May-June reviews and of re-reviewed items (which move to their new month)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from pipelines.sample_data.draws import H1_END, weekday_in, year_to_date
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
from pipelines.sample_data.world import World

KIND = "item_review"
DRAW_ORDER = 6  # 5 is left for the real-estate export being added beside it
FIELDS = ("item_code", "item_name", "department", "item_type", "materials_before", "materials_after",
          "legal_days", "promised_days", "immediate", "reviewed_on")
KEY = ("item_code",)

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("review_materials_cut_pct", "2023-06-30", Decimal("64.6")),
    ("review_time_cut_pct", "2023-06-30", Decimal("83.9")),
    ("review_immediate_pct", "2023-06-30", Decimal("62.9")),
]
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit

_ITEMS_2023 = 167  # items (re)reviewed in the first half of 2023
_ITEMS_2022_ONLY = 18  # reviewed late in 2022 and not since: in the catalogue, not in 2023's figures
_RE_REVIEWED_2022 = 8  # first reviewed in 2022, re-reviewed in May-June 2023
_RE_REVIEWED_2023 = 6  # first reviewed in January-February, re-reviewed in June

_TYPE_LABELS = {"licence": "行政许可", "confirmation": "行政确认", "filing": "行政备案",
                "other_power": "其他行政权力", "public_service": "公共服务"}
_TYPE_CODES = {"licence": "XK", "confirmation": "QR", "filing": "BA", "other_power": "QT",
               "public_service": "GG"}
# (department, base item, type): each base item is split into the acts clerks handle
# (新办, 变更, 延续, 注销), every act an item of its own in the catalogue.
_BASE_ITEMS = (
    ("市场监督管理局", "食品经营许可", "licence"), ("市场监督管理局", "食品生产许可", "licence"),
    ("市场监督管理局", "药品零售企业许可", "licence"), ("市场监督管理局", "特种设备使用登记", "confirmation"),
    ("市场监督管理局", "个体工商户登记", "public_service"), ("市场监督管理局", "食品小作坊登记", "filing"),
    ("卫生健康局", "公共场所卫生许可", "licence"), ("卫生健康局", "医疗机构执业登记", "licence"),
    ("卫生健康局", "母婴保健技术服务执业许可", "licence"), ("卫生健康局", "诊所备案", "filing"),
    ("交通运输局", "道路货物运输经营许可", "licence"), ("交通运输局", "道路旅客运输经营许可", "licence"),
    ("交通运输局", "机动车维修经营备案", "filing"), ("交通运输局", "公路超限运输许可", "licence"),
    ("住房和城乡建设局", "建筑工程施工许可", "licence"), ("住房和城乡建设局", "燃气经营许可", "licence"),
    ("住房和城乡建设局", "商品房预售许可", "licence"), ("住房和城乡建设局", "建设工程竣工验收备案", "filing"),
    ("文化和旅游局", "娱乐场所经营许可", "licence"), ("文化和旅游局", "互联网上网服务营业场所经营许可", "licence"),
    ("文化和旅游局", "营业性演出许可", "licence"), ("农业农村局", "农药经营许可", "licence"),
    ("农业农村局", "兽药经营许可", "licence"), ("农业农村局", "动物防疫条件合格证核发", "licence"),
    ("农业农村局", "农作物种子生产经营许可", "licence"), ("自然资源局", "建设用地规划许可", "licence"),
    ("自然资源局", "乡村建设规划许可", "licence"), ("水务局", "取水许可", "licence"),
    ("水务局", "河道管理范围内建设项目审批", "other_power"), ("应急管理局", "危险化学品经营许可", "licence"),
    ("应急管理局", "烟花爆竹经营（零售）许可", "licence"), ("民政局", "民办非企业单位登记", "confirmation"),
    ("民政局", "养老机构备案", "filing"), ("教育局", "民办学校办学许可", "licence"),
    ("人力资源和社会保障局", "劳务派遣经营许可", "licence"), ("人力资源和社会保障局", "人力资源服务许可", "licence"),
    ("公安局", "旅馆业特种行业许可", "licence"), ("公安局", "公章刻制业特种行业许可", "licence"),
    ("林业局", "林木采伐许可", "licence"), ("林业局", "使用林地审核", "other_power"),
    ("生态环境分局", "排污许可", "licence"), ("生态环境分局", "建设项目环境影响评价文件审批", "licence"),
    ("商务局", "成品油零售经营资格审批", "licence"), ("商务局", "再生资源回收经营者备案", "filing"),
    ("城市管理局", "城市建筑垃圾处置核准", "licence"), ("城市管理局", "设置大型户外广告审批", "licence"),
    ("残疾人联合会", "残疾人证核发", "public_service"), ("医疗保障局", "定点医药机构申请受理", "public_service"),
)
_ACTS = ("新办", "变更", "延续", "注销")

_COLUMNS = [
    Col("事项编码", "item_code", "code"), Col("事项名称", "item_name"), Col("实施部门", "department"),
    Col("事项类型", "item_type", "enum", labels=_TYPE_LABELS),
    Col("原申请材料数", "materials_before", "count"), Col("现申请材料数", "materials_after", "count"),
    Col("法定办结时限（工作日）", "legal_days", "count"), Col("承诺办结时限（工作日）", "promised_days", "count"),
    Col("是否即办件", "immediate", "bool"), Col("梳理日期", "reviewed_on", "date"),
]


def _pct(part: int, whole: int) -> Decimal:
    """part / whole x 100, half up to 1 decimal, in integers."""
    return Decimal((part * 2000 + whole) // (2 * whole)) / 10


def _hit(rng: random.Random, items: list[dict], field: str, total: int, lowest, highest) -> None:
    """Move `field` one unit at a time in random items, within each item's bounds,
    until the field sums to `total`."""
    current = sum(r[field] for r in items)
    while current != total:
        r = rng.choice(items)
        step = 1 if current < total else -1
        if lowest(r) <= r[field] + step <= highest(r):
            r[field] += step
            current += step


def _target_total(whole: int, cut_pct: Decimal) -> int:
    """The part of `whole` kept so that the cut rounds to `cut_pct` (nearest such part)."""
    ideal = round(whole * (1 - cut_pct / 100))
    for kept in sorted(range(ideal - 3, ideal + 4), key=lambda k: abs(k - ideal)):
        if _pct(whole - kept, whole) == cut_pct:
            return kept
    raise AssertionError(f"no whole number of {whole} gives a cut of {cut_pct}%")


def _values(rng: random.Random, immediate: bool) -> dict:
    before = rng.choice((3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 11, 13))
    legal = rng.choice((5, 10, 15, 20, 20, 20, 30, 45, 60) if not immediate else (5, 10, 15, 20, 20, 30))
    return {"materials_before": before, "materials_after": max(1, round(before * rng.uniform(0.2, 0.5))),
            "legal_days": legal, "promised_days": 0 if immediate else max(1, round(legal * rng.uniform(0.1, 0.35))),
            "immediate": immediate}


@dataclass
class _Review:
    final: list[dict]
    earlier: dict[str, dict]  # item_code -> the first review of a re-reviewed item
    spare: list[dict]  # catalogue entries used only by broken rows


def simulate(world: World) -> tuple[list[dict], _Review]:
    rng, county = world.rng, world.county
    catalogue = []
    for n, (dept, base, item_type) in enumerate(_BASE_ITEMS):
        for k, act in enumerate(_ACTS):
            code = f"{county.code}{_TYPE_CODES[item_type]}{n + 1:03d}{k + 1:02d}"
            catalogue.append({"item_code": code, "item_name": f"{base}（{act}）",
                              "department": _department(county, dept), "item_type": item_type})
    rng.shuffle(catalogue)
    n_items = _ITEMS_2023 + _ITEMS_2022_ONLY
    chosen, spare = catalogue[:n_items], catalogue[n_items:]

    this_year, last_year = chosen[:_ITEMS_2023], chosen[_ITEMS_2023:]
    immediate = {r["item_code"] for r in rng.sample(this_year, _immediate_count(_ITEMS_2023))}
    for r in this_year:
        r.update(_values(rng, r["item_code"] in immediate))
    _hit(rng, this_year, "materials_after",
         _target_total(sum(r["materials_before"] for r in this_year), _TARGET["review_materials_cut_pct"]),
         lambda r: 1, lambda r: r["materials_before"])
    waiting = [r for r in this_year if not r["immediate"]]
    _hit(rng, waiting, "promised_days",
         _target_total(sum(r["legal_days"] for r in this_year), _TARGET["review_time_cut_pct"]),
         lambda r: 1, lambda r: r["legal_days"])
    for r in last_year:
        r.update(_values(rng, rng.random() < 0.5), reviewed_on=weekday_in(rng, 2022, rng.choice((11, 12))))

    # Review dates: January to June, the re-reviewed ones in May and June.
    re_2022 = this_year[:_RE_REVIEWED_2022]
    re_2023 = this_year[_RE_REVIEWED_2022:_RE_REVIEWED_2022 + _RE_REVIEWED_2023]
    rest = this_year[_RE_REVIEWED_2022 + _RE_REVIEWED_2023:]
    earlier = {}
    for r in re_2022 + re_2023:
        r["reviewed_on"] = weekday_in(rng, 2023, rng.choice((5, 6)) if r in re_2022 else 6, last=28)
        first = dict(r, **_values(rng, False))
        first["reviewed_on"] = (weekday_in(rng, 2022, 12) if r in re_2022
                                else weekday_in(rng, 2023, rng.choice((1, 2))))
        earlier[r["item_code"]] = first
    for r in rest:
        r["reviewed_on"] = weekday_in(rng, 2023, rng.choice((1, 2, 3, 3, 4, 4, 5, 6)))
    return chosen, _Review(chosen, earlier, spare)


def _immediate_count(items: int) -> int:
    target = _TARGET["review_immediate_pct"]
    count = round(items * target / 100)
    if _pct(count, items) != target:
        raise AssertionError(f"no count of {items} items gives {target}% immediate")
    return count


def _department(county, dept: str) -> str:
    if dept == "生态环境分局":
        return f"{county.city}生态环境局{county.short_name}分局"
    return county.department(dept)


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    rows = [r for r in records if year_to_date(r["reviewed_on"], end)]
    if not rows:
        return {}
    before = sum(r["materials_before"] for r in rows)
    after = sum(r["materials_after"] for r in rows)
    legal = sum(r["legal_days"] for r in rows)
    promised = sum(r["promised_days"] for r in rows)
    return {
        "review_items": Decimal(len(rows)),
        "review_materials_cut_pct": _pct(before - after, before),
        "review_time_cut_pct": _pct(legal - promised, legal),
        "review_immediate_pct": _pct(sum(r["immediate"] for r in rows), len(rows)),
    }


def export_files(world: World, data: _Review) -> list[File]:
    rng, county = world.rng, world.county
    bureau = county.department("行政审批服务局")
    spare = iter(data.spare)
    files = []

    def broken(reviewed_on: date, **changes) -> dict:
        r = {**next(spare), **_values(rng, False), "reviewed_on": reviewed_on}
        r.update(changes)
        return r

    def first_state(r: dict) -> dict:
        return data.earlier.get(r["item_code"], r)

    # R1: the first batch, late 2022 to February, as the bureau's workbook.
    first = [first_state(r) for r in data.final]
    rows = [Row(dict(r)) for r in sorted(first, key=lambda r: (r["reviewed_on"], r["item_code"]))
            if r["reviewed_on"] <= date(2023, 2, 28)]
    insert_inside(rng, rows, Row(broken(date(2023, 2, 13), materials_before=4, materials_after=5),
                                 "materials_after > materials_before"))
    insert_identical_duplicate(rng, rows)
    columns = [replace(c, merged_header="申请材料数（件）") if c.field.startswith("materials") else c
               for c in renamed(_COLUMNS, materials_before="梳理前材料数", materials_after="梳理后材料数")]
    files.append(File(
        "行政许可事项梳理表（第一批）.xlsx", KIND, datetime(2023, 3, 8, 10, 16, 2), "xlsx", None,
        columns, rows,
        Style(date_forms={"*": (("xl_date", 3), ("xl_serial", 1))}, numeric_cells=True, null_forms=(None,)),
        "xlsx; merged title and 填报单位 rows; two-row header: 申请材料数（件） merged over 梳理前材料数/"
        "梳理后材料数, the others merged down; counts as "
        "numbers; dates as date cells or serial numbers; items reviewed late in 2022 too; 合计 row",
        preamble=[f"{county.name}行政许可事项梳理表（第一批）", f"填报单位：{bureau}"],
        footer=["注：材料数、时限以梳理后的办事指南为准。"],
        totals_label="合计", totals_fields=("materials_before", "materials_after", "legal_days", "promised_days")))

    # R2: March-April, GB18030 CSV, the long headers, Y/N and 1/0, full-width digits.
    rows = [Row(dict(r)) for r in data.final if date(2023, 3, 1) <= r["reviewed_on"] <= date(2023, 4, 30)]
    rows.sort(key=lambda r: r.values["department"])
    insert_inside(rng, rows, Row(broken(date(2023, 3, 21), legal_days=10, promised_days=12),
                                 "promised_days > legal_days"))
    insert_inside(rng, rows, Row(broken(date(2023, 4, 6), immediate=True, promised_days=3),
                                 "immediate with promised_days 3"))
    insert_inside(rng, rows, Row(broken(date(2023, 4, 11)), "item_type: '行政审批' is not in the vocabulary",
                                 raw_cells={"item_type": "行政审批"}))
    files.append(File(
        "事项梳理3-4月.csv", KIND, datetime(2023, 5, 9, 16, 3, 40), "csv", "gb18030",
        renamed(_COLUMNS, legal_days="法定时限", promised_days="承诺时限"), rows,
        Style(date_forms={"*": (("cn", 2), ("slash", 1))}, yes_no=(("是", "否"), ("Y", "N"), ("1", "0")),
              fullwidth_share=0.15, padded_share=0.08),
        "GB18030 CSV, Excel-padded; 2 title rows; headers 原申请材料数/现申请材料数 and the short "
        "法定时限/承诺时限; yes/no as 是/否, Y/N, 1/0; full-width digits; dates 2023年3月6日 "
        "and 2023/3/6; 总计 row",
        preamble=[f"{county.name}2023年3-4月行政许可事项梳理情况", export_stamp(datetime(2023, 5, 9, 16, 3, 40))],
        totals_label="总计", totals_fields=("materials_before", "materials_after"), excel_padded=True))

    # R3: the July re-export: May-June reviews, re-reviews included (they move month).
    rows = [Row(dict(r)) for r in data.final if date(2023, 5, 1) <= r["reviewed_on"] <= H1_END]
    insert_inside(rng, rows, Row(broken(date(2023, 6, 12)), "reviewed_on: '2023-06-31' is not a date",
                                 raw_cells={"reviewed_on": "2023-06-31"}))
    twin = broken(date(2023, 5, 18))
    insert_inside(rng, rows, Row(twin, "item_code: same key twice in the file with different values"))
    insert_inside(rng, rows, Row({**twin, "materials_after": twin["materials_after"] + 1},
                                 "item_code: same key twice in the file with different values"))
    files.append(File(
        "事项梳理导出_20230704.csv", KIND, datetime(2023, 7, 4, 9, 40, 26), "csv", "utf-8-sig",
        list(_COLUMNS), rows,
        Style(date_forms={"*": (("iso", 3), ("compact", 1), ("iso_time", 1))}, null_forms=("", "-")),
        "UTF-8 CSV with BOM; 1 title row; May-June reviews, with re-reviews of items first reviewed "
        "in 2022 or January-February (the newer review wins and moves the item to its month); "
        "dates 2023-05-17, 20230517 and date-times",
        preamble=["行政许可事项梳理结果导出"]))
    return files
