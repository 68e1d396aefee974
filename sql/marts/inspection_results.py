"""marts.inspection_results: its shape, beside inspection_results.sql (see assets.models)."""

from assets.declaration import Column, Mart
from assets.exports import EXPORTS

MART = Mart(
    name="inspection_results",
    zh="双随机抽查结果（按任务、部门、结果）",
    en="random inspection results by task, department and current result",
    grain=("county_code", "task_id", "department", "result"),
    columns=(
        Column("county_code", "行政区划代码", "county code (GB/T 2260)"),
        Column("task_id", "抽查任务编号", "inspection task id"),
        Column("department", "发起部门", "initiating department"),
        Column("result", "检查结果", "current result",
               values=tuple(EXPORTS["inspections"].field("result").labels)),
        Column("task_name", "任务名称", "task name"),
        Column("first_drawn_on", "最早抽取日期", "earliest date an entity of the task was drawn"),
        Column("entities", "检查对象户数", "inspected entities", unit="户"),
    ),
)
