"""Cell parsing: every form of section 1, as polars expressions."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from assets.exports import EXPORTS
from assets.ingest.values import (
    blank_to_null,
    clean,
    credit_code_is_valid,
    nfkc,
    parse,
    parse_error,
)
from tests.conftest import credit_code

TAX = EXPORTS["tax_relief"]


def run(field_name: str, values: list, scale: int = 1, kind: str = "tax_relief"):
    """The stages the pipeline runs (assets.ingest.rows): normalise, clean, parse, explain."""
    f = EXPORTS[kind].field(field_name)
    cleaner = clean(f, pl.col("t"), scale)
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String}).with_columns(t=nfkc(pl.col("x")))
    frame = frame.with_columns(t=blank_to_null(pl.col("t")))
    frame = frame.with_columns(k=cleaner if cleaner is not None else pl.lit(None, pl.String))
    frame = frame.with_columns(v=parse(f, pl.col("t"), pl.col("k") if cleaner is not None else None, scale))
    error = parse_error(f, pl.col("t"), pl.col("v"), scale)
    out = frame.with_columns(e=error if error is not None else pl.lit(None, pl.String))
    return out["v"].to_list(), out["e"].to_list()


@pytest.mark.parametrize(
    "text",
    [
        "2023-05-17", "2023/5/17", "2023.5.17", "2023年5月17日", "20230517",
        "2023-05-17 10:30:00", "2023/05/17 8:05", "2023-05-17T08:00:00", "２０２３－０５－１７",
        " 2023 年 5 月 17 日 ", "45063", "45063.5",
    ],
)
def test_every_date_form_parses(text):
    values, errors = run("relief_date", [text])
    assert values == [date(2023, 5, 17)]
    assert errors == [None]


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "17/05/2023", "昨天", "2023-5"])
def test_other_dates_are_row_errors(text):
    values, errors = run("relief_date", [text])
    assert values == [None]
    assert "relief_date（减免日期）" in errors[0] and "is not a date" in errors[0]


@pytest.mark.parametrize("text", ["", "-", "—", "/", "无", "NULL", "  ", "－"])
def test_empty_markers_are_null_without_error(text):
    values, errors = run("closed_on", [text], kind="court_cases")
    assert values == [None] and errors == [None]


def test_money_forms_and_units():
    values, errors = run("relief_yuan", ["1,234.50", "１２３４.５", " 12 345 ", "0", "-3"], 1)
    assert values == [Decimal("1234.50"), Decimal("1234.50"), Decimal("12345.00"), Decimal("0.00"), Decimal("-3.00")]
    assert errors == [None] * 5
    values, _ = run("relief_yuan", ["1.5", "1,234.5678", "0.000001"], 10_000)
    assert values == [Decimal("15000.00"), Decimal("12345678.00"), Decimal("0.01")]


def test_money_that_is_not_exact_to_the_fen_is_an_error():
    values, errors = run("relief_yuan", ["1.234", "abc"], 1)
    assert values == [None, None]
    assert "fraction of a fen" in errors[0]
    assert "is not an amount of money" in errors[1]


@pytest.mark.parametrize(
    "text,expected",
    [("是", True), ("否", False), ("Y", True), ("n", False), ("1", True), ("0", False),
     ("true", True), ("FALSE", False), ("Ｙ", True)],
)
def test_yes_no(text, expected):
    values, errors = run("enterprise_related", [text], kind="court_cases")
    assert values == [expected] and errors == [None]


def test_yes_no_rejects_other_text():
    _, errors = run("enterprise_related", ["可能"], kind="court_cases")
    assert "is not yes/no" in errors[0]


def test_months():
    values, errors = run(
        "month", ["2023-05", "2023年5月", "202305", "2023-05-20", "2023/5", "2023-05-01 00:00:00", "2023-13"],
        kind="permit_reform",
    )
    assert values[:6] == [date(2023, 5, 1)] * 6
    assert values[6] is None and "is not a month" in errors[6]


def test_enums_accept_chinese_and_canonical_values():
    values, errors = run("case_type", ["民商事", "商事", "civil", "执行", "国家赔偿", "妖怪"], kind="court_cases")
    assert values == ["civil", "civil", "civil", "enforcement", "other", None]
    assert errors[:5] == [None] * 5 and "妖怪" in errors[5]


def test_codes_lose_every_space_and_credit_codes_are_upper_cased():
    values, _ = run("voucher_id", [" V 001 ", "Ｖ００２"])
    assert values == ["V001", "V002"]
    good = credit_code(42)
    values, _ = run("taxpayer_id", [good.lower(), f" {good[:5]} {good[5:]} "])
    assert values == [good, good]


def test_credit_code_check_digit():
    good = credit_code(7)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    codes = [good, wrong_check, good[:17], good[:16] + "I" + good[17], "91110000600037341L"]
    ok = pl.DataFrame({"c": codes}).select(credit_code_is_valid(pl.col("c")))["c"].to_list()
    # 91110000600037341L is a published valid code; I and O are not in the alphabet.
    assert ok == [True, False, False, False, True]


def test_personal_data_is_reduced_to_a_count():
    values, errors = run("parties", ["张三、李四，王五", "赵六", ""], kind="court_cases")
    assert values == [3, 1, None] and errors == [None, None, None]
