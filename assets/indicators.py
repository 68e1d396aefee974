"""The indicators (EXPORTS.md section 3) and the report's sections, declared once.

marts.indicator_definitions is generated from INDICATORS (its SQL selects the
VALUES `{{ indicator_definitions }}` expands to), marts.indicators computes every
indicator that table defines, the report shows each section's indicators in the
order declared here, and the data dictionary lists them. The indicators of the
permit modes and inspection results are generated from their export declarations,
so a mode or result is named only there.

This is a module of its own, not a mart declaration, because code reads it (the
report, the dictionary, the recomputation check), while sql/marts/*.py only
describe the shape of a table.
"""

from __future__ import annotations

import re

from assets.declaration import DIVIDED, Indicator, Section
from assets.exports import EXPORTS
from assets.exports.permit_reform import MODE_FIELDS
from assets.sqltext import sql_literal

# In the order of the county's own summary; consecutive sections with one title are
# parts (one export each) of one heading. Each section's `summary` is its sentence of
# the report's 数据摘要, worded as the county's half-year summary words it (the tax,
# permit, court and inspection sentences are the summary's own; the others follow
# their style). A new export's section brings its own sentence.
SECTIONS: tuple[Section, ...] = (
    Section("permit", "办事便利化", "Ease of doing business: permit reform (证照分离)", chart="permit_modes",
            summary="截止{月底}，共办结“证照分离”涉及四种改革事项{permit_cases}件，其中，取消审批{permit_cancelled}件，"
                    "备案{permit_filing}件，告知承诺{permit_commitment}件，优化准入服务{permit_optimized}件。"),
    Section("review", "办事便利化", "Ease of doing business: licensing item review (材料精简、时限压缩)",
            chart="review_by_department",
            summary="截止{月底}，共梳理行政许可等事项{review_items}项，申请材料精简{review_materials_cut_pct}%，"
                    "办理时限压缩{review_time_cut_pct}%，即办件占比{review_immediate_pct}%。"),
    Section("tax", "项目服务保障", "Support for enterprises and projects: tax and fee relief",
            chart="relief_by_levy",
            summary="至{月底}已累计减免各项税收{tax_relief_wan}万元，非税{non_tax_relief_wan}万元。"),
    Section("invest", "项目服务保障", "Support for enterprises and projects: investment project approvals",
            chart="investment_by_month",
            summary="截止{月底}，共办结投资项目审批（核准、备案）{invest_projects}个，总投资{invest_total_yi}亿元，"
                    "其中重点项目{invest_key_projects}个，实行“容缺受理＋告知承诺”{invest_tolerance_projects}个，"
                    "为{invest_agency_sponsors}家项目单位提供全程代办服务。"),
    Section("court", "审判执行", "Trials and enforcement", chart="clearance_ratio",
            summary="{截止}，收案共计{court_received}件，结案共计{court_closed}件，结收比为{court_clearance_ratio:.2}。"
                    "其中涉企收案共计{court_ent_received}件，结案共计{court_ent_closed}件，"
                    "结收比为{court_ent_clearance_ratio:.2}。"),
    Section("inspection", "监管执法", "Regulation: random inspections (双随机、一公开)",
            chart="inspection_outcomes",
            summary="通过“双随机、一公开”系统开展检查{inspection_tasks}批次，抽取检查对象{inspection_entities}家，"
                    "未发现问题{inspection_no_issue}家，发现问题已责令改正{inspection_corrected}家，"
                    "发现问题待后续处理{inspection_follow_up}家，剩余{inspection_in_progress}家正在检查中。"),
    # 亮点: the summary's highlights, real-estate registration (不动产登记).
    Section("realestate", "亮点", "Highlights: real-estate registration (不动产登记)",
            chart="realestate_working_days",
            summary="截止{月底}，不动产登记共办结{realestate_completed}件，其中2个工作日内办结"
                    "{realestate_within_2_working_days}件，办理用时中位数为{realestate_median_working_days}个工作日，"
                    "免收登记费{realestate_fee_waived_wan}万元。"),
)

# The fields of a summary sentence: `{indicator}` (written whole when its exact value
# is, else to its declared decimals, 2 when it has none), `{indicator:.N}` (N
# decimals), both rounded half up from the exact value; `{月底}` the figures' month
# end (`4月底`); `{截止}` `截止目前` when the figures reach the period's end, else
# `截止4月底`.
SUMMARY_FIELD = re.compile(r"\{([^{}:]+)(?::\.(\d))?\}")
SUMMARY_DATES = ("月底", "截止")

_RESULTS = EXPORTS["inspections"].field("result").labels  # canonical -> Chinese label


def _permit_mode(f) -> Indicator:
    zh, _, en = f.description.partition(" / ")
    return Indicator(
        f"permit_{f.name}", f"{f.zh}办件数", "permit", "permit_reform", "件", "sum",
        f"{en} in the period / 期内{f.zh}办结件数",
    )


def _inspection_result(result: str, label: str) -> Indicator:
    return Indicator(
        f"inspection_{result}", f"{label}户数", "inspection", "inspections", "户", "sum",
        f"rows drawn in the period whose current result is {result} / 当前结果为{label}的户次",
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator("tax_relief_wan", "税收收入减免金额", "tax", "tax_relief", "万元", "sum",
              "relief of revenue_class tax with relief_date in the period, in 万元 / 减免日期在期内的税收收入减免金额"),
    Indicator("non_tax_relief_wan", "非税收入减免金额", "tax", "tax_relief", "万元", "sum",
              "relief of revenue_class non_tax with relief_date in the period, in 万元 / 减免日期在期内的非税收入减免金额"),
    Indicator("permit_cases", "证照分离改革办件数", "permit", "permit_reform", "件", "sum",
              "completions in the period, all reform modes / 期内各改革方式办结件数合计"),
    *(_permit_mode(f) for f in MODE_FIELDS),
    Indicator("court_received", "收案数", "court", "court_cases", "件", "sum",
              "cases filed in the period / 立案日期在期内的案件数"),
    Indicator("court_closed", "结案数", "court", "court_cases", "件", "sum",
              "cases closed in the period, whenever filed / 结案日期在期内的案件数（不论何时立案）"),
    Indicator("court_clearance_ratio", "结收案比", "court", "court_cases", "ratio", "ratio",
              "court_closed / court_received, rounded half up to 4 decimals / 结案数÷收案数，四舍五入保留4位小数",
              numerator="court_closed", denominator="court_received", decimals=4),
    Indicator("court_ent_received", "涉企收案数", "court", "court_cases", "件", "sum",
              "enterprise-related cases filed in the period / 期内立案的涉企案件数"),
    Indicator("court_ent_closed", "涉企结案数", "court", "court_cases", "件", "sum",
              "enterprise-related cases closed in the period / 期内结案的涉企案件数"),
    Indicator("court_ent_clearance_ratio", "涉企结收案比", "court", "court_cases", "ratio", "ratio",
              "court_ent_closed / court_ent_received, rounded half up to 4 decimals / 涉企结案数÷涉企收案数",
              numerator="court_ent_closed", denominator="court_ent_received", decimals=4),
    Indicator("inspection_tasks", "双随机抽查任务数", "inspection", "inspections", "项", "distinct",
              "distinct tasks with an entity drawn in the period / 期内抽取的抽查任务数（去重）"),
    Indicator("inspection_entities", "双随机抽查户数", "inspection", "inspections", "户", "sum",
              "(task, entity) rows drawn in the period, in-progress ones included / 期内抽取的检查对象户次"),
    *(_inspection_result(r, label) for r, label in _RESULTS.items()),
    # 行政许可事项梳理 (item_review): an item counts in the period of its latest review
    # date. The sums are the percentages' numerators and denominators.
    Indicator("review_items", "梳理事项数", "review", "item_review", "项", "sum",
              "items whose latest review date is in the period / 最近一次梳理日期在期内的事项数"),
    Indicator("review_materials_before", "梳理前申请材料数", "review", "item_review", "件", "sum",
              "application documents of those items before the review / 期内梳理事项的原申请材料数合计",
              reported=False),
    Indicator("review_materials_after", "梳理后申请材料数", "review", "item_review", "件", "sum",
              "application documents of those items after the review / 期内梳理事项的现申请材料数合计",
              reported=False),
    Indicator("review_legal_days", "法定办结时限合计", "review", "item_review", "工作日", "sum",
              "statutory time limits of those items, summed / 期内梳理事项的法定办结时限合计", reported=False),
    Indicator("review_promised_days", "承诺办结时限合计", "review", "item_review", "工作日", "sum",
              "promised time limits of those items, summed / 期内梳理事项的承诺办结时限合计", reported=False),
    Indicator("review_immediate_items", "即办件事项数", "review", "item_review", "项", "sum",
              "immediate items among those items / 期内梳理事项中的即办件数", reported=False),
    Indicator("review_materials_cut_pct", "精简申请材料比例", "review", "item_review", "%", "cut_pct",
              "(1 - materials after / materials before) x 100 from the exact sums, rounded half up to 1 decimal "
              "/ (1-梳理后材料数÷梳理前材料数)×100，四舍五入保留1位小数",
              numerator="review_materials_after", denominator="review_materials_before", decimals=1),
    Indicator("review_time_cut_pct", "压缩审批时限比例", "review", "item_review", "%", "cut_pct",
              "(1 - promised days / statutory days) x 100 from the exact sums, rounded half up to 1 decimal "
              "/ (1-承诺时限合计÷法定时限合计)×100，四舍五入保留1位小数",
              numerator="review_promised_days", denominator="review_legal_days", decimals=1),
    Indicator("review_immediate_pct", "即办件占比", "review", "item_review", "%", "pct",
              "immediate items / items x 100, rounded half up to 1 decimal / 即办件数÷事项数×100，四舍五入保留1位小数",
              numerator="review_immediate_items", denominator="review_items", decimals=1),
    # 投资项目审批（核准、备案）办结 (investment_projects): by decision date.
    Indicator("invest_projects", "投资项目办结数", "invest", "investment_projects", "个", "sum",
              "projects decided in the period / 办结日期在期内的投资项目数"),
    Indicator("invest_total_yi", "办结项目总投资", "invest", "investment_projects", "亿元", "sum",
              "total investment of those projects in 亿元 (yuan / 10^8), rounded half up to 2 decimals from the "
              "exact sum / 期内办结项目总投资（亿元），由精确合计四舍五入保留2位小数", decimals=2),
    Indicator("invest_key_projects", "重点项目办结数", "invest", "investment_projects", "个", "sum",
              "key projects decided in the period / 期内办结的重点项目数"),
    Indicator("invest_tolerance_projects", "容缺受理＋告知承诺项目数", "invest", "investment_projects", "个", "sum",
              "projects decided in the period accepted under 容缺受理＋告知承诺 / 期内办结的容缺受理＋告知承诺项目数"),
    Indicator("invest_agency_sponsors", "全程代办项目单位数", "invest", "investment_projects", "个", "distinct",
              "distinct sponsors (项目单位 after NFKC and trimming) with at least one project handled by agents "
              "throughout decided in the period / 期内有全程代办项目办结的项目单位数（去重）"),
    # 不动产登记 (realestate): by completion date; working days follow the State
    # Council calendar with its make-up days (marts.calendar).
    Indicator("realestate_completed", "不动产登记办结件数", "realestate", "realestate", "件", "sum",
              "cases completed in the period / 办结日期在期内的不动产登记件数"),
    Indicator("realestate_fee_waived_wan", "免收不动产登记费", "realestate", "realestate", "万元", "sum",
              "registration fees waived of the cases completed in the period, in 万元, rounded half up to 2 "
              "decimals from the exact sum / 期内办结件免收登记费合计（万元），四舍五入保留2位小数", decimals=2),
    Indicator("realestate_median_working_days", "不动产登记办理用时中位数", "realestate", "realestate", "工作日",
              "median",
              "median working days of the cases completed in the period (the lower middle value for an even "
              "count); working days follow the State Council calendar with its make-up days (marts.calendar) "
              "/ 期内办结件办理用时（工作日）中位数，偶数件取较小的中间值"),
    Indicator("realestate_within_2_working_days", "2个工作日内办结件数", "realestate", "realestate", "件", "sum",
              "cases completed in the period that took at most 2 working days / 期内办结且用时不超过2个工作日的件数"),
)


def _validate() -> None:
    names = [i.name for i in INDICATORS]
    if len(set(names)) != len(names):
        raise ValueError("indicators: duplicate names")
    domains = {s.domain for s in SECTIONS}
    for i in INDICATORS:
        if i.domain not in domains:
            raise ValueError(f"indicator {i.name}: no report section for domain {i.domain!r}")
        if i.kind not in EXPORTS:
            raise ValueError(f"indicator {i.name}: no export {i.kind!r}")
        for part in (i.numerator, i.denominator):
            if part is not None and part not in names:
                raise ValueError(f"indicator {i.name}: {part} is not an indicator")
    for s in SECTIONS:
        if not any(i.reported for i in INDICATORS if i.domain == s.domain):
            raise ValueError(f"section {s.domain}: no indicator it reports")
        kinds = {i.kind for i in INDICATORS if i.domain == s.domain}
        if len(kinds) != 1:
            raise ValueError(f"section {s.domain}: its indicators must come from one export, not {kinds}")
        _validate_summary(s, {i.name: i for i in INDICATORS if i.domain == s.domain})


def _validate_summary(s: Section, own: dict[str, Indicator]) -> None:
    if not s.summary:
        raise ValueError(f"section {s.domain}: no summary sentence (Section.summary)")
    if not SUMMARY_FIELD.search(s.summary) or SUMMARY_FIELD.sub("", s.summary).count("{"):
        raise ValueError(f"section {s.domain}: summary fields are {{indicator}}, {{indicator:.N}}, "
                         f"{{月底}} or {{截止}}: {s.summary!r}")
    for m in SUMMARY_FIELD.finditer(s.summary):
        name, decimals = m.group(1), m.group(2)
        if name in SUMMARY_DATES:
            if decimals is not None:
                raise ValueError(f"section {s.domain}: {m.group(0)} takes no decimals")
            continue
        if name not in own:
            raise ValueError(f"section {s.domain}: summary field {m.group(0)} is not an indicator of its domain")
        i = own[name]
        # A sum stored rounded has no exact value left to round again (95.87亿元 is
        # not rounded to 96 from 95.87, which could differ from the exact sum's).
        if (decimals is not None and i.method not in DIVIDED and i.decimals is not None
                and int(decimals) < i.decimals):
            raise ValueError(f"section {s.domain}: {m.group(0)} rounds {name}, stored to {i.decimals} "
                             "decimals, again; write it with at least those")


_validate()

BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}


def section_indicators(section: Section) -> tuple[Indicator, ...]:
    """The section's figures in the report: its domain's indicators, but those
    declared `reported=False` (a percentage's numerator or denominator)."""
    return tuple(i for i in INDICATORS if i.domain == section.domain and i.reported)


def section_kind(section: Section) -> str:
    return section_indicators(section)[0].kind


def _sql(v) -> str:
    return "NULL" if v is None else str(v) if isinstance(v, int) else sql_literal(v)


def definitions_sql() -> str:
    """The rows of marts.indicator_definitions as a VALUES relation."""
    rows = ",\n    ".join(
        "(" + ", ".join(_sql(v) for v in (
            i.name, i.zh, i.domain, i.kind, i.unit, i.method, i.numerator, i.denominator,
            i.definition, i.decimals,
        )) + ")"
        for i in INDICATORS
    )
    return (
        f"SELECT * FROM (VALUES\n    {rows}\n) AS t(indicator, indicator_zh, domain, kind, unit, "
        "method, numerator, denominator, definition, decimals)"
    )
