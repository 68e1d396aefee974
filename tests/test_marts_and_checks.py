"""The marts reproduce the county's summary; every check catches the defect it exists for."""

import shutil
from decimal import Decimal

import duckdb
import pytest

from assets import checks
from assets.expectations import SUITE_MARTS, docs_index, run_suites
from assets.models import build, load_models
from pipelines.cli import main
from pipelines.sample_data import REFERENCE_FIGURES


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    wh = root / "yingshang.duckdb"
    code = main(["demo", "--landing", str(root / "landing"), "--warehouse", str(wh)])
    return root, wh, code


@pytest.fixture
def conn(demo, tmp_path):
    """A writable copy of the demo warehouse, to plant defects in."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo[1], copy)
    c = duckdb.connect(str(copy))
    yield c
    c.close()


def test_golden_figures_of_the_half_year_summary(demo, capsys):
    root, wh, code = demo
    assert code == 0
    with duckdb.connect(str(wh), read_only=True) as c:
        for indicator, period_end, expected in REFERENCE_FIGURES:
            got = c.execute(
                "SELECT value FROM marts.indicators WHERE indicator = ? AND period_end = ?::DATE",
                [indicator, period_end],
            ).fetchone()
            assert got is not None and got[0] == expected, (indicator, got, expected)
    assert len(REFERENCE_FIGURES) == 19


def test_demo_prints_the_comparison(tmp_path, capsys):
    assert main(["demo", "--landing", str(tmp_path / "l"), "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "court_clearance_ratio        2023-06-30        0.8773         0.8773  ✓" in out
    assert "all figures match" in out and "✗" not in out


def test_indicators_cover_every_month_end_of_each_domain(conn):
    rows = dict(conn.execute(
        "SELECT indicator, count(*) FROM marts.indicators WHERE period_end BETWEEN '2023-01-01' AND '2023-06-30' GROUP BY 1"
    ).fetchall())
    assert len(rows) == 19 and rows["tax_relief_wan"] == 6 and rows["court_received"] == 6
    start = conn.execute("SELECT DISTINCT period_start FROM marts.indicators WHERE period_end = '2023-03-31'").fetchall()
    assert start == [(__import__("datetime").date(2023, 1, 1),)]


def test_marts_have_bilingual_comments(conn):
    missing = conn.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert missing == []
    assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND comment LIKE '% / %'").fetchone()[0] == len(load_models())


def test_partition_rebuild_touches_only_its_months(conn):
    model = next(m for m in load_models() if m.name == "court_cases_monthly")
    conn.execute("UPDATE marts.court_cases_monthly SET received = -1")
    from datetime import date
    build(conn, model, (date(2023, 3, 1), date(2023, 3, 1)))
    by_month = dict(conn.execute(
        "SELECT month, min(received) FROM marts.court_cases_monthly WHERE month IN ('2023-02-01', '2023-03-01') GROUP BY 1"
    ).fetchall())
    assert by_month[date(2023, 2, 1)] == -1 and by_month[date(2023, 3, 1)] >= 0


@pytest.mark.parametrize("kind", ["tax_relief", "permit_reform", "court_cases", "inspections"])
def test_staging_checks_pass_then_catch_planted_defects(conn, kind):
    assert checks.keys_unique(conn, kind).passed
    assert checks.conforms_to_declaration(conn, kind).passed
    conn.execute(f"INSERT INTO staging.{kind} SELECT * FROM staging.{kind} LIMIT 1")
    assert not checks.keys_unique(conn, kind).passed


def test_conformance_catches_unordered_dates_and_bad_codes(conn):
    conn.execute("UPDATE staging.court_cases SET closed_on = filed_on - 1 WHERE case_no = (SELECT min(case_no) FROM staging.court_cases WHERE closed_on IS NOT NULL)")
    result = checks.conforms_to_declaration(conn, "court_cases")
    assert not result.passed and "closed_on >= filed_on" in result.metadata["failures_by_rule"].value
    conn.execute("UPDATE staging.inspections SET entity_id = '91610528MA00000000' WHERE task_id = (SELECT min(task_id) FROM staging.inspections)")
    result = checks.conforms_to_declaration(conn, "inspections")
    assert not result.passed and "GB 32100-2015" in result.metadata["failures_by_rule"].value
    conn.execute("UPDATE staging.permit_reform SET total = 999 WHERE department = (SELECT min(department) FROM staging.permit_reform)")
    assert "total = cancelled" in checks.conforms_to_declaration(conn, "permit_reform").metadata["failures_by_rule"].value


@pytest.mark.parametrize("name", list(checks.RECONCILIATIONS))
def test_reconciliations_pass_on_the_sample(conn, name):
    assert checks.reconcile(conn, name).passed


def test_permit_modes_reconciliation_catches_drift(conn):
    conn.execute("UPDATE marts.indicators SET value = value + 1 WHERE indicator = 'permit_filing' AND period_end = '2023-03-31'")
    assert not checks.reconcile(conn, "permit_modes_sum_to_cases").passed


def test_inspection_reconciliation_catches_a_lost_row(conn):
    conn.execute("DELETE FROM marts.inspection_results WHERE task_id = (SELECT min(task_id) FROM marts.inspection_results)")
    assert not checks.reconcile(conn, "inspection_results_sum_to_entities").passed


def test_ratio_reconciliation_catches_an_averaged_ratio(conn):
    # The average of monthly ratios is not the ratio of the period's totals.
    averaged = conn.execute("""
        SELECT round(avg(closed::DOUBLE / received), 4) FROM (
            SELECT month, sum(closed) closed, sum(received) received FROM marts.court_cases_monthly
            WHERE month BETWEEN '2023-01-01' AND '2023-06-01' GROUP BY 1)
    """).fetchone()[0]
    conn.execute(f"UPDATE marts.indicators SET value = {averaged} WHERE indicator = 'court_clearance_ratio' AND period_end = '2023-06-30'")
    result = checks.reconcile(conn, "ratios_recomputed")
    assert averaged != 0.8773 and not result.passed


def test_totals_check_warns_on_a_mismatch(conn):
    assert checks.totals_rows(conn).passed
    assert checks.totals_rows(conn).metadata["totals_checked"].value >= 8
    conn.execute("UPDATE meta.file_totals SET matches = false WHERE field = (SELECT min(field) FROM meta.file_totals)")
    result = checks.totals_rows(conn)
    assert not result.passed and result.severity.value == "WARN"


def test_great_expectations_suites_and_data_docs(conn, tmp_path):
    results = run_suites(conn, list(SUITE_MARTS), tmp_path)
    assert all(r.success for r in results.values()), {m: r.failed for m, r in results.items()}
    index = docs_index(tmp_path).read_text("utf-8")
    for mart in SUITE_MARTS:
        assert f"marts.{mart}" in index
    conn.execute("UPDATE marts.permit_reform_monthly SET cases = -5 WHERE reform_mode = 'filing'")
    failed = run_suites(conn, ["permit_reform_monthly"], tmp_path)["permit_reform_monthly"]
    assert not failed.success and "expect_column_values_to_be_between" in failed.failed[0]


def test_every_mart_has_a_suite():
    assert set(SUITE_MARTS) == {m.name for m in load_models()}


def test_data_docs_built_by_the_run(demo):
    root, wh, _ = demo
    index = docs_index(wh.parent).read_text("utf-8")
    assert all(f"marts.{m}" in index for m in SUITE_MARTS)


def test_failed_blocking_check_keeps_previous_marts(tmp_path, monkeypatch, capsys):
    wh = tmp_path / "w.duckdb"
    assert main(["demo", "--landing", str(tmp_path / "l"), "--warehouse", str(wh)]) == 0
    before = wh.read_bytes()
    from tests.conftest import COURT_HEADER, court_row, write_csv
    write_csv(tmp_path / "l" / "更新.csv", [COURT_HEADER, court_row(99999, 立案日期="2023-06-02", 结案日期="2023-06-20")])
    monkeypatch.setitem(
        checks.RECONCILIATIONS, "ratios_recomputed",
        (*checks.RECONCILIATIONS["ratios_recomputed"][:2], "SELECT 1 AS planted_defect"),
    )
    assert main(["run", "--landing", str(tmp_path / "l"), "--warehouse", str(wh)]) == 1
    assert "ratios_recomputed" in capsys.readouterr().err
    assert wh.read_bytes() == before
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT value FROM marts.indicators WHERE indicator = 'court_received' AND period_end = '2023-06-30'").fetchone()[0] == Decimal(5648)


def test_staging_checks_look_at_rows_new_since_the_last_publish(conn):
    last = conn.execute("SELECT max(ingest_id) FROM meta.ingest_log").fetchone()[0]
    conn.execute("INSERT INTO staging.court_cases SELECT * FROM staging.court_cases WHERE _ingest_id = (SELECT min(_ingest_id) FROM staging.court_cases) LIMIT 1")
    assert checks.keys_unique(conn, "court_cases", since_ingest_id=last).passed  # the old row is not new
    conn.execute(f"UPDATE staging.court_cases SET _ingest_id = {last + 1} WHERE rowid = (SELECT max(rowid) FROM staging.court_cases)")
    assert not checks.keys_unique(conn, "court_cases", since_ingest_id=last).passed
    conn.execute(f"UPDATE staging.court_cases SET closed_on = filed_on - 1 WHERE _ingest_id = {last + 1}")
    assert not checks.conforms_to_declaration(conn, "court_cases", since_ingest_id=last).passed
    assert checks.conforms_to_declaration(conn, "tax_relief", since_ingest_id=last).metadata["rows_checked"].value == 0
