"""A province of counties in one deployment (EXPORTS.md 3a).

A landing folder with subfolders named by 6-digit county codes (`landing/610526/…`)
is a province's. Each county is a single-county warehouse of its own, run by the
same code as one county's deployment: its landing subfolder, its private build,
writer lock, ledger, quarantine, coverage, checks, archive and published file
under `<warehouse dir>/counties/<code>/`. Counties share no file, so their runs
write at once, and a rejected file or a failed run in one never blocks or rolls
back another.

The analysts' province file is a merge of every county's published file: each
attached read-only, one `CREATE TABLE … AS SELECT … UNION ALL BY NAME` per table,
comments copied, written in the published storage version and renamed over the
province file atomically, as one county's publish is (`assets/resources.py`). A
county whose last run failed is merged from its last good published file.

Standard library and duckdb only, like assets/state.py.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import duckdb

from assets.settings import Settings
from assets.sqltext import sql_literal
from assets.state import replaced_atomically, writer_lock

COUNTY_FOLDER = re.compile(r"\d{6}")
COUNTIES = "counties"  # beside the province file: one folder per county's warehouse
# Marts without county_code are reference tables (the calendar, the indicator
# definitions), the same in every county's file: the province keeps one copy.
# Any other table without county_code is a county's own (its ledger, quarantine,
# totals) and gains the column in the province file.
REFERENCE_SCHEMA = "marts"
SOURCES = "meta.province_counties"
COUNTY_COMMENT = "行政区划代码（GB/T 2260，6位） / county administrative division code (GB/T 2260, 6 digits)"


def county_folders(landing: Path) -> list[str]:
    """The county codes of a province's landing folder; empty for one county's."""
    if not landing.is_dir():
        return []
    return sorted(p.name for p in landing.iterdir() if p.is_dir() and COUNTY_FOLDER.fullmatch(p.name))


def loose_files(landing: Path) -> list[Path]:
    """Files directly in a province's landing folder: they belong to no county."""
    return sorted(p for p in landing.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))


def counties_home(settings: Settings) -> Path:
    return settings.home / COUNTIES


def county_settings(settings: Settings, code: str) -> Settings:
    """One county's own single-county deployment inside the province's."""
    home = counties_home(settings) / code
    return dataclasses.replace(
        settings,
        landing=settings.landing / code,
        warehouse=home / settings.warehouse.name,
        county_code=code,
        archive_folder=settings.archive_folder / code if settings.archive_folder else None,
        folder_county=True,
    )


def known_counties(settings: Settings) -> list[str]:
    """Every county with a warehouse folder of its own, landing folder or not."""
    home = counties_home(settings)
    if not home.is_dir():
        return []
    return sorted(p.name for p in home.iterdir() if p.is_dir() and COUNTY_FOLDER.fullmatch(p.name))


def published_counties(settings: Settings) -> dict[str, Path]:
    """Each county's last good published file."""
    found = {}
    for code in known_counties(settings):
        path = county_settings(settings, code).warehouse
        if path.exists():
            found[code] = path
    return found


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _merged_stamps(target: Path) -> dict[str, tuple[int, int]] | None:
    """The county files (and their modification time and size) the province file
    was merged from; None when there is no province file this code can read."""
    if not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as c:
            rows = c.execute(f"SELECT county_code, file_mtime_ns, file_size FROM {SOURCES}").fetchall()
    except duckdb.Error:
        return None
    return {code: (mtime, size) for code, mtime, size in rows}


def publish_province(settings: Settings) -> tuple[Path, bool]:
    """Merge every county's last good published file into the province file,
    atomically; (the province file, whether it was merged anew). Nothing is merged
    when no county published since the last merge. A county publishes by renaming
    a new file over its old one, so its modification time and size name its
    version; they are taken under the province lock, before the file is attached,
    so a county publishing during a merge is merged again by its own run."""
    from assets.resources import DUCKDB_MEMORY, PUBLISHED_STORAGE_VERSION

    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings.build.parent / "province.lock"):
        sources = published_counties(settings)
        stamps = {code: _stamp(path) for code, path in sources.items()}
        if stamps and _merged_stamps(target) == stamps:
            return target, False
        with replaced_atomically(target) as tmp:
            conn = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "temp_directory": f"{tmp}.tmp"})
            try:
                aliases = {}
                for n, (code, path) in enumerate(sorted(sources.items())):
                    aliases[code] = f"county_{n}"
                    conn.execute(f"ATTACH {sql_literal(path)} AS {aliases[code]} (READ_ONLY)")
                conn.execute(
                    f"ATTACH {sql_literal(tmp)} AS ys_province (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')"
                )
                _merge(conn, aliases)
                _record_sources(conn, sources, stamps)
                conn.execute("DETACH ys_province")
            finally:
                conn.close()
                shutil.rmtree(f"{tmp}.tmp", ignore_errors=True)
    return target, True


def _record_sources(conn, sources: dict[str, Path], stamps: dict[str, tuple[int, int]]) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS ys_province.meta")
    conn.execute(
        f"CREATE TABLE ys_province.{SOURCES} (county_code VARCHAR, county_file VARCHAR, "
        "published_at TIMESTAMP, file_mtime_ns BIGINT, file_size BIGINT)"
    )
    for code, path in sorted(sources.items()):
        mtime, size = stamps[code]
        conn.execute(
            f"INSERT INTO ys_province.{SOURCES} VALUES (?, ?, make_timestamp(? // 1000), ?, ?)",
            [code, str(path), mtime, mtime, size],
        )
    conn.execute(
        f"COMMENT ON TABLE ys_province.{SOURCES} IS '省级合并文件所含各县文件 / the county warehouses "
        "merged into this province file: each county as last published (a county whose last run "
        "failed is here as of its last good publish)'"
    )


def _merge(conn: duckdb.DuckDBPyConnection, aliases: dict[str, str]) -> None:
    databases = list(aliases.values())
    tables = conn.execute(
        "SELECT database_name, schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name IN (SELECT unnest(?)) ORDER BY schema_name, table_name",
        [databases],
    ).fetchall()
    columns: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    for db, schema, table, column, comment in conn.execute(
        "SELECT database_name, schema_name, table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name IN (SELECT unnest(?)) ORDER BY column_index",
        [databases],
    ).fetchall():
        columns.setdefault((db, schema, table), []).append((column, comment))

    merged: dict[tuple[str, str], list[str]] = {}
    comments: dict[tuple[str, str], str | None] = {}
    column_comments: dict[tuple[str, str], dict[str, str | None]] = {}
    for code, db in aliases.items():
        for d, schema, table, comment in tables:
            if d != db:
                continue
            names = [c for c, _ in columns[(db, schema, table)]]
            name = f"{_ident(db)}.{_ident(schema)}.{_ident(table)}"
            key = (schema, table)
            if "county_code" in names:
                part = f"SELECT * FROM {name}"
            elif schema == REFERENCE_SCHEMA:
                if key in merged:
                    continue
                part = f"SELECT * FROM {name}"
            else:
                part = f"SELECT {sql_literal(code)} AS county_code, * FROM {name}"
            merged.setdefault(key, []).append(part)
            comments.setdefault(key, comment)
            cols = column_comments.setdefault(key, {})
            if "county_code" not in names and schema != REFERENCE_SCHEMA:
                cols.setdefault("county_code", COUNTY_COMMENT)
            for c, text in columns[(db, schema, table)]:
                cols.setdefault(c, text)
    for (schema, table), parts in merged.items():
        target = f"ys_province.{_ident(schema)}.{_ident(table)}"
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS ys_province.{_ident(schema)}")
        conn.execute(f"CREATE TABLE {target} AS " + " UNION ALL BY NAME ".join(parts))
        if comments[(schema, table)]:
            conn.execute(f"COMMENT ON TABLE {target} IS {sql_literal(comments[(schema, table)])}")
        for column, text in column_comments[(schema, table)].items():
            if text:
                conn.execute(f"COMMENT ON COLUMN {target}.{_ident(column)} IS {sql_literal(text)}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

