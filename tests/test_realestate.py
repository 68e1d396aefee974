"""不动产登记办件 (EXPORTS.md 2.7): the export's rules, working days by the State
Council's calendar with its make-up days, the median, the fee rounding, personal
data, the recomputation check, the sample data's reference figures."""

from __future__ import annotations

import logging
import os
from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import duckdb
import polars as pl
import pytest

from assets import checks, workdays
from assets.declaration import Field
from assets.models import build, load_models
from pipelines.cli import main
from pipelines.sample_data import REFERENCE_FIGURES
from pipelines.sample_data import _build as build_sample
from pipelines.sample_data.simulators import realestate as sim
from tests.conftest import COUNTY, TAX_HEADER, tax_row, write_csv

HEADER = ["业务编号", "登记类型", "申请人类型", "申请人", "受理日期", "办结日期", "免收登记费（元）"]

# (case, accepted, completed, working days by the State Council's 2023 calendar)
HOLIDAY_CASES = [
    ("A", "2023-01-20", "2023-01-28", 1),  # Spring Festival off, Saturday 28 Jan a make-up day
    ("B", "2023-01-28", "2023-01-30", 2),  # accepted on a make-up Saturday; Sunday 29 Jan works too
    ("C", "2023-04-04", "2023-04-06", 1),  # Qingming, Wednesday 5 April
    ("D", "2023-04-21", "2023-04-23", 1),  # Sunday 23 April is a make-up day
    ("E", "2023-04-28", "2023-05-06", 3),  # Labour Day 29 Apr - 3 May off, Saturday 6 May works
    ("F", "2023-06-21", "2023-06-25", 1),  # Dragon Boat 22-24 June off, Sunday 25 June works
    ("G", "2023-03-01", "2023-03-01", 0),  # completed the day it was accepted
]


def naive_weekdays(accepted: date, completed: date) -> int:
    """Monday to Friday, the count a calendar-less warehouse would make."""
    return sum((accepted + timedelta(n)).weekday() < 5 for n in range(1, (completed - accepted).days + 1))


def case(case_id: str, accepted: str, completed: str = "", fee: str = "", **over) -> list[str]:
    row = dict(zip(HEADER, [case_id, "转移登记", "个人", "张三丰、李四光", accepted, completed, fee], strict=True))
    row.update(over)
    return [row[h] for h in HEADER]


def build_all(conn: duckdb.DuckDBPyConnection) -> None:
    for model in load_models():
        build(conn, model)


def value(conn, indicator: str, period_end: str):
    row = conn.execute(
        "SELECT value FROM marts.indicators WHERE indicator = ? AND period_end = ?::DATE",
        [indicator, period_end]).fetchone()
    return row and row[0]


# --- the calendar ------------------------------------------------------------------

def test_the_package_has_the_2023_make_up_days_and_holidays():
    for d in sim.MAKEUP_DAYS:  # weekend days that are working days (调休)
        assert d.weekday() >= 5 and workdays.is_working_day(d), d
    for d in ("2023-01-23", "2023-01-27", "2023-04-05", "2023-05-02", "2023-06-22", "2023-06-23"):
        assert not workdays.is_working_day(date.fromisoformat(d)), d
    # 2024 to 2026 too: their make-up days as the State Council announced them.
    for d in ("2024-02-04", "2024-02-18", "2025-01-26", "2025-02-08", "2026-01-04", "2026-02-28"):
        assert workdays.is_working_day(date.fromisoformat(d)), d
    first, last = workdays.known_years()
    assert first <= 2023 and last >= 2026


def test_marts_calendar_agrees_with_the_notice_typed_in_the_sample_data(wh):
    build(wh.conn, next(m for m in load_models() if m.name == "calendar"))
    days = dict(wh.rows("SELECT day, is_working_day FROM marts.calendar "
                        "WHERE day BETWEEN '2022-12-01' AND '2023-07-31'"))
    assert len(days) == 243
    assert all(days[d] == sim.is_working_day(d) for d in days)
    assert wh.rows("SELECT day_type, holiday FROM marts.calendar WHERE day = '2023-06-25'") == [
        ("makeup_working_day", "Dragon Boat Festival")]
    # Every day of every year the package knows is what the package says it is.
    package = {d: chinese_calendar.is_workday(d) for (d,) in wh.rows("SELECT day FROM marts.calendar")}
    assert dict(wh.rows("SELECT day, is_working_day FROM marts.calendar")) == package
    assert min(package).year == workdays.known_years()[0] and max(package) == date(workdays.known_years()[1], 12, 31)
    # Working-day numbers: the difference is the working days after a up to b.
    n = dict(wh.rows("SELECT day, working_day_number FROM marts.calendar WHERE year(day) = 2023"))
    assert n[date(2023, 1, 28)] - n[date(2023, 1, 20)] == 1


# --- the export's rules -------------------------------------------------------------

def test_working_days_across_the_2023_holidays_and_make_up_days(wh):
    write_csv(wh.landing / "不动产.csv", [["富平县不动产登记办件明细"], HEADER,
                                       *[case(c, a, d) for c, a, d, _ in HOLIDAY_CASES],
                                       case("H", "2023-06-28")])  # pending
    wh.ingest()
    build_all(wh.conn)
    got = dict(wh.rows("SELECT case_id, working_days FROM marts.realestate_cases"))
    assert got == {c: n for c, _, _, n in HOLIDAY_CASES}  # the pending case is not there
    naive = {c: naive_weekdays(date.fromisoformat(a), date.fromisoformat(d)) for c, a, d, _ in HOLIDAY_CASES}
    assert {c for c in got if naive[c] != got[c]} == {"A", "B", "C", "D", "E", "F"}
    assert naive["A"] == 5 and naive["E"] == 5  # a Monday-to-Friday count is far off
    # within 2 working days: all of them; a Mon-Fri count would leave out A and E.
    assert value(wh.conn, "realestate_within_2_working_days", "2023-06-30") == 6
    assert value(wh.conn, "realestate_completed", "2023-06-30") == 7
    assert checks.indicators_recomputed(wh.conn).passed


def test_the_median_is_the_lower_middle_value_of_an_even_count(wh):
    # 0, 1, 3, 4 working days: the lower middle value is 1 (the mean of the middle two is 2).
    write_csv(wh.landing / "不动产.csv", [HEADER,
        case("M1", "2023-02-06", "2023-02-06"), case("M2", "2023-02-06", "2023-02-07"),
        case("M3", "2023-02-06", "2023-02-09"), case("M4", "2023-02-06", "2023-02-10"),
        case("M5", "2023-03-01", "2023-03-02")])
    wh.ingest()
    build_all(wh.conn)
    assert value(wh.conn, "realestate_median_working_days", "2023-02-28") == 1
    # March adds a 1: 0, 1, 1, 3, 4 -> 1 (odd count); year to date, not March alone.
    assert value(wh.conn, "realestate_median_working_days", "2023-03-31") == 1
    assert checks.indicators_recomputed(wh.conn).passed


def test_an_empty_fee_is_zero_but_a_fee_that_does_not_parse_is_a_row_error(wh):
    write_csv(wh.landing / "不动产.csv", [HEADER,
        case("F1", "2023-02-06", "2023-02-07", ""), case("F2", "2023-02-06", "2023-02-07", "-"),
        case("F3", "2023-02-06", "2023-02-07", "无"), case("F4", "2023-02-06", "2023-02-07", "５５０"),
        case("F5", "2023-02-06", "2023-02-07", "abc"), case("F6", "2023-02-06", "2023-02-07", "-80")])
    wh.ingest()
    assert dict(wh.rows("SELECT case_id, fee_waived_yuan FROM staging.realestate")) == {
        "F1": Decimal("0.00"), "F2": Decimal("0.00"), "F3": Decimal("0.00"), "F4": Decimal("550.00")}
    assert [r for _, rs in wh.rows("SELECT row_number, reasons FROM quarantine.rows ORDER BY 1") for r in rs] == [
        "fee_waived_yuan（免收登记费）: 'abc' is not an amount of money",
        "fee_waived_yuan（免收登记费）: '-80.00' must be >= 0"]


def test_a_default_is_only_for_optional_non_personal_values():
    with pytest.raises(ValueError, match="a default is for optional"):
        Field("x", "某", "money", "x", required=True, default=Decimal(0))
    with pytest.raises(ValueError, match="a default is for optional"):
        Field("x", "某", "text", "x", personal=True, default="")
    f = Field("x", "某", "bool", "x", default=False)
    assert pl.DataFrame({"x": [None, True]}, schema={"x": pl.Boolean}).select(f.default_expr)["x"].to_list() == [
        False, True]


def test_every_rule_of_the_export(wh):
    write_csv(wh.landing / "不动产.csv", [HEADER,
        case("R1", "2023-03-08", "2023-03-06"),
        case("R2", "2023-03-08", "2023-03-09", 登记类型="预告登记"),
        case("R3", "2023-03-08", "2023-03-09", 申请人类型=""),
        case("R4", "2023-02-29"),
        case("", "2023-03-08"),
        case("R6", "2023-03-08", "2023-03-09", 申请人类型="单位", 登记类型="抵押登记"),
        case("R7", "2023-03-08", "2023-03-09", 申请人类型="企业", 登记类型="mortgage"),
        case("R8", "2023-03-08", "2023-03-09", 申请人类型="individual", 登记类型="更正登记")])
    wh.ingest()
    reasons = {row: rs for row, rs in wh.rows("SELECT row_number, reasons FROM quarantine.rows")}
    assert reasons == {
        2: ["办结日期不得早于受理日期 / a case cannot be completed before it is accepted (completed_on >= accepted_on)"],
        3: [reasons[3][0]], 4: ["applicant_type（申请人类型）: required but empty"],
        5: ["accepted_on（受理日期）: '2023-02-29' is not a date"], 6: ["case_id（业务编号）: required but empty"]}
    assert reasons[3][0].startswith("registration_type（登记类型）: '预告登记' is not one of")
    assert wh.rows("SELECT case_id, registration_type, applicant_type FROM staging.realestate ORDER BY 1") == [
        ("R6", "mortgage", "organisation"), ("R7", "mortgage", "organisation"), ("R8", "correction", "individual")]


def test_alias_header_wan_column_and_a_re_export_that_completes_a_pending_case(wh):
    write_csv(wh.landing / "一季度.csv", [HEADER, case("P1", "2023-03-30"), case("P2", "2023-03-01", "2023-03-02", "80")])
    os.utime(wh.landing / "一季度.csv", (1_700_000_000, 1_700_000_000))
    header = ["受理编号", *HEADER[1:6], "免收登记费（万元）"]
    write_csv(wh.landing / "更新.csv", [header, case("P1", "2023-03-30", "2023-04-03", "0.055")], encoding="gb18030")
    os.utime(wh.landing / "更新.csv", (1_700_000_600, 1_700_000_600))
    wh.ingest()
    assert wh.rows("SELECT case_id, completed_on, fee_waived_yuan FROM staging.realestate ORDER BY 1") == [
        ("P1", date(2023, 4, 3), Decimal("550.00")), ("P2", date(2023, 3, 2), Decimal("80.00"))]
    build_all(wh.conn)
    # 30 March (Thu) to 3 April (Mon): 31 March and 3 April.
    assert wh.rows("SELECT case_id, working_days FROM marts.realestate_cases ORDER BY 1") == [("P1", 2), ("P2", 1)]


def test_fees_are_rounded_half_up_from_the_exact_sum(wh):
    # 45 + 5 yuan = 0.005万元: half up gives 0.01 (half even would give 0.00); each
    # case alone rounds to 0.00, so rounding the parts would give 0.00 too.
    write_csv(wh.landing / "不动产.csv", [HEADER,
        case("W1", "2023-02-06", "2023-02-07", "45"), case("W2", "2023-02-06", "2023-02-07", "5")])
    wh.ingest()
    build_all(wh.conn)
    assert value(wh.conn, "realestate_fee_waived_wan", "2023-02-28") == Decimal("0.01")
    assert checks.indicators_recomputed(wh.conn).passed


def test_a_sum_without_decimals_keeps_every_decimal_beside_a_rounded_one(wh):
    # One CASE over both kinds of sum would give every sum the 2 decimals of the
    # fee's branch: 123 yuan of relief is 0.0123万元, not 0.01.
    write_csv(wh.landing / "不动产.csv", [HEADER, case("D1", "2023-02-06", "2023-02-07", "45")])
    write_csv(wh.landing / "减免.csv", [TAX_HEADER, tax_row("V1", "123.00", 减免日期="2023-02-10")])
    wh.ingest()
    build_all(wh.conn)
    assert value(wh.conn, "realestate_fee_waived_wan", "2023-02-28") == Decimal("0.00")
    assert value(wh.conn, "tax_relief_wan", "2023-02-28") == Decimal("0.0123")
    assert checks.indicators_recomputed(wh.conn).passed


def test_applicants_are_never_stored_logged_or_quarantined(wh, caplog):
    names = ["欧阳震华", "司马相如", "诸葛孔明"]
    write_csv(wh.landing / "不动产.csv", [HEADER,
        case("N1", "2023-02-06", "2023-02-07", 申请人="、".join(names[:2])),
        case("N2", "2023-02-06", "2023-02-01", 申请人=names[2])])  # quarantined
    write_csv(wh.landing / "不动产2.csv", [HEADER,
        [*case("N3", "2023-02-06", "2023-02-07", 申请人=names[0]), "ragged,cell"]])
    with caplog.at_level(logging.DEBUG):
        wh.ingest()
        build_all(wh.conn)
    assert wh.rows("SELECT case_id, applicants_count FROM staging.realestate ORDER BY 1") == [("N1", 2)]
    assert wh.one("SELECT count(*) FROM quarantine.rows") == 2
    for (schema, table) in wh.rows("SELECT schema_name, table_name FROM duckdb_tables()"):
        text = str(wh.rows(f"SELECT * FROM {schema}.{table}"))
        assert not any(n in text for n in names), f"{schema}.{table}"
    assert not any(n in caplog.text for n in names)


def test_a_year_the_calendar_does_not_know_stops_the_build_and_says_how_to_fix_it(tmp_path, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    good = write_csv(landing / "不动产.csv", [HEADER, case("Y1", "2023-02-06", "2023-02-07")])
    os.utime(good, (1_700_000_000, 1_700_000_000))
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--county", COUNTY]
    assert main(args) == 0
    before = warehouse.read_bytes()
    late = write_csv(landing / "不动产2.csv", [HEADER, case("Y2", "2099-01-05", "2099-01-06")])
    os.utime(late, (1_700_000_600, 1_700_000_600))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "realestate case Y2" in err and "pip install -U chinese-calendar" in err
    assert warehouse.read_bytes() == before  # nothing counted Monday to Friday, nothing published


def test_the_recomputation_fails_when_a_backfill_leaves_a_month_stale(wh):
    """A re-export completes a case in April that the first export had completed in
    March; only April is rebuilt. March's mart still counts it, so every year-to-date
    figure from March on is off, and only the recomputation from staging can tell."""
    first = write_csv(wh.landing / "不动产.csv", [HEADER,
        case("S1", "2023-03-01", "2023-03-06", "80"), case("S2", "2023-03-01", "2023-03-01"),
        case("S3", "2023-04-03", "2023-04-04")])
    os.utime(first, (1_700_000_000, 1_700_000_000))
    wh.ingest()
    build_all(wh.conn)
    assert checks.indicators_recomputed(wh.conn).passed
    moved = write_csv(wh.landing / "更正.csv", [HEADER, case("S2", "2023-03-01", "2023-04-10")])
    os.utime(moved, (1_700_000_600, 1_700_000_600))
    wh.ingest()
    april = (date(2023, 4, 1), date(2023, 4, 1))
    for model in load_models():
        build(wh.conn, model, april)  # partitioned marts: April only; the others whole
    result = checks.indicators_recomputed(wh.conn)
    assert not result.passed  # March still holds S2 (0 working days): median 0, not 3
    examples = result.metadata["examples (county, indicator, period_end, recomputed, built)"].value
    assert "realestate_completed" in examples and "realestate_median_working_days" in examples
    for model in load_models():
        build(wh.conn, model, (date(2023, 3, 1), date(2023, 4, 1)))
    assert checks.indicators_recomputed(wh.conn).passed


# --- the sample data ----------------------------------------------------------------

def test_reference_figures_of_section_5():
    figures = {name: (end, v) for name, end, v in REFERENCE_FIGURES}
    assert figures["realestate_fee_waived_wan"] == ("2023-06-30", Decimal("63.55"))
    assert figures["realestate_median_working_days"] == ("2023-06-30", Decimal("2"))


def test_the_sample_cases_straddle_the_holidays_and_make_up_days():
    records = build_sample(COUNTY, 2023)[0]["realestate"]
    done = [c for c in records if c["completed_on"]]
    for first, last in ((date(2023, 1, 21), date(2023, 1, 29)), (date(2023, 4, 29), date(2023, 5, 6)),
                        (date(2023, 6, 22), date(2023, 6, 25)), (date(2022, 12, 31), date(2023, 1, 2))):
        across = [c for c in done if c["accepted_on"] < first and c["completed_on"] >= last]
        assert len(across) >= 5, (first, last)
    assert any(c["accepted_on"] in sim.MAKEUP_DAYS for c in done)
    assert any(c["completed_on"] in sim.MAKEUP_DAYS for c in done)
    differ = [c for c in done if naive_weekdays(c["accepted_on"], c["completed_on"])
              != sim.working_days(c["accepted_on"], c["completed_on"])]
    assert len(differ) > 100
    assert any(c["completed_on"] is None for c in records)  # pending cases
    # A pending case's waiver is not counted: the figures hold without it.
    assert any(c["completed_on"] is None and c["fee_waived_yuan"] for c in records)
