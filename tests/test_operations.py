"""Operations: sensors, partitions and backfills, one writer, publishing while
analysts read, and recovery from a killed run."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import partitions
from assets.resources import WarehouseResource
from pipelines.cli import main
from pipelines.definitions import defs
from pipelines.sensors import build_sensor_for, landing_sensor_for, rebuild_months_of_run
from tests.conftest import COUNTY, COURT_HEADER, court_row, write_csv

REPO = Path(__file__).resolve().parent.parent


def _resource(tmp_path, landing=None):
    return WarehouseResource(
        landing=str(landing or tmp_path / "landing"), warehouse=str(tmp_path / "w.duckdb"), county_code=COUNTY
    )


def _tick(sensor, resource, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": resource})
    result = sensor.evaluate_tick(context)
    return result.run_requests, result.skip_message, result.cursor


def test_landing_sensor_requests_new_and_changed_files_only(tmp_path):
    sensor = landing_sensor_for(defs.resolve_job_def("ingest"))
    resource = _resource(tmp_path)
    (tmp_path / "landing").mkdir()
    _, skip, cursor = _tick(sensor, resource)
    assert "no new" in skip

    path = write_csv(tmp_path / "landing" / "a.csv", [COURT_HEADER, court_row(1)])
    [request], _, cursor = _tick(sensor, resource, cursor)
    first_key = request.run_key

    # Unchanged, even with a new modification time: no request.
    requests, skip, cursor = _tick(sensor, resource, cursor)
    assert requests == [] and skip
    os.utime(path, (time.time() + 100, time.time() + 100))
    requests, _, cursor = _tick(sensor, resource, cursor)
    assert requests == []

    # Changed content: a new request with another key.
    write_csv(path, [COURT_HEADER, court_row(2)])
    [request], _, cursor = _tick(sensor, resource, cursor)
    assert request.run_key != first_key
    assert set(json.loads(cursor)) == {"a.csv"}

    # The same content as before under the same run key: Dagster runs a key once.
    write_csv(path, [COURT_HEADER, court_row(1)])
    [again], _, _ = _tick(sensor, resource, cursor)
    assert again.run_key == first_key


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warehouse built through the Dagster jobs, as the UI would."""
    root = tmp_path_factory.mktemp("ops")
    from pipelines.sample_data import write_sample_exports

    write_sample_exports(root / "landing")
    resource = _resource(root)
    instance = dg.DagsterInstance.ephemeral()
    ingest = defs.resolve_job_def("ingest").execute_in_process(
        instance=instance, resources={"warehouse": resource}
    )
    return root, resource, instance, ingest


def test_build_sensor_requests_the_months_ingest_touched(built):
    root, resource, instance, ingest = built
    months = rebuild_months_of_run(instance, ingest.run_id)
    # oldest pending case to the last month (investment projects decided in early July)
    assert months == (date(2021, 9, 1), date(2023, 7, 1))
    context = dg.build_run_status_sensor_context(
        sensor_name="build_after_ingest",
        dagster_instance=instance,
        dagster_run=ingest.dagster_run,
        dagster_event=ingest.get_run_success_event(),
    )
    request = _build_sensor()(context)
    assert request.job_name == "build_and_publish"
    assert request.tags == partitions.range_tags(months)
    assert request.run_key == f"build-{ingest.run_id}"


def _build_sensor():
    return build_sensor_for(*(defs.resolve_job_def(j) for j in ("ingest", "build_and_publish", "publish")))


def test_an_ingest_of_only_rejected_files_is_published_by_the_sensors_publish_run(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "名单.csv").write_text("欧阳娜娜,张三\n李四,王五\n", encoding="utf-8")
    resource, instance = _resource(tmp_path, landing), dg.DagsterInstance.ephemeral()
    ingest = defs.resolve_job_def("ingest").execute_in_process(
        instance=instance, resources={"warehouse": resource}
    )
    request = _build_sensor()(dg.build_run_status_sensor_context(
        sensor_name="build_after_ingest", dagster_instance=instance,
        dagster_run=ingest.dagster_run, dagster_event=ingest.get_run_success_event(),
    ))
    assert request.job_name == "publish"
    published = defs.resolve_job_def(request.job_name).execute_in_process(
        instance=instance, resources={"warehouse": resource}
    )
    assert published.success
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as c:
        assert c.execute("SELECT file_name, status FROM meta.ingest_log").fetchall() == [("名单.csv", "rejected")]
        marts = {r[0] for r in c.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()}
    assert {"indicators", "court_cases_monthly", "coverage"} <= marts

    # A later tick over an ingest that saw nothing new requests nothing.
    again = defs.resolve_job_def("ingest").execute_in_process(
        instance=instance, resources={"warehouse": resource}
    )
    skip = _build_sensor()(dg.build_run_status_sensor_context(
        sensor_name="build_after_ingest", dagster_instance=instance,
        dagster_run=again.dagster_run, dagster_event=again.get_run_success_event(),
    ))
    assert isinstance(skip, dg.SkipReason)


def test_backfill_of_one_month_touches_only_that_month(built):
    root, resource, instance, _ = built
    job = defs.resolve_job_def("build_and_publish")
    full = job.execute_in_process(
        instance=instance, resources={"warehouse": resource},
        tags=partitions.range_tags((date(2021, 9, 1), date(2023, 6, 1))),
    )
    assert full.success
    build_file = resource.settings.build
    with duckdb.connect(str(build_file)) as c:
        c.execute("UPDATE marts.tax_relief_monthly SET vouchers = -1")
    one = job.execute_in_process(
        instance=instance, resources={"warehouse": resource}, partition_key="2023-03-01",
        raise_on_error=False,
    )
    # Whatever the checks then say of the planted -1s, what matters here is which
    # months the rebuild wrote: March, and no other.
    with duckdb.connect(str(build_file), read_only=True) as c:
        rows = dict(c.execute(
            "SELECT month, min(vouchers) FROM marts.tax_relief_monthly GROUP BY 1"
        ).fetchall())
    assert rows.pop(date(2023, 3, 1)) > 0
    assert set(rows.values()) == {-1}
    partitioned = {
        e.partition for e in one.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["marts", "tax_relief_monthly"])
    }
    assert partitioned == {"2023-03-01"}


def _run_cli_process(landing, warehouse, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse),
         "--county", COUNTY, *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def test_a_second_writer_waits_for_the_first(tmp_path):
    wh = tmp_path / "w.duckdb"
    build_dir = tmp_path / ".build"
    build_dir.mkdir()
    # The holder keeps the lock until told, so the test does not race the run's start-up.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from assets.resources import writer_lock; from pathlib import Path\n"
         f"with writer_lock(Path({str(build_dir / 'writer.lock')!r})):\n"
         "    print('locked', flush=True); sys.stdin.readline()"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    run = _run_cli_process(landing, wh)
    said = None
    for line in run.stderr:
        if "another run is writing the warehouse; waiting" in line:
            said = line
            break
    assert said, "the run never waited for the lock"
    time.sleep(1)
    assert run.poll() is None and not wh.exists()  # still waiting, nothing published
    holder.communicate("\n", timeout=30)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "waited" in err and wh.exists()


def test_concurrent_runs_both_complete_and_nothing_is_lost(tmp_path):
    wh = tmp_path / "w.duckdb"
    folders = []
    for i in (1, 2):
        d = tmp_path / f"landing{i}"
        d.mkdir()
        write_csv(d / f"cases{i}.csv", [COURT_HEADER, *[court_row(i * 1000 + n) for n in range(200)]])
        folders.append(d)
    runs = [_run_cli_process(d, wh) for d in folders]
    for r in runs:
        out, err = r.communicate(timeout=180)
        assert r.returncode == 0, err
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] == 400
        assert c.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 2


def test_reader_holding_the_published_file_never_blocks_a_run(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    wh = tmp_path / "w.duckdb"
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time\n"
         f"c = duckdb.connect({str(wh)!r}, read_only=True)\n"
         "print(c.execute('SELECT count(*) FROM staging.court_cases').fetchone()[0], flush=True)\n"
         "sys.stdin.readline()\n"
         "print(c.execute('SELECT count(*) FROM staging.court_cases').fetchone()[0], flush=True)\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert reader.stdout.readline().strip() == "1"
    write_csv(landing / "b.csv", [COURT_HEADER, court_row(2), court_row(3)])
    started = time.monotonic()
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    assert time.monotonic() - started < 60
    # The reader still sees the state it opened, whole; a new reader sees the new one.
    out, _ = reader.communicate("\n", timeout=30)
    assert out.strip() == "1"
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] == 3


def test_sigkill_mid_run_leaves_the_published_warehouse_and_the_next_run_completes(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    wh = tmp_path / "w.duckdb"
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    published = wh.read_bytes()

    rows = [COURT_HEADER] + [
        court_row(n, 立案日期=f"2023-0{1 + n % 6}-0{1 + n % 9}", 结案日期="", 结案方式="") for n in range(2, 150_002)
    ]
    write_csv(landing / "big.csv", rows)
    run = _run_cli_process(landing, wh)
    for line in run.stderr:
        if "big.csv" in line:
            break
    time.sleep(1.0)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    assert wh.read_bytes() == published

    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] == 150_001
        assert c.execute("SELECT count(*) FROM meta.ingest_log WHERE file_name = 'big.csv'").fetchone()[0] == 1


def test_marts_are_exported_as_parquet(tmp_path):
    landing = tmp_path / "landing"
    assert main(["demo", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    parquet = tmp_path / "parquet"
    assert (parquet / "court_cases_monthly" / "county_code=610528" / "month=2023-06-01").is_dir()
    got = duckdb.sql(
        f"SELECT sum(received) FROM read_parquet('{parquet}/court_cases_monthly/**/*.parquet', hive_partitioning=true) "
        "WHERE month BETWEEN '2023-01-01' AND '2023-06-30'"
    ).fetchall()[0][0]
    assert got == 5648
    assert (parquet / "indicators" / "county_code=610528" / "month=2023-06-01").is_dir()


def test_a_run_that_died_after_ingest_is_published_by_the_next(tmp_path, capsys):
    from assets.settings import Settings
    from pipelines import runner
    from pipelines.definitions import INGEST

    landing, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    write_csv(landing / "b.csv", [COURT_HEADER, court_row(2)])
    runner.materialize(Settings.from_env(str(landing), str(wh), COUNTY), INGEST)  # then the run "died"
    capsys.readouterr()
    assert main(["run", "--landing", str(landing), "--warehouse", str(wh), "--county", COUNTY]) == 0
    assert "b.csv" in capsys.readouterr().out
    with duckdb.connect(str(wh), read_only=True) as c:
        assert c.execute("SELECT sum(received) FROM marts.court_cases_monthly").fetchone()[0] == 2
