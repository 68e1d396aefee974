"""What starts runs: a landing-folder sensor, a daily backstop schedule, and a
sensor that builds and publishes the months an ingest run touched."""

import hashlib
import json

import dagster as dg

from assets import partitions
from assets.landing import INGEST_LOG, REBUILD_MONTHS
from assets.resources import WarehouseResource
from assets.state import landed_files


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def scan_landing(landing, cursor: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The new cursor ({name: [size, mtime_ns, sha256]}) and the files whose content
    is new. A file is hashed again only when its size or modification time moved,
    and it counts as new only when its hash did."""
    seen, new = {}, []
    for path in landed_files(landing):
        stat = path.stat()
        before = cursor.get(path.name)
        if before and before[:2] == [stat.st_size, stat.st_mtime_ns]:
            seen[path.name] = before
            continue
        sha = _sha256(path)
        seen[path.name] = [stat.st_size, stat.st_mtime_ns, sha]
        if not before or before[2] != sha:
            new.append((path.name, sha))
    return seen, new


def landing_run_request(new: list[tuple[str, str]]) -> dg.RunRequest:
    # The run key is the content of the new files: the same content never
    # triggers twice, whatever the sensor's ticks see.
    key = hashlib.sha256("\n".join(f"{n}\t{s}" for n, s in sorted(new)).encode()).hexdigest()
    return dg.RunRequest(
        run_key=f"landing-{key[:20]}",
        tags={"yingshang/new_files": str(len(new))},
    )


# How often the daemon evaluates the sensors. A clerk's file should be published
# within seconds; a tick costs a stat of the landing folder (a file is hashed only
# when its size or modification time moved) or one query of the run records.
SENSOR_INTERVAL_SECONDS = 5


def landing_sensor_for(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_folder",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts ingestion when a new or changed file appears in the landing folder.",
    )
    def landing_folder(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        cursor = json.loads(context.cursor) if context.cursor else {}
        seen, new = scan_landing(warehouse.settings.landing, cursor)
        context.update_cursor(json.dumps(seen, sort_keys=True))
        if not new:
            return dg.SkipReason("no new or changed files in the landing folder")
        context.log.info("new or changed: %s", ", ".join(n for n, _ in new))
        return landing_run_request(new)

    return landing_folder


def _ingest_log_metadata(instance: dg.DagsterInstance, run_id: str) -> dict:
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization and materialization.asset_key == INGEST_LOG:
            return materialization.metadata
    return {}


def rebuild_months_of_run(instance: dg.DagsterInstance, run_id: str):
    metadata = _ingest_log_metadata(instance, run_id)
    return partitions.decode(metadata[REBUILD_MONTHS].value) if metadata else None


def build_sensor_for(ingest_job, build_job, publish_job) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="build_after_ingest",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest_job],
        request_jobs=[build_job, publish_job],
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "After a successful ingest run, rebuilds the months it touched and publishes; "
            "when it changed no data but saw files (rejected ones too), publishes the ledger."
        ),
    )
    def build_after_ingest(context: dg.RunStatusSensorContext):
        run_id = context.dagster_run.run_id
        metadata = _ingest_log_metadata(context.instance, run_id)
        months = partitions.decode(metadata[REBUILD_MONTHS].value) if metadata else None
        if months is not None:
            return dg.RunRequest(
                run_key=f"build-{run_id}", job_name=build_job.name,
                tags=partitions.range_tags(months),
            )
        if metadata and metadata["files_seen"].value:
            # Analysts see the ledger and quarantine too: a clerk's rejected file is
            # published with its reason even though no figure changed.
            return dg.RunRequest(run_key=f"publish-{run_id}", job_name=publish_job.name)
        return dg.SkipReason(f"ingest run {run_id} saw no new file")

    return build_after_ingest


def daily_schedule_for(job) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_ingest",
        job=job,
        cron_schedule="0 7 * * *",
        execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="A daily backstop: ingests whatever the sensor may have missed.",
    )
