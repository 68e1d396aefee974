"""投资项目审批（核准、备案）办结 (EXPORTS.md 2.6): its rules and the investment indicators."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest

from assets import checks
from assets.models import build_all
from tests.conftest import credit_code, write_csv

INVEST_HEADER = [
    "项目代码", "项目名称", "项目单位", "统一社会信用代码", "管理类型", "总投资（万元）",
    "办结日期", "是否重点项目", "容缺受理＋告知承诺", "是否全程代办",
]
TOLERANCE = "容缺受理＋告知承诺"


def project_row(serial: int, wan="1000", sponsor="富平县某某有限公司", decided="2023-03-15", **over) -> list:
    row = dict(zip(INVEST_HEADER, [
        f"2023-610528-04-01-{serial:06d}", f"项目{serial}", sponsor, credit_code(serial), "备案", wan,
        decided, "否", "", "",
    ], strict=True))
    unknown = set(over) - set(INVEST_HEADER)
    if unknown:
        raise KeyError(sorted(unknown))
    row.update(over)
    return [row[h] for h in INVEST_HEADER]


def test_every_investment_rule(wh):
    rows = [
        INVEST_HEADER,
        project_row(1),
        project_row(2, 项目代码="2023-610528-04-01-12345"),  # a digit short
        project_row(3, 项目代码="2023-61O528-04-01-000003"),  # a letter O in the county code
        project_row(4, 项目代码="２０２３－６１０５２８－０４－０１－０００００４"),  # full width: fine
        project_row(5, 项目代码="2023 - 610528 - 04 - 01 - 000005"),  # spaces removed: fine
        project_row(6, 统一社会信用代码=""),  # optional credit code, empty: fine
        project_row(7, 统一社会信用代码=credit_code(7)[:17] + ("0" if credit_code(7)[17] != "0" else "1")),
        project_row(8, 管理类型="许可"),
        project_row(9, wan="-5"),
        project_row(10, 是否重点项目=""),
        project_row(11, **{TOLERANCE: "是"}, 是否全程代办="—", 是否重点项目="Y"),
        project_row(12, **{TOLERANCE: "也许"}),
    ]
    write_csv(wh.landing / "办结.csv", rows, "gb18030")
    [r] = wh.ingest()
    assert (r.kind, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("investment_projects", 12, 5, 7)
    reasons = wh.reasons("办结.csv")
    assert sorted(reasons) == [3, 4, 8, 9, 10, 11, 13]
    assert reasons[3] == [r"project_code（项目代码）: '2023-610528-04-01-12345' must match "
                          r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}"]
    assert "must match" in reasons[4][0]
    assert "GB 32100-2015" in reasons[8][0]
    assert "is not one of" in reasons[9][0]
    assert "must be >= 0" in reasons[10][0]
    assert reasons[11] == ["key_project（是否重点项目）: required but empty"]
    assert "'也许' is not yes/no" in reasons[13][0] and len(reasons[13]) == 1
    assert wh.rows("SELECT project_code, sponsor_id IS NULL, investment_yuan, key_project, "
                   "tolerance_commitment, agency_service FROM staging.investment_projects ORDER BY 1") == [
        ("2023-610528-04-01-000001", False, Decimal("10000000.00"), False, False, False),
        ("2023-610528-04-01-000004", False, Decimal("10000000.00"), False, False, False),
        ("2023-610528-04-01-000005", False, Decimal("10000000.00"), False, False, False),
        ("2023-610528-04-01-000006", True, Decimal("10000000.00"), False, False, False),
        ("2023-610528-04-01-000011", False, Decimal("10000000.00"), True, True, False),
    ]


def test_without_the_optional_columns_the_flags_are_no(wh):
    header = ["项目代码", "项目名称", "项目单位", "审批类型", "总投资（元）", "办结日期", "是否重点项目"]
    write_csv(wh.landing / "核准.csv", [
        ["投资项目核准办结清单"], header,
        ["2023-610528-26-02-000100", "光伏电站", "某能源有限公司", "核准", "123,456,789.05", "2023/4/3", "是"],
    ])
    [r] = wh.ingest()
    assert (r.kind, r.rows_loaded) == ("investment_projects", 1)
    assert wh.rows("SELECT approval_type, investment_yuan, sponsor_id, tolerance_commitment, agency_service "
                   "FROM staging.investment_projects") == [
        ("endorsement", Decimal("123456789.05"), None, False, False)]


def _indicators(wh, period_end: str) -> dict[str, Decimal]:
    return dict(wh.rows(
        "SELECT indicator, value FROM marts.indicators WHERE indicator LIKE 'invest%' "
        f"AND period_end = '{period_end}'"))


def test_total_investment_in_yi_is_rounded_half_up_once_from_the_exact_sum(wh):
    """January: 499,999.50 yuan = 0.0049999950 亿 -> 0.00 (a sum kept to 6 decimals,
    0.005000, would round up to 0.01). February adds three of 0.004 亿: each rounds
    to 0.00, the exact year-to-date 0.0169999950 亿 to 0.02. March adds 0.0030000050
    亿: 0.0200000000 -> 0.02. April adds 0.005 亿 exactly: 0.025 -> 0.03 (half up)."""
    yuan = ["总投资（元）" if h == "总投资（万元）" else h for h in INVEST_HEADER]
    rows = [yuan, project_row(1, wan="499,999.50", decided="2023-01-09")]
    rows += [project_row(i, wan="400000", decided="2023-02-10") for i in (2, 3, 4)]
    rows += [project_row(5, wan="300000.50", decided="2023-03-01"),
             project_row(6, wan="500000", decided="2023-04-28")]
    write_csv(wh.landing / "元.csv", rows)
    wh.ingest()
    build_all(wh.conn)
    totals = dict(wh.rows("SELECT period_end, value FROM marts.indicators WHERE indicator = 'invest_total_yi'"))
    assert totals == {date(2023, 1, 31): Decimal("0.00"), date(2023, 2, 28): Decimal("0.02"),
                      date(2023, 3, 31): Decimal("0.02"), date(2023, 4, 30): Decimal("0.03")}
    assert wh.one("SELECT unit FROM marts.indicators WHERE indicator = 'invest_total_yi' LIMIT 1") == "亿元"
    assert checks.indicators_recomputed(wh.conn).passed


def test_counts_and_distinct_agency_sponsors_after_nfkc_and_trimming(wh):
    """One sponsor written four ways (full-width letters and brackets, spaces, an
    ideographic space) with agency projects in January and March counts once; a
    sponsor without an agency project does not count; an empty 全程代办 is no."""
    agency = "是否全程代办"
    rows = [
        INVEST_HEADER,
        project_row(1, sponsor="富平县ＡＢＣ建材（集团）有限公司", decided="2023-01-05", **{agency: "是"}),
        project_row(2, sponsor=" 富平县ABC建材(集团)有限公司 ", decided="2023-03-05", **{agency: "Y"}),
        project_row(3, sponsor="富平县ABC建材（集团）有限公司\u3000", decided="2023-03-06", **{agency: "1"}),
        project_row(4, sponsor="富平县ABC建材(集团)有限公司", decided="2023-03-07", **{agency: ""}),
        project_row(5, sponsor="富平县鑫源商贸有限公司", decided="2023-03-08", **{agency: "否"}),
        project_row(6, sponsor="富平县鑫源商贸有限公司", decided="2023-02-08",
                    是否重点项目="是", **{TOLERANCE: "是", agency: ""}),
        project_row(7, sponsor="富平县秦川果业有限公司", decided="2023-03-09", 管理类型="核准", **{agency: "是"}),
    ]
    write_csv(wh.landing / "代办.csv", rows)
    wh.ingest()
    build_all(wh.conn)
    assert wh.one("SELECT count(DISTINCT sponsor) FROM staging.investment_projects") == 3
    jan, feb, mar = (_indicators(wh, d) for d in ("2023-01-31", "2023-02-28", "2023-03-31"))
    assert (jan["invest_agency_sponsors"], feb["invest_agency_sponsors"], mar["invest_agency_sponsors"]) == (1, 1, 2)
    assert (mar["invest_projects"], mar["invest_key_projects"], mar["invest_tolerance_projects"]) == (7, 1, 1)
    assert wh.rows("SELECT month, approval_type, projects, key_projects, tolerance_projects, agency_projects "
                   "FROM marts.investment_projects_monthly ORDER BY 1, 2") == [
        (date(2023, 1, 1), "filing", 1, 0, 0, 1), (date(2023, 2, 1), "filing", 1, 1, 1, 0),
        (date(2023, 3, 1), "endorsement", 1, 0, 0, 1), (date(2023, 3, 1), "filing", 4, 0, 0, 2),
    ]
    assert checks.indicators_recomputed(wh.conn).passed


def test_recomputation_fails_when_a_re_export_moves_a_project_and_only_its_new_month_is_rebuilt(wh):
    from assets.models import build, load_models

    first = write_csv(wh.landing / "3月.csv", [INVEST_HEADER, project_row(1, decided="2023-03-20"),
                                               project_row(2, decided="2023-02-02")])
    os.utime(first, (1_700_000_000, 1_700_000_000))
    wh.ingest()
    build_all(wh.conn)
    assert checks.indicators_recomputed(wh.conn).passed
    moved = write_csv(wh.landing / "更正.csv", [INVEST_HEADER, project_row(1, decided="2023-04-01")])
    os.utime(moved, (1_700_000_600, 1_700_000_600))
    wh.ingest()
    for model in load_models():  # an operator backfills April only
        build(wh.conn, model, (date(2023, 4, 1), date(2023, 4, 1)))
    result = checks.indicators_recomputed(wh.conn)
    assert not result.passed
    assert "invest_projects" in result.metadata["examples (county, indicator, period_end, recomputed, built)"].value
    build_all(wh.conn)
    assert checks.indicators_recomputed(wh.conn).passed
    assert [_indicators(wh, f"2023-0{m}-{d}")["invest_projects"] for m, d in ((2, 28), (3, 31), (4, 30))] == [1, 1, 2]


def test_the_sample_files_give_the_summarys_investment_figures(wh):
    from pipelines.sample_data.simulators import investment_projects
    from tests.test_item_review import _ingest_sample_files

    expected = _ingest_sample_files(wh, "investment_projects")
    assert len(expected) == 3
    for name, counts in expected.items():
        log = wh.log(name)
        assert (log["status"], log["rows_read"], log["rows_loaded"], log["rows_quarantined"]) == (
            "loaded", counts["rows_read"], counts["rows_loaded"], counts["rows_quarantined"]), name
    reasons = [r for (rs,) in wh.rows("SELECT reasons FROM quarantine.rows") for r in rs]
    assert any("must match" in r and "project_code" in r for r in reasons)
    figures = {n: (e, v) for n, e, v in investment_projects.REFERENCE_FIGURES}
    assert figures == {
        "invest_projects": ("2023-06-30", Decimal("203")), "invest_total_yi": ("2023-06-30", Decimal("95.87")),
        "invest_key_projects": ("2023-06-30", Decimal("31")),
        "invest_tolerance_projects": ("2023-06-30", Decimal("30")),
        "invest_agency_sponsors": ("2023-06-30", Decimal("32")),
    }
    for name, (period_end, value) in figures.items():
        assert wh.one(f"SELECT value FROM marts.indicators WHERE indicator = '{name}' "
                      f"AND period_end = '{period_end}'") == value, name
    # 32 sponsors, not projects: some sponsors had two agency projects; the group names
    # written with full-width brackets in some rows are one sponsor each.
    agency = wh.one("SELECT count(*) FROM staging.investment_projects WHERE agency_service "
                    "AND decided_on <= '2023-06-30'")
    assert agency > 32
    assert wh.one("SELECT count(*) FROM staging.investment_projects WHERE sponsor LIKE '%（%'") == 0
    assert checks.indicators_recomputed(wh.conn).passed


def test_the_summary_prints_96_for_the_exact_95_87():
    from pipelines.sample_data.reference import (
        SUMMARY_ROUNDED,
        as_summarised,
        check_summary_rounded,
    )

    assert {"invest_total_yi": Decimal("96")} == SUMMARY_ROUNDED
    assert as_summarised("invest_total_yi", Decimal("95.87")) == Decimal("96")
    assert as_summarised("invest_total_yi", Decimal("95.50")) == Decimal("96")  # half up
    figures = [("invest_total_yi", "2023-06-30", Decimal("95.87"))]
    check_summary_rounded(figures, {"invest_total_yi": Decimal("96")})
    with pytest.raises(ImportError, match="invest_total_yi"):
        check_summary_rounded(figures, {"invest_total_yi": Decimal("95")})  # truncated, not rounded
    with pytest.raises(ImportError, match="invest_key_projects"):
        check_summary_rounded(figures, {"invest_key_projects": Decimal("31")})  # no such reference figure
