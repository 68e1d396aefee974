"""The daemon path, timed for real: `dagster dev` running the code location, files
dropped into its landing folder, the landing sensor starting `ingest`, the run
status sensor starting `build_and_publish`. Used by bench/run.py; on its own:

    .venv/bin/python bench/sensor_runs.py [--runs 3] [--workdir DIR]

Two drops, in order, into one instance: the sample exports (`yingshang sample`,
23 files) into an empty warehouse, then `runs` times one new 1,600-row court-case
export into that warehouse. Each drop is made right after a tick of the landing
sensor, so the time from drop to published includes one whole sensor interval
(the worst case). For each: the two runs' own durations (start to end, as
Dagster records them), their time queued, and the wall time from the drop to the
published file's modification time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import small_runs  # noqa: E402

COUNTY = small_runs.COUNTY
TIMEOUT = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _instance_yaml(home: Path) -> str:
    """The repository's dagster.yaml with its storage under `home` (its paths are
    relative to the working directory)."""
    return (ROOT / "dagster.yaml").read_text("utf-8").replace("base_dir: warehouse/", f"base_dir: {home}/warehouse/")


class Daemon:
    """`dagster dev` on a fresh DAGSTER_HOME, and what it records."""

    def __init__(self, home: Path, python: Path):
        import dagster as dg

        self.home, self.landing = home, home / "landing"
        self.warehouse = home / "warehouse" / "yingshang.duckdb"
        self.landing.mkdir(parents=True)
        dagster_home = home / "dagster_home"
        dagster_home.mkdir()
        (dagster_home / "dagster.yaml").write_text(_instance_yaml(home), "utf-8")
        env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "YINGSHANG_LANDING": str(self.landing),
               "YINGSHANG_WAREHOUSE": str(self.warehouse), "YINGSHANG_COUNTY": COUNTY}
        # The storage is created (its migrations run) here, before `dagster dev`
        # starts: two processes creating one SQLite storage at once break it.
        self.instance = dg.DagsterInstance.from_config(str(dagster_home))
        self.instance.get_runs(limit=1)
        self.log = (home / "dagster-dev.log").open("w")
        self.proc = subprocess.Popen(
            [str(python), "-m", "dagster", "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1",
             "-p", str(_free_port())],
            cwd=home, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: dev, daemon, servers
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()

    def _ticks(self, name: str) -> list:
        for state in self.instance.all_instigator_state():
            if state.instigator_name == name:
                return list(self.instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=5))
        return []

    def after_next_tick(self, name: str = "landing_folder") -> None:
        """Wait for the sensor's next tick to finish (a drop right after it waits a whole interval)."""
        seen = {t.tick_id for t in self._ticks(name)}
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"dagster dev exited: see {self.log.name}")
            if "ERROR" in Path(self.log.name).read_text("utf-8", errors="replace"):
                raise SystemExit(f"dagster dev logged an error: see {self.log.name}")
            if any(t.tick_id not in seen and t.status.value != "STARTED" for t in self._ticks(name)):
                return
            time.sleep(0.1)
        raise SystemExit(f"no tick of {name} in {TIMEOUT} s: see {self.log.name}")

    def drop(self, files: list[Path]) -> dict:
        """Copy `files` into the landing folder right after a sensor tick; wait for
        the build run they cause to publish. Returns what was measured."""
        import dagster as dg

        self.after_next_tick()
        before = {r.dagster_run.run_id for r in self.instance.get_run_records()}
        published_before = self.warehouse.stat().st_mtime if self.warehouse.exists() else 0
        dropped = time.time()
        for f in files:
            shutil.copy(f, self.landing / f.name)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            records = [r for r in self.instance.get_run_records() if r.dagster_run.run_id not in before]
            failed = [r for r in records if r.dagster_run.status == dg.DagsterRunStatus.FAILURE]
            if failed:
                raise SystemExit(f"run {failed[0].dagster_run.job_name} failed: see {self.log.name}")
            done = {r.dagster_run.job_name: r for r in records if r.dagster_run.status == dg.DagsterRunStatus.SUCCESS}
            if {"ingest", "build_and_publish"} <= done.keys():
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"no published build in {TIMEOUT} s: see {self.log.name}")
        published = self.warehouse.stat().st_mtime
        assert published > published_before, "the build run did not publish"
        ingest, build = done["ingest"], done["build_and_publish"]

        def took(r):
            return r.end_time - r.start_time

        def queued(r):
            return r.start_time - r.create_timestamp.timestamp()

        return {
            "files": len(files),
            "ingest_s": took(ingest), "build_s": took(build), "runs_s": took(ingest) + took(build),
            "queued_s": queued(ingest) + queued(build),
            "drop_to_published_s": published - dropped,
        }


def measure(work: Path, python: Path, runs: int) -> dict[str, list[dict]]:
    """The sample exports into an empty warehouse, then `runs` new 1,600-row exports."""
    sample = work / "sample"
    if not sample.exists():
        subprocess.run([str(python), "-m", "pipelines.cli", "sample", str(sample)], check=True,
                       capture_output=True)
    home = work / "sensor"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    daemon = Daemon(home, python)
    results: dict[str, list[dict]] = {"sample": [], "new": []}
    try:
        results["sample"].append(daemon.drop(sorted(sample.iterdir())))
        for i in range(runs):
            new = small_runs.new_export(work / "sensor-new", start=20_000_000 + i * 10_000,
                                       name=f"案件信息导出_新{i + 1}.csv")
            results["new"].append(daemon.drop([new]))
    finally:
        daemon.stop()
    return results


def summary(results: dict[str, list[dict]]) -> str:
    lines = []
    for label, rows in results.items():
        if not rows:
            continue
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        lines.append(
            f"{label}: ingest run {med['ingest_s']:.1f} s + build_and_publish run {med['build_s']:.1f} s "
            f"= {med['runs_s']:.1f} s; queued {med['queued_s']:.1f} s; drop to published "
            f"{med['drop_to_published_s']:.1f} s (median of {len(rows)})"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/yingshang-sensor-runs"))
    a = p.parse_args()
    a.workdir.mkdir(parents=True, exist_ok=True)
    results = measure(a.workdir.absolute(), Path(sys.executable), a.runs)
    print(json.dumps(results, indent=1))
    print(summary(results))


if __name__ == "__main__":
    main()
