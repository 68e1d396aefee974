"""双随机抽查结果 — random inspection results, one row per (task, entity) (market regulation)."""

import polars as pl

from assets.declaration import Export, Field

IN_PROGRESS = "in_progress"  # also what an empty result means while not inspected
RESULTS = {
    "未发现问题": "no_issue",
    "发现问题已责令改正": "corrected", "责令改正": "corrected",
    "发现问题待后续处理": "follow_up", "待后续处理": "follow_up",
    "检查中": IN_PROGRESS, "未检查": IN_PROGRESS,
}

EXPORT = Export(
    kind="inspections",
    title_zh="双随机抽查结果",
    source="市场监管 双随机一公开平台 / market regulation random inspection platform",
    description="双随机抽查结果，每个任务和检查对象一行 / random inspection results, one row per task and entity",
    monthly=False,  # tasks are drawn irregularly
    month_fields=("drawn_on",),
    fields=(
        Field("task_id", "任务编号", "code", "抽查任务编号 / inspection task id", required=True, key=True),
        Field("task_name", "任务名称", "text", "抽查任务名称 / task name", required=True),
        Field("department", "发起部门", "text", "发起部门 / initiating department", required=True),
        Field("entity_name", "检查对象名称", "text", "检查对象名称 / inspected entity", required=True),
        Field("entity_id", "统一社会信用代码", "credit_code",
              "检查对象统一社会信用代码 / inspected entity's unified social credit code",
              required=True, key=True),
        Field("drawn_on", "抽取日期", "date", "抽取日期，决定所属月份 / date drawn; decides the month",
              required=True),
        Field("inspected_on", "检查完成日期", "date", "检查完成日期，检查中为空 / date inspected; null while in progress"),
        Field("result", "检查结果", "enum",
              f"检查结果 / result: {', '.join(dict.fromkeys(RESULTS.values()))}",
              required=True, vocabulary=RESULTS),
        Field("inspectors", "执法人员", "text", "执法人员人数（姓名不入库） / number of inspectors (names are not stored)",
              column="optional", personal=True, unit="人"),
    ),
    # An empty result is "in progress" only while there is no completion date;
    # with a completion date it stays empty and fails as a missing result.
    derived={
        "result": pl.when(pl.col("result").is_null() & pl.col("inspected_on").is_null())
        .then(pl.lit(IN_PROGRESS))
        .otherwise(pl.col("result")),
    },
)
