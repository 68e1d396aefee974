"""Great Expectations 1.x suites on the marts, and their Data Docs.

GX is called from our own code (the dagster-ge integration requires GX < 1.0). The
suites are generated from the mart declarations (sql/marts/*.py), never written by
hand. A file context under the warehouse folder keeps the suites, the results and the
Data Docs site (`warehouse/gx/uncommitted/data_docs/local_site/index.html`).

A suite runs on the months changed since the last publish, and only when they
reach an open-ended partition at either end of the calendar (`months_to_validate`):
importing GX costs seconds, and the rows of months strictly inside the calendar
cannot lie outside it. GX is imported only when a suite runs; its Data Docs are
rebuilt then.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

log = logging.getLogger("yingshang.gx")


def _calendar_columns() -> dict[str, list[str]]:
    """Mart -> its columns declared `within_calendar`."""
    from assets.models import load_models

    found = {m.name: [c.name for c in m.mart.columns if c.within_calendar] for m in load_models()}
    return {mart: cols for mart, cols in found.items() if cols}


# The marts with a suite; kept as names so that loading the Dagster definitions
# does not import GX.
SUITE_MARTS = tuple(_calendar_columns())


def calendar() -> tuple[date, date]:
    """The months the warehouse can hold: from the first monthly partition to the
    current month. A staged date outside it (a typo'd year such as 2203 or 2003
    passes row validation: a date is a date) would stretch the indicators to that
    month and fall outside the partitions that incremental builds rebuild."""
    from assets.partitions import MONTHS

    today = date.today()
    return date.fromisoformat(MONTHS.get_first_partition_key()), date(today.year, today.month, 1)


def suites() -> dict[str, list]:
    """One expectation per declared constraint that real input can break:

    - `Column.within_calendar` -> ExpectColumnValuesToBeBetween(first month of the
      calendar, current month): a typo'd year passes row validation.

    The other declared constraints generate none, because nothing can break them
    once ingestion and the SQL have run: `Column.values` (ingestion maps every cell
    to its export's vocabulary or quarantines the row, and the marts only group
    those values) and `Mart.grain` (the GROUP BY keys of its SQL)."""
    import great_expectations as gx

    first, last = calendar()
    return {
        mart: [
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=datetime(first.year, first.month, 1),
                max_value=datetime(last.year, last.month, 1),
            )
            for column in columns
        ]
        for mart, columns in _calendar_columns().items()
    }


def months_to_validate(
    changed: tuple[date, date] | None,
) -> tuple[date | None, date | None] | None:
    """The months whose rows a suite must see, given the months changed since the
    last publish (None: nothing staged changed; the published rows passed already).
    The first and last monthly partitions are open-ended (assets.marts): whatever is
    dated before or after the calendar, a typo'd year, belongs to them. So a change
    that reaches neither holds only rows inside the calendar and needs no suite
    (None); one that reaches an edge is validated from its first month on, or up to
    its last, with that side open (a None bound)."""
    if changed is None:
        return None
    from assets.partitions import MONTHS

    keys = MONTHS.get_partition_keys()
    first_key, last_key = date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])
    first, last = changed
    open_first, open_last = first <= first_key, last >= last_key
    if not (open_first or open_last):
        return None
    return (None if open_first else first, None if open_last else last)


def _where(months: tuple[date | None, date | None], column: str) -> tuple[str, list[date]]:
    bounds = [(f"{column} >= ?::DATE", months[0]), (f"{column} <= ?::DATE", months[1])]
    return (
        " AND ".join([c for c, b in bounds if b is not None] or ["true"]),
        [b for _, b in bounds if b is not None],
    )


@dataclass
class SuiteResult:
    mart: str
    success: bool
    failed: list[str]  # expectations that failed, with what they saw
    evaluated: int


def docs_index(project_dir: Path) -> Path:
    return project_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def run_suites(
    conn: duckdb.DuckDBPyConnection, marts: list[str], project_dir: Path,
    months: tuple[date | None, date | None] = (None, None),
) -> dict[str, SuiteResult]:
    """Validate each mart's rows of `months` (its calendar columns' months; None
    bounds are open) against its suite and rebuild the Data Docs site."""
    import great_expectations as gx

    project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_or_update_pandas("warehouse")
    all_suites = suites()
    results = {}
    calendar_columns = _calendar_columns()
    for mart in marts:
        # A row any of whose calendar columns lies in the months.
        where, params = zip(*(_where(months, c) for c in calendar_columns[mart]), strict=True)
        frame = conn.execute(
            f"SELECT * FROM marts.{mart} WHERE {' OR '.join(f'({w})' for w in where)}",
            [p for ps in params for p in ps],
        ).df()
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
