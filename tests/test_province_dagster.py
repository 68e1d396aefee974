"""A province in Dagster: the county partitions' sensor, the province job on the
multiprocess executor, and on a real distributed engine: Dask with two worker
processes (a LocalCluster here; `existing: {address: …}` points the same job at a
`dask-scheduler` whose `dask-worker`s may run on other machines)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import COURT_HEADER, court_row, write_csv

COUNTIES = ("610526", "610527", "610528")


def test_the_province_job_runs_each_county_on_dask_workers(tmp_path, monkeypatch):
    pytest.importorskip("dagster_dask", reason="the dask extra (pip install -e '.[dask]') is not installed")
    from assets.province import county_folders
    from pipelines.province_jobs import dask_province_job

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "yingshang.duckdb"
    for n, code in enumerate(COUNTIES, 1):
        (landing / code).mkdir(parents=True)
        rows = [court_row(i, 立案日期="2023-02-01") for i in range(1, n + 1)]
        path = write_csv(landing / code / "案件.csv", [COURT_HEADER, *rows])
        os.utime(path, (1_700_000_000, 1_700_000_000))

    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(
            dask_province_job(county_folders(landing)),
            instance=instance,
            run_config={
                "execution": {"config": {"cluster": {"local": {
                    "n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
                }}}},
                "resources": {"warehouse": {"config": {"landing": str(landing), "warehouse": str(warehouse)}}},
            },
        )
        assert result.success
        ran = [
            e.user_message for e in instance.all_logs(result.run_id)
            if " runs on " in e.user_message and " in process " in e.user_message
        ]
    assert len(ran) == len(COUNTIES)
    pids = {int(m.rsplit(" ", 1)[1]) for m in ran}
    assert os.getpid() not in pids  # on the workers, not in this process

    with duckdb.connect(str(warehouse), read_only=True) as c:
        assert c.execute(
            "SELECT county_code, count(*) FROM staging.court_cases GROUP BY 1 ORDER BY 1"
        ).fetchall() == [(code, n) for n, code in enumerate(COUNTIES, 1)]
        assert c.execute(
            "SELECT county_code, value FROM marts.indicators WHERE indicator = 'court_received' "
            "AND period_end = '2023-02-28' ORDER BY 1"
        ).fetchall() == [(code, n) for n, code in enumerate(COUNTIES, 1)]
    for code in COUNTIES:
        assert (Path(warehouse).parent / "counties" / code / "yingshang.duckdb").exists()


def _two_counties(tmp_path: Path) -> tuple[Path, Path]:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "yingshang.duckdb"
    for code in ("610526", "610527"):
        (landing / code).mkdir(parents=True)
        path = write_csv(landing / code / "案件.csv", [COURT_HEADER, court_row(1, 立案日期="2023-02-01")])
        os.utime(path, (1_700_000_000, 1_700_000_000))
    return landing, warehouse


def test_the_sensor_adds_a_county_partition_per_new_folder(tmp_path):
    from assets.resources import WarehouseResource
    from pipelines.definitions import defs
    from pipelines.province_jobs import COUNTIES

    landing, warehouse = _two_counties(tmp_path)
    sensor = defs.get_sensor_def("county_folders")
    resources = {"warehouse": WarehouseResource(landing=str(landing), warehouse=str(warehouse))}
    with dg.instance_for_test() as instance:
        result = sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert sorted(r.partition_key for r in result.run_requests) == ["610526", "610527"]
        [add] = result.dynamic_partitions_requests
        assert sorted(add.partition_keys) == ["610526", "610527"]
        instance.add_dynamic_partitions(COUNTIES.name, list(add.partition_keys))
        (landing / "610528").mkdir()
        again = sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert [r.partition_key for r in again.run_requests] == ["610528"]


def test_the_province_job_on_the_multiprocess_executor(tmp_path):
    from pipelines.definitions import defs

    landing, warehouse = _two_counties(tmp_path)
    with dg.instance_for_test() as instance:
        result = dg.execute_job(
            dg.reconstructable(_province_job),
            instance=instance,
            run_config={
                "execution": {"config": {"max_concurrent": 2}},
                "resources": {"warehouse": {"config": {"landing": str(landing), "warehouse": str(warehouse)}}},
            },
        )
        assert result.success
        steps = {e.step_key for e in instance.all_logs(result.run_id) if e.step_key}
    assert {"run_county[county_610526]", "run_county[county_610527]", "merge_province"} <= steps
    assert defs.get_job_def("province").executor_def.name == "multiprocess"
    with duckdb.connect(str(warehouse), read_only=True) as c:
        assert c.execute("SELECT county_code FROM staging.court_cases ORDER BY 1").fetchall() == [
            ("610526",), ("610527",),
        ]


def _province_job():
    from pipelines.province_jobs import province_job

    return province_job


def test_the_dask_job_is_listed_when_the_landing_folder_is_a_provinces(tmp_path, monkeypatch):
    pytest.importorskip("dagster_dask", reason="the dask extra (pip install -e '.[dask]') is not installed")
    from pipelines import province_jobs

    monkeypatch.setenv("YINGSHANG_LANDING", str(tmp_path))
    assert province_jobs._dask_job_if_usable() == []  # one county's folder: no such job
    for code in COUNTIES:
        (tmp_path / code).mkdir()
    [job] = province_jobs._dask_job_if_usable()
    assert job.name == "province_on_dask"
    assert sorted(n for n in job.graph.node_dict if n.startswith("county_")) == [f"county_{c}" for c in COUNTIES]
