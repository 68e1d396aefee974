"""Great Expectations 1.x suites on the marts, and their Data Docs.

GX is called from our own code (the dagster-ge integration requires GX < 1.0). The
suites are written here as data; vocabularies come from the export declarations.
A file context under the warehouse folder keeps the suites, the results and the
Data Docs site (`warehouse/gx/uncommitted/data_docs/local_site/index.html`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.exports import EXPORTS

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

log = logging.getLogger("yingshang.gx")


# The marts with a suite; kept as names so that loading the Dagster definitions
# does not import GX.
SUITE_MARTS = (
    "tax_relief_monthly", "permit_reform_monthly", "court_cases_monthly",
    "inspection_results", "indicator_definitions", "indicators",
)


def _vocabulary(kind: str, field: str) -> list[str]:
    return EXPORTS[kind].field(field).canonical_values


def suites() -> dict[str, list]:
    import great_expectations as gx

    e = gx.expectations
    def county():
        return [
            e.ExpectColumnValuesToNotBeNull(column="county_code"),
            e.ExpectColumnValuesToMatchRegex(column="county_code", regex=r"^\d{6}$"),
        ]

    def month_start(col: str):
        return e.ExpectColumnValuesToMatchRegex(column=col, regex=r"^\d{4}-\d{2}-01$")

    return {
        "tax_relief_monthly": [
            *county(),
            e.ExpectCompoundColumnsToBeUnique(column_list=["county_code", "month", "revenue_class", "levy"]),
            e.ExpectColumnValuesToBeInSet(column="revenue_class", value_set=_vocabulary("tax_relief", "revenue_class")),
            e.ExpectColumnValuesToBeBetween(column="vouchers", min_value=1),
            e.ExpectColumnValuesToBeBetween(column="relief_yuan", min_value=0),
            month_start("month"),
        ],
        "permit_reform_monthly": [
            *county(),
            e.ExpectCompoundColumnsToBeUnique(column_list=["county_code", "month", "reform_mode"]),
            e.ExpectColumnValuesToBeInSet(
                column="reform_mode", value_set=["cancelled", "filing", "commitment", "optimized"]
            ),
            e.ExpectColumnValuesToBeBetween(column="cases", min_value=0),
            month_start("month"),
        ],
        "court_cases_monthly": [
            *county(),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=["county_code", "month", "case_type", "enterprise_related"]
            ),
            e.ExpectColumnValuesToBeInSet(column="case_type", value_set=_vocabulary("court_cases", "case_type")),
            e.ExpectColumnValuesToBeBetween(column="received", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="closed", min_value=0),
            month_start("month"),
        ],
        "inspection_results": [
            *county(),
            e.ExpectCompoundColumnsToBeUnique(column_list=["county_code", "task_id", "department", "result"]),
            e.ExpectColumnValuesToBeInSet(column="result", value_set=_vocabulary("inspections", "result")),
            e.ExpectColumnValuesToBeBetween(column="entities", min_value=1),
        ],
        "indicator_definitions": [
            e.ExpectColumnValuesToBeUnique(column="indicator"),
            e.ExpectColumnValuesToBeInSet(column="method", value_set=["sum", "distinct", "ratio"]),
        ],
        "indicators": [
            *county(),
            e.ExpectCompoundColumnsToBeUnique(column_list=["county_code", "indicator", "period_end"]),
            e.ExpectColumnValuesToBeInSet(column="unit", value_set=["万元", "件", "项", "户", "ratio"]),
            e.ExpectColumnValuesToNotBeNull(column="indicator_zh"),
            e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="period_end", column_B="period_start"),
            e.ExpectColumnValuesToMatchRegex(column="period_start", regex=r"^\d{4}-01-01$"),
        ],
    }


@dataclass
class SuiteResult:
    mart: str
    success: bool
    failed: list[str]  # expectations that failed, with what they saw
    evaluated: int


def docs_index(project_dir: Path) -> Path:
    return project_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def run_suites(
    conn: duckdb.DuckDBPyConnection, marts: list[str], project_dir: Path
) -> dict[str, SuiteResult]:
    """Validate each mart against its suite and rebuild the Data Docs site."""
    import great_expectations as gx

    project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_or_update_pandas("warehouse")
    all_suites = suites()
    results = {}
    for mart in marts:
        frame = conn.execute(f"SELECT * FROM marts.{mart}").df()
        try:
            asset = source.get_asset(mart)
        except LookupError:
            asset = source.add_dataframe_asset(name=mart)
        batch = next(iter(asset.batch_definitions), None) or asset.add_batch_definition_whole_dataframe("all")
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=f"marts.{mart}", expectations=all_suites[mart])
        )
        validation = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"marts.{mart}", data=batch, suite=suite)
        )
        # Results are stored by the validation; the Data Docs site is built once,
        # after every suite has run.
        outcome = validation.run(batch_parameters={"dataframe": frame})
        failed = [
            f"{r.expectation_config.type}({_kwargs(r.expectation_config.kwargs)}): "
            f"{r.result.get('unexpected_count', '?')} unexpected, e.g. {r.result.get('partial_unexpected_list', [])[:3]}"
            for r in outcome.results if not r.success
        ]
        results[mart] = SuiteResult(mart, bool(outcome.success), failed, len(outcome.results))
    context.build_data_docs()
    return results


def _kwargs(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("batch_id",))
