"""Files through the whole ingestion: every row accounted for, every rule applied."""

import json
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from tests.conftest import (
    COURT_HEADER,
    INSPECTION_HEADER,
    TAX_HEADER,
    court_row,
    credit_code,
    inspection_row,
    tax_row,
    touch_in_order,
    write_csv,
    write_xlsx,
)


def accounted(wh, name):
    log = wh.log(name)
    assert log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]
    return log


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(wh, encoding):
    rows = [TAX_HEADER, tax_row("V1", 减免日期="2023年2月15日"), tax_row("V2", 纳税人名称="陕西秦川机械（集团）有限公司")]
    write_csv(wh.landing / "导出.csv", rows, encoding)
    [result] = wh.ingest()
    assert (result.status, result.kind, result.encoding) == ("loaded", "tax_relief", encoding)
    names = [r[0] for r in wh.rows("SELECT taxpayer_name FROM staging.tax_relief ORDER BY voucher_id")]
    assert names == ["富平县某某有限公司", "陕西秦川机械(集团)有限公司"]


def test_preamble_totals_footer_and_row_numbers(wh):
    rows = [
        ["富平县2023年1-4月税费减免明细表"],
        ["填报单位：国家税务总局富平县税务局", "", ""],
        ["导出时间：2023-05-06 09:12"],
        TAX_HEADER,
        tax_row("V1", "1,000.00"),
        tax_row("V2", "250.50"),
        tax_row("V3", "-5"),  # negative: quarantined, still in the totals sum
        ["合 计", "", "", "", "", "", "", "1,245.50", "", "", ""],
        [""] * 11,
        ["制表人：王某", ""],
        ["注：数据来源于金税三期系统"],
    ]
    write_csv(wh.landing / "t.csv", rows, "gb18030")
    [r] = wh.ingest()
    log = accounted(wh, "t.csv")
    assert (log["rows_read"], log["rows_loaded"], log["rows_quarantined"]) == (3, 2, 1)
    assert log["notes"] is None
    assert list(wh.reasons("t.csv")) == [7]  # the row a spreadsheet shows
    assert "must be >= 0" in wh.reasons("t.csv")[7][0]
    assert wh.rows("SELECT stated, computed, matches FROM meta.file_totals") == [
        (Decimal("1245.50"), Decimal("1245.50"), True)
    ]
    assert wh.rows("SELECT _row_number FROM staging.tax_relief ORDER BY 1") == [(5,), (6,)]


def test_totals_mismatch_is_reported(wh):
    rows = [TAX_HEADER, tax_row("V1", "100"), tax_row("V2", "200"), ["总计", *[""] * 6, "400", "", "", ""]]
    write_csv(wh.landing / "t.csv", rows)
    [r] = wh.ingest()
    assert r.status == "loaded" and "states 400.00, data rows sum to 300.00" in r.notes
    assert wh.one("SELECT count(*) FROM meta.file_totals WHERE NOT matches") == 1


def test_wan_yuan_columns_are_scaled_exactly(wh):
    header = [h.replace("减免金额（元）", "减免金额（万元）") for h in TAX_HEADER]
    write_csv(wh.landing / "w.csv", [header, tax_row("V1", "１.２３４５６７"), tax_row("V2", "16,815")])
    wh.ingest()
    assert wh.rows("SELECT relief_yuan FROM staging.tax_relief ORDER BY voucher_id") == [
        (Decimal("12345.67"),), (Decimal("168150000.00"),),
    ]


def test_every_tax_rule(wh):
    rows = [
        TAX_HEADER,
        tax_row("V1"),
        tax_row("V2", 纳税人识别号=credit_code(5)[:17] + "0" if credit_code(5)[17] != "0" else credit_code(5)[:17] + "1"),
        tax_row("V3", 收入类别="其他收入"),
        tax_row("V4", 减免性质代码="12345"),
        tax_row("V5", 所属期起="2023-02-01", 所属期止="2023-01-31"),
        tax_row("V6", 减免日期="2023-02-30"),
        tax_row("V7", 纳税人名称="", 征收项目="-"),
        tax_row("", **{"减免金额（元）": "x"}),
        tax_row("V9", 纳税人识别号=credit_code(9).lower(), 收入类别="non_tax", 减免政策名称="无"),
    ]
    write_csv(wh.landing / "t.csv", rows)
    wh.ingest()
    reasons = wh.reasons("t.csv")
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "GB 32100-2015" in reasons[3][0]
    assert "is not one of" in reasons[4][0]
    assert "must match" in reasons[5][0]
    assert "period_end >= period_start" in reasons[6][0]
    assert "is not a date" in reasons[7][0]
    assert len(reasons[8]) == 2 and all("required but empty" in r for r in reasons[8])
    assert any("voucher_id" in r for r in reasons[9])
    assert any("relief_yuan" in r for r in reasons[9]), reasons[9]
    staged = wh.rows("SELECT voucher_id, taxpayer_id, revenue_class, relief_policy FROM staging.tax_relief ORDER BY 1")
    assert staged == [("V1", credit_code(1), "tax", "小微企业免征增值税"), ("V9", credit_code(9), "non_tax", None)]
    raw = json.loads(wh.one("SELECT raw FROM quarantine.rows WHERE row_number = 4"))
    assert raw["收入类别"] == "其他收入" and raw["凭证序号"] == "V3"


def test_every_court_rule_and_bracket_forms(wh):
    rows = [
        COURT_HEADER,
        court_row(1),
        court_row(2, 结案日期="", 结案方式="", 案件类型="刑事", 是否涉企="否", **{"标的金额（元）": "-"}),
        court_row(3, 案件类型="妖怪"),
        court_row(4, 结案日期="2023-01-01"),
        court_row(5, 结案方式=""),
        court_row(6, 是否涉企=""),
        court_row(7, **{"标的金额（元）": "-100"}),
        court_row(8, 立案日期=""),
    ]
    rows[1][0] = "(2023)陕0528民初1号"
    write_csv(wh.landing / "c.csv", rows)
    write_csv(wh.landing / "c2.csv", [COURT_HEADER, court_row(1, 结案方式="判决")])
    touch_in_order(wh.landing / "c.csv", wh.landing / "c2.csv")
    wh.ingest()
    reasons = wh.reasons("c.csv")
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "is not one of" in reasons[4][0]
    assert "closed_on >= filed_on" in reasons[5][0]
    assert "closing_method required when closed" in reasons[6][0]
    assert "enterprise_related（是否涉企）: required but empty" in reasons[7]
    assert "must be >= 0" in reasons[8][0]
    assert "filed_on（立案日期）: required but empty" in reasons[9]
    # Half- and full-width brackets are the same case: the later file replaced it.
    assert wh.rows("SELECT case_no, closing_method, claim_yuan FROM staging.court_cases ORDER BY 1") == [
        ("(2023)陕0528民初1号", "判决", Decimal("10000.00")), ("(2023)陕0528民初2号", None, None),
    ]


def test_inspection_results_and_in_progress(wh):
    rows = [
        INSPECTION_HEADER,
        inspection_row("T1", 1),
        inspection_row("T1", 2, 检查结果="责令改正"),
        inspection_row("T1", 3, 检查结果="", 检查完成日期=""),
        inspection_row("T1", 4, 检查结果="未检查", 检查完成日期=""),
        inspection_row("T1", 5, 检查结果="", 检查完成日期="2023-03-20"),
        inspection_row("T1", 6, 检查结果="不知道"),
        inspection_row("T2", 7, 检查结果="follow_up"),
    ]
    write_csv(wh.landing / "i.csv", rows)
    wh.ingest()
    assert sorted(wh.reasons("i.csv")) == [6, 7]
    assert "result（检查结果）: required but empty" in wh.reasons("i.csv")[6]
    assert wh.rows("SELECT result, count(*) FROM staging.inspections GROUP BY 1 ORDER BY 1") == [
        ("corrected", 1), ("follow_up", 1), ("in_progress", 2), ("no_issue", 1),
    ]
    assert wh.one("SELECT min(inspectors_count) FROM staging.inspections") == 2


def test_permit_xlsx_with_merged_two_row_header(wh):
    rows = [
        ["富平县2023年5月证照分离改革办件统计表"],
        ["统计月份", "序号", "实施部门", "事项名称", "改革方式", None, None, None, "合计"],
        [None, None, None, None, "直接取消审批", "审批改为备案", "实行告知承诺", "优化审批服务", None],
        [date(2023, 5, 1), 1, "县市场监管局", "食品经营许可", 1, 2, 3, 4, 10],
        ["2023年5月", 2, "县卫健局", "公共场所卫生许可", 0, 5, None, 1, 6],
        ["202305", 3, "县交通局", "道路运输许可", 1, 1, 1, 1, 5],  # 合计 wrong
        ["合计", None, None, None, 2, 8, 4, 6, 21],
        ["制表人：李某"],
    ]
    write_xlsx(wh.landing / "新建 Microsoft Excel 工作表.xlsx", rows,
               merges=["A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:H2", "I2:I3"])
    [r] = wh.ingest()
    assert (r.kind, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("permit_reform", 3, 2, 1)
    assert "total = cancelled + filing + commitment + optimized" in wh.reasons(r.file_name)[6][0]
    assert wh.rows("SELECT month, department, cancelled, filing, commitment, optimized FROM staging.permit_reform ORDER BY 2") == [
        (date(2023, 5, 1), "县卫健局", 0, 5, None, 1),
        (date(2023, 5, 1), "县市场监管局", 1, 2, 3, 4),
    ]
    assert wh.one("SELECT bool_and(matches) FROM meta.file_totals") is True


def test_xlsx_date_and_serial_cells(wh):
    rows = [COURT_HEADER, court_row(1, 立案日期=date(2023, 1, 5), 结案日期=45063)]
    write_xlsx(wh.landing / "c.xlsx", rows)
    wh.ingest()
    assert wh.rows("SELECT filed_on, closed_on FROM staging.court_cases") == [(date(2023, 1, 5), date(2023, 5, 17))]


def test_county_column_and_default(wh):
    header = ["行政区划代码", *COURT_HEADER]
    write_csv(wh.landing / "a.csv", [header, ["610526", *court_row(1)], ["", *court_row(2)], ["6105", *court_row(3)]])
    wh.ingest()
    assert wh.rows("SELECT county_code, case_no FROM staging.court_cases ORDER BY 2") == [
        ("610526", "(2023)陕0528民初1号"), ("610528", "(2023)陕0528民初2号"),
    ]
    assert "must match" in wh.reasons("a.csv")[4][0]


def test_canonical_english_headers_and_values(wh):
    header = ["task_id", "task_name", "department", "entity_name", "entity_id", "drawn_on", "inspected_on", "result"]
    write_csv(wh.landing / "e.csv", [header, ["T9", "x", "d", "e", credit_code(3), "2023-04-01", "2023-04-02", "no_issue"]])
    [r] = wh.ingest()
    assert (r.kind, r.rows_loaded) == ("inspections", 1)


def test_duplicates_inside_a_file(wh):
    rows = [TAX_HEADER, tax_row("V1"), tax_row("V1"), tax_row("V2", "1"), tax_row("V2", "2"), tax_row("V3")]
    write_csv(wh.landing / "d.csv", rows)
    [r] = wh.ingest()
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 3, 2)
    assert wh.rows("SELECT voucher_id FROM staging.tax_relief ORDER BY 1") == [("V1",), ("V3",)]
    assert wh.reasons("d.csv")[4] == ["duplicate key (county_code + voucher_id) with different values in rows 4, 5 of this file"]


def test_later_file_wins_and_same_content_is_duplicate(wh):
    first = write_csv(wh.landing / "1.csv", [COURT_HEADER, court_row(1, 结案日期="", 结案方式=""), court_row(2)])
    second = write_csv(wh.landing / "2.csv", [COURT_HEADER, court_row(1, 结案日期="2023-06-01", 结案方式="判决")])
    copy = wh.landing / "2 (1).csv"
    copy.write_bytes(second.read_bytes())
    touch_in_order(first, second, copy)
    results = wh.ingest()
    assert [r.status for r in results] == ["loaded", "loaded", "duplicate"]
    assert wh.rows("SELECT case_no, closed_on, _file_name FROM staging.court_cases ORDER BY 1") == [
        ("(2023)陕0528民初1号", date(2023, 6, 1), "2.csv"),
        ("(2023)陕0528民初2号", date(2023, 3, 1), "1.csv"),
    ]


def test_second_run_changes_nothing(wh):
    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1), court_row(2, 案件类型="?")])
    write_csv(wh.landing / "b.csv", [["x"]])
    wh.ingest()
    snapshot = _snapshot(wh)
    assert wh.ingest() == []
    assert _snapshot(wh) == snapshot


def test_changed_content_under_the_same_name_is_ingested_again(wh):
    path = write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1, 结案日期="", 结案方式="")])
    wh.ingest()
    write_csv(path, [COURT_HEADER, court_row(1)])
    [r] = wh.ingest()
    assert r.status == "loaded"
    assert wh.one("SELECT count(*) FROM meta.ingest_log WHERE file_name = 'a.csv'") == 2
    assert wh.one("SELECT closed_on FROM staging.court_cases") == date(2023, 3, 1)


def test_rejections_name_what_was_seen(wh):
    (wh.landing / "empty.csv").write_bytes(b"")
    (wh.landing / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (wh.landing / "notes.txt").write_text("hello")
    (wh.landing / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (wh.landing / "binary.csv").write_bytes(b"\x00\x01\x02\x03" * 100)
    write_csv(wh.landing / "unknown.csv", [["案号", "姓名", "电话"], ["张三", "123"]])
    write_csv(wh.landing / "header_only.csv", [COURT_HEADER])
    (wh.landing / ".DS_Store").write_bytes(b"junk")
    results = {r.file_name: r for r in wh.ingest()}
    assert set(results) == {"empty.csv", "old.xls", "notes.txt", "broken.xlsx", "binary.csv", "unknown.csv", "header_only.csv"}
    assert all(r.status == "rejected" for r in results.values())
    assert "empty" in results["empty.csv"].reason
    assert ".xls" in results["old.xls"].reason and ".txt" in results["notes.txt"].reason
    assert "xlsx" in results["broken.xlsx"].reason
    assert "NUL" in results["binary.csv"].reason
    # A declared header is quoted; any other cell (it may be a name) is only counted.
    assert results["unknown.csv"].reason.startswith(
        "header not recognised; row 1 has known headers [案号] and 2 other cells; closest export court_cases"
    )
    assert "姓名" not in results["unknown.csv"].reason and "张三" not in results["unknown.csv"].reason
    assert "no data rows" in results["header_only.csv"].reason and results["header_only.csv"].kind == "court_cases"
    assert wh.one("SELECT count(*) FROM meta.ingest_log WHERE status = 'rejected' AND reason IS NOT NULL") == 7


def test_ingestion_order_is_mtime_then_name(wh):
    b = write_csv(wh.landing / "b.csv", [COURT_HEADER, court_row(1, 结案方式="B")])
    a = write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1, 结案方式="A")])
    touch_in_order(b, a)  # b is older: a is ingested later and wins
    wh.ingest()
    assert wh.one("SELECT closing_method FROM staging.court_cases") == "A"


def test_archive_is_content_addressed(wh):
    path = write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    [r] = wh.ingest()
    archived = wh.archive / r.sha256[:2] / f"{r.sha256}.csv"
    assert archived.read_bytes() == path.read_bytes()


def _snapshot(wh):
    return {
        t: wh.rows(f"SELECT * EXCLUDE (ingested_at) FROM {t} ORDER BY ALL") if t == "meta.ingest_log"
        else wh.rows(f"SELECT * FROM {t} ORDER BY ALL")
        for t in ["meta.ingest_log", "quarantine.rows", "staging.court_cases", "meta.file_totals"]
    }


def test_other_delimiters_and_utf16(wh):
    import csv
    import io

    for name, delimiter, encoding in [("tab.csv", "\t", "utf-8"), ("semi.csv", ";", "gb18030"), ("u16.csv", ",", "utf-16")]:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter).writerows([["富平县审判执行案件统计"], COURT_HEADER, court_row(len(name))])
        (wh.landing / name).write_bytes(buf.getvalue().encode(encoding))
    results = {r.file_name: r for r in wh.ingest()}
    assert {n: (r.status, r.rows_loaded) for n, r in results.items()} == {
        "tab.csv": ("loaded", 1), "semi.csv": ("loaded", 1), "u16.csv": ("loaded", 1),
    }


def test_footer_spread_over_cells_and_totals_with_colon(wh):
    rows = [
        COURT_HEADER, court_row(1), court_row(2),
        ["合计：", "", "", "", "", "", "20,000", "", ""],
        ["制表人：", "王某", "审核人：", "李某", "", "", "", "", ""],
        ["填报日期：2023-07-01"],
    ]
    write_csv(wh.landing / "c.csv", rows)
    [r] = wh.ingest()
    assert (r.rows_read, r.rows_loaded, r.notes) == (2, 2, None)
    assert wh.one("SELECT count(*) FROM meta.file_totals WHERE matches") == 1


def test_untouched_files_are_not_hashed_again(wh, monkeypatch):
    import assets.ingest.files as files

    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    wh.ingest()

    def must_not_hash(*args, **kwargs):
        raise AssertionError("an untouched file was read again")

    monkeypatch.setattr(files, "copy_and_hash", must_not_hash)
    assert wh.ingest() == []


def test_xlsx_number_cells_as_excel_shows_them(wh):
    # Doubles a program summed come back from the cell in full (9115076.050000001);
    # Excel shows 15 significant digits, so does the warehouse; a real third decimal
    # is still a fraction of a fen.
    rows = [TAX_HEADER, tax_row("V1", 9115076.050000001), tax_row("V2", 0.1 + 0.2), tax_row("V3", "12.345")]
    write_xlsx(wh.landing / "t.xlsx", rows)
    [r] = wh.ingest()
    assert (r.rows_loaded, r.rows_quarantined) == (2, 1)
    assert wh.rows("SELECT voucher_id, relief_yuan FROM staging.tax_relief ORDER BY 1") == [
        ("V1", Decimal("9115076.05")), ("V2", Decimal("0.30")),
    ]
    assert "fraction of a fen" in wh.reasons("t.xlsx")[4][0]


def test_read_ahead_keeps_order_and_raises_where_the_failing_item_would_be():
    from assets.ingest.files import read_ahead

    def work(n):
        if n == 3:
            raise MemoryError(f"item {n}")
        return n * 10

    got = []
    with pytest.raises(MemoryError, match="item 3"):
        for value in read_ahead(work, iter(range(6))):
            got.append(value)
    assert got == [0, 10, 20]
    assert list(read_ahead(work, iter([5, 1, 4]))) == [50, 10, 40]
    assert list(read_ahead(work, iter([]))) == []


def test_rules_broken_in_a_1m_row_file_are_caught_at_their_rows(wh):
    """Every row of a large file goes through the same declared rules (pandera's
    column and row checks, the parsers), whichever batch it falls in."""
    n = 1_000_000
    i = pl.int_range(1, n + 1, eager=True).alias("i")
    frame = pl.DataFrame(i).select(
        pl.format("（2023）陕0528民初{}号", "i").alias("案号"),
        pl.lit("民事").alias("案件类型"),
        pl.lit("2023-01-05").alias("立案日期"),
        pl.lit("2023-03-01").alias("结案日期"),
        pl.lit("调解").alias("结案方式"),
        pl.lit("是").alias("是否涉企"),
        pl.lit("10,000").alias("标的金额（元）"),
        pl.lit("张三、李四").alias("当事人"),
        pl.lit("民一庭").alias("承办部门"),
    )
    broken = {  # data row index (0-based) -> (column, text, what the reason names)
        2: ("立案日期", "2023-02-30", "is not a date"),
        700_000: ("结案日期", "2023-01-04", "closed_on >= filed_on"),
        999_998: ("标的金额（元）", "-5", "must be >= 0"),
    }
    for index, (column, text, _) in broken.items():
        frame[index, column] = text
    frame.write_csv(wh.landing / "审判执行案件.csv")

    [r] = wh.ingest()

    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", n, n - 3, 3)
    reasons = wh.reasons("审判执行案件.csv")
    # A spreadsheet shows the header as row 1, data row k as row k + 2 (0-based k).
    assert sorted(reasons) == [index + 2 for index in broken]
    for index, (_, _, named) in broken.items():
        assert any(named in reason for reason in reasons[index + 2]), reasons[index + 2]
    assert wh.one("SELECT count(*) FROM staging.court_cases") == n - 3
