"""A province in Dagster: counties as dynamic partitions, discovered from the
landing folder's county subfolders, and a job whose per-county ops run in parallel.

- `county_warehouse`, an asset partitioned by county (dynamic partitions `county`):
  one partition is one county's whole single-county run (`pipelines.province.run_county`).
  `province_warehouse` merges the counties' published files into the province file.
- The `county_folders` sensor adds a partition for every new county subfolder and
  requests its first run.
- The `province` job fans out one op per county folder (a dynamic output) and merges
  after them. Which executor runs those ops is the deployment's choice: the
  multiprocess executor on one machine (`province_job`), or Dask workers that may be
  other machines (`province_job_on_dask`, with the `dask` extra).

Counties share no file, so these runs stay out of the `duckdb_writer` pool that
serialises one county's writers.
"""


import os
import socket

import dagster as dg

from assets.province import county_folders
from assets.resources import WarehouseResource
from pipelines import province

COUNTIES = dg.DynamicPartitionsDefinition(name="county")
PROVINCE_TAGS = {"yingshang/scope": "province"}


class CountyFailed(Exception):
    """One county's run did not complete; its last good file stays published."""


@dg.asset(
    partitions_def=COUNTIES,
    group_name="province",
    description="One county's own warehouse (counties/<code>/yingshang.duckdb): its ingest, build, "
    "checks and publish, as `yingshang run` does for one county.",
)
def county_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    result = _run(context.log, warehouse, context.partition_key)
    return dg.MaterializeResult(metadata={"county": result.county, "summary": dg.MetadataValue.text(result.report)})


@dg.asset(
    deps=[county_warehouse],
    group_name="province",
    description="The province file: every county's last good published file merged, one table each.",
)
def province_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = province.merge(warehouse.settings)
    return dg.MaterializeResult(metadata={"path": str(path), "counties": ", ".join(province.published_counties(warehouse.settings))})


def _run(log, warehouse: WarehouseResource, code: str) -> province.CountyResult:
    result = province.run_county(warehouse.settings, code)
    for line in result.report.splitlines():
        log.info(f"{code} {line}")
    if result.failed:
        raise CountyFailed(result.report)
    return result


@dg.op(out=dg.DynamicOut(str))
def discover_counties(warehouse: WarehouseResource):
    """One output per county subfolder of the landing folder."""
    for code in county_folders(warehouse.settings.require_landing()):
        yield dg.DynamicOutput(code, mapping_key=f"county_{code}")


@dg.op
def run_county(context: dg.OpExecutionContext, warehouse: WarehouseResource, code: str) -> str:
    return _located_run(context, warehouse, code)


def _located_run(context: dg.OpExecutionContext, warehouse: WarehouseResource, code: str) -> str:
    # Where it ran: with the Dask executor, a worker that may be another machine.
    context.log.info(f"county {code} runs on {socket.gethostname()} in process {os.getpid()}")
    return _run(context.log, warehouse, code).county


@dg.op
def merge_province(context: dg.OpExecutionContext, warehouse: WarehouseResource, counties: list[str]) -> str:
    path = province.merge(warehouse.settings)
    context.log.info(f"province file {path}: counties run {', '.join(sorted(counties))}")
    return str(path)


@dg.graph
def province_graph():
    merge_province(discover_counties().map(run_county).collect())


def _province_job(name: str, executor: dg.ExecutorDefinition) -> dg.JobDefinition:
    return province_graph.to_job(
        name=name,
        description="Every county of the landing folder in parallel, then the province file.",
        resource_defs={"warehouse": WarehouseResource()},
        executor_def=executor,
        tags=PROVINCE_TAGS,
    )


province_job = _province_job("province", dg.multiprocess_executor)


def province_job_on_dask(counties: tuple[str, ...]) -> dg.JobDefinition:
    """The province job on Dask workers (`pip install -e ".[dask]"`), one op per
    county of `counties` and the merge after them. The Dask executor plans every
    step before the run and never runs a dynamic output's mapped steps (the run
    ends "successful" after discovering the counties), so the counties are fixed
    when the job is built: `dask_province_job(county_folders(landing))`. Run config
    `execution: config: cluster: existing: address: tcp://scheduler:8786` points it
    at a `dask-scheduler` whose `dask-worker`s may be other machines, or `local:
    {n_workers: 2}` starts a cluster on this one."""
    from dagster_dask import dask_executor

    @dg.graph(name="province_on_dask")
    def per_county():
        merge_province([_county_op(code)() for code in counties])

    return per_county.to_job(
        name="province_on_dask",
        description="Each county on a Dask worker, then the province file.",
        resource_defs={"warehouse": WarehouseResource()},
        executor_def=dask_executor,
        tags=PROVINCE_TAGS,
    )


def dask_province_job(counties):
    """`province_job_on_dask(counties)` as each Dask worker rebuilds it."""
    from dagster._core.definitions.reconstruct import build_reconstructable_job

    return build_reconstructable_job(
        __name__, province_job_on_dask.__name__, reconstructable_args=(tuple(sorted(counties)),)
    )


def _county_op(code: str) -> dg.OpDefinition:
    @dg.op(name=f"county_{code}")
    def county(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> str:
        return _located_run(context, warehouse, code)

    return county


def county_folder_sensor(job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(name="county_folders", job=job, minimum_interval_seconds=60)
    def county_folders_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        """Adds a county partition for each new county subfolder and runs it."""
        landing = warehouse.settings.landing
        known = set(context.instance.get_dynamic_partitions(COUNTIES.name))
        new = [code for code in county_folders(landing) if code not in known]
        if not new:
            return dg.SkipReason(f"no new county folder in {landing}")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(partition_key=code, run_key=f"county-{code}") for code in new],
            dynamic_partitions_requests=[COUNTIES.build_add_request(new)],
        )

    return county_folders_sensor


county_job = dg.define_asset_job(
    "county", selection=dg.AssetSelection.assets(county_warehouse), tags=PROVINCE_TAGS,
)


def _dask_job_if_usable() -> list[dg.JobDefinition]:
    """`province_on_dask` in the UI's job list when the `dask` extra is installed and
    the landing folder has county folders when the code location loads (the UI's
    "Reload" takes new ones). Each Dask worker loads the code location and builds the
    same job, so the folders it sees must be the same (shared storage)."""
    import importlib.util

    from assets.settings import Settings

    if importlib.util.find_spec("dagster_dask") is None:
        return []
    counties = county_folders(Settings.from_env().landing)
    return [province_job_on_dask(tuple(counties))] if counties else []


province_assets = [county_warehouse, province_warehouse]
province_jobs = [province_job, county_job, *_dask_job_if_usable()]
province_sensors = [county_folder_sensor(county_job)]
