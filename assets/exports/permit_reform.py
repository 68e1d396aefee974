"""证照分离改革办件统计 — permit reform completions, a monthly count report (approval bureau)."""

import polars as pl

from assets.declaration import Export, Field, RowRule

# The reform modes: one count column each. Everything that names the modes (the
# total rule, marts.permit_reform_monthly, the indicators, the report) reads them here.
MODE_FIELDS = (
    Field("cancelled", "直接取消审批", "count", "直接取消审批办件数 / completions where approval was cancelled",
          aliases=("取消审批",), min_value=0, unit="件"),
    Field("filing", "审批改为备案", "count", "审批改为备案办件数 / completions where approval became filing",
          aliases=("改为备案",), min_value=0, unit="件"),
    Field("commitment", "实行告知承诺", "count", "实行告知承诺办件数 / completions under notification and commitment",
          aliases=("告知承诺",), min_value=0, unit="件"),
    Field("optimized", "优化审批服务", "count", "优化审批服务办件数 / completions with optimised approval service",
          aliases=("优化准入服务",), min_value=0, unit="件"),
)
MODES = tuple(f.name for f in MODE_FIELDS)

EXPORT = Export(
    kind="permit_reform",
    title_zh="证照分离改革办件统计",
    source="行政审批服务局 / county approval bureau",
    description=(
        "证照分离改革办件月报，每个实施部门和事项一行，为当月新办结件数（非累计） / "
        "monthly permit reform report, one row per department and licence item; new completions of that month"
    ),
    monthly=True,
    month_fields=("month",),
    fields=(
        Field("month", "统计月份", "month", "统计月份（月初日期） / report month (first day)",
              required=True, key=True),
        Field("seq", "序号", "integer", "序号 / row number in the report", column="ignored"),
        Field("department", "实施部门", "text", "实施部门 / implementing department",
              required=True, key=True),
        Field("item", "事项名称", "text", "事项名称 / licence item", required=True, key=True),
        *MODE_FIELDS,
        Field("total", "合计", "count", "合计，须等于四种方式之和 / total, must equal the four modes' sum",
              column="optional", min_value=0, unit="件"),
    ),
    row_rules=(
        RowRule(f"total = {' + '.join(MODES)}",
                "合计须等于四种改革方式之和 / total must equal the sum of the four reform modes",
                pl.col("total") == pl.sum_horizontal([pl.col(m).fill_null(0) for m in MODES])),
    ),
)
