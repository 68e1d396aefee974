"""Where the time of one `yingshang run` goes: the same command, in process, with
timers wrapped around its main steps (the project's code is not changed). Each
timer also notes by how much its step raised the process's peak RSS. Prints one
JSON object {step: seconds, "_raised_mb": {step: MB}} on its last line.

    python bench/split.py LANDING WAREHOUSE
"""

import json
import resource
import sys
import time
from collections import defaultdict

started = time.perf_counter()
spent: dict[str, float] = defaultdict(float)
raised: dict[str, float] = defaultdict(float)  # MB the step added to the peak RSS


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def timed(owner, name: str, label: str) -> None:
    function = getattr(owner, name, None)
    if function is None:  # renamed in the project since: that step shows 0
        print(f"split.py: no {owner.__name__}.{name} to time", file=sys.stderr)
        return

    def wrapper(*args, **kwargs):
        t, mb = time.perf_counter(), peak_mb()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - t
            raised[label] += peak_mb() - mb

    setattr(owner, name, wrapper)


# How the timed steps nest: (label, children). Each parent also gets a line for
# the time none of its children account for.
TREE = [
    ("import the code location (dagster, polars, pandera…)", []),
    ("ingest job", [
        ("ingest_folder", [
            ("archive copy + sha256 + UTF-8 check", []),
            ("_load (parse, validate, stage one file)", [
                ("read_grid (open the file, read its head)", []),
                ("insert batches into DuckDB (staging, quarantine, keys)", []),
                ("duplicate keys within the file", []),
                ("replace older rows of the same keys", []),
            ]),
        ]),
        ("check: totals rows", []),
    ]),
    ("build job", [
        ("mart SQL (all models)", []),
        ("checks: recomputation, revisions, gaps", []),
        ("checks: Great Expectations suites", []),
        ("export marts to Parquet", []),
        ("publish (copy build file + fsync)", []),
    ]),
]
REST = {
    "ingest job": "Dagster and the rest",
    "ingest_folder": "the rest",
    "_load (parse, validate, stage one file)":
        "read, parse and validate the rows (polars, pandera), where not beside the inserts",
    "build job": "Dagster and the rest",
}


def render(result: dict) -> list[tuple[str, float, float]]:
    """(step, seconds, MB it raised the peak RSS by) in order, nested steps marked
    by leading dots."""
    mb = result["_raised_mb"]
    lines = []

    def walk(nodes, depth):
        for label, children in nodes:
            lines.append((depth, label, result.get(label, 0.0), mb.get(label, 0.0)))
            walk(children, depth + 1)
            if children and label in REST:
                lines.append((
                    depth + 1, REST[label],
                    result.get(label, 0.0) - sum(result.get(c, 0.0) for c, _ in children),
                    mb.get(label, 0.0) - sum(mb.get(c, 0.0) for c, _ in children),
                ))

    walk(TREE, 0)
    total = "total (process start to end)"
    lines.append((
        0, "other (interpreter, CLI, settings)",
        result[total] - sum(result.get(t, 0.0) for t, _ in TREE),
        mb[total] - sum(mb.get(t, 0.0) for t, _ in TREE),
    ))
    lines.append((0, "**total**", result[total], mb[total]))
    return [(f"{'· ' * d}{label}", s, m) for d, label, s, m in lines]


def main(landing: str, warehouse: str) -> None:
    from assets import checks, marts, resources
    from assets.ingest import files
    from assets.ingest import warehouse as staging
    from pipelines import cli, definitions, runner

    spent["import the code location (dagster, polars, pandera…)"] = time.perf_counter() - started
    raised["import the code location (dagster, polars, pandera…)"] = peak_mb()
    materialize = runner.materialize

    def which_job(settings, selection, *args, **kwargs):
        label = "ingest job" if selection is definitions.INGEST else "build job"
        t, mb = time.perf_counter(), peak_mb()
        try:
            return materialize(settings, selection, *args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - t
            raised[label] += peak_mb() - mb

    runner.materialize = which_job
    for owner, name, label in [
        (files, "ingest_folder", "ingest_folder"),  # imported from there when ingestion runs
        (files, "copy_and_hash", "archive copy + sha256 + UTF-8 check"),
        (files, "read_grid", "read_grid (open the file, read its head)"),
        (files, "_load", "_load (parse, validate, stage one file)"),
        (staging, "stage", "insert batches into DuckDB (staging, quarantine, keys)"),
        (staging, "quarantine", "insert batches into DuckDB (staging, quarantine, keys)"),
        (staging, "track_keys", "insert batches into DuckDB (staging, quarantine, keys)"),
        (staging, "resolve_repeated_keys", "duplicate keys within the file"),
        (staging, "replace_older", "replace older rows of the same keys"),
        (checks, "totals_rows", "check: totals rows"),
        (checks, "indicators_recomputed", "checks: recomputation, revisions, gaps"),
        (checks, "indicator_revisions", "checks: recomputation, revisions, gaps"),
        (checks, "coverage_gaps", "checks: recomputation, revisions, gaps"),
        (checks, "run_suites", "checks: Great Expectations suites"),
        (marts, "build", "mart SQL (all models)"),
        (marts, "export_parquet", "export marts to Parquet"),
        (resources.WarehouseResource, "publish", "publish (copy build file + fsync)"),
    ]:
        timed(owner, name, label)
    cli.main(["run", "--landing", landing, "--warehouse", warehouse])
    spent["total (process start to end)"] = time.perf_counter() - started
    raised["total (process start to end)"] = peak_mb()
    print(json.dumps({**spent, "_raised_mb": raised}, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:3])
