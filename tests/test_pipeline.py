"""The pipeline end to end through `yingshang`, as a data engineer runs it."""

import subprocess
import sys

import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import (
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


def test_run_rerun_and_rebuild(tmp_path, landing, capsys):
    wh = tmp_path / "out" / "yingshang.duckdb"
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) == 0
    out = capsys.readouterr()
    assert "5 files: 4 loaded, 1 rejected, 0 duplicate; 2 rows quarantined" in out.out
    assert "unsupported file type '.txt'" in out.out
    first = tables(wh)
    assert first["staging.court_cases"] and first["marts.indicators"]

    # Nothing new: no table changes.
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) == 0
    assert "no new files" in capsys.readouterr().out
    assert tables(wh) == first

    # The archive alone rebuilds the same warehouse.
    for f in landing.iterdir():
        f.unlink()
    assert run_cli("rebuild", "--warehouse", str(wh)) == 0
    assert tables(wh) == first


def test_no_personal_data_in_any_table_or_log(tmp_path, landing, capsys, caplog):
    wh = tmp_path / "yingshang.duckdb"
    assert run_cli("-v", "run", "--landing", str(landing), "--warehouse", str(wh)) == 0
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
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) == 0
    before = wh.read_bytes()
    write_csv(landing / "new.csv", [COURT_HEADER, court_row(9)])

    import assets.marts as marts

    def broken(conn, model, months=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(marts, "build", broken)
    assert run_cli("run", "--landing", str(landing), "--warehouse", str(wh)) == 1
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
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
        capture_output=True, text=True, cwd=tmp_path, env={**__import__("os").environ, "DAGSTER_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful" in done.stderr + done.stdout
