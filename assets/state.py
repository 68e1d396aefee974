"""What a run reads before it decides whether there is anything to do: the landing
folder, the ledger of the private build, the last published ingest, the writer lock
and the gaps of the published coverage.

Standard library and duckdb only: a run that finds nothing new answers from here
without importing Dagster, polars, pandera or Great Expectations.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger("yingshang")


def landed_files(landing: Path) -> list[Path]:
    """Files in the landing folder in ingestion order: modification time, then name.
    Hidden files and Office lock files (`~$…`) are not exports."""
    if not landing.is_dir():
        return []
    files = [p for p in landing.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def progress_line(n: int, total: int, name: str) -> str:
    """What a run prints as it takes the n-th of the landing folder's files."""
    return f"[{n}/{total}] {name}"


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Exclusive across processes; released by the kernel if the holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        started, told = time.monotonic(), False
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and time.monotonic() - started > 1:
                    log.info("another run is writing the warehouse; waiting for it to finish")
                    told = True
                time.sleep(0.05)
        if told:
            log.info("waited %.0f s for the other run", time.monotonic() - started)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """A path beside `target` to write a new file at; when the block succeeds the
    file is fsynced and renamed over `target` (a reader holding the old file keeps
    reading it), and when it fails (a full disk) `target` stays as it was. Either
    way no leftover stays."""
    tmp = target.with_name(f".{target.name}.publishing")
    leftovers = (tmp, tmp.with_name(f"{tmp.name}.wal"))
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)


def published_ingest_id(warehouse: Path) -> int | None:
    """The last ingest the published file holds; None when nothing is published."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("SELECT coalesce(max(ingest_id), 0) FROM meta.ingest_log").fetchone()[0]


def gaps(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per county and export with gaps in marts.coverage, naming every one."""
    rows = conn.execute(
        "SELECT county_code, kind, string_agg(strftime(month, '%Y-%m'), ', ' ORDER BY month) "
        "FROM marts.coverage WHERE gap GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return [f"{county} {kind}: no rows for {months}" for county, kind, months in rows]


def nothing_new(landing: Path, build: Path, published: Path) -> list[Path] | None:
    """The landed files, in ingestion order, when a run would ingest, build and
    publish nothing: every landed
    file has its name, size and modification time in the build's ledger (the same
    test ingestion uses to skip a file unhashed), the build has its marts, and the
    published file holds every ingest of the build. Anything else, including a
    ledger this code cannot read, is None: the full run decides."""
    before = published_ingest_id(published)
    if before is None or not build.exists():
        return None
    files = landed_files(landing)
    landed = []
    for p in files:
        stat = p.stat()
        landed.append((p.name, stat.st_size, stat.st_mtime_ns))
    try:
        with writer_lock(build.parent / "writer.lock"), duckdb.connect(str(build), read_only=True) as c:
            marts, last = c.execute(
                "SELECT (SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'marts'), "
                "(SELECT coalesce(max(ingest_id), 0) FROM meta.ingest_log)"
            ).fetchone()
            if not marts or last != before:
                return None
            if not landed:
                return files
            known = c.execute(
                "SELECT count(*) FROM (SELECT unnest(?) AS f) l "
                "WHERE EXISTS (SELECT 1 FROM meta.ingest_log g WHERE g.file_name = l.f.name "
                "AND g.file_size = l.f.size AND g.file_mtime_ns = l.f.mtime_ns)",
                [[{"name": n, "size": s, "mtime_ns": m} for n, s, m in landed]],
            ).fetchone()[0]
    except duckdb.Error:
        return None
    return files if known == len(landed) else None
