"""Running the pipeline in process, as `yingshang run` and `yingshang rebuild` do."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.files import rebuild_from_archive
from assets.ingest.warehouse import ensure_tables
from pipelines.resources import WarehouseResource, writer_lock
from pipelines.settings import Settings

log = logging.getLogger("yingshang")


class RunFailed(Exception):
    """The run could not complete; the published warehouse is as it was."""


@dataclass
class Outcome:
    files: list[dict]
    published: Path

    def report(self) -> str:
        if not self.files:
            lines = ["no new files in the landing folder"]
        else:
            lines = [
                f"{'file':<40} {'kind':<14} {'status':<10} {'read':>8} {'loaded':>8} {'quarant.':>8}  reason"
            ]
            for f in self.files:
                lines.append(
                    f"{_clip(f['file_name'], 40):<40} {f['kind'] or '-':<14} {f['status']:<10} "
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
        lines.append(f"published: {self.published}")
        return "\n".join(lines)


def _num(v) -> str:
    return "-" if v is None else str(v)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _resource(settings: Settings) -> WarehouseResource:
    return WarehouseResource(
        landing=str(settings.landing),
        warehouse=str(settings.warehouse),
        county_code=settings.county_code,
    )


def _last_ingest_id(settings: Settings) -> int:
    if not settings.build.exists():
        return 0
    with writer_lock(settings.build.parent / "writer.lock"), duckdb.connect(str(settings.build)) as c:
        ensure_tables(c)
        return c.execute("SELECT coalesce(max(ingest_id), 0) FROM meta.ingest_log").fetchone()[0]


def _files_since(settings: Settings, after: int) -> list[dict]:
    with duckdb.connect(str(settings.build), read_only=True) as c:
        rel = c.sql(
            "SELECT file_name, kind, status, rows_read, rows_loaded, rows_quarantined, reason, notes "
            f"FROM meta.ingest_log WHERE ingest_id > {int(after)} ORDER BY ingest_id"
        )
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def materialize(settings: Settings, selection=None, verbose: bool = False) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import all_assets, all_checks

    result = dg.materialize(
        [*all_assets, *all_checks],
        selection=selection,
        resources={"warehouse": _resource(settings)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "ERROR"}}}},
    )
    if not result.success:
        raise RunFailed(_failure(result))
    return result


def _failure(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user's exception, not Dagster's wrapper
                error = error.cause
            message = (error.message or error.cls_name or "").strip().splitlines()
            return (
                f"run failed in {event.step_key}: {message[0] if message else 'unknown error'}; "
                "the published warehouse was left as it was (details: yingshang -v run)"
            )
    return "run failed; the published warehouse was left as it was"


def run(settings: Settings, verbose: bool = False) -> Outcome:
    before = _last_ingest_id(settings)
    log.info("landing folder: %s", settings.landing)
    materialize(settings, verbose=verbose)
    return Outcome(_files_since(settings, before), settings.warehouse)


def rebuild(settings: Settings, verbose: bool = False) -> Outcome:
    """A new build from the archive alone, then the marts, checks and publish."""
    from assets.landing import ingest_landing

    settings.build.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings.build.parent / "writer.lock"):
        settings.build.unlink(missing_ok=True)
        with duckdb.connect(str(settings.build)) as conn:
            rebuild_from_archive(conn, settings.archive, settings.county_code, progress=log.info)
    materialize(settings, selection=dg.AssetSelection.all() - dg.AssetSelection.assets(ingest_landing), verbose=verbose)
    return Outcome(_files_since(settings, 0), settings.warehouse)
