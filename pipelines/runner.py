"""Running the pipeline in process, as `yingshang run` and `yingshang rebuild` do."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from assets.settings import SettingMissing, Settings
from assets.state import gaps, nothing_new, progress_line, writer_lock

# Dagster, polars, pandera and GX are imported where a run needs them, not here: a
# run with nothing new answers without them (assets.state).
if TYPE_CHECKING:
    import dagster as dg

    from assets.resources import WarehouseResource

log = logging.getLogger("yingshang")


class RunFailed(Exception):
    """The run could not complete; the published warehouse is as it was."""


@dataclass
class Outcome:
    files: list[dict]
    published: Path
    release: str | None = None  # what the run published as a release (assets.releases)

    def report(self) -> str:
        if not self.files:
            lines = ["no new files in the landing folder"]
        else:
            lines = [
                f"{_pad('file', 40)} {'kind':<14} {'status':<10} {'read':>8} {'loaded':>8} {'quarant.':>8}  reason"
            ]
            for f in self.files:
                lines.append(
                    f"{_pad(f['file_name'], 40)} {f['kind'] or '-':<14} {f['status']:<10} "
                    f"{_num(f['rows_read']):>8} {_num(f['rows_loaded']):>8} "
                    f"{_num(f['rows_quarantined']):>8}  {f['reason'] or f['notes'] or ''}"
                )
            loaded = sum(f["status"] == "loaded" for f in self.files)
            rejected = sum(f["status"] == "rejected" for f in self.files)
            quarantined = sum(f["rows_quarantined"] or 0 for f in self.files)
            lines.append(
                f"{len(self.files)} files: {loaded} loaded, {rejected} rejected, "
                f"{len(self.files) - loaded - rejected} duplicate; {quarantined} rows quarantined "
                "(see quarantine.rows)"
            )
        lines += _gap_lines(self.published)
        lines += [self.release] if self.release else []
        lines.append(f"published: {self.published}")
        return "\n".join(lines)


def _gap_lines(warehouse: Path) -> list[str]:
    """Every gap in the published coverage: a figure is never silently short."""
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as c:
        if not c.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' "
                         "AND table_name = 'coverage'").fetchone()[0]:
            return ["gaps unknown: the published warehouse has no marts.coverage yet (yingshang rebuild)"]
        return [f"gap: {g}; figures of periods that include it are incomplete" for g in gaps(c)]


def _num(v) -> str:
    return "-" if v is None else str(v)


def _pad(text: str, width: int) -> str:
    """Clip and pad to `width` terminal columns."""
    from pipelines.query import display_width

    out = ""
    for c in text:
        if display_width(out + c) > width - (1 if display_width(text) > width else 0):
            out += "…"
            break
        out += c
    return out + " " * max(0, width - display_width(out))


def _resource(settings: Settings) -> WarehouseResource:
    from assets.resources import WarehouseResource

    return WarehouseResource(
        landing=str(settings.landing),
        warehouse=str(settings.warehouse),
        county_code=settings.county_code,
        archive=str(settings.archive),
        folder_county=settings.folder_county,
    )


def _files_since(settings: Settings, after: int) -> list[dict]:
    lock = writer_lock(settings.build.parent / "writer.lock")
    with lock, duckdb.connect(str(settings.build), read_only=True) as c:
        rel = c.sql(
            "SELECT file_name, kind, status, rows_read, rows_loaded, rows_quarantined, reason, notes "
            f"FROM meta.ingest_log WHERE ingest_id > {int(after)} ORDER BY ingest_id"
        )
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


@functools.cache
def _instance() -> dg.DagsterInstance:
    """The Dagster instance of DAGSTER_HOME when set, so that runs started here are in
    the UI's run history beside the sensor's; otherwise one in-memory instance for
    every run of this process."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def materialize(
    settings: Settings, selection, months: tuple[date, date] | None = None, verbose: bool = False
) -> dg.ExecuteInProcessResult:
    import dagster as dg

    from assets import partitions
    from pipelines.definitions import all_assets, all_checks

    tags = partitions.range_tags(months) if months else {}
    result = dg.materialize(
        [*all_assets, *all_checks],
        selection=selection,
        resources={"warehouse": _resource(settings)},
        instance=_instance(),
        raise_on_error=False,
        tags=tags,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}},
    )
    if not result.success:
        raise RunFailed(_failure(result))
    failed = [
        e for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    if failed:
        # A failed blocking check skips what depends on it; the run itself "succeeds".
        names = ", ".join(f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed)
        raise RunFailed(
            f"check failed: {names}; nothing downstream was built and the published warehouse "
            "was left as it was (details: yingshang -v run, or the check's metadata in the UI)"
        )
    return result


def _failure(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user's exception, not Dagster's wrapper
                error = error.cause
            message = (error.message or error.cls_name or "").strip().splitlines()
            # DuckDB wraps the real cause of a fatal error ("FATAL Error: Failed to
            # rollback…\nOriginal Error: IO Error: …: No space left on device"):
            # show the innermost one.
            original = [m.split(":", 1)[1].strip() for m in message if m.lower().startswith("original error:")]
            message = original[-1:] or message
            return (
                f"run failed in {event.step_key}: {message[0] if message else 'unknown error'}; "
                "the published warehouse was left as it was (details: yingshang -v run)"
            )
    return "run failed; the published warehouse was left as it was"


def build_and_publish(settings: Settings, months: tuple[date, date] | None, verbose: bool) -> None:
    from pipelines.definitions import BUILD

    if months is None:  # no data at all: nothing partitioned to build
        from pipelines.definitions import UNPARTITIONED_BUILD

        materialize(settings, UNPARTITIONED_BUILD, verbose=verbose)
    else:
        log.info("building marts for %s – %s", f"{months[0]:%Y-%m}", f"{months[1]:%Y-%m}")
        materialize(settings, BUILD, months, verbose=verbose)


def _rebuild_months(result: dg.ExecuteInProcessResult) -> tuple[date, date] | None:
    from assets import partitions
    from assets.landing import INGEST_LOG, REBUILD_MONTHS

    for event in result.get_asset_materialization_events():
        if event.asset_key == INGEST_LOG:
            return partitions.decode(event.materialization.metadata[REBUILD_MONTHS].value)
    return None


def _required(settings: Settings, *checks) -> None:
    """Stop before anything is touched when a setting the run needs is missing."""
    try:
        for check in checks:
            check(settings)
    except SettingMissing as e:
        raise RunFailed(str(e)) from None


def run(settings: Settings, verbose: bool = False) -> Outcome:
    _required(settings, Settings.require_landing, Settings.require_county)
    log.info("landing folder: %s", settings.landing)
    # The run a county meets most: every landed file already in the ledger as it is,
    # everything ingested published. It does what the full run would (nothing) and
    # prints what it would, without starting Dagster.
    unchanged = nothing_new(settings.landing, settings.build, settings.warehouse)
    if unchanged is not None:
        for n, path in enumerate(unchanged, 1):
            log.info(progress_line(n, len(unchanged), path.name))
        return Outcome([], settings.warehouse)

    # One run at a time, whole: each step takes the writer lock for itself, but a
    # second run's ingest between this run's marts and its indicators would leave
    # them built from different staging (and the recomputation check failing).
    with _run_lock(settings):
        return _ingest_build_publish(settings, verbose)


def _run_lock(settings: Settings):
    return writer_lock(settings.build.parent / "run.lock")


def _ingest_build_publish(settings: Settings, verbose: bool) -> Outcome:
    from pipelines.definitions import INGEST

    # Report every file the published warehouse did not have yet, including any
    # that a run which died before publishing had ingested.
    before = _resource(settings).published_ingest_id()
    months = _rebuild_months(materialize(settings, INGEST, verbose=verbose))
    files = _files_since(settings, before or 0)
    # Publish whenever what analysts see changed: new months of data, or new rows
    # in the ledger and quarantine (a rejected file is explained there, not only in
    # this terminal). A first run always publishes: every mart, empty if need be.
    if months or files or before is None:
        from assets.releases import published_release, release_line

        last = published_release(settings.warehouse)
        build_and_publish(settings, months, verbose)
        return Outcome(files, settings.warehouse, release_line(settings.warehouse, last))
    return Outcome(files, settings.warehouse)


def rebuild(settings: Settings, verbose: bool = False) -> Outcome:
    """A new build from the archive alone, then the marts, checks and publish."""
    from assets.ingest.files import rebuild_from_archive
    from assets.ingest.warehouse import months_to_rebuild
    from assets.releases import published_release, release_line
    from assets.resources import BUILD_CONFIG, create_in_published_storage

    _required(settings, Settings.require_county)
    settings.build.parent.mkdir(parents=True, exist_ok=True)
    last = published_release(settings.warehouse)
    with _run_lock(settings):
        with writer_lock(settings.build.parent / "writer.lock"):
            settings.build.unlink(missing_ok=True)
            create_in_published_storage(settings.build)
            with duckdb.connect(str(settings.build), config=BUILD_CONFIG) as conn:
                rebuild_from_archive(
                    conn, settings.archive, settings.require_county(), progress=log.info,
                    folder_county=settings.rows_county,
                )
                months = months_to_rebuild(conn, None)
        build_and_publish(settings, months, verbose)
        return Outcome(_files_since(settings, 0), settings.warehouse, release_line(settings.warehouse, last))


def compare_reference(settings: Settings) -> tuple[str, bool]:
    """The county's reference figures (EXPORTS.md section 5) beside the warehouse's."""
    from pipelines.sample_data.reference import REFERENCE_FIGURES, SUMMARY_ROUNDED, as_summarised

    lines = [f"{'indicator':<28} {'period_end':<11} {'reference':>12} {'warehouse':>14}  match"]
    all_match = True
    with duckdb.connect(str(settings.warehouse), read_only=True) as c:
        for indicator, period_end, expected in REFERENCE_FIGURES:
            row = c.execute(
                "SELECT value FROM marts.indicators WHERE county_code = ? AND indicator = ? "
                "AND period_end = ?::DATE",
                [settings.county_code, indicator, period_end],
            ).fetchone()
            got = row[0] if row else None
            match = got is not None and got == expected
            all_match &= match
            shown = "missing" if got is None else f"{got.normalize():f}"
            line = f"{indicator:<28} {period_end:<11} {expected:>12} {shown:>14}  {'✓' if match else '✗'}"
            if indicator in SUMMARY_ROUNDED and got is not None:
                # The summary printed it rounded (96亿元): say so beside the exact figure.
                line += f"  (summary: {SUMMARY_ROUNDED[indicator]}, the warehouse's rounded: {as_summarised(indicator, got)})"
            lines.append(line)
    lines.append(
        "all figures match the county's half-year summary" if all_match
        else "SOME FIGURES DO NOT MATCH the county's half-year summary"
    )
    return "\n".join(lines), all_match
