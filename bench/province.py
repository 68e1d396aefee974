"""A province, timed: N simulated counties (the sample exports, each as another
county's: pipelines/sample_data/counties.py) run by `yingshang run` on a province's
landing folder with 1 and 2 worker processes.

Not part of the test suite. From the repository root:

    .venv/bin/python bench/province.py                          # 1 and 10 counties, 1 and 2 workers
    .venv/bin/python bench/province.py --counties 1 10 50       # 50 too (not run on the shared 2-CPU VM: 30-60 min)

For each county count and worker count, on a fresh warehouse (wall time of the
`yingshang` command as a subprocess, start to exit):
- initial load: every county's sample exports (23 files, half a year) at once;
- a province month: one new 1,600-row court export in every county, then one run;
- one county's small update: one new 1,600-row export in one county, then
  `yingshang run --county CODE` (that county and the merge) and `yingshang run`
  (every county looked at, one with work);
- nothing new: `yingshang run` once more;
- merge only: the province file removed, `yingshang run` (every county up to date).
Rows are those the counties' ledgers read; storage is bytes on disk. Writes the
figures as JSON and a Markdown section (`--report`, default bench/PROVINCE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from generate import write_csv  # noqa: E402

NEW_ROWS = 1600


def codes(n: int) -> list[str]:
    """n county codes of Shaanxi (61xxxx), the first the sample's own."""
    out = ["610528"]
    k = 0
    while len(out) < n:
        k += 1
        code = f"61{k // 30 + 1:02d}{k % 30 + 1:02d}"
        if code != "610528":
            out.append(code)
    return out


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


def timed(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return took, done.stdout


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rows_read(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as c:
        return c.execute("SELECT coalesce(sum(rows_read), 0) FROM meta.ingest_log").fetchone()[0]


def template(work: Path, n: int) -> Path:
    """The landing folder of n counties, written once per n and copied per case."""
    from pipelines.sample_data import write_sample_exports
    from pipelines.sample_data.counties import recode_exports

    landing = work / f"landing-{n}"
    if (landing / ".complete").exists():
        return landing
    shutil.rmtree(landing, ignore_errors=True)
    source = work / "sample-610528"
    if not (source / ".complete").exists():
        shutil.rmtree(source, ignore_errors=True)
        write_sample_exports(source)
        (source / ".complete").touch()
    for code in codes(n):
        recode_exports(source, landing / code, code)
    (landing / ".complete").touch()
    return landing


def one_case(work: Path, n: int, workers: int) -> dict:
    case = work / f"case-{n}-{workers}"
    shutil.rmtree(case, ignore_errors=True)
    shutil.copytree(template(work, n), case / "landing", copy_function=shutil.copy2)
    (case / "landing" / ".complete").unlink()
    landing, warehouse = case / "landing", case / "wh" / "yingshang.duckdb"
    base = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--workers", str(workers)]
    result = {"counties": n, "workers": workers}

    result["initial_s"], _ = timed(cli(*base))
    result["initial_rows"] = rows_read(warehouse)

    for i, code in enumerate(codes(n)):
        new = write_csv(work / "new" / f"month-{i}.csv", NEW_ROWS, start=10_000_000 + i * NEW_ROWS)
        shutil.copy(new, landing / code / "案件信息导出_本月.csv")
    before = rows_read(warehouse)
    result["month_s"], _ = timed(cli(*base))
    result["month_rows"] = rows_read(warehouse) - before

    one = codes(n)[-1]
    shutil.copy(write_csv(work / "new" / "update-a.csv", NEW_ROWS, start=20_000_000), landing / one / "更新a.csv")
    result["update_one_s"], _ = timed(cli(*base, "--county", one))
    shutil.copy(write_csv(work / "new" / "update-b.csv", NEW_ROWS, start=30_000_000), landing / one / "更新b.csv")
    result["update_all_s"], _ = timed(cli(*base))
    result["nothing_new_s"], _ = timed(cli(*base))
    # The merge alone: no province file, every county up to date.
    warehouse.unlink()
    result["merge_s"], _ = timed(cli(*base))

    result["province_bytes"] = size(warehouse)
    result["counties_bytes"] = size(warehouse.parent / "counties")
    result["rows_total"] = rows_read(warehouse)
    shutil.rmtree(case, ignore_errors=True)
    return result


def markdown(results: list[dict], command: str) -> str:
    lines = [
        "## Province: many counties (bench/province.py)",
        "",
        f"`{command}` on {platform.node()} ({os.cpu_count()} CPUs, shared with other work), "
        f"{time.strftime('%Y-%m-%d')}. Each county holds the sample exports (23 files, "
        "2023-01 to 2023-07, half a year of one county: the initial load); a province month adds one "
        f"{NEW_ROWS:,}-row court export to every county; one county's update adds one to one county. "
        "Wall time of the `yingshang` command, start to exit.",
        "",
        "| counties | workers | initial load | rows | rows/s | province month | rows/s | one county: `run --county` | one county: `run` | nothing new | merge only | province file | counties' files |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['counties']} | {r['workers']} | {r['initial_s']:.1f} s | {r['initial_rows']:,} | "
            f"{r['initial_rows'] / r['initial_s']:,.0f} | {r['month_s']:.1f} s | {r['month_rows'] / r['month_s']:,.0f} | "
            f"{r['update_one_s']:.1f} s | {r['update_all_s']:.1f} s | {r['nothing_new_s']:.1f} s | {r['merge_s']:.1f} s | "
            f"{r['province_bytes'] / 1e6:.1f} MB | {r['counties_bytes'] / 1e6:.1f} MB |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--counties", type=int, nargs="+", default=[1, 10])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--workdir", type=Path, default=Path("/tmp/yingshang-province-bench"))
    p.add_argument("--report", type=Path, default=Path("bench/PROVINCE.md"))
    a = p.parse_args()
    a.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in a.counties:
        for w in a.workers:
            r = one_case(a.workdir, n, w)
            print(json.dumps(r), flush=True)
            results.append(r)
    (a.workdir / "results.json").write_text(json.dumps(results, indent=1))
    command = "python bench/province.py " + " ".join(sys.argv[1:])
    text = markdown(results, command.strip())
    print(text)
    a.report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
