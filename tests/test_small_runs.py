"""A run with nothing new answers from the ledger without starting Dagster, and
says exactly what the full run would; anything new or changed takes the full run."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.cli import main
from tests.conftest import COUNTY, COURT_HEADER, court_row, write_csv

ROOT = Path(__file__).resolve().parents[1]


def _args(landing: Path, wh: Path) -> list[str]:
    return ["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]


def _run_in_subprocess(landing: Path, wh: Path) -> tuple[str, set[str]]:
    """`yingshang run` in a fresh interpreter: its stdout, and which heavy libraries it imported."""
    code = (
        "import sys; from pipelines.cli import main; rc = main(sys.argv[1:]); "
        "heavy = [m for m in ('dagster', 'polars', 'pandera', 'great_expectations') if m in sys.modules]; "
        "print('IMPORTED', ','.join(heavy)); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *_args(landing, wh)], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True,
    )
    out, _, imported = done.stdout.rpartition("IMPORTED")
    return out, {m for m in imported.strip().split(",") if m}


def test_nothing_new_needs_no_dagster_and_reports_as_before(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    out, imported = _run_in_subprocess(landing, wh)
    assert imported == set()
    assert out.splitlines()[0] == "no new files in the landing folder"
    assert out.splitlines()[-1] == f"published: {wh}"


def test_a_changed_file_is_never_skipped(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    # Same name, new content and a new modification time: the full run takes it.
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1), court_row(2)])
    out, imported = _run_in_subprocess(landing, wh)
    assert "dagster" in imported
    assert "a.csv" in out and "no new files" not in out
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT sum(received) FROM marts.court_cases_monthly").fetchone()[0] == 2


def test_a_touched_file_with_the_same_content_is_still_nothing_new(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    stat = (landing / "a.csv").stat()
    os.utime(landing / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    out, imported = _run_in_subprocess(landing, wh)  # hashed by the full run: same content
    assert "dagster" in imported
    assert out.splitlines()[0] == "no new files in the landing folder"


# --- Great Expectations only where it can find something (issue 11) -------------------

def test_the_suite_runs_only_on_changes_reaching_an_end_of_the_calendar():
    from datetime import date

    from assets.expectations import calendar, months_to_validate

    first, last = calendar()
    assert months_to_validate(None) is None  # nothing staged changed since the last publish
    assert months_to_validate((date(2023, 3, 1), date(2023, 6, 1))) is None
    assert months_to_validate((date(2023, 3, 1), last)) == (date(2023, 3, 1), None)
    assert months_to_validate((first, date(2023, 6, 1))) == (None, date(2023, 6, 1))
    assert months_to_validate((date(2003, 5, 1), date(2203, 5, 1))) == (None, None)


def test_a_new_export_inside_the_calendar_does_not_import_great_expectations(tmp_path):
    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    write_csv(landing / "b.csv", [COURT_HEADER, court_row(2, 立案日期="2023-04-03", 结案日期="")])
    out, imported = _run_in_subprocess(landing, wh)
    assert "dagster" in imported and "great_expectations" not in imported
    assert "b.csv" in out
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT sum(received) FROM marts.court_cases_monthly").fetchone()[0] == 2


def test_a_new_export_of_the_current_month_runs_the_suite_and_writes_its_data_docs(tmp_path):
    from datetime import date

    from assets.expectations import docs_index

    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    assert not docs_index(tmp_path).exists()  # 2023 only: no suite needed
    today = date.today().isoformat()
    write_csv(landing / "b.csv", [COURT_HEADER, court_row(2, 立案日期=today, 结案日期="")])
    out, imported = _run_in_subprocess(landing, wh)
    assert "great_expectations" in imported
    assert "marts.coverage" in docs_index(tmp_path).read_text("utf-8")


# --- the daemon path: a run is one process, which loads only what it needs -------------

def test_every_job_runs_its_steps_in_the_runs_own_process():
    from pipelines.definitions import defs

    jobs = [defs.resolve_job_def(n) for n in ("ingest", "build_and_publish", "publish")]
    jobs.append(defs.resolve_implicit_global_asset_job_def())  # the UI's ad-hoc materializations
    assert {j.executor_def.name for j in jobs} == {"in_process"}


def test_the_code_location_loads_without_pandera_or_great_expectations():
    """Every run under the daemon loads the code location in a new process; a build
    and publish run needs neither (GX runs only where it can find something)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, pipelines.definitions; "
         "print(','.join(m for m in ('pandas', 'pandera', 'great_expectations') if m in sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == ""


# --- a step's connection writes nothing when the build is as declared -------------------

def _built(tmp_path: Path):
    from assets.resources import WarehouseResource

    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(_args(landing, wh)) == 0
    return WarehouseResource(landing=str(landing), warehouse=str(wh), county_code=COUNTY)


def test_a_connection_to_a_build_as_declared_writes_nothing(tmp_path):
    resource = _built(tmp_path)
    build = resource.settings.build
    before = build.read_bytes()
    with resource.connect() as conn:
        assert conn.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 1
    assert build.read_bytes() == before


def test_a_build_that_lost_a_declared_comment_gets_it_back(tmp_path):
    resource = _built(tmp_path)
    with duckdb.connect(str(resource.settings.build)) as c:
        c.execute("COMMENT ON COLUMN meta.ingest_log.reason IS NULL")
    with resource.connect() as conn:
        comment = conn.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'meta' AND table_name = 'ingest_log' "
            "AND column_name = 'reason'"
        ).fetchone()[0]
    assert comment == "拒收原因 / why the file was rejected"
