"""`yingshang run` and `rebuild` on a province's landing folder (assets/province.py):
every county runs as its own single-county deployment, in parallel processes, and
the counties' published files are merged into the province file.

Each county runs exactly what `yingshang run` runs for one county
(`pipelines.runner.run` with that county's settings), in a process of its own:
DuckDB allows one writing process per file, and counties have one file each.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from assets.province import (
    county_folders,
    county_settings,
    known_counties,
    loose_files,
    publish_province,
    published_counties,
)
from assets.settings import Settings

log = logging.getLogger("yingshang")


@dataclass
class CountyResult:
    county: str
    report: str  # the county run's own summary, or why it failed
    failed: bool


@dataclass
class ProvinceOutcome:
    counties: list[CountyResult]
    published: Path | None
    merged: list[str] = field(default_factory=list)
    loose: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [c.county for c in self.counties if c.failed]

    def report(self) -> str:
        lines = []
        for c in self.counties:
            lines.append(f"== county {c.county}{' FAILED' if c.failed else ''} ==")
            lines.append(c.report)
        for path in self.loose:
            lines.append(
                f"not ingested: {path.name} lies directly in the province's landing folder; "
                "move it into its county's folder (landing/<6-digit code>/)"
            )
        if self.failed:
            lines.append(
                f"counties whose run failed: {', '.join(self.failed)}; their last good published "
                "files are in the province file, every other county is up to date"
            )
        if self.published is None:
            lines.append("no county has a published warehouse yet: no province file")
        else:
            lines.append(f"province: {len(self.merged)} counties ({', '.join(self.merged)}) in {self.published}")
        return "\n".join(lines)


def is_province(settings: Settings) -> bool:
    return bool(county_folders(settings.landing))


def default_workers(counties: int) -> int:
    return max(1, min(counties, os.cpu_count() or 1))


def run(
    settings: Settings, workers: int | None = None, verbose: bool = False, counties: list[str] | None = None
) -> ProvinceOutcome:
    """Run every county of the landing folder (or only `counties`), then merge the
    province file."""
    codes = county_folders(settings.landing)
    if counties is not None:
        missing = sorted(set(counties) - set(codes))
        if missing:
            raise ValueError(f"no county folder {', '.join(missing)} in {settings.landing}")
        codes = sorted(counties)
    outcome = _each(settings, codes, "run", workers, verbose)
    outcome.loose = loose_files(settings.landing)
    return outcome


def rebuild(settings: Settings, workers: int | None = None, verbose: bool = False) -> ProvinceOutcome:
    """Rebuild every county's warehouse from its own archive, then merge."""
    return _each(settings, known_counties(settings), "rebuild", workers, verbose)


def _each(settings: Settings, codes: list[str], command: str, workers: int | None, verbose: bool):
    results = []
    if command == "run":
        # A county with nothing new answers from its ledger here (assets.state), as
        # `yingshang run` does, without a process of its own.
        idle = [code for code in codes if _nothing_new(county_settings(settings, code))]
        results += [CountyResult(code, _idle_report(county_settings(settings, code)), False) for code in idle]
        codes = [code for code in codes if code not in idle]
    workers = workers or default_workers(len(codes))
    if workers == 1 or len(codes) <= 1:
        for code in codes:
            results.append(run_county(settings, code, command, verbose))
    else:
        # spawn, not fork: a forked DuckDB or Dagster with threads running is unsafe.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(run_county, settings, code, command, verbose, True) for code in codes]
            results += [f.result() for f in as_completed(futures)]
    results.sort(key=lambda r: r.county)
    published = merge(settings)
    return ProvinceOutcome(results, published, sorted(published_counties(settings)))


def _nothing_new(county: Settings) -> bool:
    from assets.state import nothing_new

    return county.landing.is_dir() and nothing_new(county.landing, county.build, county.warehouse) is not None


def _idle_report(county: Settings) -> str:
    from pipelines.runner import Outcome

    return Outcome([], county.warehouse).report()


def merge(settings: Settings) -> Path | None:
    """The province file from every county's last good published file (untouched
    when no county published since the last merge); None when no county has one."""
    if not published_counties(settings):
        return None
    path, merged = publish_province(settings)
    if merged:
        log.info("merged the counties into %s", path)
    return path


def run_county(
    settings: Settings, code: str, command: str = "run", verbose: bool = False, own_process: bool = False
) -> CountyResult:
    """One county's run (or rebuild), as `yingshang run` does it for one county; a
    failure is that county's alone."""
    from pipelines import runner

    if own_process:
        _county_log(code, verbose)
    action: Callable = runner.rebuild if command == "rebuild" else runner.run
    try:
        outcome = action(county_settings(settings, code), verbose=verbose)
    except runner.RunFailed as e:
        return CountyResult(code, f"yingshang: {e}", failed=True)
    return CountyResult(code, outcome.report(), failed=False)


def _county_log(code: str, verbose: bool) -> None:
    """In a county's own process (which runs one county after another): its
    progress lines, marked with the county."""
    if not log.handlers:
        log.addHandler(logging.StreamHandler(sys.stderr))
    for handler in log.handlers:
        handler.setFormatter(logging.Formatter(f"{code} %(message)s"))
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
    if not verbose:
        import warnings

        warnings.simplefilter("ignore")
