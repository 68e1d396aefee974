"""The Dagster code location: `dagster dev -m pipelines.definitions`."""

import dagster as dg

from assets.landing import ingest_landing
from assets.marts import mart_assets, published_warehouse
from pipelines.resources import WarehouseResource

all_assets = [ingest_landing, *mart_assets, published_warehouse]
all_checks: list = []

ingest_and_build = dg.define_asset_job(
    "ingest_and_build",
    selection=dg.AssetSelection.all(),
    description="Ingest new landed files, rebuild the marts, check them and publish the warehouse.",
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_and_build],
    resources={"warehouse": WarehouseResource()},
)
