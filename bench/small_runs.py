"""The small runs a county meets most, timed: `yingshang run` on a warehouse of the
sample data (a) with nothing new in the landing folder, (b) with one new 1,600-row
court-case export dropped into it.

Not part of the test suite. From the repository root:

    .venv/bin/python bench/small_runs.py                 # median of 3 of each
    .venv/bin/python bench/small_runs.py --profile DIR   # also a cProfile of one run of each

Setup (not timed): the sample exports (`yingshang sample`) are ingested and published
once into a template warehouse. Each timed run gets a fresh copy of that template
(landing folder with the files' modification times kept, build, archive and published
file), so every run does the same work. Wall time is of the `yingshang` command line
as a subprocess, from start to exit.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import write_csv  # noqa: E402

COUNTY = "610528"
NEW_ROWS = 1600


def cli(python: Path) -> list[str]:
    return [str(python), "-m", "pipelines.cli"]


def run(cmd: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    return took, done.stdout


def args_for(case: Path) -> list[str]:
    return ["run", "--landing", str(case / "landing"), "--warehouse", str(case / "wh" / "yingshang.duckdb"),
            "--county", COUNTY]


def new_export(folder: Path, start: int = 10_000_000, name: str = "案件信息导出_新.csv") -> Path:
    """A 1,600-row court-case export of new cases (numbers from `start`), all 2023."""
    path = folder / name
    if not path.exists():
        write_csv(path, NEW_ROWS, start=start)
    return path


def template(work: Path, python: Path, fresh: bool = False) -> Path:
    """The sample exports ingested and published once. `fresh`: made again by the
    code measured now, not taken from an earlier benchmark (whose warehouse
    another version of the code wrote)."""
    t = work / "template"
    if (t / "wh" / "yingshang.duckdb").exists() and not fresh:
        return t
    shutil.rmtree(t, ignore_errors=True)
    subprocess.run([*cli(python), "sample", str(t / "landing")], check=True, capture_output=True)
    run([*cli(python), *args_for(t)], Path.cwd())
    new_export(work / "new")
    return t


def fresh_case(work: Path, t: Path, new_file: bool) -> Path:
    case = work / "case"
    shutil.rmtree(case, ignore_errors=True)
    shutil.copytree(t, case, copy_function=shutil.copy2)  # keeps mtimes: the ledger compares them
    if new_file:
        shutil.copy(new_export(work / "new"), case / "landing")
    return case


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/yingshang-small-runs"))
    p.add_argument("--profile", type=Path, help="write a cProfile of one run of each case here")
    a = p.parse_args()
    python = Path(sys.executable)
    a.workdir.mkdir(parents=True, exist_ok=True)
    t = template(a.workdir, python)
    for label, new_file in (("nothing new", False), ("one new 1,600-row export", True)):
        times = []
        for _ in range(a.runs):
            case = fresh_case(a.workdir, t, new_file)
            took, out = run([*cli(python), *args_for(case)], Path.cwd())
            times.append(took)
        print(f"{label}: median {statistics.median(times):.2f} s (runs: {', '.join(f'{x:.2f}' for x in times)})")
        print("  " + out.strip().splitlines()[0][:100])
        if a.profile:
            a.profile.mkdir(parents=True, exist_ok=True)
            case = fresh_case(a.workdir, t, new_file)
            out_file = a.profile / f"{'new' if new_file else 'nothing'}.prof"
            run([str(python), "-m", "cProfile", "-o", str(out_file), "-m", "pipelines.cli", *args_for(case)],
                Path.cwd())
            print(f"  profile: {out_file}")


if __name__ == "__main__":
    main()
