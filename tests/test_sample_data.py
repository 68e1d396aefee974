"""The sample exports: deterministic, readable, and exact to section 5 of EXPORTS.md."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from pipelines import sample_data as sd

SECTION_5 = {
    "tax_relief_wan", "non_tax_relief_wan",
    "permit_cases", "permit_cancelled", "permit_filing", "permit_commitment", "permit_optimized",
    "court_received", "court_closed", "court_clearance_ratio",
    "court_ent_received", "court_ent_closed", "court_ent_clearance_ratio",
    "inspection_tasks", "inspection_entities",
    "inspection_no_issue", "inspection_corrected", "inspection_follow_up", "inspection_in_progress",
    "review_materials_cut_pct", "review_time_cut_pct", "review_immediate_pct",
    "invest_projects", "invest_total_yi", "invest_key_projects", "invest_tolerance_projects",
    "invest_agency_sponsors",
    # 不动产登记 (2.7)
    "realestate_fee_waived_wan", "realestate_median_working_days",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    first = sd.write_sample_exports(tmp_path_factory.mktemp("a"))
    second = sd.write_sample_exports(tmp_path_factory.mktemp("b"))
    return first, second


def test_reference_figures_are_section_5():
    assert len(sd.REFERENCE_FIGURES) == len(SECTION_5)
    assert {name for name, _, _ in sd.REFERENCE_FIGURES} == SECTION_5
    figures = {name: (end, value) for name, end, value in sd.REFERENCE_FIGURES}
    assert figures["tax_relief_wan"] == ("2023-04-30", Decimal("16815"))
    assert figures["permit_cases"] == ("2023-05-31", Decimal("2649"))
    assert figures["court_clearance_ratio"] == ("2023-06-30", Decimal("0.8773"))
    assert figures["inspection_in_progress"] == ("2023-06-30", Decimal("85"))
    assert figures["review_time_cut_pct"] == ("2023-06-30", Decimal("83.9"))
    assert figures["invest_agency_sponsors"] == ("2023-06-30", Decimal("32"))


def test_credit_code_check_char():
    assert sd.credit_code_check_char("91350100M000100Y4") == "3"  # the standard's example
    assert sd.credit_code_check_char("91110000100017643") == "K"


def test_reference_check_passes_and_catches_a_change():
    records, _, _ = sd._build("610528", 2023)
    sd._check_reference(records)
    tampered = copy.deepcopy(records)
    case = next(c for c in tampered["court_cases"] if c["closed_on"] and c["closed_on"] >= date(2023, 1, 1))
    case["closed_on"] = case["closing_method"] = None
    with pytest.raises(AssertionError, match="court_closed"):
        sd._check_reference(tampered)


def test_two_runs_are_byte_identical(written):
    first, second = written
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        assert a.stat().st_mtime == b.stat().st_mtime


def test_files_in_ingestion_order_and_small(written):
    paths, _ = written
    assert paths == sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))
    assert len({p.stat().st_mtime for p in paths}) == len(paths)
    assert all(p.stat().st_size < 1_000_000 for p in paths)
    kinds = [c["kind"] for c in sd.expected_ingest_counts().values()]
    assert all(kinds.count(k) >= 2 for k in sd._CANONICAL)


def test_files_open(written):
    paths, _ = written
    encodings = set()
    for p in paths:
        if p.suffix == ".xlsx":
            ws = openpyxl.load_workbook(p).worksheets[0]
            assert ws.max_row > 5
            continue
        data = p.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        else:
            try:
                data.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "gb18030"
        encodings.add(encoding)
        rows = list(csv.reader(io.StringIO(data.decode(encoding))))
        assert len(rows) > 5
    assert encodings == {"utf-8", "utf-8-sig", "gb18030"}


def test_expected_counts_add_up(written):
    counts = sd.expected_ingest_counts()
    # Every simulator's files (each kind in two files at least), none named twice.
    names = [d["name"] for d in sd.describe_sample_exports()]
    assert len(counts) == len(names) == len(set(names)) >= 2 * len(sd._CANONICAL)
    assert list(counts) == [p.name for p in written[0]]  # one entry per file written, in order
    for name, c in counts.items():
        assert c["rows_read"] == c["rows_loaded"] + c["rows_quarantined"], name
        assert len(c["quarantined_because"]) == c["rows_quarantined"]
    per_kind = {}
    for c in counts.values():
        per_kind[c["kind"]] = per_kind.get(c["kind"], 0) + c["rows_quarantined"]
    assert all(3 <= n <= 9 for n in per_kind.values()), per_kind
