"""Ingesting landed files: archive, recognise, parse, validate, quarantine, stage.

One file is one transaction: its rows are staged, its failures quarantined and its
log row written together, or none of them is. Every data row read ends up either
in staging or in quarantine, and `meta.ingest_log` says how many went where.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from assets.declaration import Export
from assets.exports import EXPORTS
from assets.ingest.reading import (
    Copied,
    Grid,
    Unreadable,
    append_private,
    archive_path,
    copy_and_hash,
    read_grid,
)
from assets.ingest.recognise import NotRecognised, Recognised, recognise
from assets.ingest.rows import classify, parse_rows, raw_json, summable_columns
from assets.ingest.validate import validate
from assets.ingest.warehouse import ensure_tables

log = logging.getLogger("yingshang.ingest")

MANIFEST = "manifest.jsonl"


@dataclass
class FileResult:
    file_name: str
    sha256: str
    status: str  # loaded | rejected | duplicate
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    notes: str | None = None
    encoding: str | None = None
    ingest_id: int | None = None
    file_size: int | None = None
    file_mtime_ns: int | None = None
    months: set[date] = field(default_factory=set)  # months of the rows it staged

    def summary(self) -> str:
        what = self.kind or "-"
        text = f"{self.file_name}: {self.status} as {what}"
        if self.status == "loaded":
            text += (
                f", {self.rows_read} read = {self.rows_loaded} loaded"
                f" + {self.rows_quarantined} quarantined"
            )
        if self.reason:
            text += f" — {self.reason}"
        if self.notes:
            text += f" [{self.notes}]"
        return text


class _Rejected(Exception):
    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.kind = kind


# Section 1: what is wrong with the file itself (type, emptiness, corruption,
# encoding, header, no data rows). Only these reject a file; any other exception
# is a fault of the machine or the program and propagates.
DATA_FAULTS = (_Rejected, Unreadable, NotRecognised)


def landed_files(landing: Path) -> list[Path]:
    """Files in the landing folder in ingestion order: modification time, then name.
    Hidden files and Office lock files (`~$…`) are not exports."""
    if not landing.is_dir():
        return []
    files = [
        p for p in landing.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$"))
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def ingest_folder(
    conn: duckdb.DuckDBPyConnection,
    landing: Path,
    archive: Path,
    county_code: str,
    progress: Callable[[str], None] | None = None,
) -> list[FileResult]:
    """Ingest every file of `landing` not ingested before (same name and content)."""
    files = [(path, path.name, None) for path in landed_files(landing)]
    return _ingest_each(conn, files, archive, county_code, progress)


def rebuild_from_archive(
    conn: duckdb.DuckDBPyConnection,
    archive: Path,
    county_code: str,
    progress: Callable[[str], None] | None = None,
) -> list[FileResult]:
    """Replay every archived file, in the order first seen, into an empty warehouse."""
    # A file whose run failed is in the manifest once per attempt: replay it once.
    seen, files = set(), []
    for e in read_manifest(archive):
        if (e["file_name"], e["sha256"]) not in seen:
            seen.add((e["file_name"], e["sha256"]))
            files.append(
                (archive_path(archive, e["sha256"], e["suffix"]), e["file_name"], (e["size"], e.get("mtime_ns")))
            )
    return _ingest_each(conn, files, archive, county_code, progress)


def _ingest_each(conn, files, archive, county_code, progress) -> list[FileResult]:
    ensure_tables(conn)
    results = []
    for n, (path, name, landed) in enumerate(files, 1):
        if progress:
            progress(f"[{n}/{len(files)}] {name}")
        result = ingest_file(conn, path, name, archive, county_code, landed=landed)
        if result is not None:
            results.append(result)
    return results


def read_manifest(archive: Path) -> list[dict]:
    manifest = archive / MANIFEST
    if not manifest.exists():
        return []
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines() if line.strip()]


def _remember(archive: Path, file_name: str, suffix: str, copied: Copied, mtime_ns: int) -> None:
    entry = {
        "file_name": file_name, "sha256": copied.sha256, "suffix": suffix,
        "size": copied.size, "mtime_ns": mtime_ns,
        "seen_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    append_private(archive / MANIFEST, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))


def ingest_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    file_name: str,
    archive: Path,
    county_code: str,
    landed: tuple[int, int | None] | None = None,
) -> FileResult | None:
    """Ingest one file; None when this name with this content was ingested before.
    A file replayed from the archive (a rebuild) comes with `landed`: the size and
    time it had when it landed."""
    archived = landed is not None
    stat = path.stat()
    size, mtime_ns = landed or (stat.st_size, stat.st_mtime_ns)
    if not archived and conn.execute(
        "SELECT count(*) FROM meta.ingest_log "
        "WHERE file_name = ? AND file_size = ? AND file_mtime_ns = ?",
        [file_name, size, mtime_ns],
    ).fetchone()[0]:
        return None  # untouched since it was ingested: not even worth hashing again
    stored, copied = copy_and_hash(path, None if archived else archive)
    if conn.execute(
        "SELECT count(*) FROM meta.ingest_log WHERE file_name = ? AND sha256 = ?",
        [file_name, copied.sha256],
    ).fetchone()[0]:
        return None
    if not archived:
        _remember(archive, file_name, path.suffix.lower(), copied, mtime_ns)

    def logged(result: FileResult) -> FileResult:
        result.file_size, result.file_mtime_ns = size, mtime_ns
        _write_log(conn, result)
        log.debug(result.summary())
        return result

    before = conn.execute(
        "SELECT file_name, kind FROM meta.ingest_log WHERE sha256 = ? AND status = 'loaded' LIMIT 1",
        [copied.sha256],
    ).fetchone()
    if before is not None:
        return logged(FileResult(
            file_name, copied.sha256, "duplicate", kind=before[1],
            reason=f"same content as {before[0]}, ingested before",
        ))

    conn.begin()
    try:
        result = _load(conn, stored, file_name, copied, county_code)
        logged(result)
        conn.commit()
        return result
    except DATA_FAULTS as e:
        conn.rollback()
        return logged(FileResult(
            file_name, copied.sha256, "rejected", kind=getattr(e, "kind", None), reason=str(e)
        ))
    except BaseException:
        # Memory, disk, a missing library, a bug: not the file's fault. Nothing is
        # recorded for it, its archive copy stays, and the next run takes it again.
        # After a failed write DuckDB may have ended the transaction itself; a
        # failing rollback must not replace the real cause.
        with contextlib.suppress(duckdb.Error):
            conn.rollback()
        raise


def _write_log(conn: duckdb.DuckDBPyConnection, r: FileResult) -> int:
    row = asdict(r)
    row["months"] = sorted(r.months)
    if r.status != "loaded":
        row["rows_read"] = row["rows_loaded"] = row["rows_quarantined"] = None
    cols = [k for k in row if not (k == "ingest_id" and row[k] is None)]
    r.ingest_id = conn.execute(
        f"INSERT INTO meta.ingest_log ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        "RETURNING ingest_id",
        [row[c] for c in cols],
    ).fetchone()[0]
    return r.ingest_id


def _load(
    conn: duckdb.DuckDBPyConnection,
    stored: Path,
    file_name: str,
    copied: Copied,
    county_code: str,
) -> FileResult:
    grid: Grid = read_grid(stored, copied)
    rec: Recognised = recognise(grid.head, EXPORTS.values())
    export = rec.export
    ingest_id = conn.execute("SELECT nextval('meta.ingest_seq')").fetchone()[0]
    result = FileResult(
        file_name, copied.sha256, "loaded", kind=export.kind,
        encoding=grid.encoding, ingest_id=ingest_id,
    )
    table = f"staging.{export.kind}"
    had_rows = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0] > 0

    summable = [c.field.stored_name for c in summable_columns(rec)]
    sums: dict[str, Decimal] = dict.fromkeys(summable, Decimal(0))
    totals: list[pl.DataFrame] = []
    beyond = [f"c{j}" for j in range(rec.header_width, grid.width + 1)] if grid.delimited else []
    _start_keys(conn, export)
    for raw in grid.batches(rec.first_data_row):
        batch = parse_rows(classify(raw.lazy(), grid.width), rec, county_code, beyond).collect()
        totals.append(batch.filter(pl.col("_class") == "total").select("_row", *summable))
        parsed = batch.filter(pl.col("_class") == "data")
        if parsed.is_empty():
            continue
        result.rows_read += parsed.height
        for name in summable:
            sums[name] += parsed[name].sum() or 0
        checked = validate(parsed, export)
        _track_keys(conn, checked, export)
        failed = checked["_errors"].list.len() > 0
        _stage_batch(conn, checked.filter(~failed), export, result)
        bad = checked.filter(failed).select("_row", raw_json(rec, pl.col("_ragged")).alias("_raw"), "_errors")
        _quarantine(conn, bad, export, result)

    if result.rows_read == 0:
        raise _Rejected(
            f"header recognised as {export.kind} ({export.title_zh}) but no data rows follow it",
            export.kind,
        )
    # The file's valid rows are in staging now, marked with this ingest_id; the
    # rest of the load is SQL over them, inside the file's transaction.
    _quarantine_conflicts(conn, export, result, grid, rec)
    conn.execute("DROP TABLE file_keys")
    _replace_older(conn, export, result, had_rows)
    result.notes = _check_totals(conn, pl.concat(totals), sums, result)
    return result


def _new(result: FileResult) -> str:
    return f"_ingest_id = {int(result.ingest_id)}"


def _stage_batch(conn, good: pl.DataFrame, export: Export, result: FileResult) -> None:
    if good.is_empty():
        return
    cols = [f.stored_name for f in export.stored_fields]
    frame = good.select(  # noqa: F841
        *cols,
        pl.lit(result.file_name).alias("_file_name"),
        pl.lit(result.sha256).alias("_sha256"),
        pl.col("_row").alias("_row_number"),
        pl.lit(result.ingest_id, pl.Int64).alias("_ingest_id"),
    )
    conn.execute(f"INSERT INTO staging.{export.kind} BY NAME SELECT * FROM frame")
    result.rows_loaded += good.height


def _quarantine(conn, bad: pl.DataFrame, export: Export, result: FileResult) -> None:
    if bad.is_empty():
        return
    frame = bad  # noqa: F841
    conn.execute(
        "INSERT INTO quarantine.rows SELECT ?, ?, ?, _row, _raw::JSON, _errors, ? FROM frame",
        [export.kind, result.file_name, result.sha256, result.ingest_id],
    )
    result.rows_quarantined += bad.height


def _start_keys(conn, export: Export) -> None:
    key = ", ".join(f"{export.field(k).stored_name} {export.field(k).stored_type}" for k in export.key)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE file_keys (_row BIGINT, {key}, _content UBIGINT)")


def _track_keys(conn, checked: pl.DataFrame, export: Export) -> None:
    """Remember every data row's key and a digest of its content (its declared
    values and its errors), valid or not: a conflict is decided over all of them."""
    keys = [export.field(k).stored_name for k in export.key]
    content = [f.stored_name for f in export.stored_fields] + ["_errors"]
    frame = checked.select(  # noqa: F841
        "_row", *keys, pl.struct(content).hash(0).alias("_content")
    ).drop_nulls(keys)
    conn.execute("INSERT INTO file_keys SELECT * FROM frame")


def _quarantine_conflicts(conn, export: Export, result: FileResult, grid: Grid, rec: Recognised) -> None:
    """The same key twice in one file: identical rows are one record (the first is
    kept, all count as loaded); rows that disagree are all quarantined, valid or
    not, since none can be trusted over the others."""
    table, new = f"staging.{export.kind}", _new(result)
    key = ", ".join(export.key)
    conn.execute(f"""
        CREATE OR REPLACE TEMP TABLE repeated AS
        SELECT {key}, list(_row ORDER BY _row) AS rows_with_key,
               count(DISTINCT _content) > 1 AS conflicting
        FROM file_keys GROUP BY {key} HAVING count(*) > 1
    """)
    if not conn.execute("SELECT count(*) FROM repeated").fetchone()[0]:
        return
    key_text = " + ".join(export.key)
    reason = (
        f"'duplicate key ({key_text}) with different values in rows ' "
        "|| array_to_string(c.rows_with_key, ', ') || ' of this file'"
    )
    conflicting = "(SELECT unnest(rows_with_key) AS _row_number, rows_with_key FROM repeated WHERE conflicting)"
    # Rows already quarantined for their own faults get the conflict as one more reason.
    conn.execute(
        f"""UPDATE quarantine.rows q SET reasons = list_append(q.reasons, {reason})
        FROM {conflicting} c WHERE q.ingest_id = ? AND q.row_number = c._row_number""",
        [result.ingest_id],
    )
    numbers = [
        r[0] for r in conn.execute(
            f"SELECT _row_number FROM {table} WHERE {new} AND _row_number IN "
            "(SELECT unnest(rows_with_key) FROM repeated WHERE conflicting)"
        ).fetchall()
    ]
    if numbers:
        # Staged rows keep no raw cells; read these few again from the file.
        raw = pl.concat(  # noqa: F841
            batch.filter(pl.col("_row").cast(pl.Int64).is_in(numbers)).select(
                pl.col("_row").cast(pl.Int64).alias("_row_number"), raw_json(rec).alias("_raw")
            )
            for batch in grid.batches(rec.first_data_row)
        )
        conn.execute(
            f"""INSERT INTO quarantine.rows
            SELECT ?, ?, ?, r._row_number, r._raw::JSON, [{reason}], ?
            FROM {conflicting} c JOIN raw r USING (_row_number)""",
            [export.kind, result.file_name, result.sha256, result.ingest_id],
        )
        result.rows_loaded -= len(numbers)
        result.rows_quarantined += len(numbers)
    conn.execute(f"""
        DELETE FROM {table} WHERE {new} AND _row_number IN (
            SELECT unnest(CASE WHEN conflicting THEN rows_with_key ELSE rows_with_key[2:] END)
            FROM repeated
        )
    """)


def _replace_older(conn, export: Export, result: FileResult, had_rows: bool) -> None:
    """The file ingested later wins: its keys replace what staging held. The months
    of both the new rows and the rows they replace are the months it touched."""
    table, new = f"staging.{export.kind}", _new(result)
    result.months = _months(conn, export, f"(SELECT * FROM {table} WHERE {new})")
    if not had_rows:
        return
    key = ", ".join(export.key)
    older = (
        f"(SELECT * FROM {table} WHERE NOT {new} AND ({key}) IN "
        f"(SELECT ({key}) FROM {table} WHERE {new}))"
    )
    result.months |= _months(conn, export, older)
    conn.execute(
        f"DELETE FROM {table} WHERE NOT {new} AND ({key}) IN (SELECT ({key}) FROM {table} WHERE {new})"
    )


def _months(conn, export: Export, source: str) -> set[date]:
    selects = [
        f"SELECT DISTINCT date_trunc('month', {export.field(m).stored_name})::DATE FROM {source} "
        f"WHERE {export.field(m).stored_name} IS NOT NULL"
        for m in export.month_fields
    ]
    if not selects:
        return set()
    return {r[0] for r in conn.execute(" UNION ".join(selects)).fetchall()}


def _check_totals(conn, totals: pl.DataFrame, sums: dict[str, Decimal], result: FileResult) -> str | None:
    """A totals row's numbers must equal the sum of all data rows (quarantined ones
    included). Every comparison is recorded; mismatches are also noted on the log."""
    mismatches = []
    for row in totals.iter_rows(named=True):
        for name, computed in sums.items():
            stated = row.get(name)
            if stated is None:
                continue
            ok = Decimal(stated) == Decimal(computed)
            conn.execute(
                "INSERT INTO meta.file_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [result.ingest_id, result.file_name, result.kind, row["_row"], name,
                 stated, computed, ok],
            )
            if not ok:
                mismatches.append(
                    f"totals row {row['_row']}: {name} states {stated}, data rows sum to {computed}"
                )
    return "; ".join(mismatches) or None


def months_to_rebuild(
    conn: duckdb.DuckDBPyConnection, since_ingest_id: int | None
) -> tuple[date, date] | None:
    """The months whose marts are stale: from the earliest month touched by any file
    ingested after `since_ingest_id` (the last one published; None for a full build:
    the earliest month with data) to the latest month with data, since the
    year-to-date figures of every later month include the touched ones. Counting
    from the last publish, not the last run, means a run that died between ingest
    and publish is caught up by the next one."""
    data_months = " UNION ALL ".join(
        f"SELECT date_trunc('month', {m})::DATE AS m FROM staging.{e.kind}"
        for e in EXPORTS.values() for m in e.month_fields
    )
    first_data, last_data = conn.execute(f"SELECT min(m), max(m) FROM ({data_months})").fetchone()
    first_touched, last_touched = conn.execute(
        "SELECT min(m), max(m) FROM (SELECT unnest(months) AS m FROM meta.ingest_log "
        "WHERE ingest_id > ?)",
        [since_ingest_id or 0],
    ).fetchone()
    first = first_data if since_ingest_id is None else first_touched
    if first is None or last_data is None:
        return None
    return first, max(last_data, last_touched or first)


def marts_built(conn: duckdb.DuckDBPyConnection) -> bool:
    return conn.execute(
        "SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'marts'"
    ).fetchone()[0]
