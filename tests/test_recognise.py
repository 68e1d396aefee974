"""Which export a file is, from its header alone."""

import pytest

from assets.exports import EXPORTS
from assets.ingest.recognise import NotRecognised, recognise
from tests.conftest import COURT_HEADER, PERMIT_HEADER, TAX_HEADER


def test_header_after_preamble_is_found():
    head = [["XX县2023年1-5月税费减免明细表"], ["填报单位：县税务局", None], ["导出时间：2023-06-01"], TAX_HEADER, ["V1"]]
    rec = recognise(head, EXPORTS.values())
    assert rec.export.kind == "tax_relief" and rec.header_row == 3 and rec.header_height == 1


def test_aliases_any_order_extra_columns_and_units():
    header = ["备注", "统一社会信用代码", "税费种类", "凭证序号", "纳税人名称", "收入类别", "减免性质代码",
              "减免金额（万元）", "所属期起", "所属期止", "减免日期"]
    rec = recognise([header], EXPORTS.values())
    assert rec.export.kind == "tax_relief"
    assert rec.column("relief_yuan").scale == 10_000 and rec.column("relief_yuan").index == 7
    assert rec.column("taxpayer_id").index == 1 and rec.column("levy").index == 2
    assert rec.column("relief_policy") is None


def test_canonical_english_headers():
    header = ["case_no", "case_type", "filed_on", "closed_on", "closing_method", "enterprise_related", "claim_yuan"]
    rec = recognise([header], EXPORTS.values())
    assert rec.export.kind == "court_cases" and rec.column("claim_yuan").scale == 1


def test_full_width_and_spaced_headers():
    header = [h.replace("（", "(").replace("）", ")") for h in COURT_HEADER]
    header[0] = " 案 号 "
    assert recognise([header], EXPORTS.values()).export.kind == "court_cases"


def test_two_row_header_with_group_cell():
    top = ["统计月份", "序号", "实施部门", "事项名称", "改革方式", None, None, None, "合计"]
    sub = [None, None, None, None, "直接取消审批", "审批改为备案", "实行告知承诺", "优化审批服务", None]
    rec = recognise([["标题"], top, sub, ["2023-05", "1"]], EXPORTS.values())
    assert rec.export.kind == "permit_reform"
    assert (rec.header_row, rec.header_height, rec.first_data_row) == (1, 2, 3)
    assert rec.column("filing").index == 5 and rec.column("total").index == 8


def test_unit_in_a_second_header_row():
    top = TAX_HEADER[:7] + ["减免金额", *TAX_HEADER[8:]]
    sub = [None] * 7 + ["（万元）"] + [None] * 3
    rec = recognise([top, sub], EXPORTS.values())
    assert rec.header_height == 2 and rec.column("relief_yuan").scale == 10_000


def test_single_row_header_is_not_merged_with_data():
    rec = recognise([PERMIT_HEADER, ["2023-05", "1", "县市场监管局", "食品经营许可", "1", "2", "3", "4", "10"]], EXPORTS.values())
    assert rec.header_height == 1


def test_unrecognised_names_the_headers_seen_and_what_is_missing():
    with pytest.raises(NotRecognised) as e:
        recognise([["说明"], ["案号", "立案日期", "姓名"]], EXPORTS.values())
    text = str(e.value)
    assert "row 2 has known headers [案号, 立案日期] and 1 other cell;" in text
    assert "court_cases" in text and "案件类型" in text
    assert "说明" not in text and "姓名" not in text  # not headers: counted, never quoted


def test_money_without_unit_is_not_guessed():
    header = TAX_HEADER[:7] + ["减免金额", *TAX_HEADER[8:]]
    with pytest.raises(NotRecognised, match=r"减免金额\(元\|万元\)"):
        recognise([header], EXPORTS.values())


def test_header_too_far_down_is_not_found():
    head = [["标题"]] * 6 + [TAX_HEADER]
    with pytest.raises(NotRecognised):
        recognise(head, EXPORTS.values())
