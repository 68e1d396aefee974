"""The Dagster code location: `dagster dev -m pipelines.definitions`.

Two jobs, because the months to rebuild are known only once files are ingested:
`ingest` (landing folder → staging, with the staging checks) and
`build_and_publish` (monthly-partitioned marts for the months ingestion touched,
the other marts, their checks, then publish). `yingshang run` runs both in turn.
"""

import dagster as dg

from assets.checks import all_checks
from assets.landing import ingest_landing
from assets.marts import mart_assets, published_warehouse, unpartitioned_marts
from pipelines.resources import WarehouseResource

all_assets = [ingest_landing, *mart_assets, published_warehouse]

INGEST = dg.AssetSelection.assets(ingest_landing)
BUILD = dg.AssetSelection.all() - INGEST
UNPARTITIONED_BUILD = dg.AssetSelection.assets(*unpartitioned_marts, published_warehouse)

ingest_job = dg.define_asset_job(
    "ingest",
    selection=INGEST,
    description="Ingest new landed files into staging, with the staging checks.",
)
build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    selection=BUILD,
    description="Rebuild the marts for a range of months, check them and publish the warehouse.",
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_job, build_and_publish_job],
    resources={"warehouse": WarehouseResource()},
)
