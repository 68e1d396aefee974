"""Releases and revisions (EXPORTS.md section 3b): meta.releases, marts.indicator_history,
marts.indicators_as_of(ts) read by the DuckDB 1.x client, `yingshang revisions` and the
report's 修订 marks, on real files run through `yingshang run`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets import marts as marts_assets
from assets import resources
from assets.settings import Settings
from pipelines.cli import main
from pipelines.report import build_report, write_report
from pipelines.sample_data import write_sample_exports
from tests.conftest import COUNTY, COURT_HEADER, court_row, write_csv

CLI = Path(sys.executable).parent / "duckdb"  # the DuckDB 1.x CLI of the test extra

# The court's re-export of the first quarter's cases (C3 of the court simulator):
# cases pending at the first export that closed since, and 是否涉企 corrections. It
# revises months that earlier releases published.
COURT_RE_EXPORT = "案件信息导出(1).csv"


def run(landing: Path, warehouse: Path) -> int:
    return main(["run", "--landing", str(landing), "--warehouse", str(warehouse), "--county", COUNTY])


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(sql, params).fetchall()


def releases(path: Path) -> list[tuple]:
    return rows(path, "SELECT release_id, published_at, [f.file_name FOR f IN files] FROM meta.releases ORDER BY 1")


def cli_csv(database: Path, sql: str, out: Path) -> str:
    """`sql`'s answer from the DuckDB 1.x CLI, opened read-only as an analyst would."""
    done = subprocess.run(
        [str(CLI), "-readonly", str(database), "-c", f"COPY ({sql}) TO '{out}' (FORMAT csv)"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return out.read_text("utf-8")


def engine_csv(database: Path, sql: str, out: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as c:
        c.execute(f"COPY ({sql}) TO '{out}' (FORMAT csv)")
    return out.read_text("utf-8")


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The sample exports landed in two steps: everything but the court's re-export,
    then the re-export. After each run a copy of the published file is kept (by the
    test only) to hold the as-of answers against."""
    root = tmp_path_factory.mktemp("releases")
    written = write_sample_exports(root / "exported")
    landing, warehouse = root / "landing", root / "yingshang.duckdb"
    landing.mkdir()
    for path in written:
        if path.name != COURT_RE_EXPORT:
            path.rename(landing / path.name)  # keeps its modification time: the ingestion order
    assert run(landing, warehouse) == 0
    first = shutil.copyfile(warehouse, root / "as-published-1.duckdb")
    reports = root / "reports-1"
    write_report(warehouse, "2023-H1", COUNTY, reports)

    assert run(landing, warehouse) == 0  # nothing new
    after_nothing = releases(warehouse)

    (root / "exported" / COURT_RE_EXPORT).rename(landing / COURT_RE_EXPORT)
    assert run(landing, warehouse) == 0
    second = shutil.copyfile(warehouse, root / "as-published-2.duckdb")
    return {"root": root, "landing": landing, "warehouse": warehouse, "snapshots": [first, second],
            "after_nothing": after_nothing, "report_1": reports / "report-2023-H1.md"}


def test_each_publish_that_changes_something_is_a_release_and_a_run_with_nothing_new_is_not(story):
    warehouse, landing = story["warehouse"], story["landing"]
    assert len(story["after_nothing"]) == 1  # the second run found nothing new
    (r1, at1, files1), (r2, at2, files2) = releases(warehouse)
    assert (r1, r2) == (1, 2) and at1 < at2
    assert COURT_RE_EXPORT not in files1 and len(files1) == len(os.listdir(landing)) - 1
    assert files2 == [COURT_RE_EXPORT]  # only the file new in release 2
    # The build holds the same releases as the published file.
    build = Settings.from_env(str(landing), str(warehouse), COUNTY).build
    assert rows(build, "SELECT * FROM meta.releases ORDER BY 1") == rows(warehouse, "SELECT * FROM meta.releases ORDER BY 1")
    assert rows(build, "SELECT count(*) FROM marts.indicator_history") == rows(warehouse, "SELECT count(*) FROM marts.indicator_history")


def test_the_history_holds_each_value_once_per_release_that_changed_it(story):
    warehouse = story["warehouse"]
    first, second = story["snapshots"]
    # Release 1: every figure new, previous_value null.
    assert rows(warehouse, "SELECT DISTINCT change_type, previous_value IS NULL FROM marts.indicator_history WHERE release_id = 1") == [("new", True)]
    assert rows(warehouse, "SELECT count(*) FROM marts.indicator_history WHERE release_id = 1") == rows(first, "SELECT count(*) FROM marts.indicators")
    # Release 2: exactly the figures whose value moved, with the value release 1 had.
    with duckdb.connect() as c:
        c.execute(f"ATTACH '{first}' AS s1 (READ_ONLY)")
        c.execute(f"ATTACH '{second}' AS s2 (READ_ONLY)")
        moved = c.execute("""
            SELECT b.county_code, b.indicator, b.period_end, a.value, b.value
            FROM s2.marts.indicators b JOIN s1.marts.indicators a USING (county_code, indicator, period_end)
            WHERE a.value IS DISTINCT FROM b.value ORDER BY ALL
        """).fetchall()
        history = c.execute("""
            SELECT county_code, indicator, period_end, previous_value, value
            FROM s2.marts.indicator_history WHERE release_id = 2 AND change_type = 'revised' ORDER BY ALL
        """).fetchall()
    assert moved, "the court's re-export must revise published figures"
    assert history == moved
    closed = {(i, str(p)): (old, new) for _, i, p, old, new in moved}
    # The re-export closes first-quarter cases in the second quarter: June's year-to-date closings rise.
    old, new = closed[("court_closed", "2023-06-30")]
    assert new > old
    assert ("court_closed", "2023-03-31") not in closed  # months before the closings did not move


def test_indicators_as_of_answers_each_release_from_the_history_in_the_duckdb_1x_client(story, tmp_path):
    warehouse = story["warehouse"]
    (_, at1, _), (_, at2, _) = releases(warehouse)
    columns = "county_code, indicator, period_end, period_start, value, unit, indicator_zh, complete, missing_months"
    for at, snapshot in zip((at1, at2), story["snapshots"], strict=True):
        as_of = cli_csv(warehouse, f"SELECT * FROM marts.indicators_as_of('{at.isoformat()}') ORDER BY ALL", tmp_path / "a.csv")
        then = engine_csv(snapshot, f"SELECT {columns} FROM marts.indicators ORDER BY ALL", tmp_path / "b.csv")
        assert as_of == then and as_of.count("\n") > 300
    # Between the releases, the first one's figures; before any release, none.
    between = at1 + (at2 - at1) / 2
    assert cli_csv(warehouse, f"SELECT * FROM marts.indicators_as_of('{between.isoformat()}') ORDER BY ALL",
                   tmp_path / "c.csv") == engine_csv(story["snapshots"][0], f"SELECT {columns} FROM marts.indicators ORDER BY ALL", tmp_path / "d.csv")
    assert cli_csv(warehouse, "SELECT count(*) AS n FROM marts.indicators_as_of('2000-01-01')", tmp_path / "e.csv") == "n\n0\n"
    # The macro is the warehouse's own, documented, with no catalog in its body.
    definition, comment = rows(warehouse, "SELECT macro_definition, comment FROM duckdb_functions() WHERE function_name = 'indicators_as_of'")[0]
    assert "yingshang" not in definition and "ys_" not in definition and "marts.indicator_history" in definition
    assert "marts.indicators" in comment


def test_the_report_after_a_revising_release_marks_the_revised_figures(story):
    assert "修订" not in story["report_1"].read_text("utf-8")  # release 1 revised nothing
    report = build_report(story["warehouse"], "2023-H1", COUNTY)
    figures = report.figures()
    closed = figures["court_closed"]
    [(previous,)] = rows(story["snapshots"][0], "SELECT value FROM marts.indicators WHERE indicator = 'court_closed' AND period_end = ?", [closed.period_end])
    assert closed.revised and closed.previous == previous != closed.value
    assert not figures["permit_cases"].revised  # untouched by the court's re-export
    html, md = write_report(story["warehouse"], "2023-H1", COUNTY, story["root"] / "reports-2")
    shown = f"修订：原为{int(previous):,}"
    assert shown in html.read_text("utf-8") and shown in md.read_text("utf-8")


def test_revisions_lists_previous_and_new_and_the_file_that_changed_it(story, capsys):
    warehouse = story["warehouse"]
    first = story["snapshots"][0]
    [(old,)] = rows(first, "SELECT value FROM marts.indicators WHERE indicator = 'court_closed' AND period_end = '2023-06-30'")
    [(new,)] = rows(warehouse, "SELECT value FROM marts.indicators WHERE indicator = 'court_closed' AND period_end = '2023-06-30'")
    assert main(["revisions", "--warehouse", str(warehouse), "--indicator", "court_closed"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "2023-06-30" in x)
    assert f"{int(old)} -> {int(new)}" in line and COURT_RE_EXPORT in line and line.split()[0] == "2"
    assert "permit" not in out and "court_received " not in out
    # Since release 2 nothing changed; since release 1, the re-export's revisions.
    assert main(["revisions", "--warehouse", str(warehouse), "--since", "2"]) == 0
    assert capsys.readouterr().out.startswith("no figure changed since 2")
    assert main(["revisions", "--warehouse", str(warehouse), "--since", "1", "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "release,published_at,county_code,indicator,indicator_zh,period_end,change_type,previous,new,note,files"
    assert len(csv) - 1 == rows(warehouse, "SELECT count(*) FROM marts.indicator_history WHERE release_id = 2 AND change_type <> 'new'")[0][0]
    assert main(["revisions", "--warehouse", str(warehouse), "--indicator", "no_such"]) == 2
    assert "unknown indicator no_such" in capsys.readouterr().err
    assert main(["revisions", "--warehouse", str(warehouse), "--since", "7月"]) == 2
    assert "--since takes a release number or a date or time" in capsys.readouterr().err
    # A date: the releases published from that day on (both, here).
    assert main(["revisions", "--warehouse", str(warehouse), "--since", "2000-01-01", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(csv)


# --- small files: failures, removals, rebuilds ------------------------------------

def _court(landing: Path, name: str, rows_: list[list], mtime: int) -> Path:
    path = write_csv(landing / name, [COURT_HEADER, *rows_])
    os.utime(path, (mtime, mtime))
    return path


def test_a_failed_publish_leaves_no_release_and_the_next_one_takes_its_files(tmp_path, monkeypatch, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "一月.csv", [court_row(1, 立案日期="2023-01-05", 结案日期="2023-02-01")], 1_700_000_000)
    assert run(landing, warehouse) == 0
    assert [r[0] for r in releases(warehouse)] == [1]

    _court(landing, "二月.csv", [court_row(2, 立案日期="2023-02-05", 结案日期="")], 1_700_000_600)
    before = warehouse.read_bytes()

    def disk_full(build, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(resources, "copy_for_analysts", disk_full)
    assert run(landing, warehouse) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert warehouse.read_bytes() == before
    build = Settings.from_env(str(landing), str(warehouse), COUNTY).build
    assert [r[0] for r in releases(build)] == [1]  # dropped from the build too

    monkeypatch.undo()
    capsys.readouterr()
    assert run(landing, warehouse) == 0
    assert [(r[0], r[2]) for r in releases(warehouse)] == [(1, ["一月.csv"]), (2, ["二月.csv"])]
    assert "release 2 published" in capsys.readouterr().out


def test_a_release_left_in_the_build_by_a_publish_that_died_is_not_published(tmp_path, monkeypatch):
    """The release is recorded in the build before the Parquet lake and the copy; a
    run that dies in between (here the lake's disk) leaves it in the build only. The
    next publish starts again from the published file's releases."""
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "一月.csv", [court_row(1, 立案日期="2023-01-05", 结案日期="2023-02-01")], 1_700_000_000)
    assert run(landing, warehouse) == 0
    _court(landing, "二月.csv", [court_row(2, 立案日期="2023-02-05", 结案日期="")], 1_700_000_600)

    def lake_disk_full(conn, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(marts_assets, "export_parquet", lake_disk_full)
    assert run(landing, warehouse) == 1
    build = Settings.from_env(str(landing), str(warehouse), COUNTY).build
    assert [r[0] for r in releases(build)] == [1, 2]  # recorded, never published
    assert [r[0] for r in releases(warehouse)] == [1]

    monkeypatch.undo()
    _court(landing, "三月.csv", [court_row(3, 立案日期="2023-03-05", 结案日期="")], 1_700_001_200)
    assert run(landing, warehouse) == 0
    assert [(r[0], r[2]) for r in releases(warehouse)] == [(1, ["一月.csv"]), (2, ["二月.csv", "三月.csv"])]
    assert rows(warehouse, "SELECT count(*) FROM marts.indicator_history WHERE release_id > 2") == [(0,)]


def test_a_figure_a_re_export_takes_away_is_removed_and_as_of_follows(tmp_path, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "案件.csv", [court_row(1, 立案日期="2023-01-05", 结案日期="2023-03-01"),
                                court_row(2, 立案日期="2023-02-10", 结案日期="")], 1_700_000_000)
    assert run(landing, warehouse) == 0
    # The re-export moves the only January filing to February: January has no court data left.
    _court(landing, "案件（更正）.csv", [court_row(1, 立案日期="2023-02-01", 结案日期="2023-03-01")], 1_700_000_600)
    capsys.readouterr()
    assert run(landing, warehouse) == 0
    summary = capsys.readouterr().out
    assert "release 2 published" in summary and "removed 6, restated 12" in summary
    assert "(yingshang revisions --since 1)" in summary
    (_, at1, _), (_, at2, files) = releases(warehouse)
    assert files == ["案件（更正）.csv"]
    removed = rows(warehouse, "SELECT DISTINCT period_end, value, previous_value IS NOT NULL FROM marts.indicator_history WHERE change_type = 'removed'")
    assert [str(p) for p, _, _ in removed] == ["2023-01-31"] and all(v is None and had for _, v, had in removed)
    january = "SELECT count(*) FROM marts.indicators_as_of(?::TIMESTAMPTZ) WHERE period_end = '2023-01-31'"
    assert rows(warehouse, january, [at1]) != [(0,)] and rows(warehouse, january, [at2]) == [(0,)]
    assert main(["revisions", "--warehouse", str(warehouse), "--indicator", "court_received"]) == 0
    lines = [x.split() for x in capsys.readouterr().out.splitlines()]
    # release, published_at (date and time), county_code, indicator, period_end, change_type, previous -> new, …
    assert [x[5:10] for x in lines if x[0] == "2" and x[5] == "2023-01-31"] == [
        ["2023-01-31", "removed", "1", "->", "—"]]
    # The later months lost nothing but January: same value, now incomplete.
    assert [x[5:11] for x in lines if x[0] == "2" and x[5] == "2023-03-31"] == [
        ["2023-03-31", "restated", "2", "->", "2", "incomplete:"]]
    # The run's summary named the release and how to see what it changed.
    assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse), "--county", COUNTY]) == 0
    assert "release" not in capsys.readouterr().out  # nothing new: no release to name


def test_rebuild_keeps_the_published_history_and_makes_no_release_when_nothing_changed(tmp_path, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "案件.csv", [court_row(1, 立案日期="2023-01-05", 结案日期="2023-03-01")], 1_700_000_000)
    assert run(landing, warehouse) == 0
    _court(landing, "案件（更正）.csv", [court_row(1, 立案日期="2023-01-05", 结案日期="2023-02-01")], 1_700_000_600)
    assert run(landing, warehouse) == 0
    history = rows(warehouse, "SELECT * FROM marts.indicator_history ORDER BY ALL")
    assert [r[0] for r in releases(warehouse)] == [1, 2]
    capsys.readouterr()
    assert main(["rebuild", "--landing", str(landing), "--warehouse", str(warehouse), "--county", COUNTY]) == 0
    assert [r[0] for r in releases(warehouse)] == [1, 2]
    assert rows(warehouse, "SELECT * FROM marts.indicator_history ORDER BY ALL") == history
    assert "no new release: nothing changed since release 2" in capsys.readouterr().out


def test_a_publish_job_with_nothing_changed_makes_no_release(tmp_path):
    """Dagster's publish job (started after an ingest that saw no new data, or by hand)."""
    from pipelines.definitions import UNPARTITIONED_BUILD
    from pipelines.runner import materialize

    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "案件.csv", [court_row(1)], 1_700_000_000)
    assert run(landing, warehouse) == 0
    settings = Settings.from_env(str(landing), str(warehouse), COUNTY)
    result = materialize(settings, UNPARTITIONED_BUILD)
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["published_warehouse"]]
    assert event.materialization.metadata["release"].value.startswith("none")
    assert [r[0] for r in releases(warehouse)] == [1]


def test_the_history_is_documented_and_in_the_parquet_lake(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    _court(landing, "案件.csv", [court_row(1)], 1_700_000_000)
    assert run(landing, warehouse) == 0
    dictionary = (tmp_path / "dictionary.md").read_text("utf-8")
    assert "## marts.indicator_history" in dictionary and "## meta.releases" in dictionary
    assert "appended at each publish" in dictionary
    assert rows(warehouse, "SELECT count(*) FROM duckdb_columns() WHERE table_name IN ('indicator_history', 'releases') "
                           "AND (comment IS NULL OR comment = '')") == [(0,)]
    lake = tmp_path / "parquet" / "indicator_history"
    with duckdb.connect() as c:
        in_lake = c.execute(f"SELECT count(*) FROM read_parquet('{lake}/**/*.parquet')").fetchone()[0]
    assert in_lake == rows(warehouse, "SELECT count(*) FROM marts.indicator_history")[0][0] > 0
    assert Decimal(1) == rows(warehouse, "SELECT value FROM marts.indicator_history WHERE indicator = 'court_received' LIMIT 1")[0][0]


def test_a_warehouse_published_before_releases_says_so(tmp_path, capsys):
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as c:
        c.execute("CREATE SCHEMA marts; CREATE TABLE marts.indicator_definitions (indicator VARCHAR)")
    assert main(["revisions", "--warehouse", str(old)]) == 2
    assert "no releases yet" in capsys.readouterr().err
    with duckdb.connect(str(old), read_only=True) as c:
        from pipelines.revisions import revised_in_last_release

        assert revised_in_last_release(c, COUNTY) == {}  # the report marks nothing
