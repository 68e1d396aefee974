"""行政许可事项梳理表 (EXPORTS.md 2.5): its rules, re-reviews and the review indicators."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from assets import checks
from assets.models import build_all
from tests.conftest import touch_in_order, write_csv, write_xlsx

REVIEW_HEADER = [
    "事项编码", "事项名称", "实施部门", "事项类型", "原申请材料数", "现申请材料数",
    "法定办结时限（工作日）", "承诺办结时限（工作日）", "是否即办件", "梳理日期",
]


def review_row(code: str, before=6, after=2, legal=20, promised=5, immediate="否",
               reviewed="2023-03-15", **over) -> list:
    row = dict(zip(REVIEW_HEADER, [
        code, f"事项{code}", "县市场监管局", "行政许可", before, after, legal, promised, immediate, reviewed,
    ], strict=True))
    unknown = set(over) - set(REVIEW_HEADER)
    if unknown:
        raise KeyError(sorted(unknown))
    row.update(over)
    return [row[h] for h in REVIEW_HEADER]


def test_every_review_rule(wh):
    rows = [
        REVIEW_HEADER,
        review_row("A1"),
        review_row("A2", before=3, after=4),  # more documents after the review
        review_row("A3", legal=5, promised=6),  # promised beyond the statutory limit
        review_row("A4", immediate="是", promised=1),  # immediate but promised 1 day
        review_row("A5", immediate="是", promised=0, after=0, 事项类型="公共服务"),
        review_row("A6", 事项类型="行政审批"),  # not in the vocabulary
        review_row("A7", before=-1, after=-2),
        review_row("A8", before=2, after=3, legal=1, promised=2, immediate="Y"),  # three rules at once
        review_row("A9", legal="", immediate=""),
    ]
    write_csv(wh.landing / "梳理.csv", rows)
    [r] = wh.ingest()
    assert (r.kind, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("item_review", 9, 2, 7)
    reasons = wh.reasons("梳理.csv")
    assert sorted(reasons) == [3, 4, 5, 7, 8, 9, 10]
    assert reasons[3] == ["梳理后材料数不得多于梳理前 / a review cannot add application documents "
                          "(materials_after <= materials_before)"]
    assert "(promised_days <= legal_days)" in reasons[4][0] and len(reasons[4]) == 1
    assert "(immediate requires promised_days = 0)" in reasons[5][0] and len(reasons[5]) == 1
    assert "is not one of" in reasons[7][0]
    assert any("materials_before（原申请材料数）: '-1' must be >= 0" in x for x in reasons[8])
    assert len(reasons[9]) == 3 and {x[x.rindex("(") + 1:-1] for x in reasons[9]} == {
        "materials_after <= materials_before", "promised_days <= legal_days",
        "immediate requires promised_days = 0"}
    assert sorted(reasons[10]) == ["immediate（是否即办件）: required but empty",
                                   "legal_days（法定办结时限（工作日））: required but empty"]
    assert wh.rows("SELECT item_code, item_type, immediate, promised_days FROM staging.item_review ORDER BY 1") == [
        ("A1", "licence", False, 5), ("A5", "public_service", True, 0),
    ]


def test_aliases_and_a_merged_two_row_header_in_xlsx(wh):
    rows = [
        ["富平县行政许可事项梳理表（2023年第二批）"],
        ["填报单位：富平县行政审批服务局"],
        ["事项编码", "事项名称", "实施部门", "事项类型", "申请材料（件）", None, "办结时限（工作日）", None, "是否即办件", "梳理日期"],
        [None, None, None, None, "梳理前材料数", "梳理后材料数", "法定时限", "承诺时限", None, None],
        ["Ｂ１", "食品经营许可", "县市场监管局", "行政许可", "８", 3, 20, 0, "是", date(2023, 5, 6)],
        ["B2", "道路运输许可", "县交通局", "行政确认", 5, 5, 20, 10, "否", 45063],
        ["合计", None, None, None, 13, 8, 40, 10, None, None],
        ["注：材料数以办事指南为准"],
    ]
    write_xlsx(wh.landing / "梳理表.xlsx", rows, merges=[
        "A1:J1", "A2:J2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:H3", "I3:I4", "J3:J4"])
    [r] = wh.ingest()
    assert (r.kind, r.rows_read, r.rows_loaded) == ("item_review", 2, 2)
    assert wh.rows("SELECT item_code, materials_before, materials_after, legal_days, promised_days, "
                   "immediate, reviewed_on FROM staging.item_review ORDER BY 1") == [
        ("B1", 8, 3, 20, 0, True, date(2023, 5, 6)), ("B2", 5, 5, 20, 10, False, date(2023, 5, 17)),
    ]
    assert wh.one("SELECT bool_and(matches) FROM meta.file_totals") is True


def test_a_re_review_wins_and_moves_the_item_to_its_new_month(wh):
    first = write_csv(wh.landing / "第一批.csv", [
        REVIEW_HEADER, review_row("C1", reviewed="2023-02-10"), review_row("C2", reviewed="2023-02-11")])
    second = write_csv(wh.landing / "第二批.csv", [
        REVIEW_HEADER, review_row("C1", before=6, after=1, promised=0, immediate="是", reviewed="2023-05-20")])
    touch_in_order(first, second)
    wh.ingest()
    assert wh.rows("SELECT item_code, materials_after, immediate, reviewed_on, _file_name "
                   "FROM staging.item_review ORDER BY 1") == [
        ("C1", 1, True, date(2023, 5, 20), "第二批.csv"), ("C2", 2, False, date(2023, 2, 11), "第一批.csv"),
    ]
    build_all(wh.conn)
    items = dict(wh.rows("SELECT period_end, value FROM marts.indicators "
                         "WHERE indicator = 'review_items' ORDER BY 1"))
    assert items == {date(2023, 2, 28): 1, date(2023, 3, 31): 1, date(2023, 4, 30): 1, date(2023, 5, 31): 2}
    # The catalogue holds every item once, as last reviewed.
    assert wh.rows("SELECT items, materials_before, materials_after, immediate_items "
                   "FROM marts.item_review_summary") == [(2, 12, 3, 1)]


def _indicators(wh, period_end: str) -> dict[str, Decimal]:
    return dict(wh.rows(
        "SELECT indicator, value FROM marts.indicators WHERE indicator LIKE 'review%' "
        f"AND period_end = '{period_end}'"))


def test_percentages_are_rounded_half_up_from_the_exact_sums(wh):
    """16 items: 3 documents cut of 16 (18.75% -> 18.8, while rounding the kept share
    first, 13/16 = 0.8125 -> 0.813, would give 18.7); 1 immediate of 16 (6.25% -> 6.3,
    where rounding half to even gives 6.2); time limits 51 of 160 days kept (68.125%
    cut -> 68.1). January alone: 8 items, 1 document cut of 8 -> 12.5."""
    rows = [REVIEW_HEADER]
    for i in range(16):
        month = 1 if i < 8 else 2
        rows.append(review_row(
            f"D{i:02d}", before=1, after=0 if i in (0, 8, 9) else 1, legal=10,
            promised=0 if i == 15 else (4 if i < 6 else 3), immediate="是" if i == 15 else "否",
            reviewed=f"2023-0{month}-1{i % 8}"))
    write_csv(wh.landing / "梳理.csv", rows)
    wh.ingest()
    build_all(wh.conn)
    feb = _indicators(wh, "2023-02-28")
    assert sum(int(r[7]) for r in rows[1:]) == 51
    assert (feb["review_items"], feb["review_materials_before"], feb["review_materials_after"]) == (16, 16, 13)
    assert feb["review_materials_cut_pct"] == Decimal("18.8")
    assert feb["review_immediate_pct"] == Decimal("6.3")
    assert feb["review_time_cut_pct"] == Decimal("68.1")
    assert _indicators(wh, "2023-01-31")["review_materials_cut_pct"] == Decimal("12.5")
    assert wh.one("SELECT unit FROM marts.indicators WHERE indicator = 'review_time_cut_pct' LIMIT 1") == "%"
    assert checks.indicators_recomputed(wh.conn).passed


def test_no_denominator_gives_no_percentage(wh):
    write_csv(wh.landing / "零.csv", [REVIEW_HEADER, review_row("E1", before=0, after=0, legal=0, promised=0,
                                                              immediate="是")])
    wh.ingest()
    build_all(wh.conn)
    figures = _indicators(wh, "2023-03-31")
    assert figures["review_items"] == 1 and figures["review_immediate_pct"] == 100
    assert figures["review_materials_cut_pct"] is None and figures["review_time_cut_pct"] is None
    assert checks.indicators_recomputed(wh.conn).passed


def test_recomputation_fails_when_indicators_miss_a_re_review(wh):
    """The indicators were built before a re-review arrived: the recomputation from
    staging sees the item in its new month and the check fails, naming the figures."""
    first = write_csv(wh.landing / "第一批.csv", [REVIEW_HEADER, review_row("F1", reviewed="2023-01-10"),
                                                 review_row("F2", reviewed="2023-01-12")])
    os.utime(first, (1_700_000_000, 1_700_000_000))
    wh.ingest()
    build_all(wh.conn)
    assert checks.indicators_recomputed(wh.conn).passed
    second = write_csv(wh.landing / "复核.csv", [REVIEW_HEADER, review_row("F2", after=6, reviewed="2023-01-20")])
    os.utime(second, (1_700_000_600, 1_700_000_600))
    wh.ingest()
    result = checks.indicators_recomputed(wh.conn)
    assert not result.passed
    assert "review_materials_cut_pct" in result.metadata["examples (county, indicator, period_end, recomputed, built)"].value
    build_all(wh.conn)
    assert checks.indicators_recomputed(wh.conn).passed
    assert _indicators(wh, "2023-01-31")["review_materials_cut_pct"] == Decimal("33.3")  # (12 - 8) / 12


def test_the_catalogue_groups_by_department_and_type(wh):
    write_csv(wh.landing / "目录.csv", [
        REVIEW_HEADER,
        review_row("G1", before=5, after=2, legal=20, promised=5),
        review_row("G2", before=4, after=4, legal=10, promised=0, immediate="是", 事项类型="行政确认"),
        review_row("G3", before=3, after=1, legal=15, promised=3, 实施部门="县交通局", reviewed="2022-11-02"),
    ])
    wh.ingest()
    build_all(wh.conn)
    assert wh.rows("SELECT department, item_type, item_type_zh, items, materials_before, materials_after, "
                   "legal_days, promised_days, immediate_items FROM marts.item_review_summary ORDER BY 1, 2") == [
        ("县交通局", "licence", "行政许可", 1, 3, 1, 15, 3, 0),
        ("县市场监管局", "confirmation", "行政确认", 1, 4, 4, 10, 0, 1),
        ("县市场监管局", "licence", "行政许可", 1, 5, 2, 20, 5, 0),
    ]
    # The 2022 review is in the catalogue, but not in 2023's year-to-date figures.
    assert _indicators(wh, "2023-03-31")["review_items"] == 2
    assert _indicators(wh, "2022-12-31")["review_items"] == 1


def _ingest_sample_files(wh, kind: str) -> dict:
    """The sample exports of one kind, ingested in order; returns what they should give."""
    from pipelines import sample_data as sd

    paths = sd.write_sample_exports(wh.root / "sample")
    expected = sd.expected_ingest_counts()
    for p in paths:
        if expected[p.name]["kind"] == kind:
            (wh.landing / p.name).write_bytes(p.read_bytes())
    touch_in_order(*[wh.landing / p.name for p in paths if expected[p.name]["kind"] == kind])
    wh.ingest()
    build_all(wh.conn)
    return {name: c for name, c in expected.items() if c["kind"] == kind}


def test_the_sample_files_give_the_summarys_review_figures(wh):
    from pipelines.sample_data.simulators import item_review

    expected = _ingest_sample_files(wh, "item_review")
    assert len(expected) == 3
    for name, counts in expected.items():
        log = wh.log(name)
        assert (log["status"], log["rows_read"], log["rows_loaded"], log["rows_quarantined"]) == (
            "loaded", counts["rows_read"], counts["rows_loaded"], counts["rows_quarantined"]), name
    reasons = [r for (rs,) in wh.rows("SELECT reasons FROM quarantine.rows") for r in rs]
    for rule in ("materials_after <= materials_before", "promised_days <= legal_days",
                 "immediate requires promised_days = 0"):
        assert any(rule in r for r in reasons), rule
    assert [(n, e, v) for n, e, v in item_review.REFERENCE_FIGURES] == [
        ("review_materials_cut_pct", "2023-06-30", Decimal("64.6")),
        ("review_time_cut_pct", "2023-06-30", Decimal("83.9")),
        ("review_immediate_pct", "2023-06-30", Decimal("62.9")),
    ]
    for name, period_end, value in item_review.REFERENCE_FIGURES:
        assert wh.one(f"SELECT value FROM marts.indicators WHERE indicator = '{name}' "
                      f"AND period_end = '{period_end}'") == value, name
    # Re-reviews: items of the first file (reviewed in 2022 or early 2023) that the July
    # re-export carries again now hold its review date, in May or June.
    from pipelines.sample_data.build import build

    files = [f for f in build("610528", 2023)[1] if f.kind == "item_review"]
    first = {r.values["item_code"] for r in files[0].rows if not r.broken_rule}
    moved = wh.rows("SELECT item_code, reviewed_on FROM staging.item_review "
                    f"WHERE _file_name = '{files[-1].name}' AND item_code IN ({', '.join(repr(c) for c in first)})")
    assert len(moved) == 14 and all(d.month in (5, 6) and d.year == 2023 for _, d in moved)
    assert checks.indicators_recomputed(wh.conn).passed
