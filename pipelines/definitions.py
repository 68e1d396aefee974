"""The Dagster code location: `dagster dev -m pipelines.definitions`.

Two jobs, because the months to rebuild are known only once files are ingested:
`ingest` (landing folder → staging, with the staging checks) and
`build_and_publish` (the marts for the months ingestion touched, their checks,
then publish). The landing sensor and the daily schedule start `ingest`; a run
status sensor starts `build_and_publish` for the months each ingest touched.
`yingshang run` runs both in turn.
"""

import dagster as dg

from assets.checks import all_checks
from assets.landing import ingest_landing
from assets.marts import mart_assets, published_warehouse, unpartitioned_marts
from assets.resources import WarehouseResource
from pipelines.province_jobs import province_assets, province_jobs, province_sensors
from pipelines.sensors import build_sensor_for, daily_schedule_for, landing_sensor_for

all_assets = [ingest_landing, *mart_assets, published_warehouse]

INGEST = dg.AssetSelection.assets(ingest_landing)
# A province's assets (pipelines/province_jobs.py) run whole county deployments: not
# part of one county's build.
BUILD = dg.AssetSelection.all() - INGEST - dg.AssetSelection.groups("province")
UNPARTITIONED_BUILD = dg.AssetSelection.assets(*unpartitioned_marts, published_warehouse)

# Every step retries transient failures (a locked file, a full disk freed later):
# ingestion and builds are idempotent, so a retry never doubles anything.
RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)
WRITER_TAGS = {"yingshang/writer": "duckdb"}
# Every step writes the one DuckDB build file, which takes one writer at a time
# (the writer lock), so steps run one after another whatever the executor: a
# process per step (Dagster's default) only adds seconds of imports to each. Every
# job here, and the UI's ad-hoc materializations, run their steps in the run's
# own process.
EXECUTOR = dg.in_process_executor

ingest_job = dg.define_asset_job(
    "ingest",
    executor_def=EXECUTOR,
    selection=INGEST,
    description="Ingest new landed files into staging, with the staging checks.",
    op_retry_policy=RETRY,
    tags=WRITER_TAGS,
)
build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    executor_def=EXECUTOR,
    selection=BUILD,
    description="Rebuild the marts for a range of months, check them and publish the warehouse.",
    op_retry_policy=RETRY,
    tags=WRITER_TAGS,
)
publish_job = dg.define_asset_job(
    "publish",
    executor_def=EXECUTOR,
    selection=UNPARTITIONED_BUILD,
    description=(
        "Rebuild the unpartitioned marts, check them and publish: after an ingest that "
        "changed no figure but added to the ledger (a rejected file, a duplicate)."
    ),
    op_retry_policy=RETRY,
    tags=WRITER_TAGS,
)

defs = dg.Definitions(
    assets=[*all_assets, *province_assets],
    asset_checks=all_checks,
    jobs=[ingest_job, build_and_publish_job, publish_job, *province_jobs],
    sensors=[
        landing_sensor_for(ingest_job),
        build_sensor_for(ingest_job, build_and_publish_job, publish_job),
        *province_sensors,
    ],
    schedules=[daily_schedule_for(ingest_job)],
    resources={"warehouse": WarehouseResource()},
    executor=EXECUTOR,
)
