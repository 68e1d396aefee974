"""双随机抽查结果: "双随机、一公开" random inspections, one task per section 5 task,
their results as of 30 June as section 5 says. Three files: an early May export of
January-April tasks, a July re-export, and the health bureau's own task."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from pipelines.sample_data.county import County
from pipelines.sample_data.draws import H1_END, multinomial, weekday_in, year_to_date
from pipelines.sample_data.files import (
    COUNTY_COLUMN,
    Col,
    File,
    Row,
    Style,
    export_stamp,
    insert_inside,
)
from pipelines.sample_data.firms import person, with_wrong_check_char
from pipelines.sample_data.world import World

KIND = "inspections"
DRAW_ORDER = 4
FIELDS = ("task_id", "task_name", "department", "entity_name", "entity_id",
          "drawn_on", "inspected_on", "result", "inspectors")
KEY = ("task_id", "entity_id")

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("inspection_tasks", "2023-06-30", Decimal("22")),
    ("inspection_entities", "2023-06-30", Decimal("463")),
    ("inspection_no_issue", "2023-06-30", Decimal("350")),
    ("inspection_corrected", "2023-06-30", Decimal("2")),
    ("inspection_follow_up", "2023-06-30", Decimal("26")),
    ("inspection_in_progress", "2023-06-30", Decimal("85")),
]
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit

# (task name, department, sector of the inspected, month drawn)
_TASKS = (
    ("企业年度报告公示信息抽查", "市场监督管理局", "general", 1),
    ("食品销售者监督检查", "市场监督管理局", "food", 1),
    ("特种设备使用单位监督检查", "市场监督管理局", "industry", 2),
    ("药品零售企业监督检查", "市场监督管理局", "pharma", 2),
    ("道路运输企业监督检查", "交通运输局", "transport", 2),
    ("价格行为监督检查", "市场监督管理局", "food", 3),
    ("公共场所卫生监督检查", "卫生健康局", "public", 3),
    ("危险化学品经营单位安全检查", "应急管理局", "hazchem", 3),
    ("广告发布行为监督检查", "市场监督管理局", "general", 3),
    ("计量器具使用监督检查", "市场监督管理局", "food", 4),
    ("餐饮服务单位食品安全检查", "市场监督管理局", "restaurant", 4),
    ("建筑施工企业安全生产检查", "住房和城乡建设局", "construction", 4),
    ("排污单位监督检查", "生态环境分局", "industry", 4),
    ("娱乐场所监督检查", "文化和旅游局", "entertainment", 5),
    ("化妆品经营者监督检查", "市场监督管理局", "cosmetics", 5),
    ("医疗器械经营企业监督检查", "市场监督管理局", "pharma", 5),
    ("农资经营单位监督检查", "农业农村局", "agri", 5),
    ("产品质量监督抽查", "市场监督管理局", "industry", 6),
    ("个体工商户登记事项抽查", "市场监督管理局", "food", 6),
    ("校园及周边食品安全检查", "市场监督管理局", "restaurant", 6),
    ("医疗机构依法执业检查", "卫生健康局", "clinic", 6),
    ("燃气经营企业安全检查", "住房和城乡建设局", "gas", 6),
)
RESULTS = ("no_issue", "corrected", "follow_up", "in_progress")
# Each result's label as most systems write it; one label is drawn per cell.
_RESULT_LABELS = {"no_issue": ("未发现问题",), "corrected": ("发现问题已责令改正",),
                  "follow_up": ("发现问题待后续处理",), "in_progress": ("检查中",)}
_FIRST_EXPORT = date(2023, 5, 5)  # the state the early export (I1) shows

_COLUMNS = [
    Col("任务编号", "task_id", "code"), Col("任务名称", "task_name"), Col("发起部门", "department"),
    Col("检查对象名称", "entity_name"), Col("统一社会信用代码", "entity_id", "credit"),
    Col("抽取日期", "drawn_on", "date"), Col("检查完成日期", "inspected_on", "date"),
    Col("检查结果", "result", "enum", labels=_RESULT_LABELS), Col("执法人员", "inspectors"),
]


def _department(county: County, dept: str) -> str:
    if dept == "生态环境分局":  # a city bureau's county branch
        return f"{county.city}生态环境局{county.short_name}分局"
    return county.department(dept)


@dataclass
class _Inspections:
    final: list[dict]
    tasks: list[dict]  # task_id, task_name, department, sector, drawn_on


def simulate(world: World) -> tuple[list[dict], _Inspections]:
    rng, county = world.rng, world.county
    n_tasks, n_rows = int(_TARGET["inspection_tasks"]), int(_TARGET["inspection_entities"])
    if n_tasks != len(_TASKS):
        raise AssertionError("the task table must hold one task per reference task")
    sizes = [8 + c for c in multinomial(rng, n_rows - 8 * n_tasks, [1.0] * n_tasks)]
    tasks, rows, seq = [], [], rng.randint(10, 40)
    for (name, dept, sector, month), size in zip(_TASKS, sizes, strict=True):
        seq += rng.randint(1, 6)
        drawn = weekday_in(rng, 2023, month, last=20)
        task = {"task_id": f"SJ{county.code}2023{seq:04d}", "task_name": f"2023年度{name}（双随机）",
                "department": _department(county, dept), "sector": sector, "drawn_on": drawn}
        tasks.append(task)
        for firm_name, code in rng.sample(world.firms.pool(sector, max(60, size + 20)), size):
            rows.append({
                "task_id": task["task_id"], "task_name": task["task_name"],
                "department": task["department"], "entity_name": firm_name, "entity_id": code,
                "drawn_on": drawn, "inspected_on": None, "result": None,
                "inspectors": "、".join(person(rng) for _ in range(rng.choice((2, 2, 2, 3)))),
            })

    # The latest natural completion dates are still open on 30 June: exactly as many
    # as section 5's in_progress.
    natural = sorted(((r["drawn_on"] + timedelta(rng.randint(6, 75)), i) for i, r in enumerate(rows)),
                     reverse=True)
    in_progress = int(_TARGET["inspection_in_progress"])
    for k, (when, i) in enumerate(natural):
        r = rows[i]
        if k < in_progress:
            r["result"] = "in_progress"
            continue
        if when > H1_END:
            when = r["drawn_on"] + timedelta(rng.randint(1, (H1_END - r["drawn_on"]).days))
        r["inspected_on"] = min(when, H1_END)
        r["result"] = "no_issue"

    # Findings. The corrected ones were follow-ups in the early export (I1).
    done = [r for r in rows if r["result"] == "no_issue"]
    early = [r for r in done if r["inspected_on"] <= _FIRST_EXPORT]
    corrected = rng.sample(early, int(_TARGET["inspection_corrected"]))
    for r in corrected:
        r["result"] = "corrected"
    for r in rng.sample([r for r in done if r["result"] == "no_issue"], int(_TARGET["inspection_follow_up"])):
        r["result"] = "follow_up"
    return rows, _Inspections(rows, tasks)


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    rows = [r for r in records if year_to_date(r["drawn_on"], end)]
    return {
        "inspection_tasks": Decimal(len({r["task_id"] for r in rows})),
        "inspection_entities": Decimal(len(rows)),
        **{f"inspection_{result}": Decimal(sum(r["result"] == result for r in rows)) for result in RESULTS},
    }


def _as_of(row: dict, day: date) -> dict:
    """The row as an export made after `day` shows it."""
    r = dict(row)
    if r["inspected_on"] is None or r["inspected_on"] > day:
        r["inspected_on"], r["result"] = None, "in_progress"
    elif r["result"] == "corrected":
        r["result"] = "follow_up"  # the follow-up had not been done yet
    return r


def _canonical(values: dict) -> tuple:
    return tuple(values.get(f) for f in FIELDS)


def export_files(world: World, data: _Inspections) -> list[File]:
    rng, county = world.rng, world.county
    files = []
    tasks = {t["task_id"]: t for t in data.tasks}
    by_task: dict[str, list[dict]] = {}
    for r in data.final:
        by_task.setdefault(r["task_id"], []).append(r)
    early_tasks = [t for t in data.tasks if t["drawn_on"].month <= 4]
    i1_state = {tid: [_as_of(r, _FIRST_EXPORT) for r in by_task[tid]]
                for tid in (t["task_id"] for t in early_tasks)}
    reexported = [tid for tid, rows in i1_state.items()
                  if [_canonical(r) for r in rows] != [_canonical(r) for r in by_task[tid]]]
    health = next(t["task_id"] for t in reversed(data.tasks) if "卫生健康局" in t["department"])

    def broken_row(task_id: str, **changes) -> dict:
        t = tasks[task_id]
        name, code = world.firms.new(t["sector"])  # a firm inspected nowhere else
        row = {"task_id": task_id, "task_name": t["task_name"], "department": t["department"],
               "entity_name": name, "entity_id": code, "drawn_on": t["drawn_on"],
               "inspected_on": t["drawn_on"] + timedelta(12), "result": "no_issue",
               "inspectors": f"{person(rng)}、{person(rng)}"}
        row.update(changes)
        return row

    # I1: the early May export of January-April tasks, xlsx with date and serial cells.
    quiet = [tid for tid in i1_state if tid not in reexported]
    rows = [Row(r) for tid in i1_state for r in i1_state[tid]]
    bad = broken_row(quiet[0])
    bad["entity_id"] = with_wrong_check_char(bad["entity_id"])
    insert_inside(rng, rows, Row(bad, "entity_id: credit code check character is wrong"))
    insert_inside(rng, rows, Row(broken_row(quiet[-1]), "result: '合格' is not in the vocabulary",
                                 raw_cells={"result": "合格"}))
    first_rows = [k for k, r in enumerate(rows) if r.broken_rule is None and r.values["task_id"] == quiet[0]]
    k = rng.choice(first_rows[1:])
    rows.insert(k + 1, Row(rows[k].values, repeat_previous=True))
    files.append(File(
        "双随机抽查结果_1-4月.xlsx", KIND, datetime(2023, 5, 6, 16, 20, 5), "xlsx", None,
        list(_COLUMNS), rows,
        Style(date_forms={"drawn_on": (("xl_date", 1),), "inspected_on": (("xl_date", 2), ("xl_serial", 1))},
              null_forms=(None, "—")),
        "xlsx; 3 title rows (merged title); 抽取日期 as date cells, 检查完成日期 as date cells or Excel "
        "serial numbers; in-progress rows with empty date and 检查中; footer 注. State as of 2023-05-05 "
        "(I2 later updates it)",
        preamble=[f"{county.name}2023年1-4月双随机抽查结果统计表",
                  f"填报单位：{county.department('市场监督管理局')}",
                  export_stamp(datetime(2023, 5, 6, 16, 20, 5))],
        footer=["注：检查结果以国家企业信用信息公示系统公示为准。"]))

    # I2: the July re-export: changed early tasks in full, and May-June tasks.
    late = [t["task_id"] for t in data.tasks if t["drawn_on"].month >= 5 and t["task_id"] != health]
    rows = [Row(dict(r)) for tid in reexported + late for r in by_task[tid]]
    may = next(tid for tid in late if tasks[tid]["drawn_on"].month == 5)
    insert_inside(rng, rows, Row(broken_row(may, result=None),
                                 "result: empty although 检查完成日期 is set"))
    twin = broken_row(late[-1])
    insert_inside(rng, rows, Row(
        twin, "(task_id, entity_id): same key twice in the file with different values"))
    insert_inside(rng, rows, Row(
        {**twin, "result": "follow_up"}, "(task_id, entity_id): same key twice in the file with different values"))
    i2_labels = {**_RESULT_LABELS,
                 "corrected": ("责令改正", "发现问题已责令改正"),
                 "follow_up": ("待后续处理", "发现问题待后续处理"),
                 "in_progress": ("检查中", "未检查", "")}
    files.append(File(
        "双随机抽查结果导出.csv", KIND, datetime(2023, 7, 3, 14, 0, 18), "csv", "utf-8-sig",
        [replace(c, labels=i2_labels) if c.field == "result" else c for c in _COLUMNS], rows,
        Style(date_forms={"*": (("iso", 3), ("cn", 2), ("compact", 2), ("iso_time", 1))},
              null_forms=("", "-", "/"), fullwidth_share=0.1, lowercase_share=0.1, padded_share=0.05),
        "UTF-8 CSV with BOM; 1 title row; re-export: early tasks whose results changed since I1 "
        "(in progress then, final now; 2 follow-ups now corrected) and May-June tasks; results "
        "责令改正/待后续处理/检查中/未检查/empty; dates 2023-05-17, 2023年5月17日, 20230517 and "
        "date-times; full-width task ids and dates; lower-case credit codes",
        preamble=["双随机抽查结果导出"]))

    # I3: the health bureau's own June task, GB18030 with the county code.
    rows = [Row({**r, "county_code": county.code}) for r in by_task[health]]
    bad = broken_row(health, county_code=county.code, inspected_on=None, result="in_progress")
    insert_inside(rng, rows, Row(bad, "drawn_on: '2023年6月31日' is not a date",
                                 raw_cells={"drawn_on": "2023年6月31日"}))
    files.append(File(
        "卫健局双随机抽查结果.csv", KIND, datetime(2023, 7, 4, 10, 30, 0), "csv", "gb18030",
        [COUNTY_COLUMN, *_COLUMNS], rows,
        Style(date_forms={"*": (("slash", 1), ("iso", 1))}, null_forms=("", "-")),
        "GB18030 CSV, Excel-padded; 2 title rows; 行政区划代码 column; dates 2023/6/5 and 2023-06-05; "
        "a bare 合计 row without numbers; footer",
        preamble=[f"{county.department('卫生健康局')}2023年6月双随机抽查结果",
                  f"填报单位：{county.department('卫生健康局')}"],
        footer=["制表人：孙某", ""], totals_label="合计", excel_padded=True))
    return files
