"""证照分离改革办件统计: completions per month and licence item under each reform
mode, January to June; January to May add up to section 5 exactly. Four files: an
xlsx with a merged two-row header, a plain CSV with most broken rows, an xlsx with a
date-cell month and a GB18030 CSV without the 合计 column."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from pipelines.sample_data.county import County
from pipelines.sample_data.draws import multinomial, split_total, year_to_date
from pipelines.sample_data.files import (
    COUNTY_COLUMN,
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

KIND = "permit_reform"
DRAW_ORDER = 2
PERMIT_MODES = ("cancelled", "filing", "commitment", "optimized")
FIELDS = ("month", "department", "item", *PERMIT_MODES)
KEY = ("month", "department", "item")

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("permit_cases", "2023-05-31", Decimal("2649")),
    ("permit_cancelled", "2023-05-31", Decimal("269")),
    ("permit_filing", "2023-05-31", Decimal("352")),
    ("permit_commitment", "2023-05-31", Decimal("706")),
    ("permit_optimized", "2023-05-31", Decimal("1322")),
]
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit

# Each licence item was reformed under one mode (one under two):
# (department, item, {mode: popularity}).
_ITEMS = (
    ("发展和改革局", "粮食收购资格认定", {"cancelled": 3}),
    ("文化和旅游局", "电影放映单位设立审批", {"cancelled": 1}),
    ("商务局", "再生资源回收经营者备案", {"cancelled": 2}),
    ("市场监督管理局", "食品经营许可（仅销售预包装食品）", {"filing": 6}),
    ("卫生健康局", "诊所执业许可", {"filing": 2}),
    ("农业农村局", "农作物种子生产经营许可（部分品种）", {"filing": 1}),
    ("卫生健康局", "公共场所卫生许可", {"commitment": 4}),
    ("住房和城乡建设局", "建筑业企业资质（施工总承包三级）", {"commitment": 2}),
    ("公安局", "旅馆业特种行业许可证核发", {"commitment": 1}),
    ("应急管理局", "危险化学品经营许可（不带储存设施）", {"commitment": 1}),
    ("交通运输局", "道路货物运输经营许可", {"commitment": 3, "optimized": 1}),
    ("文化和旅游局", "互联网上网服务营业场所经营许可", {"commitment": 1}),
    ("市场监督管理局", "食品经营许可", {"optimized": 8}),
    ("市场监督管理局", "食品生产许可", {"optimized": 2}),
    ("市场监督管理局", "药品零售企业许可", {"optimized": 2}),
    ("文化和旅游局", "娱乐场所经营活动审批", {"optimized": 1}),
    ("人力资源和社会保障局", "劳务派遣经营许可", {"optimized": 1}),
    ("农业农村局", "农药经营许可", {"optimized": 1.5}),
    ("农业农村局", "兽药经营许可", {"optimized": 1}),
)
# Items that appear only in deliberately broken rows, so their keys never collide with
# a valid row's.
_BROKEN_ROW_ITEMS = (
    ("住房和城乡建设局", "城镇污水排入排水管网许可"),
    ("文化和旅游局", "出版物零售单位设立审批"),
    ("市场监督管理局", "特种设备安装改造维修许可"),
    ("商务局", "报废机动车回收拆解企业资质认定"),
    ("交通运输局", "机动车维修经营备案"),
)

_COLUMNS = [
    Col("序号", "seq", "count"), Col("统计月份", "month", "month"), Col("实施部门", "department"),
    Col("事项名称", "item"), Col("直接取消审批", "cancelled", "count"), Col("审批改为备案", "filing", "count"),
    Col("实行告知承诺", "commitment", "count"), Col("优化审批服务", "optimized", "count"),
    Col("合计", "total", "count"),
]


def simulate(world: World) -> tuple[list[dict], list[dict]]:
    rng, county = world.rng, world.county
    rows = {(m, dept, item): {"month": date(2023, m, 1), "department": county.department(dept),
                              "item": item, **dict.fromkeys(PERMIT_MODES, 0)}
            for m in range(1, 7) for dept, item, _ in _ITEMS}
    for mode in PERMIT_MODES:
        items = [(dept, item, modes[mode]) for dept, item, modes in _ITEMS if mode in modes]
        total = int(_TARGET[f"permit_{mode}"])
        # Fewer completions around the Spring Festival (January, February).
        month_totals = split_total(rng, total, [w * rng.uniform(0.85, 1.15)
                                                for w in (0.85, 0.7, 1.15, 1.1, 1.2)], minimum=1)
        month_totals.append(int(total / 5 * rng.uniform(0.85, 1.2)))  # June
        for m, n in zip(range(1, 7), month_totals, strict=True):
            counts = multinomial(rng, n, [w for _, _, w in items])
            for (dept, item, _), c in zip(items, counts, strict=True):
                rows[(m, dept, item)][mode] += c
    records = list(rows.values())
    return records, records


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    def cases(modes: tuple[str, ...]) -> Decimal:
        return Decimal(sum(r[m] for r in records if year_to_date(r["month"], end) for m in modes))

    return {"permit_cases": cases(PERMIT_MODES), **{f"permit_{m}": cases((m,)) for m in PERMIT_MODES}}


def _rows_of_months(records: list[dict], months: tuple[int, ...]) -> list[Row]:
    return [Row(dict(r)) for r in records if r["month"].month in months]


def _broken_row_values(county: County, month: int, k: int, **counts: int) -> dict:
    dept, item = _BROKEN_ROW_ITEMS[k]
    values = {"month": date(2023, month, 1), "department": county.department(dept), "item": item,
              **dict.fromkeys(PERMIT_MODES, 0)}
    values.update(counts)
    return values


def _number_rows(rows: list[Row]) -> None:
    """序号 and 合计 as the report shows them (合计 = the four modes unless broken)."""
    seq = 0
    for r in rows:
        if r.repeat_previous:
            continue
        seq += 1
        r.values["seq"] = seq
        r.values.setdefault("total", sum(r.values[m] for m in PERMIT_MODES))


def export_files(world: World, records: list[dict]) -> list[File]:
    rng, county = world.rng, world.county
    files = []
    approval = f"{county.name}行政审批服务局"

    # P1: January-March in one workbook with the merged two-row header.
    rows = _rows_of_months(records, (1, 2, 3))
    bad = dict(rows[5].values)
    insert_inside(rng, rows, Row(bad, "month: '2023年13月' is not a month", raw_cells={"month": "2023年13月"}))
    _number_rows(rows)
    columns = [replace(c, merged_header="改革方式") if c.field in PERMIT_MODES else c for c in _COLUMNS]
    files.append(File(
        "证照分离改革办件统计表（2023年1-3月）.xlsx", KIND, datetime(2023, 4, 3, 10, 5, 47),
        "xlsx", None, columns, rows, Style(month_form="cn", numeric_cells=True, null_forms=(None,)),
        "xlsx; merged title row and 填报单位; two-row header: 改革方式 merged over the four modes, the "
        "other header cells merged down both rows; months 2023年1月 to 2023年3月; counts as numbers; "
        "合计 column; 合计 row; footer 注/制表人",
        preamble=[f"{county.name}2023年1-3月“证照分离”改革办件统计表", f"填报单位：{approval}"],
        footer=["注：本表为当月新办结件数，非累计数。", "制表人：张某"],
        totals_label="合计", totals_fields=(*PERMIT_MODES, "total")))

    # P2: April, plain UTF-8 CSV named 导出.csv, alternate headers, most broken rows.
    rows = _rows_of_months(records, (4,))
    insert_inside(rng, rows, Row(_broken_row_values(county, 4, 0, optimized=5),
                                 "total: 合计 6 is not the sum of the modes (5)", raw_cells={"total": "6"}))
    insert_inside(rng, rows, Row(_broken_row_values(county, 4, 1, cancelled=-2, filing=3),
                                 "cancelled: must be >= 0 (-2; 合计 1 is the modes' sum)"))
    twin = _broken_row_values(county, 4, 2, commitment=3)
    insert_inside(rng, rows, Row(
        twin, "(month, department, item): same key twice in the file with different values"))
    insert_inside(rng, rows, Row(
        {**twin, "commitment": 4}, "(month, department, item): same key twice in the file with different values"))
    _number_rows(rows)
    insert_identical_duplicate(rng, rows)
    files.append(File(
        "导出.csv", KIND, datetime(2023, 5, 5, 8, 58, 20), "csv", "utf-8",
        renamed(_COLUMNS, cancelled="取消审批", filing="改为备案", commitment="告知承诺",
                optimized="优化准入服务"), rows,
        Style(month_form="compact", fullwidth_share=0.15),
        "UTF-8 CSV without BOM; headers 取消审批/改为备案/告知承诺/优化准入服务; month 202304; "
        "full-width digits in some counts; no title, totals or footer",
    ))

    # P3: May, xlsx, month as a real date cell, county code as a number, extra 备注.
    rows = _rows_of_months(records, (5,))
    for r in rows:
        r.values["county_code"] = county.code
        r.values["x_note"] = rng.choice((None, None, None, "含网上办理件", "含“跨省通办”件"))
    _number_rows(rows)
    files.append(File(
        "2023年5月证照分离改革统计.xlsx", KIND, datetime(2023, 6, 5, 9, 31, 8), "xlsx", None,
        [_COLUMNS[0], COUNTY_COLUMN, *_COLUMNS[1:], Col("备注", "x_note")], rows,
        Style(month_form="xl_date", numeric_cells=True, null_forms=(None,)),
        "xlsx; 1 title row; 行政区划代码 as a number cell; 统计月份 as a date cell (2023-05-31); "
        "extra column 备注; 小计 row",
        preamble=[f"{county.name}2023年5月“证照分离”改革办件统计"],
        totals_label="小计", totals_fields=(*PERMIT_MODES, "total")))

    # P4: June, GB18030, without the optional 合计 column.
    rows = _rows_of_months(records, (6,))
    bad = _broken_row_values(county, 6, 3, filing=2)
    insert_inside(rng, rows, Row(bad, "department: required value missing", raw_cells={"department": "—"}))
    _number_rows(rows)
    files.append(File(
        "证照分离6月.csv", KIND, datetime(2023, 7, 5, 10, 20, 55), "csv", "gb18030",
        _COLUMNS[:-1], rows, Style(month_form="dash", fullwidth_share=0.1),
        "GB18030 CSV, Excel-padded; 3 title rows; month 2023-06; no 合计 column; full-width digits; "
        "总计 row; footer",
        preamble=[f"{county.name}2023年6月证照分离改革办件统计表", f"填报单位：{approval}",
                  export_stamp(datetime(2023, 7, 5, 10, 20, 55))],
        footer=["", "制表人：刘某"], totals_label="总计", totals_fields=PERMIT_MODES, excel_padded=True))
    return files
