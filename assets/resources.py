"""The DuckDB warehouse as a Dagster resource.

The pipeline writes a private build file and only a finished, checked build is
published, by an atomic rename, as the analysts' file. DuckDB allows one writing
process and even a reader blocks a writer, so analysts must never hold the file
being written; publishing a copy keeps them apart. A file lock next to the build
makes every writer, Dagster run or command line, wait its turn.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.warehouse import discard_unfinished, ensure_tables
from assets.releases import forget_unpublished
from assets.settings import Settings
from assets.sqltext import sql_literal
from assets.state import published_ingest_id, replaced_atomically, writer_lock

log = logging.getLogger("yingshang")

# The Dagster concurrency pool of every step that writes DuckDB; dagster.yaml
# limits it to one run at a time.
WRITER_POOL = "duckdb_writer"
DUCKDB_MEMORY = os.environ.get("YINGSHANG_DUCKDB_MEMORY", "384MB")
BUILD_CONFIG = {
    # Bounded memory whatever the input size: DuckDB spills to disk past this.
    "memory_limit": DUCKDB_MEMORY,
    # A file's rows are committed batch by batch (assets.ingest.warehouse);
    # checkpointing every 16 MB of them (DuckDB's default) recompressed the same
    # unfinished row groups again and again: 10M rows 55 s, 47 s so.
    "checkpoint_threshold": "128MB",
}


# The tables, columns and comments of the ledger, quarantine and staging schemas: what
# ensure_tables can change in an existing build.
_CATALOG = """
SELECT 'column', schema_name, table_name, column_name, data_type, comment, is_nullable
FROM duckdb_columns() WHERE database_name = current_database() AND schema_name IN ('meta', 'quarantine', 'staging')
UNION ALL
SELECT 'table', schema_name, table_name, NULL, NULL, comment, NULL
FROM duckdb_tables() WHERE database_name = current_database() AND schema_name IN ('meta', 'quarantine', 'staging')
UNION ALL
SELECT 'sequence', schema_name, sequence_name, NULL, NULL, NULL, NULL
FROM duckdb_sequences() WHERE database_name = current_database()
"""


def _catalog(conn: duckdb.DuckDBPyConnection) -> frozenset:
    return frozenset(conn.execute(_CATALOG).fetchall())


@functools.cache
def _declared_catalog() -> frozenset:
    """What ensure_tables makes of an empty database, once per process."""
    with duckdb.connect() as reference:
        ensure_tables(reference)
        return _catalog(reference)


def ensure_declared(conn: duckdb.DuckDBPyConnection) -> None:
    """ensure_tables, only when the build differs from what it declares: its
    ~100 statements write to the file (comments), which every step of every run
    would then checkpoint when it closes its connection, even a read-only check."""
    if not _declared_catalog() <= _catalog(conn):  # tables made elsewhere (releases) are not its business
        ensure_tables(conn)


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives. Unset fields fall back to the YINGSHANG_*
    environment variables, then to the defaults under ./warehouse."""

    landing: str | None = None
    warehouse: str | None = None
    county_code: str | None = None
    archive: str | None = None
    folder_county: bool = False  # the landing folder is county_code's subfolder (Settings)

    @property
    def settings(self) -> Settings:
        s = Settings.from_env(self.landing, self.warehouse, self.county_code, archive=self.archive)
        return dataclasses.replace(s, folder_county=self.folder_county) if self.folder_county else s

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the private build file, holding the writer lock."""
        s = self.settings
        s.build.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(s.build.parent / "writer.lock"):
            if not s.build.exists():
                if s.warehouse.exists():
                    # A new build starts from what was last published.
                    shutil.copyfile(s.warehouse, s.build)
                else:
                    create_in_published_storage(s.build)
            conn = duckdb.connect(str(s.build), config=BUILD_CONFIG)
            try:
                ensure_declared(conn)
                discard_unfinished(conn)
                yield conn
            finally:
                conn.close()

    def published_ingest_id(self) -> int | None:
        """The last ingest the published file holds; None when nothing is published."""
        return published_ingest_id(self.settings.warehouse)

    def publish(self) -> Path:
        """Atomically replace the analysts' file with the current build, written in
        PUBLISHED_STORAGE_VERSION. A reader holding the old file keeps reading it;
        new readers see the new one. The release the build records for it
        (assets.releases.record_release) is published with it or dropped."""
        s = self.settings
        with writer_lock(s.build.parent / "writer.lock"):
            s.warehouse.parent.mkdir(parents=True, exist_ok=True)
            try:
                with replaced_atomically(s.warehouse) as tmp:
                    copy_for_analysts(s.build, tmp)
            except BaseException:
                # The release recorded for this publish was not published: it is
                # not one (assets.releases).
                forget_unpublished(s.build, s.warehouse)
                raise
        return s.warehouse


# The analysts' clients are DuckDB 1.x (the `duckdb-cli` on PyPI, the drivers in
# DBeaver, R, JDBC), which cannot read DuckDB 2.0's own format (storage 69). This
# is the oldest format that keeps all the warehouse holds (tables, comments,
# constraints, sequences, macros) readable: storage 64, the same number as v1.0.0,
# but DuckDB 1.0 cannot read the primary-key index 2.0 writes into it, 1.1 and
# later can (tried with 1.0.0, 1.1.3, 1.2.2, 1.3.2, 1.4.4 and the 1.5.6 CLI).
# Something it cannot hold (a VARIANT column) fails the publish, loudly.
PUBLISHED_STORAGE_VERSION = "v1.1.0"


def create_in_published_storage(path: Path) -> None:
    """An empty database file in PUBLISHED_STORAGE_VERSION. DuckDB keeps a file's
    storage version when it writes it later, so a build created so is published by
    copying its bytes: 0.3 s instead of 10-12 s of COPY FROM DATABASE at 10M rows."""
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH {sql_literal(path)} AS ys_new (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        conn.execute("DETACH ys_new")


def copy_for_analysts(build: Path, target: Path) -> None:
    """A new file at `target` holding everything in `build`, in PUBLISHED_STORAGE_VERSION:
    the build's bytes, once it is checkpointed (nothing left in its WAL). A build
    in another storage version (made before builds were created in this one) is
    first rewritten in it, once."""
    with duckdb.connect(str(build), config=BUILD_CONFIG) as conn:
        conn.execute("CHECKPOINT")
        version = conn.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
    if version != _PUBLISHED_STORAGE_TAG:
        log.info("rewriting the build %s (storage %s) in storage %s", build, version, PUBLISHED_STORAGE_VERSION)
        with replaced_atomically(build) as rewritten:
            _copy_database(build, rewritten)
    shutil.copyfile(build, target)


# How DuckDB names the storage of a file written in PUBLISHED_STORAGE_VERSION.
_PUBLISHED_STORAGE_TAG = "v1.0.0+"


def _copy_database(source: Path, target: Path) -> None:
    """A new file at `target` holding everything in `source`, in PUBLISHED_STORAGE_VERSION."""
    for stale in (target, target.with_name(f"{target.name}.wal")):
        stale.unlink(missing_ok=True)
    conn = duckdb.connect(
        config={"memory_limit": DUCKDB_MEMORY, "temp_directory": f"{target}.tmp"}
    )
    try:
        conn.execute(f"ATTACH {sql_literal(source)} AS ys_source (READ_ONLY)")
        conn.execute(
            f"ATTACH {sql_literal(target)} AS ys_target "
            f"(STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')"
        )
        conn.execute("COPY FROM DATABASE ys_source TO ys_target")
        conn.execute("DETACH ys_target")
    finally:
        conn.close()
        shutil.rmtree(f"{target}.tmp", ignore_errors=True)

