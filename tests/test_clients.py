"""Analysts' own clients: a real DuckDB 1.x (the `duckdb-cli` of the test extra,
the CLI the README recommends) opens the published file read-only and reads the
Parquet lake, and sees what DuckDB 2.0 sees in the private build."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from assets.resources import WarehouseResource
from assets.settings import Settings
from pipelines.cli import main

CLI = Path(sys.executable).parent / "duckdb"  # installed by duckdb-cli in this venv


def cli(database: Path, sql: str) -> str:
    """The 1.x CLI's answer as CSV, read-only, as an analyst would run it."""
    done = subprocess.run(
        [str(CLI), "-readonly", "-csv", str(database), sql],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def same_csv(database_cli: Path, database_engine: Path, sql: str, tmp: Path) -> tuple[str, str]:
    """Both clients write `sql`'s result with COPY … TO csv; the files are compared."""
    a, b = tmp / "cli.csv", tmp / "engine.csv"
    subprocess.run(
        [str(CLI), "-readonly", str(database_cli), "-c", f"COPY ({sql}) TO '{a}' (FORMAT csv)"],
        check=True, capture_output=True, timeout=120,
    )
    with duckdb.connect(str(database_engine), read_only=True) as c:
        c.execute(f"COPY ({sql}) TO '{b}' (FORMAT csv)")
    return a.read_text("utf-8"), b.read_text("utf-8")


@pytest.fixture
def demo(demo_warehouse):
    return demo_warehouse, Settings.from_env(warehouse=str(demo_warehouse), county="610528").build


def test_the_client_is_duckdb_1x():
    assert CLI.exists(), f"{CLI} missing: install the test extra (duckdb-cli)"
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1."), version


def test_duckdb_1x_reads_every_table_of_the_published_file_as_20_sees_the_build(demo, tmp_path):
    published, build = demo
    with duckdb.connect(str(build), read_only=True) as c:
        tables = c.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
    assert {s for s, _ in tables} >= {"marts", "meta", "quarantine", "staging"}
    listed = cli(published, "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL")
    assert listed.splitlines()[1:] == [f"{s},{t}" for s, t in tables]
    for schema, table in tables:
        seen, built = same_csv(
            published, build, f"SELECT * FROM {schema}.{table} ORDER BY ALL", tmp_path
        )
        assert seen == built, f"{schema}.{table} differs in the 1.x client"


def test_duckdb_1x_reads_the_comments(demo, tmp_path):
    published, build = demo
    for catalog in ("duckdb_tables()", "duckdb_columns()"):
        name = "table_name" if catalog == "duckdb_tables()" else "table_name, column_name"
        sql = f"SELECT schema_name, {name}, comment FROM {catalog} WHERE NOT internal ORDER BY ALL"
        seen, built = same_csv(published, build, sql, tmp_path)
        assert seen == built
    value = cli(
        published,
        "SELECT comment FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND table_name = 'indicators' AND column_name = 'value'",
    )
    assert "value" in value.splitlines()[1]
    undocumented = cli(
        published,
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'marts' AND comment IS NULL",
    )
    assert undocumented.splitlines()[1] == "0"


def test_duckdb_1x_reads_the_parquet_lake_as_the_marts(demo, tmp_path):
    published, build = demo
    lake = published.parent / "parquet"
    with duckdb.connect(str(build), read_only=True) as c:
        marts = {
            t: [r[0] for r in c.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                "AND table_name = ? ORDER BY column_index", [t]).fetchall()]
            for (t,) in c.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
    assert marts
    for table, columns in marts.items():
        # The README's form: county codes are codes, not numbers.
        typed = ", hive_types = {'county_code': VARCHAR}" if "county_code" in columns else ""
        read = f"read_parquet('{lake / table}/**/*.parquet', hive_partitioning = true{typed})"
        with duckdb.connect() as c:
            seen_2x = c.execute(f"SELECT count(*) FROM {read}").fetchone()[0]
        seen, built = same_csv(
            published, build, f"SELECT {', '.join(columns)} FROM {read} ORDER BY ALL", tmp_path
        )
        _, expected = same_csv(
            published, build, f"SELECT * FROM marts.{table} ORDER BY ALL", tmp_path
        )
        assert seen == expected == built, f"the lake's {table} differs from marts.{table}"
        assert seen_2x == len(expected.splitlines()) - 1


def storage(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as c:
        return c.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = current_database()"
        ).fetchone()[0]


def test_the_published_file_is_in_the_old_storage_version(demo):
    published, build = demo
    assert storage(published) == "v1.0.0+"  # storage number 64: v1.0.0 and v1.1.0 share it
    # The build is created in it too, so that publishing is a copy of its bytes.
    assert storage(build) == "v1.0.0+"


def test_a_build_in_duckdb_20s_own_storage_is_rewritten_once_and_published_readable(tmp_path):
    """A build made before builds were created in the published storage (or copied
    in by hand) is published in the storage 1.x clients read, and kept in it."""
    published = tmp_path / "yingshang.duckdb"
    assert main(["demo", "--landing", str(tmp_path / "landing"), "--warehouse", str(published)]) == 0
    build = Settings.from_env(warehouse=str(published), county="610528").build
    with duckdb.connect() as c:  # the same build, in 2.0's default storage
        c.execute(f"ATTACH '{build}' AS old (READ_ONLY)")
        c.execute(f"ATTACH '{tmp_path / 'new.duckdb'}' AS new")
        c.execute("COPY FROM DATABASE old TO new")
    (tmp_path / "new.duckdb").replace(build)
    assert storage(build) == "v2.0.0+"
    published.unlink()

    WarehouseResource(warehouse=str(published), county_code="610528").publish()

    assert storage(published) == storage(build) == "v1.0.0+"
    assert cli(published, "SELECT count(*) FROM staging.court_cases").strip().splitlines()[-1] != "0"
def test_what_the_old_version_cannot_hold_fails_the_publish_and_keeps_the_last(tmp_path):
    resource = WarehouseResource(
        landing=str(tmp_path / "landing"), warehouse=str(tmp_path / "w.duckdb")
    )
    published, build = resource.settings.warehouse, resource.settings.build
    build.parent.mkdir(parents=True)
    with duckdb.connect(str(build)) as c:
        c.execute("CREATE TABLE t AS SELECT 1 AS n")
    resource.publish()
    before = published.read_bytes()
    # The build is in the published storage now: it refuses what that cannot hold.
    with duckdb.connect(str(build)) as c, pytest.raises(duckdb.Error, match="VARIANT"):
        c.execute("CREATE TABLE u AS SELECT 1::VARIANT AS v")
    # A build in 2.0's own storage holding it is refused when published.
    build.unlink()
    with duckdb.connect(str(build)) as c:
        c.execute("CREATE TABLE t AS SELECT 1 AS n")
        c.execute("CREATE TABLE u AS SELECT 1::VARIANT AS v")
    with pytest.raises(duckdb.Error, match="VARIANT"):
        resource.publish()
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build", "w.duckdb"]
    assert cli(published, "SELECT n FROM t").splitlines() == ["n", "1"]
