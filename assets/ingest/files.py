"""Ingesting files, step by step: archive → read → recognise → parse → validate → stage.

Each step is a module of its own (`archive`, `reading`, `recognise`, `rows`,
`validate`, `warehouse`, with `totals` beside parsing); this one only calls them in
that order. A file counts whole or not at all: its rows are written batch by
batch, marked by its ingest_id, and count from the transaction that writes its
ledger row; those of a file that never gets one are discarded
(`warehouse.discard_unfinished`). Every data row read ends up either in staging
or in quarantine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from assets.exports import EXPORTS
from assets.ingest import warehouse
from assets.ingest.archive import Copied, archive_path, copy_and_hash, read_manifest, remember
from assets.ingest.reading import Unreadable, read_grid
from assets.ingest.recognise import NotRecognised, recognise
from assets.ingest.rows import classify, parse_rows, quarantined, read_again
from assets.ingest.totals import Totals, mismatches
from assets.ingest.validate import validate
from assets.ingest.warehouse import FileResult
from assets.state import landed_files, progress_line

log = logging.getLogger("yingshang.ingest")
T, U = TypeVar("T"), TypeVar("U")


class _Rejected(Exception):
    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.kind = kind


# Section 1: what is wrong with the file itself (type, emptiness, corruption,
# encoding, header, no data rows). Only these reject a file; any other exception
# is a fault of the machine or the program and propagates.
DATA_FAULTS = (_Rejected, Unreadable, NotRecognised)

Progress = Callable[[str], None] | None


def ingest_folder(
    conn: duckdb.DuckDBPyConnection, landing: Path, archive: Path, county_code: str, progress: Progress = None,
    folder_county: str | None = None,
) -> list[FileResult]:
    """Ingest every file of `landing` not ingested before (same name and content).
    `folder_county`: `landing` is that county's subfolder (`rows.parse_rows`)."""
    return _each(conn, progress, [
        (path.name, partial(ingest_landed, conn, path, archive, county_code, folder_county))
        for path in landed_files(landing)
    ])


def rebuild_from_archive(
    conn: duckdb.DuckDBPyConnection, archive: Path, county_code: str, progress: Progress = None,
    folder_county: str | None = None,
) -> list[FileResult]:
    """Replay every archived file, in the order first seen, into an empty warehouse."""
    # A file whose run failed is in the manifest once per attempt: replay it once.
    first_seen: dict[tuple[str, str], dict] = {}
    for entry in read_manifest(archive):
        first_seen.setdefault((entry["file_name"], entry["sha256"]), entry)
    return _each(conn, progress, [
        (entry["file_name"], partial(replay_archived, conn, entry, archive, county_code, folder_county))
        for entry in first_seen.values()
    ])


def _each(conn, progress: Progress, files: list[tuple[str, Callable[[], FileResult | None]]]):
    warehouse.ensure_tables(conn)
    warehouse.discard_unfinished(conn)
    results = []
    for n, (name, ingest) in enumerate(files, 1):
        if progress:
            progress(progress_line(n, len(files), name))
        if (result := ingest()) is not None:
            results.append(result)
    return results


def ingest_landed(
    conn, path: Path, archive: Path, county_code: str, folder_county: str | None = None
) -> FileResult | None:
    """A file of the landing folder, archived first; None when this name with this
    content was ingested before."""
    stat = path.stat()
    if warehouse.unchanged_since_ingested(conn, path.name, stat.st_size, stat.st_mtime_ns):
        return None  # untouched since it was ingested: not even worth hashing again
    stored, copied = copy_and_hash(path, archive)
    if warehouse.ingested_before(conn, path.name, copied.sha256):
        return None
    remember(archive, path.name, path.suffix.lower(), copied, stat.st_mtime_ns)
    return _ingest(conn, stored, path.name, copied, stat.st_size, stat.st_mtime_ns, county_code, folder_county)


def replay_archived(
    conn, entry: dict, archive: Path, county_code: str, folder_county: str | None = None
) -> FileResult | None:
    """A manifest entry's archived copy, ledgered with the size and time the file
    had when it landed; None when this name with this content is in the ledger."""
    stored, copied = copy_and_hash(archive_path(archive, entry["sha256"], entry["suffix"]), None)
    if warehouse.ingested_before(conn, entry["file_name"], copied.sha256):
        return None
    name, size, mtime_ns = entry["file_name"], entry["size"], entry.get("mtime_ns")
    return _ingest(conn, stored, name, copied, size, mtime_ns, county_code, folder_county)


def _ingest(
    conn, stored: Path, file_name: str, copied: Copied, size: int, mtime_ns: int | None, county_code: str,
    folder_county: str | None = None,
) -> FileResult:
    """Load an archived file and write its ledger row (only the row, for content
    loaded before). `size`, `mtime_ns`: the file's when it landed."""
    def logged(result: FileResult) -> FileResult:
        result.file_size, result.file_mtime_ns = size, mtime_ns
        warehouse.write_log(conn, result)
        log.debug(result.summary())
        return result

    earlier = warehouse.loaded_under(conn, copied.sha256)
    if earlier is not None:
        return logged(FileResult(
            file_name, copied.sha256, "duplicate", kind=earlier[1],
            reason=f"same content as {earlier[0]}, ingested before",
        ))
    # Any other exception (memory, disk, a missing library, a bug) is not the file's
    # fault: nothing is recorded for it, its archive copy stays, and the next run
    # takes it again.
    try:
        return _load(conn, stored, file_name, copied, county_code, folder_county, logged)
    except DATA_FAULTS as e:
        warehouse.discard_unfinished(conn)  # what it staged before its fault was found
        kind = getattr(e, "kind", None)
        return logged(FileResult(file_name, copied.sha256, "rejected", kind=kind, reason=str(e)))


def read_ahead(work: Callable[[T], U], items: Iterator[T]) -> Iterator[U]:
    """`work(item)` for each item in order, the next one computed in a thread while
    the caller handles this one: polars parses a batch while DuckDB writes the one
    before (both release the GIL), instead of each waiting for the other. An
    exception raised for an item is raised where that item would be yielded."""
    def step() -> tuple[bool, U | None]:
        item = next(items, _END)
        return (False, None) if item is _END else (True, work(item))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
        ahead = pool.submit(step)
        while True:
            more, value = ahead.result()
            if not more:
                return
            ahead = pool.submit(step)
            yield value


_END = object()


def _load(
    conn, stored: Path, file_name: str, copied: Copied, county_code: str, folder_county: str | None,
    logged: Callable[[FileResult], FileResult],
) -> FileResult:
    """Read, recognise, parse, validate and stage one archived file; `logged`
    writes its ledger row, in the transaction that settles its rows."""
    grid = read_grid(stored, copied)
    rec = recognise(grid.head, EXPORTS.values())
    export = rec.export
    result = FileResult(
        file_name, copied.sha256, "loaded", kind=export.kind,
        encoding=grid.encoding, ingest_id=warehouse.next_ingest_id(conn),
    )
    had_rows = warehouse.has_rows(conn, export)
    totals = Totals.of(rec)
    beyond = [f"c{j}" for j in range(rec.header_width, grid.width + 1)] if grid.delimited else []

    def parsed(raw: pl.DataFrame) -> pl.DataFrame:
        """A batch's data rows, parsed and validated (polars and pandera only)."""
        batch = parse_rows(
            classify(raw.lazy(), grid.width), rec, county_code, beyond, folder_county
        ).collect()
        totals.add(batch)
        data_rows = batch.filter(pl.col("_class") == "data")
        return data_rows if data_rows.is_empty() else validate(data_rows, export)

    warehouse.start_file(conn, export)
    for checked in read_ahead(parsed, grid.batches(rec.first_data_row)):
        if checked.is_empty():
            continue
        result.rows_read += checked.height
        warehouse.track_keys(conn, checked, export)
        valid = checked["_errors"].list.len() == 0
        warehouse.stage(conn, checked.filter(valid), export, result)
        warehouse.quarantine(conn, quarantined(checked.filter(~valid), rec), export, result)
    if result.rows_read == 0:
        raise _Rejected(
            f"header recognised as {export.kind} ({export.title_zh}) but no data rows follow it",
            export.kind,
        )
    # The file's rows count from its ledger row on (warehouse.discard_unfinished);
    # the rest is SQL over its valid rows, marked with its ingest_id, committed
    # with that row.
    with warehouse.one_transaction(conn):
        warehouse.resolve_repeated_keys(conn, export, result, partial(read_again, grid, rec))
        warehouse.replace_older(conn, export, result, had_rows)
        comparisons = totals.compared()
        warehouse.record_totals(conn, result, comparisons)
        result.notes = mismatches(comparisons)
        return logged(result)
