"""Sample exports: deterministic, messy, and exact.

`write_sample_exports(landing)` writes a landing folder's worth of exports of every
kind (税费减免明细, 证照分离改革办件统计, 审判执行案件, 双随机抽查结果) the way
county clerks download them: GB18030 and UTF-8 CSV, xlsx with merged two-row
headers, title rows, totals and footers, full-width digits, every date form of
shared/EXPORTS.md section 1, alternate and English headers, deliberately broken
rows, and later re-exports that update earlier ones.

How it works, and why it can be trusted:

1. Each export's simulator (`simulators/`, one module per export) builds the clean
   records first, in their final state (what the warehouse must hold once every
   file is ingested): `build.build()`.
2. `build.check_reference()` computes the section 3 indicators from those records
   and asserts they equal `reference.REFERENCE_FIGURES` (section 5) exactly.
3. Each simulator splits its records into files (with earlier states for the files
   that a re-export later updates) and adds the broken rows; then
   `build.check_files_reproduce()` asserts that folding the valid rows of the files
   in ingestion order ("later file wins", identical duplicates kept once) gives back
   exactly the final records.
4. Only then are the files rendered with their quirks (`render.py`) and written.
   Every random choice comes from one `random.Random(seed)` and the files'
   timestamps are fixed, so two runs give byte-identical files.

`expected_ingest_counts()` tells, per file, how many data rows a correct
ingestion reads, loads and quarantines, and why each quarantined row fails.

Only the standard library and openpyxl are used: the sample data checks the
warehouse, so it takes nothing from the code it checks.
"""

from __future__ import annotations

import calendar
import os
from datetime import datetime
from pathlib import Path

from pipelines.sample_data.build import build as _build
from pipelines.sample_data.build import check_files_reproduce as _check_files_reproduce
from pipelines.sample_data.build import check_reference as _check_reference
from pipelines.sample_data.firms import credit_code_check_char
from pipelines.sample_data.reference import REFERENCE_FIGURES
from pipelines.sample_data.render import file_bytes
from pipelines.sample_data.simulators import SIMULATORS

__all__ = [
    "REFERENCE_FIGURES",
    "credit_code_check_char",
    "describe_sample_exports",
    "expected_ingest_counts",
    "write_sample_exports",
]

# The fields of each kind's clean records.
_CANONICAL: dict[str, tuple[str, ...]] = {sim.KIND: sim.FIELDS for sim in SIMULATORS}


def _epoch(when: datetime) -> int:
    """The export time, China Standard Time (UTC+8), as a Unix timestamp."""
    return calendar.timegm(when.timetuple()) - 8 * 3600


def write_sample_exports(landing: Path, county_code: str = "610528", seed: int = 2023) -> list[Path]:
    """Write the sample exports into `landing` (created if missing); return the paths in ingestion order."""
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    records, files, rng = _build(county_code, seed)
    _check_reference(records)
    _check_files_reproduce(records, files)
    paths = []
    for f in files:  # already in ingestion order: modification time, then name
        path = landing / f.name
        path.write_bytes(file_bytes(f, rng))
        os.utime(path, (_epoch(f.exported), _epoch(f.exported)))
        paths.append(path)
    return paths


def expected_ingest_counts(county_code: str = "610528", seed: int = 2023) -> dict[str, dict]:
    """Per file name, in ingestion order: kind, rows_read, rows_loaded, rows_quarantined
    and why each quarantined row fails, as a correct ingestion must report them."""
    _, files, _ = _build(county_code, seed)
    return {f.name: f.counts for f in files}


def describe_sample_exports(county_code: str = "610528", seed: int = 2023) -> list[dict]:
    """What each file holds and which quirks it carries, in ingestion order."""
    _, files, _ = _build(county_code, seed)
    return [{"name": f.name, "kind": f.kind, "format": f.fmt, "encoding": f.encoding,
             "exported": f.exported.isoformat(sep=" "), "summary": f.summary, **f.counts}
            for f in files]
