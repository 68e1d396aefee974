"""The marts reproduce the county's summary; completeness is visible; every check
fails on input files that break what it guards (and only such checks exist)."""

import os
import shutil
from datetime import date
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from assets import checks
from assets.expectations import docs_index
from assets.models import build, load_models
from assets.releases import history_mart
from assets.resources import WarehouseResource
from assets.settings import Settings
from pipelines.cli import main
from pipelines.definitions import BUILD, INGEST, all_assets, all_checks, defs
from pipelines.report import build_report, write_report
from pipelines.runner import _rebuild_months, materialize
from pipelines.sample_data import REFERENCE_FIGURES
from tests.conftest import (
    COUNTY,
    COURT_HEADER,
    PERMIT_HEADER,
    TAX_HEADER,
    court_row,
    tax_row,
    write_csv,
)


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
    assert {name for name, _, _ in REFERENCE_FIGURES} >= {
        "tax_relief_wan", "review_time_cut_pct", "invest_agency_sponsors",
        "court_clearance_ratio", "realestate_fee_waived_wan", "realestate_median_working_days"}


def test_demo_prints_the_comparison(tmp_path, capsys):
    assert main(["demo", "--landing", str(tmp_path / "l"), "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "court_clearance_ratio        2023-06-30        0.8773         0.8773  ✓" in out
    assert "invest_total_yi              2023-06-30         95.87          95.87  ✓  (summary: 96, the warehouse's rounded: 96)" in out
    assert "all figures match" in out and "✗" not in out


def test_indicators_cover_every_month_end_of_each_domain(conn):
    rows = dict(conn.execute(
        "SELECT indicator, count(*) FROM marts.indicators WHERE period_end BETWEEN '2023-01-01' AND '2023-06-30' GROUP BY 1"
    ).fetchall())
    defined = {i for (i,) in conn.execute("SELECT indicator FROM marts.indicator_definitions").fetchall()}
    assert set(rows) == defined and rows["tax_relief_wan"] == 6 and rows["court_received"] == 6
    assert rows["invest_agency_sponsors"] == 6 and rows["review_immediate_pct"] == 6
    assert rows["realestate_median_working_days"] == 6
    start = conn.execute("SELECT DISTINCT period_start FROM marts.indicators WHERE period_end = '2023-03-31'").fetchall()
    assert start == [(__import__("datetime").date(2023, 1, 1),)]


def test_marts_have_bilingual_comments(conn):
    missing = conn.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert missing == []
    commented = {t for (t,) in conn.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND comment LIKE '% / %'").fetchall()}
    # Every model, and the history appended at publish (assets.releases).
    assert commented == {m.name for m in load_models()} | {history_mart().name}


def test_partition_rebuild_touches_only_its_months(conn):
    model = next(m for m in load_models() if m.name == "court_cases_monthly")
    conn.execute("UPDATE marts.court_cases_monthly SET received = -1")
    from datetime import date
    build(conn, model, (date(2023, 3, 1), date(2023, 3, 1)))
    by_month = dict(conn.execute(
        "SELECT month, min(received) FROM marts.court_cases_monthly WHERE month IN ('2023-02-01', '2023-03-01') GROUP BY 1"
    ).fetchall())
    assert by_month[date(2023, 2, 1)] == -1 and by_month[date(2023, 3, 1)] >= 0



# --- input files -----------------------------------------------------------------

DEPARTMENTS = [("县市场监管局", "食品经营许可"), ("县卫健局", "公共场所卫生许可"), ("县交通局", "道路运输许可")]


def permit_file(landing, month: int, scale: int = 1, name: str | None = None, mtime: int | None = None):
    """A permit reform monthly report of 2023-<month>: three departments, modes
    growing with the month (and `scale`), 合计 stated."""
    rows = [[f"富平县2023年{month}月证照分离改革办件统计表"], PERMIT_HEADER]
    for i, (dept, item) in enumerate(DEPARTMENTS, 1):
        modes = [scale * (month + i), scale * 2 * i, scale * (3 + month), scale * 10 * i]
        rows.append([f"2023年{month}月", i, dept, item, *modes, sum(modes)])
    path = write_csv(landing / (name or f"证照分离{month}月.csv"), rows)
    t = mtime if mtime is not None else 1_700_000_000 + month * 60
    os.utime(path, (t, t))
    return path


def _settings(tmp_path) -> Settings:
    return Settings.from_env(str(tmp_path / "landing"), str(tmp_path / "w.duckdb"), COUNTY)


def run_with_checks(settings: Settings) -> dict[str, dg.AssetCheckEvaluation]:
    """`yingshang run` through Dagster, keeping its check evaluations."""
    months = _rebuild_months(materialize(settings, INGEST))
    result = materialize(settings, BUILD, months)
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def published(settings: Settings, sql: str, params=()):
    with duckdb.connect(str(settings.warehouse), read_only=True) as c:
        return c.execute(sql, list(params)).fetchall()


def ytd(settings_or_path, indicator: str, period_end: str):
    path = settings_or_path.warehouse if isinstance(settings_or_path, Settings) else settings_or_path
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(
            "SELECT value FROM marts.indicators WHERE indicator = ? AND period_end = ?::DATE",
            [indicator, period_end],
        ).fetchone()[0]


# --- item 5: a missing month is visible everywhere ---------------------------------

def test_a_missing_month_is_named_in_coverage_indicators_report_summary_and_check(tmp_path, capsys):
    s = _settings(tmp_path)
    s.landing.mkdir()
    for month in (1, 2, 3, 5):  # the April report never arrived
        permit_file(s.landing, month)
    assert main(["run", "--landing", str(s.landing), "--warehouse", str(s.warehouse), "--county", COUNTY]) == 0
    out = capsys.readouterr().out
    assert f"gap: {COUNTY} permit_reform: no rows for 2023-04;" in out

    assert published(s, "SELECT month, files, rows, gap FROM marts.coverage WHERE kind = 'permit_reform' ORDER BY month") == [
        (date(2023, 1, 1), 1, 3, False), (date(2023, 2, 1), 1, 3, False), (date(2023, 3, 1), 1, 3, False),
        (date(2023, 4, 1), 0, 0, True), (date(2023, 5, 1), 1, 3, False),
    ]
    flags = dict(
        (str(p), (c, m)) for p, c, m in published(
            s, "SELECT period_end, complete, missing_months FROM marts.indicators WHERE indicator = 'permit_cases'"
        )
    )
    assert flags == {
        "2023-01-31": (True, ""), "2023-02-28": (True, ""), "2023-03-31": (True, ""),
        "2023-04-30": (False, "2023-04"), "2023-05-31": (False, "2023-04"),
    }
    assert published(s, "SELECT DISTINCT complete, missing_months FROM marts.indicators WHERE period_end = '2023-05-31'") == [(False, "2023-04")]

    report = build_report(s.warehouse, "2023-H1", COUNTY)
    permit = next(sec for sec in report.sections if sec.figures[0].indicator == "permit_cases")
    assert permit.coverage["gaps"] == "2023-04"
    assert all(f.missing_months == "2023-04" and not f.complete for f in permit.figures)
    assert any("no data for 2023-04" in w for w in permit.warnings)
    html, md = write_report(s.warehouse, "2023-H1", COUNTY, tmp_path / "report")
    assert "missing months: 2023-04" in md.read_text("utf-8")
    assert md.read_text("utf-8").count("⚠ incomplete: no data for 2023-04") == 5  # beside each permit figure
    assert html.read_text("utf-8").count("incomplete: no data for 2023-04") == 5

    # The WARN check names the gap, through Dagster.
    permit_file(s.landing, 6)
    evaluations = run_with_checks(s)
    gap = evaluations["coverage_gaps"]
    assert not gap.passed and gap.severity == dg.AssetCheckSeverity.WARN
    assert "permit_reform: no rows for 2023-04" in gap.description

    # April arrives: no gap, the figures are complete, the check passes.
    permit_file(s.landing, 4, mtime=1_700_009_000)
    evaluations = run_with_checks(s)
    assert evaluations["coverage_gaps"].passed
    assert published(s, "SELECT DISTINCT complete, missing_months FROM marts.indicators") == [(True, "")]
    assert not published(s, "SELECT * FROM marts.coverage WHERE gap")
    assert main(["run", "--landing", str(s.landing), "--warehouse", str(s.warehouse), "--county", COUNTY]) == 0
    assert "gap:" not in capsys.readouterr().out


def test_coverage_is_generated_for_every_export_from_its_declaration():
    from assets.exports import EXPORTS

    coverage = next(m for m in load_models() if m.name == "coverage")
    assert {t for s, t in coverage.deps if s == "staging"} == set(EXPORTS)
    for kind, export in EXPORTS.items():
        assert f"'{kind}' AS kind, {str(export.monthly).upper()} AS monthly" in coverage.query
    assert {k for k, e in EXPORTS.items() if e.monthly} == {"tax_relief", "permit_reform", "court_cases", "realestate"}


def test_an_export_that_is_not_monthly_has_no_gaps(wh):
    from tests.conftest import INSPECTION_HEADER, inspection_row

    write_csv(wh.landing / "抽查.csv", [
        INSPECTION_HEADER, inspection_row("T1", 1, 抽取日期="2023-02-01"), inspection_row("T2", 2, 抽取日期="2023-05-01"),
    ])
    wh.ingest()
    for model in load_models():
        build(wh.conn, model)
    assert wh.rows("SELECT month, rows, gap FROM marts.coverage ORDER BY month") == [
        (date(2023, m, 1), {2: 1, 5: 1}.get(m, 0), False) for m in range(1, 6)
    ]
    assert checks.coverage_gaps(wh.conn).passed


# --- item 6: a backfill of one month rebuilds every later year-to-date figure -----

def test_backfill_of_march_through_dagster_updates_june_ytd(tmp_path):
    s = _settings(tmp_path)
    s.landing.mkdir()
    for month in range(1, 7):
        permit_file(s.landing, month)
    resource = WarehouseResource(landing=str(s.landing), warehouse=str(s.warehouse), county_code=COUNTY)
    instance = dg.DagsterInstance.ephemeral()
    assert defs.resolve_job_def("ingest").execute_in_process(instance=instance, resources={"warehouse": resource}).success
    assert defs.resolve_job_def("build_and_publish").execute_in_process(
        instance=instance, resources={"warehouse": resource},
        tags={"dagster/asset_partition_range_start": "2023-01-01", "dagster/asset_partition_range_end": "2023-06-01"},
    ).success
    june_before = ytd(s, "permit_cases", "2023-06-30")
    march_before = ytd(s, "permit_cases", "2023-03-31")

    # A re-export of March with twice the figures; the later file wins.
    permit_file(s.landing, 3, scale=2, name="证照分离3月（更正）.csv", mtime=1_700_009_000)
    assert defs.resolve_job_def("ingest").execute_in_process(instance=instance, resources={"warehouse": resource}).success
    # Only the March partition of the monthly mart, and what depends on it.
    monthly = dg.AssetKey(["marts", "permit_reform_monthly"])
    result = dg.materialize(
        [*all_assets, *all_checks],
        selection=dg.AssetSelection.assets(monthly).downstream(),
        partition_key="2023-03-01",
        resources={"warehouse": resource},
        instance=instance,
    )
    assert result.success
    # March's report doubled: March's month figure is added to every YTD from March on.
    march_month = sum((3 + i) + 2 * i + (3 + 3) + 10 * i for i in (1, 2, 3))
    with duckdb.connect(str(s.warehouse), read_only=True) as c:
        assert c.execute(
            "SELECT sum(cases) FROM marts.permit_reform_monthly WHERE month = '2023-03-01'"
        ).fetchone()[0] == 2 * march_month
    assert ytd(s, "permit_cases", "2023-03-31") == march_before + march_month
    assert ytd(s, "permit_cases", "2023-06-30") == june_before + march_month


# --- item 9: every check fails on input files that break what it guards -----------

def test_only_checks_that_input_can_fail():
    names = {k.name for c in all_checks for k in c.check_keys}
    assert names == {
        "totals_rows_match_data", "coverage_gaps", "indicators_recomputed",
        "indicator_revisions", "great_expectations",
    }


def test_totals_row_check_warns_on_a_file_whose_total_disagrees(wh):
    write_csv(wh.landing / "一月.csv", [TAX_HEADER, tax_row("V1", "100"), tax_row("V2", "200"), ["合计", *[""] * 6, "300", "", "", ""]])
    wh.ingest()
    result = checks.totals_rows(wh.conn)
    assert result.passed and result.metadata["totals_checked"].value == 1
    write_csv(wh.landing / "二月.csv", [TAX_HEADER, tax_row("V3", "100"), tax_row("V4", "200"), ["总计", *[""] * 6, "400", "", "", ""]])
    wh.ingest()
    result = checks.totals_rows(wh.conn)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert "二月.csv" in result.metadata["examples"].value


def test_recomputation_fails_when_a_backfill_leaves_a_month_stale(tmp_path):
    """A re-export moves a case's closing from March to April; an operator backfills
    only April. March of the monthly mart still counts the case, the indicators built
    from it count it twice, and only the recomputation from staging can tell."""
    s = _settings(tmp_path)
    s.landing.mkdir()
    first = write_csv(s.landing / "案件.csv", [
        COURT_HEADER, court_row(1, 立案日期="2023-01-05", 结案日期="2023-03-10"),
        court_row(2, 立案日期="2023-02-01", 结案日期="2023-04-20"),
    ])
    os.utime(first, (1_700_000_000, 1_700_000_000))
    evaluations = run_with_checks(s)
    assert evaluations["indicators_recomputed"].passed

    moved = write_csv(s.landing / "案件（更新）.csv", [COURT_HEADER, court_row(1, 立案日期="2023-01-05", 结案日期="2023-04-02")])
    os.utime(moved, (1_700_000_600, 1_700_000_600))
    resource = WarehouseResource(landing=str(s.landing), warehouse=str(s.warehouse), county_code=COUNTY)
    instance = dg.DagsterInstance.ephemeral()
    assert defs.resolve_job_def("ingest").execute_in_process(instance=instance, resources={"warehouse": resource}).success
    stale = dg.materialize(
        [*all_assets, *all_checks],
        selection=dg.AssetSelection.assets(dg.AssetKey(["marts", "court_cases_monthly"])).downstream(),
        partition_key="2023-04-01",
        resources={"warehouse": resource},
        instance=instance,
        raise_on_error=False,
    )
    [check] = [e for e in stale.get_asset_check_evaluations() if e.check_name == "indicators_recomputed"]
    assert not check.passed
    assert "court_closed" in check.metadata["examples (county, indicator, period_end, recomputed, built)"].value
    assert dg.AssetKey(["published_warehouse"]) not in [e.asset_key for e in stale.get_asset_materialization_events()]
    assert ytd(s, "court_closed", "2023-04-30") == 2  # the published warehouse kept its right figures

    # Rebuilding the months the re-export touched (March and April) agrees again.
    result = materialize(s, BUILD, (date(2023, 3, 1), date(2023, 4, 1)))
    assert [e.passed for e in result.get_asset_check_evaluations() if e.check_name == "indicators_recomputed"] == [True]
    assert ytd(s, "court_closed", "2023-03-31") == 0 and ytd(s, "court_closed", "2023-04-30") == 2


def test_revisions_of_published_months_warn_beyond_the_threshold(tmp_path):
    s = _settings(tmp_path)
    s.landing.mkdir()
    for month in range(1, 7):
        permit_file(s.landing, month)
    assert run_with_checks(s)["indicator_revisions"].passed  # nothing published before

    # A re-export of March changing one department by 1 case: under 5% of every figure.
    rows = [PERMIT_HEADER]
    for i, (dept, item) in enumerate(DEPARTMENTS, 1):
        modes = [3 + i, 2 * i, 6, 10 * i + (1 if i == 3 else 0)]
        rows.append(["2023-03", i, dept, item, *modes, sum(modes)])
    small = write_csv(s.landing / "证照分离3月（小改）.csv", rows)
    os.utime(small, (1_700_001_000, 1_700_001_000))
    check = run_with_checks(s)["indicator_revisions"]
    assert check.passed, check.description

    # A re-export of March with twice the figures: March's and every later YTD move > 5%.
    permit_file(s.landing, 3, scale=2, name="证照分离3月（更正）.csv", mtime=1_700_002_000)
    check = run_with_checks(s)["indicator_revisions"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert f"{COUNTY} permit_cases at 2023-03-31: published" in check.description
    assert "permit_cases at 2023-02-28" not in check.description  # months before March did not move


def test_a_date_outside_the_calendar_blocks_publishing_until_re_exported(tmp_path, capsys):
    s = _settings(tmp_path)
    s.landing.mkdir()
    good = write_csv(s.landing / "案件.csv", [COURT_HEADER, court_row(1, 立案日期="2023-01-05", 结案日期="2023-02-01")])
    os.utime(good, (1_700_000_000, 1_700_000_000))
    args = ["run", "--landing", str(s.landing), "--warehouse", str(s.warehouse), "--county", COUNTY]
    assert main(args) == 0
    before = s.warehouse.read_bytes()

    typo = write_csv(s.landing / "案件2.csv", [COURT_HEADER, court_row(2, 立案日期="2203-05-17", 结案日期="")])
    os.utime(typo, (1_700_000_600, 1_700_000_600))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "coverage" in err and "great_expectations" in err
    assert s.warehouse.read_bytes() == before
    assert "marts.coverage" in docs_index(s.home).read_text("utf-8")

    fixed = write_csv(s.landing / "案件2（更正）.csv", [COURT_HEADER, court_row(2, 立案日期="2023-05-17", 结案日期="")])
    os.utime(fixed, (1_700_001_200, 1_700_001_200))
    assert main(args) == 0
    assert published(s, "SELECT max(month) FROM marts.court_cases_monthly") == [(date(2023, 5, 1),)]
    assert published(s, "SELECT max(period_end) FROM marts.indicators") == [(date(2023, 5, 31),)]


def test_failed_blocking_check_keeps_previous_marts(tmp_path, monkeypatch, capsys):
    wh = tmp_path / "w.duckdb"
    assert main(["demo", "--landing", str(tmp_path / "l"), "--warehouse", str(wh)]) == 0
    before = wh.read_bytes()
    write_csv(tmp_path / "l" / "更新.csv", [COURT_HEADER, court_row(99999, 立案日期="2023-06-02", 结案日期="2023-06-20")])
    # A fault injected in the check's query: it reports a disagreement.
    monkeypatch.setattr(checks, "RECOMPUTED", "SELECT 'planted' AS county_code, 'court_received' AS indicator")
    assert main(["run", "--landing", str(tmp_path / "l"), "--warehouse", str(wh), "--county", "610528"]) == 1
    assert "indicators_recomputed" in capsys.readouterr().err
    assert wh.read_bytes() == before
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT value FROM marts.indicators WHERE indicator = 'court_received' AND period_end = '2023-06-30'").fetchone()[0] == Decimal(5648)


def test_a_report_with_every_count_empty_still_gives_its_month(wh):
    """Found by the recomputation: a monthly report whose count cells are all empty
    arrived (no gap), so its month end has figures (nothing added that month)."""
    permit_file(wh.landing, 1)
    rows = [PERMIT_HEADER] + [["2023-02", i, d, item, "", "", "", "", ""] for i, (d, item) in enumerate(DEPARTMENTS, 1)]
    write_csv(wh.landing / "证照分离2月.csv", rows)
    os.utime(wh.landing / "证照分离2月.csv", (1_700_001_000, 1_700_001_000))
    wh.ingest()
    for model in load_models():
        build(wh.conn, model)
    assert wh.rows("SELECT month, rows, gap FROM marts.coverage ORDER BY month") == [
        (date(2023, 1, 1), 3, False), (date(2023, 2, 1), 3, False),
    ]
    jan, feb = (wh.one(f"SELECT value FROM marts.indicators WHERE indicator = 'permit_cases' AND period_end = '{d}'")
                for d in ("2023-01-31", "2023-02-28"))
    assert jan > 0 and feb == jan
    assert checks.indicators_recomputed(wh.conn).passed
