"""A province of counties (EXPORTS.md 3a): one landing subfolder per county, each
county its own warehouse, the province file merged from them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets.province import county_settings
from assets.settings import Settings
from pipelines.cli import main
from pipelines.sample_data import expected_ingest_counts
from pipelines.sample_data.counties import write_county_exports
from pipelines.sample_data.reference import REFERENCE_FIGURES
from tests.conftest import COURT_HEADER, court_row, write_csv

THREE = ("610526", "610527", "610528")


def _q(path: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(sql, params or []).fetchall()


def _settings(root: Path) -> Settings:
    return Settings(landing=root / "landing", warehouse=root / "wh" / "yingshang.duckdb", county_code=None)


def _args(s: Settings, *more: str) -> list[str]:
    return ["run", "--landing", str(s.landing), "--warehouse", str(s.warehouse), *more]


@pytest.fixture(scope="module")
def three_counties(tmp_path_factory) -> Settings:
    """The sample exports of three counties (the same files bar the code in
    行政区划代码), run with two worker processes."""
    s = _settings(tmp_path_factory.mktemp("province"))
    for code in THREE:
        write_county_exports(s.landing / code, code)
    assert main(_args(s, "--workers", "2")) == 0
    return s


def test_each_county_has_the_reference_figures_and_the_province_three_times_them(three_counties):
    s = three_counties
    methods = dict(_q(s.warehouse, "SELECT indicator, method FROM marts.indicator_definitions"))
    for indicator, period_end, expected in REFERENCE_FIGURES:
        for code in THREE:
            own = county_settings(s, code).warehouse
            sql = "SELECT value FROM marts.indicators WHERE county_code = ? AND indicator = ? AND period_end = ?"
            assert _q(own, sql, [code, indicator, period_end]) == [(expected,)], (code, indicator)
            assert _q(s.warehouse, sql, [code, indicator, period_end]) == [(expected,)], (code, indicator)
        total, counties = _q(
            s.warehouse,
            "SELECT sum(value), count(*) FROM marts.indicators WHERE indicator = ? AND period_end = ?",
            [indicator, period_end],
        )[0]
        assert counties == 3
        if methods[indicator] in ("sum", "distinct"):
            assert total == 3 * Decimal(expected), indicator
    # A ratio of the province is the ratio of its summed parts: the same as each county's.
    received, closed = _q(s.warehouse, (
        "SELECT sum(value) FILTER (indicator = 'court_received'), sum(value) FILTER (indicator = 'court_closed') "
        "FROM marts.indicators WHERE period_end = '2023-06-30'"
    ))[0]
    assert round(closed / received, 4) == Decimal("0.8773")


def test_the_province_file_keeps_each_countys_ledger_and_one_copy_of_reference_tables(three_counties):
    s = three_counties
    one = county_settings(s, "610527").warehouse
    for table in ("staging.court_cases", "marts.court_cases_monthly", "quarantine.rows", "meta.ingest_log"):
        per_county = _q(one, f"SELECT count(*) FROM {table}")[0][0]
        assert per_county > 0
        assert _q(s.warehouse, f"SELECT county_code, count(*) FROM {table} GROUP BY ALL ORDER BY 1") == [
            (code, per_county) for code in THREE
        ], table
    for table in ("marts.calendar", "marts.indicator_definitions"):
        assert _q(s.warehouse, f"SELECT count(*) FROM {table}") == _q(one, f"SELECT count(*) FROM {table}")
    # Rows read = loaded + quarantined, per county and file, as each county's run counted them.
    expected = expected_ingest_counts()
    got = {
        name: {"rows_read": r, "rows_loaded": lo, "rows_quarantined": qu}
        for name, r, lo, qu in _q(s.warehouse, (
            "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM meta.ingest_log "
            "WHERE county_code = '610527' AND status = 'loaded'"
        ))
    }
    assert got
    for name, counts in got.items():
        assert counts == {k: expected[name][k] for k in counts}, name
        assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_quarantined"]
    # The documentation travels: comments on tables and columns, the new county column too.
    assert _q(s.warehouse, "SELECT comment IS NOT NULL FROM duckdb_tables() WHERE schema_name = 'marts' "
                           "AND table_name = 'indicators'") == [(True,)]
    assert _q(s.warehouse, "SELECT comment FROM duckdb_columns() WHERE schema_name = 'meta' "
                           "AND table_name = 'ingest_log' AND column_name = 'county_code'")[0][0].startswith("行政区划代码")
    assert sorted(c for c, in _q(s.warehouse, "SELECT county_code FROM meta.province_counties")) == list(THREE)


def test_the_province_file_is_readable_by_duckdb_1x(three_counties):
    cli = Path(sys.executable).with_name("duckdb")
    if not cli.exists():
        pytest.skip("the duckdb-cli of the test extra is not installed")
    out = subprocess.run(
        [str(cli), "-readonly", "-json", str(three_counties.warehouse),
         "SELECT county_code, value FROM marts.indicators WHERE indicator = 'court_received' "
         "AND period_end = '2023-06-30' ORDER BY 1"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert [(r["county_code"], float(r["value"])) for r in json.loads(out)] == [(c, 5648.0) for c in THREE]


def test_report_and_query_on_the_province_file(three_counties, tmp_path, capsys):
    s = three_counties
    assert main(["report", "--period", "2023-H1", "--warehouse", str(s.warehouse), "--out", str(tmp_path)]) == 2
    assert "610526, 610527, 610528" in capsys.readouterr().err  # which county? it names them
    assert main(["report", "--period", "2023-H1", "--warehouse", str(s.warehouse), "--county", "610527",
                 "--out", str(tmp_path / "p")]) == 0
    assert main(["report", "--period", "2023-H1", "--warehouse", str(county_settings(s, "610527").warehouse),
                 "--county", "610527", "--out", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    province_md = next((tmp_path / "p").glob("*.md")).read_text("utf-8")
    county_md = next((tmp_path / "c").glob("*.md")).read_text("utf-8")
    # The county's report from the province file is the county's own report
    # (quarantine and file counts scoped to the county), bar where it was read from.
    strip = lambda text: [ln for ln in text.splitlines() if "yingshang.duckdb" not in ln]  # noqa: E731
    assert strip(province_md) == strip(county_md)
    assert main(["query", "SELECT count(DISTINCT county_code) AS n FROM marts.indicators", "--format", "csv",
                 "--warehouse", str(s.warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3"


def test_nothing_new_leaves_every_file_as_it_was(three_counties):
    s = three_counties
    files = [s.warehouse, *(county_settings(s, c).warehouse for c in THREE)]
    before = [p.stat().st_mtime_ns for p in files]
    assert main(_args(s, "--workers", "1")) == 0
    assert [p.stat().st_mtime_ns for p in files] == before


def _county_file(folder: Path, name: str, rows: list[list[str]], mtime: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv(folder / name, rows)
    os.utime(path, (mtime, mtime))
    return path


def test_a_row_naming_another_county_is_a_row_error(tmp_path):
    s = _settings(tmp_path)
    header = [*COURT_HEADER, "行政区划代码"]
    _county_file(s.landing / "610526", "案件.csv", [
        header,
        [*court_row(1), "610526"],
        [*court_row(2), "610527"],  # the folder says 610526
        [*court_row(3), ""],  # empty: the folder's county
    ], 1_700_000_000)
    assert main(_args(s)) == 0
    own = county_settings(s, "610526").warehouse
    assert _q(own, "SELECT rows_read, rows_loaded, rows_quarantined FROM meta.ingest_log") == [(3, 2, 1)]
    [(row_number, reasons)] = _q(own, "SELECT row_number, reasons FROM quarantine.rows")
    assert row_number == 3
    assert any("610527" in r and "610526" in r for r in reasons), reasons
    assert _q(own, "SELECT DISTINCT county_code FROM staging.court_cases") == [("610526",)]
    # Without subfolders the same file is one county's, as before: nothing to disagree with.
    flat = Settings(landing=tmp_path / "flat", warehouse=tmp_path / "flat_wh" / "y.duckdb", county_code="610526")
    _county_file(flat.landing, "案件.csv", [header, [*court_row(2), "610527"]], 1_700_000_000)
    assert main(["run", "--landing", str(flat.landing), "--warehouse", str(flat.warehouse),
                 "--county", "610526"]) == 0
    assert _q(flat.warehouse, "SELECT county_code FROM staging.court_cases") == [("610527",)]


def test_the_same_case_number_in_two_counties_is_two_cases(tmp_path):
    s = _settings(tmp_path)
    for code in ("610526", "610527"):
        _county_file(s.landing / code, "案件.csv", [COURT_HEADER, court_row(1)], 1_700_000_000)
    assert main(_args(s)) == 0
    assert _q(s.warehouse, "SELECT county_code, case_no FROM staging.court_cases ORDER BY 1") == [
        ("610526", "(2023)陕0528民初1号"), ("610527", "(2023)陕0528民初1号"),
    ]


def test_a_county_whose_run_fails_keeps_its_last_good_file_and_blocks_no_other(tmp_path, capsys):
    s = _settings(tmp_path)
    a, b = s.landing / "610526", s.landing / "610527"
    _county_file(a, "案件1.csv", [COURT_HEADER, court_row(1)], 1_700_000_000)
    _county_file(b, "案件1.csv", [COURT_HEADER, court_row(1)], 1_700_000_000)
    assert main(_args(s)) == 0
    a_file = county_settings(s, "610526").warehouse
    a_before = a_file.read_bytes()

    # 610526: a typo'd year fails the blocking calendar check; 610527: a good new file.
    _county_file(a, "案件2.csv", [COURT_HEADER, court_row(2, 立案日期="2203-05-17", 结案日期="")], 1_700_000_600)
    _county_file(b, "案件2.csv", [COURT_HEADER, court_row(2, 立案日期="2023-05-17", 结案日期="")], 1_700_000_600)
    assert main(_args(s, "--workers", "2")) == 1
    out = capsys.readouterr().out
    assert "== county 610526 FAILED ==" in out and "counties whose run failed: 610526" in out
    assert a_file.read_bytes() == a_before
    received = (
        "SELECT county_code, value FROM marts.indicators WHERE indicator = 'court_received' "
        "AND period_end = (SELECT max(period_end) FROM marts.indicators WHERE county_code = '610527') ORDER BY 1"
    )
    assert _q(county_settings(s, "610527").warehouse, received) == [("610527", Decimal(2))]
    # The province: 610527 up to date, 610526 as last published (one case, through January's YTD).
    assert _q(s.warehouse, "SELECT county_code, count(*) FROM staging.court_cases GROUP BY 1 ORDER BY 1") == [
        ("610526", 1), ("610527", 2),
    ]
    assert _q(s.warehouse, received) == [("610527", Decimal(2))]


def test_two_county_runs_at_the_same_time_lose_nothing(tmp_path):
    """Two processes, one county each, started together: each publishes its county
    and merges; whichever merges last must hold both counties' new files."""
    s = _settings(tmp_path)
    codes = ("610526", "610527")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for round_, mtime in ((1, 1_700_000_000), (2, 1_700_000_600)):
        for code in codes:
            _county_file(s.landing / code, f"案件{round_}.csv", [COURT_HEADER, court_row(round_)], mtime)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "pipelines.cli", *_args(s, "--county", code)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for code in codes
        ]
        for p in procs:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
        assert _q(s.warehouse, "SELECT county_code, count(*) FROM staging.court_cases GROUP BY 1 ORDER BY 1") == [
            (code, round_) for code in codes
        ]
        assert _q(s.warehouse, (
            "SELECT county_code, sum(rows_read), sum(rows_loaded + rows_quarantined) FROM meta.ingest_log "
            "GROUP BY 1 ORDER BY 1"
        )) == [(code, round_, round_) for code in codes]


def test_loose_files_are_named_and_left_and_rebuild_replays_each_countys_archive(tmp_path, capsys):
    s = _settings(tmp_path)
    _county_file(s.landing / "610526", "案件.csv", [COURT_HEADER, court_row(1), court_row(2)], 1_700_000_000)
    loose = _county_file(s.landing, "散落.csv", [COURT_HEADER, court_row(3)], 1_700_000_000)
    assert main(_args(s)) == 0
    assert "not ingested: 散落.csv lies directly in the province's landing folder" in capsys.readouterr().out
    assert loose.exists()
    counts = "SELECT county_code, count(*) FROM staging.court_cases GROUP BY 1"
    assert _q(s.warehouse, counts) == [("610526", 2)]

    (s.landing / "610526" / "案件.csv").unlink()  # rebuild reads the archive, not the landing folder
    s.warehouse.unlink()
    assert main(["rebuild", "--landing", str(s.landing), "--warehouse", str(s.warehouse)]) == 0
    assert _q(s.warehouse, counts) == [("610526", 2)]
