"""The pipeline end to end through `yingshang`, as a data engineer runs it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from assets import resources
from assets.landing import INGEST_LOG
from assets.marts import PUBLISHED
from pipelines.cli import main
from tests.conftest import (
    COUNTY,
    COURT_HEADER,
    INSPECTION_HEADER,
    TAX_HEADER,
    court_row,
    inspection_row,
    tax_row,
    touch_in_order,
    write_csv,
)

PERSONS = ["欧阳娜娜", "司马相如", "诸葛明亮", "上官婉儿"]


@pytest.fixture
def landing(tmp_path):
    d = tmp_path / "landing"
    d.mkdir()
    a = write_csv(d / "案件.csv", [
        COURT_HEADER,
        court_row(1, 当事人=f"{PERSONS[0]}、{PERSONS[1]}"),
        court_row(2, 当事人=PERSONS[1], 案件类型="未知"),  # quarantined: its raw row must not keep the names
        court_row(3, 当事人=PERSONS[2], 结案日期="", 结案方式=""),
    ], "gb18030")
    b = write_csv(d / "抽查.csv", [
        INSPECTION_HEADER,
        inspection_row("T1", 1, 执法人员=f"{PERSONS[3]}，{PERSONS[0]}"),
        inspection_row("T1", 2, 执法人员=PERSONS[3], 检查结果="??"),
    ])
    c = write_csv(d / "税.csv", [TAX_HEADER, tax_row("V1"), tax_row("V2", "12.50")])
    d_ = write_csv(d / "更新.csv", [COURT_HEADER, court_row(3, 当事人=PERSONS[2])])
    (d / "readme.txt").write_text("not an export")
    touch_in_order(a, b, c, d_, d / "readme.txt")
    return d


def run_cli(*args):
    return main(list(args))


def tables(path):
    with duckdb.connect(str(path), read_only=True) as c:
        names = [r[0] for r in c.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
        ).fetchall()]
        return {
            t: c.execute(
                f"SELECT * EXCLUDE (ingested_at) FROM {t} ORDER BY ALL" if t == "meta.ingest_log"
                else f"SELECT * FROM {t} ORDER BY ALL"
            ).fetchall()
            for t in names
        }


def test_run_rerun_and_rebuild(tmp_path, landing, capsys, monkeypatch):
    wh = tmp_path / "out" / "yingshang.duckdb"
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    out = capsys.readouterr()
    assert "5 files: 4 loaded, 1 rejected, 0 duplicate; 2 rows quarantined" in out.out
    assert "unsupported file type '.txt'" in out.out
    first = tables(wh)
    assert first["staging.court_cases"] and first["marts.indicators"]

    # Nothing new: no table changes.
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    assert "no new files" in capsys.readouterr().out
    assert tables(wh) == first

    # The archive alone rebuilds the same warehouse.
    for f in landing.iterdir():
        f.unlink()
    rewritten = []
    monkeypatch.setattr(resources, "_copy_database", lambda *a: rewritten.append(a))
    assert run_cli("rebuild", "--warehouse", str(wh), "--county", COUNTY) == 0
    assert tables(wh) == first
    # The new build is made in the storage analysts' clients read, so that its
    # publish is a copy (assets.resources.copy_for_analysts), not a rewrite.
    assert rewritten == []


def test_no_personal_data_in_any_table_or_log(tmp_path, landing, capsys, caplog):
    wh = tmp_path / "yingshang.duckdb"
    assert run_cli("-v", "run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    out = capsys.readouterr()
    text = out.out + out.err + caplog.text
    with duckdb.connect(str(wh), read_only=True) as c:
        cols = c.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE 'VARCHAR[]%' OR data_type LIKE 'STRUCT%'"
        ).fetchall()
        assert len(cols) > 20
        for schema, table, column in cols:
            text += "\n".join(
                str(v[0]) for v in c.execute(f'SELECT "{column}"::VARCHAR FROM {schema}.{table}').fetchall()
            )
        assert c.execute("SELECT sum(parties_count) FROM staging.court_cases").fetchone()[0] == 3
        assert c.execute("SELECT count(*) FROM quarantine.rows").fetchone()[0] == 2
    for name in PERSONS:
        assert name not in text, name


def test_failed_run_leaves_published_warehouse_intact(tmp_path, landing, monkeypatch, capsys):
    wh = tmp_path / "yingshang.duckdb"
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    before = wh.read_bytes()
    write_csv(landing / "new.csv", [COURT_HEADER, court_row(9)])

    import assets.marts as marts

    def broken(conn, model, months=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(marts, "build", broken)
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "run failed in" in err[-1] and "disk full" in err[-1]
    assert wh.read_bytes() == before


def test_every_command_has_help():
    for args in (["--help"], ["run", "--help"], ["rebuild", "--help"]):
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True)
        assert done.returncode == 0 and "usage: yingshang" in done.stdout


def test_bad_county_is_one_clear_line(capsys):
    assert run_cli("run", "--county", "61") == 2
    assert capsys.readouterr().err.strip() == "yingshang: county code must be 6 digits (GB/T 2260), got '61'"


def test_dagster_definitions_load():
    from pipelines.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"staging/court_cases", "marts/indicators", "meta/ingest_log", "published_warehouse"} <= keys


def test_dagster_definitions_validate_accepts_the_code_location(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    env.pop("YINGSHANG_COUNTY", None)  # the UI must open before anyone configured a county
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful" in done.stderr + done.stdout


# --- first runs: a ledger, not a crash (issue 9, item 2) ------------------------------

def _marts(path) -> dict[str, tuple[int, list[str], str | None]]:
    """Every mart table of a warehouse file: (rows, columns, table comment)."""
    with duckdb.connect(str(path), read_only=True) as c:
        names = [r for r in c.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()]
        return {
            name: (
                c.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0],
                [r[0] for r in c.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                    "AND table_name = ? ORDER BY column_index", [name]).fetchall()],
                comment,
            )
            for name, comment in names
        }


def _assert_every_mart_present(path, *, empty: bool):
    from assets.models import load_models
    from assets.releases import history_mart

    marts = _marts(path)
    # Every model, and the revision history appended at publish.
    assert set(marts) == {m.name for m in load_models()} | {history_mart().name}
    with duckdb.connect(str(path), read_only=True) as c:
        for model in load_models():
            rows, columns, comment = marts[model.name]
            # The columns the model's own query yields, and its documentation.
            query = model.query.rstrip().rstrip(";")
            assert columns == [d[0] for d in c.execute(f"SELECT * FROM ({query}) LIMIT 0").description]
            assert comment, model.name
            # A mart that reads no table (the indicator definitions, the working-day
            # calendar) is reference, not data.
            if empty and model.deps:
                assert rows == 0, model.name


def test_first_run_with_only_rejected_files_publishes_the_ledger_and_every_mart(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "out" / "yingshang.duckdb"
    landing.mkdir()
    a = write_csv(landing / "名单.csv", [["姓名", "电话"], ["某人", "123"]])
    b = landing / "空.csv"
    b.write_bytes(b"")
    c = landing / "说明.docx"
    c.write_bytes(b"PK not an export")
    touch_in_order(a, b, c)

    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    out = capsys.readouterr().out
    assert "3 files: 0 loaded, 3 rejected" in out
    with duckdb.connect(str(wh), read_only=True) as conn:
        log = conn.execute(
            "SELECT file_name, status, reason FROM meta.ingest_log ORDER BY ingest_id"
        ).fetchall()
    assert [(f, s) for f, s, _ in log] == [("名单.csv", "rejected"), ("空.csv", "rejected"), ("说明.docx", "rejected")]
    assert all(reason for _, _, reason in log)
    _assert_every_mart_present(wh, empty=True)

    # The clerk drops the right file: the next run fills the marts.
    touch_in_order(a, b, c, write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1), court_row(2)]))
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    _assert_every_mart_present(wh, empty=False)
    with duckdb.connect(str(wh), read_only=True) as conn:
        assert conn.execute("SELECT sum(received), sum(closed) FROM marts.court_cases_monthly").fetchone() == (2, 2)
        assert conn.execute(
            "SELECT value FROM marts.indicators WHERE indicator = 'court_received' AND period_end = '2023-03-31'"
        ).fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 4


def test_a_rejected_file_after_a_good_run_is_published_in_the_ledger(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "yingshang.duckdb"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    # A file that changes no data but adds a row to the ledger and to quarantine.
    write_csv(landing / "错.csv", [COURT_HEADER, court_row(2, 案件类型="未知")])
    write_csv(landing / "乱.csv", [["甲", "乙"], ["1", "2"]])
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    with duckdb.connect(str(wh), read_only=True) as conn:
        assert {r[0] for r in conn.execute("SELECT file_name FROM meta.ingest_log").fetchall()} == {
            "案件.csv", "错.csv", "乱.csv"
        }
        assert conn.execute("SELECT file_name FROM quarantine.rows").fetchall() == [("错.csv",)]


def test_empty_landing_folder_on_a_first_run_publishes_an_empty_warehouse(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "yingshang.duckdb"
    landing.mkdir()
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    assert "no new files in the landing folder" in capsys.readouterr().out
    _assert_every_mart_present(wh, empty=True)
    before = wh.read_bytes()
    # Nothing new again: nothing published again.
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY) == 0
    assert wh.read_bytes() == before


def test_missing_landing_folder_is_one_line_naming_it_and_creates_nothing(tmp_path, capsys):
    typo = tmp_path / "landnig"
    out = tmp_path / "out"
    code = run_cli("run", "--landing", str(typo), "--warehouse", str(out / "yingshang.duckdb"), "--county", COUNTY)
    assert code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(typo) in err[0] and "does not exist" in err[0], err
    assert not out.exists()
    assert not typo.exists()


# --- no default county (issue 9, item 7) ----------------------------------------------

def _snapshot(folder: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_run_without_a_county_stops_before_ingesting(tmp_path, capsys):
    landing, out = tmp_path / "landing", tmp_path / "out"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    write_csv(landing / "税.csv", [TAX_HEADER, tax_row("V1")])
    landed = _snapshot(landing)
    wh = out / "yingshang.duckdb"

    for command in (["run", "--landing", str(landing)], ["rebuild"]):
        assert run_cli(*command, "--warehouse", str(wh)) != 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "YINGSHANG_COUNTY" in err[0] and "--county" in err[0], err
        assert _snapshot(landing) == landed
        assert not out.exists()  # no archive, no build, no ledger, no published file

    # Named, by flag or by the environment, it runs.
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", "610526") == 0
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT DISTINCT county_code FROM staging.court_cases").fetchall() == [("610526",)]


def test_a_missing_county_never_touches_an_existing_warehouse(tmp_path, capsys, monkeypatch):
    landing, wh = tmp_path / "landing", tmp_path / "yingshang.duckdb"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    monkeypatch.setenv("YINGSHANG_COUNTY", COUNTY)
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) == 0
    published, archived = wh.read_bytes(), sorted((tmp_path / "archive").rglob("*"))
    monkeypatch.delenv("YINGSHANG_COUNTY")
    write_csv(landing / "新.csv", [COURT_HEADER, court_row(2)])
    capsys.readouterr()
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) != 0
    assert "YINGSHANG_COUNTY" in capsys.readouterr().err
    assert wh.read_bytes() == published
    assert sorted((tmp_path / "archive").rglob("*")) == archived
    with duckdb.connect(str(tmp_path / ".build" / wh.name), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 1


def test_a_dagster_materialization_without_a_county_fails_with_the_same_line(tmp_path):
    import dagster as dg

    from assets.resources import WarehouseResource
    from assets.settings import MISSING_COUNTY
    from pipelines.definitions import defs

    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    resource = WarehouseResource(landing=str(landing), warehouse=str(tmp_path / "w.duckdb"))
    result = defs.resolve_job_def("ingest").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), resources={"warehouse": resource}, raise_on_error=False
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    while error.cause is not None:
        error = error.cause
    assert error.message.strip().endswith(MISSING_COUNTY)
    assert not (tmp_path / "archive").exists() and not (tmp_path / ".build").exists()


def test_demo_keeps_its_sample_county(tmp_path, capsys):
    assert main(["demo", "--landing", str(tmp_path / "l"), "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as c:
        assert c.execute("SELECT DISTINCT county_code FROM marts.indicators").fetchall() == [("610528",)]


# --- a quiet terminal (issue 9, item 10) ----------------------------------------------

PRODUCT_LINES = [
    r"landing folder: .*", r"\[\d+/\d+\] .*", r"building marts for .*",  # stderr: progress
    r"file +kind +status .*", r"\S+\.csv +\w+ +(loaded|rejected|duplicate) .*",  # stdout: the summary
    r"\d+ files: .*", r"gap: .*", r"release \d+ published .*", r"published: .*",
]


def _cli_process(*args, cwd):
    env = {**os.environ, "YINGSHANG_COUNTY": COUNTY}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=300,
    )


def test_a_normal_run_prints_only_the_products_lines_and_v_adds_dagsters(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    repo = Path(__file__).resolve().parent.parent
    quiet = _cli_process("run", "--landing", str(landing), "--warehouse", str(tmp_path / "q.duckdb"), cwd=repo)
    assert quiet.returncode == 0, quiet.stderr
    lines = (quiet.stdout + quiet.stderr).splitlines()
    assert lines and not [line for line in lines if "Warning" in line]
    strays = [line for line in lines if not any(re.fullmatch(p, line) for p in PRODUCT_LINES)]
    assert strays == []

    loud = _cli_process("-v", "run", "--landing", str(landing), "--warehouse", str(tmp_path / "v.duckdb"), cwd=repo)
    assert loud.returncode == 0, loud.stderr
    assert " - dagster - " in loud.stderr and "BetaWarning" in loud.stderr


def test_report_without_a_county_uses_the_warehouses_only_county(tmp_path, capsys):
    landing, wh = tmp_path / "landing", tmp_path / "yingshang.duckdb"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh), "--county", "610526") == 0
    capsys.readouterr()
    out = tmp_path / "reports"
    assert run_cli("report", "--period", "2023-H1", "--warehouse", str(wh), "--out", str(out)) == 0
    md = next(out.glob("*.md")).read_text("utf-8")
    assert md.startswith("# 610526 2023-H1")


def test_with_dagster_home_the_commands_runs_are_in_its_run_history(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "案件.csv", [COURT_HEADER, court_row(1)])
    home = tmp_path / "dagster_home"
    home.mkdir()
    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "YINGSHANG_COUNTY": COUNTY, "DAGSTER_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing),
         "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True, text=True, cwd=repo, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) >= 2 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        materialized = {k.to_user_string() for k in instance.get_asset_keys()}
    assert {INGEST_LOG.to_user_string(), PUBLISHED.to_user_string()} <= materialized, materialized
