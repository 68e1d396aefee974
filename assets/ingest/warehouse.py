"""Stage: every DuckDB write of ingestion, and the tables it writes.

The tables: `staging.<kind>` (derived from each export declaration),
`quarantine.rows`, the ledger `meta.ingest_log` and `meta.file_totals`. The writes:
a file's valid rows into staging, its failing ones into quarantine, its ledger row
and its totals comparisons; then, over what the file staged, the keys it repeats
(decided here, before any older row is touched) and the later-file-wins upsert.
A file's rows are written once, batch by batch, each batch committed (appended
inside one transaction, every batch's Arrow buffers stay until the commit: 4 GB
at 10M rows, 0.9 GB without), marked by the file's ingest_id; they count from the
short transaction that settles them and writes the file's ledger row. Rows of a
load that never got its ledger row (its process died, the machine failed it, the
file turned out faulty) are deleted before anything reads staging again
(`discard_unfinished`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date

import duckdb
import polars as pl

from assets.declaration import Export
from assets.exports import EXPORTS
from assets.ingest.totals import Comparison
from assets.sqltext import sql_literal

# Columns every staging row carries about where it came from.
PROVENANCE = {
    "_file_name": ("VARCHAR", "来源文件名 / file the row was loaded from"),
    "_sha256": ("VARCHAR", "来源文件内容哈希 / SHA-256 of that file (its archive name)"),
    "_row_number": ("BIGINT", "来源文件中的行号 / row number in that file, as a spreadsheet shows it"),
    "_ingest_id": ("BIGINT", "入库批次 / meta.ingest_log.ingest_id of the load"),
}

META_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS quarantine;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SEQUENCE IF NOT EXISTS meta.ingest_seq START 1;
CREATE TABLE IF NOT EXISTS meta.ingest_log (
    ingest_id BIGINT PRIMARY KEY DEFAULT nextval('meta.ingest_seq'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('loaded', 'rejected', 'duplicate')),
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    reason VARCHAR,
    notes VARCHAR,
    encoding VARCHAR,
    months DATE[],
    file_size BIGINT,
    file_mtime_ns BIGINT,
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- Columns added after the first release: warehouses built before get them too.
ALTER TABLE meta.ingest_log ADD COLUMN IF NOT EXISTS file_size BIGINT;
ALTER TABLE meta.ingest_log ADD COLUMN IF NOT EXISTS file_mtime_ns BIGINT;
COMMENT ON TABLE meta.ingest_log IS '入库日志：每个见过的文件名与内容一行 / one row per file name and content seen';
COMMENT ON COLUMN meta.ingest_log.status IS 'loaded | rejected | duplicate (content ingested before under another name)';
COMMENT ON COLUMN meta.ingest_log.rows_read IS '数据行数（不含标题、表头、合计、表尾） / data rows read: rows_loaded + rows_quarantined';
COMMENT ON COLUMN meta.ingest_log.reason IS '拒收原因 / why the file was rejected';
COMMENT ON COLUMN meta.ingest_log.months IS '文件涉及的月份（新行及被替换行） / months the file touched: of its rows and of the rows they replaced';
COMMENT ON COLUMN meta.ingest_log.file_size IS '文件大小（字节） / size of the landed file in bytes';
COMMENT ON COLUMN meta.ingest_log.file_mtime_ns IS '文件修改时间（纳秒） / modification time of the landed file, ns since the epoch: an untouched file is not hashed again';
COMMENT ON COLUMN meta.ingest_log.notes IS '提示，如合计行与明细不符 / warnings, e.g. a totals row that disagrees with the data';
CREATE TABLE IF NOT EXISTS quarantine.rows (
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    raw JSON NOT NULL,
    reasons VARCHAR[] NOT NULL,
    ingest_id BIGINT NOT NULL
);
COMMENT ON TABLE quarantine.rows IS '隔离行：未通过校验的数据行及全部原因 / rows that broke a rule, with every reason';
COMMENT ON COLUMN quarantine.rows.row_number IS '文件中的行号，与表格软件显示一致 / row number as a spreadsheet program shows it';
COMMENT ON COLUMN quarantine.rows.raw IS '原始单元格（不含个人信息列） / the row''s cells by header, personal-data columns left out';
CREATE TABLE IF NOT EXISTS meta.file_totals (
    ingest_id BIGINT NOT NULL,
    file_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    stated DECIMAL(38,2),
    computed DECIMAL(38,2),
    matches BOOLEAN NOT NULL
);
COMMENT ON TABLE meta.file_totals IS '合计行核对：文件合计行与全部数据行（含隔离行）之和 / totals rows checked against the sum of all data rows of the file';
"""


def staging_columns(export: Export) -> list[tuple[str, str, str]]:
    """(name, DuckDB type, comment) of the staging table, declared fields first."""
    cols = [
        (f.stored_name, f.stored_type, f"{f.zh}：{f.description}" + (f"（{f.unit}）" if f.unit else ""))
        for f in export.stored_fields
    ]
    return cols + [(name, typ, doc) for name, (typ, doc) in PROVENANCE.items()]


def staging_ddl(export: Export) -> str:
    required = {f.stored_name for f in export.stored_fields if f.required}
    cols = ",\n    ".join(
        f"{name} {typ}{' NOT NULL' if name in required else ''}"
        for name, typ, _ in staging_columns(export)
    )
    table = f"staging.{export.kind}"
    key = ", ".join(export.key)
    about = f"{export.title_zh} / {export.description}; key: {key}; source: {export.source}"
    lines = [
        f"CREATE TABLE IF NOT EXISTS {table} (\n    {cols}\n);",
        f"COMMENT ON TABLE {table} IS {sql_literal(about)};",
    ]
    lines += [
        f"COMMENT ON COLUMN {table}.{name} IS {sql_literal(doc)};"
        for name, _, doc in staging_columns(export)
    ]
    return "\n".join(lines)


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    # One transaction: in autocommit each of the ~100 statements is a commit of its
    # own, ~0.4 s on every connection a run opens.
    conn.begin()
    try:
        conn.execute(META_DDL)
        for export in EXPORTS.values():
            conn.execute(staging_ddl(export))
        conn.commit()
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the cause, not a failed rollback
            conn.rollback()
        raise


# ---------------------------------------------------------------- the ledger


@dataclass
class FileResult:
    """What became of one file: its row of `meta.ingest_log`."""

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


def unchanged_since_ingested(conn: duckdb.DuckDBPyConnection, file_name: str, size: int, mtime_ns: int) -> bool:
    """The ledger has this name with this size and modification time."""
    return conn.execute(
        "SELECT count(*) FROM meta.ingest_log "
        "WHERE file_name = ? AND file_size = ? AND file_mtime_ns = ?",
        [file_name, size, mtime_ns],
    ).fetchone()[0] > 0


def ingested_before(conn: duckdb.DuckDBPyConnection, file_name: str, sha256: str) -> bool:
    """The ledger has this name with this content, whatever became of it."""
    return conn.execute(
        "SELECT count(*) FROM meta.ingest_log WHERE file_name = ? AND sha256 = ?",
        [file_name, sha256],
    ).fetchone()[0] > 0


def loaded_under(conn: duckdb.DuckDBPyConnection, sha256: str) -> tuple[str, str] | None:
    """(file name, kind) under which this content was loaded, if it was."""
    return conn.execute(
        "SELECT file_name, kind FROM meta.ingest_log WHERE sha256 = ? AND status = 'loaded' LIMIT 1",
        [sha256],
    ).fetchone()


def write_log(conn: duckdb.DuckDBPyConnection, r: FileResult) -> int:
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


def next_ingest_id(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT nextval('meta.ingest_seq')").fetchone()[0]


@contextlib.contextmanager
def one_transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside is committed together or not at all."""
    conn.begin()
    try:
        yield
    except BaseException:
        # After a failed write DuckDB may have ended the transaction itself; a
        # failing rollback must not replace the real cause.
        with contextlib.suppress(duckdb.Error):
            conn.rollback()
        raise
    conn.commit()


@contextlib.contextmanager
def _registered(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` readable by SQL as the view `name` until the block ends."""
    conn.register(name, frame)
    try:
        yield
    except BaseException:
        # In a transaction the failure aborted, unregistering fails too and must not
        # hide the real cause; the rollback drops the view anyway.
        with contextlib.suppress(duckdb.Error):
            conn.unregister(name)
        raise
    conn.unregister(name)


# ---------------------------------------------------------------- one file's rows


def has_rows(conn: duckdb.DuckDBPyConnection, export: Export) -> bool:
    table = f"staging.{export.kind}"
    return conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0] > 0


def start_file(conn: duckdb.DuckDBPyConnection, export: Export) -> None:
    """An empty temp table `file_keys` for one file: the key and content of every
    data row. Its rows go straight into staging and quarantine, batch by batch,
    each batch committed: marked by its ingest_id, they count only once the
    file's ledger row is written (`discard_unfinished`). Appending them inside
    one transaction would hold every batch in memory until the commit."""
    key = ", ".join(f"{export.field(k).stored_name} {export.field(k).stored_type}" for k in export.key)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE file_keys (_row BIGINT, {key}, _content UBIGINT)")


def discard_unfinished(conn: duckdb.DuckDBPyConnection) -> None:
    """Rows of a load that never wrote its ledger row (its process died, or a fault
    of the machine failed it): their ingest_id is past the ledger's last, since
    ids only grow and every finished file has its row. Run before anything reads
    staging, with the writer lock held (so no load is under way)."""
    last = "(SELECT coalesce(max(ingest_id), 0) FROM meta.ingest_log)"
    marked = [(f"staging.{e.kind}", "_ingest_id") for e in EXPORTS.values()]
    marked.append(("quarantine.rows", "ingest_id"))
    found = " UNION ALL ".join(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {column} > {last} LIMIT 1)"
        for table, column in marked
    )
    if not any(n for (n,) in conn.execute(found).fetchall()):
        return
    with one_transaction(conn):
        for table, column in marked:
            conn.execute(f"DELETE FROM {table} WHERE {column} > {last}")


def track_keys(conn: duckdb.DuckDBPyConnection, checked: pl.DataFrame, export: Export) -> None:
    """Remember every data row's key and a digest of its content (its declared
    values and its errors), valid or not: a conflict is decided over all of them."""
    keys = [export.field(k).stored_name for k in export.key]
    content = [f.stored_name for f in export.stored_fields] + ["_errors"]
    batch_keys = checked.select(
        "_row", *keys, pl.struct(content).hash(0).alias("_content")
    ).drop_nulls(keys)
    with _registered(conn, "batch_keys", batch_keys):
        conn.execute("INSERT INTO file_keys SELECT * FROM batch_keys")


def stage(conn: duckdb.DuckDBPyConnection, valid: pl.DataFrame, export: Export, result: FileResult) -> None:
    """Insert valid rows into `staging.<kind>`, with where they came from."""
    if valid.is_empty():
        return
    cols = [f.stored_name for f in export.stored_fields]
    staged_rows = valid.select(
        *cols,
        pl.lit(result.file_name).alias("_file_name"),
        pl.lit(result.sha256).alias("_sha256"),
        pl.col("_row").alias("_row_number"),
        pl.lit(result.ingest_id, pl.Int64).alias("_ingest_id"),
    )
    with _registered(conn, "staged_rows", staged_rows):
        conn.execute(f"INSERT INTO staging.{export.kind} BY NAME SELECT * FROM staged_rows")
    result.rows_loaded += valid.height


def quarantine(conn: duckdb.DuckDBPyConnection, failed: pl.DataFrame, export: Export, result: FileResult) -> None:
    """Insert failing rows (`_row`, `_raw`, `_errors`) into `quarantine.rows`."""
    if failed.is_empty():
        return
    with _registered(conn, "failed_rows", failed):
        conn.execute(
            "INSERT INTO quarantine.rows SELECT ?, ?, ?, _row, _raw::JSON, _errors, ? FROM failed_rows",
            [export.kind, result.file_name, result.sha256, result.ingest_id],
        )
    result.rows_quarantined += failed.height


def _staged_by(result: FileResult) -> str:
    """SQL condition on a staging row: this file's load staged it."""
    return f"_ingest_id = {int(result.ingest_id)}"


def resolve_repeated_keys(
    conn: duckdb.DuckDBPyConnection,
    export: Export,
    result: FileResult,
    read_again: Callable[[list[int]], pl.DataFrame],
) -> None:
    """The same key twice in one file: identical rows are one record (the first is
    kept, all count as loaded); rows that disagree are all quarantined, valid or
    not, since none can be trusted over the others. `read_again(row numbers)`: those
    rows' `_row_number` and `_raw` from the file (staging keeps no raw cells)."""
    key = ", ".join(export.key)
    # The keys seen twice first (a count per key is cheap), then the rows of those
    # keys only: listing the rows of every key of a 10M-row file cost seconds.
    conn.execute(f"""
        CREATE OR REPLACE TEMP TABLE repeated AS
        WITH twice AS (SELECT {key} FROM file_keys GROUP BY {key} HAVING count(*) > 1)
        SELECT {key}, list(_row ORDER BY _row) AS rows_with_key,
               count(DISTINCT _content) > 1 AS conflicting
        FROM file_keys SEMI JOIN twice USING ({key}) GROUP BY {key}
    """)
    if conn.execute("SELECT count(*) FROM repeated").fetchone()[0]:
        _keep_one_or_quarantine_all(conn, export, result, read_again)
    conn.execute("DROP TABLE file_keys")


def _keep_one_or_quarantine_all(
    conn: duckdb.DuckDBPyConnection,
    export: Export,
    result: FileResult,
    read_again: Callable[[list[int]], pl.DataFrame],
) -> None:
    table, this_file = f"staging.{export.kind}", _staged_by(result)
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
            f"SELECT _row_number FROM {table} WHERE {this_file} AND _row_number IN "
            "(SELECT unnest(rows_with_key) FROM repeated WHERE conflicting)"
        ).fetchall()
    ]
    if numbers:
        with _registered(conn, "raw_rows", read_again(numbers)):
            conn.execute(
                f"""INSERT INTO quarantine.rows
                SELECT ?, ?, ?, r._row_number, r._raw::JSON, [{reason}], ?
                FROM {conflicting} c JOIN raw_rows r USING (_row_number)""",
                [export.kind, result.file_name, result.sha256, result.ingest_id],
            )
        result.rows_loaded -= len(numbers)
        result.rows_quarantined += len(numbers)
    conn.execute(f"""
        DELETE FROM {table} WHERE {this_file} AND _row_number IN (
            SELECT unnest(CASE WHEN conflicting THEN rows_with_key ELSE rows_with_key[2:] END)
            FROM repeated
        )
    """)


def replace_older(conn: duckdb.DuckDBPyConnection, export: Export, result: FileResult, had_rows: bool) -> None:
    """The file ingested later wins: its keys replace what staging held. The months
    of both the new rows and the rows they replace are the months it touched."""
    table, this_file = f"staging.{export.kind}", _staged_by(result)
    result.months = _months(conn, export, f"(SELECT * FROM {table} WHERE {this_file})")
    if not had_rows:
        return
    # One pass over the table for the rows replaced (a join of 10M rows' keys costs
    # about a second), then their months and their deletion by rowid.
    key = ", ".join(export.key)
    months = "".join(f", {export.field(m).stored_name}" for m in export.month_fields)
    conn.execute(f"""
        CREATE OR REPLACE TEMP TABLE replaced AS
        SELECT older.rowid AS _rowid{months} FROM {table} older
        SEMI JOIN (SELECT {key} FROM {table} WHERE {this_file}) USING ({key})
        WHERE NOT older.{this_file}
    """)
    result.months |= _months(conn, export, "replaced")
    conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT _rowid FROM replaced)")
    conn.execute("DROP TABLE replaced")


def _months(conn: duckdb.DuckDBPyConnection, export: Export, source: str) -> set[date]:
    selects = [
        f"SELECT DISTINCT date_trunc('month', {export.field(m).stored_name})::DATE FROM {source} "
        f"WHERE {export.field(m).stored_name} IS NOT NULL"
        for m in export.month_fields
    ]
    if not selects:
        return set()
    return {r[0] for r in conn.execute(" UNION ".join(selects)).fetchall()}


def record_totals(conn: duckdb.DuckDBPyConnection, result: FileResult, comparisons: list[Comparison]) -> None:
    """Every totals comparison into `meta.file_totals`, matching or not."""
    for c in comparisons:
        conn.execute(
            "INSERT INTO meta.file_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [result.ingest_id, result.file_name, result.kind, c.row_number, c.field,
             c.stated, c.computed, c.matches],
        )


# ---------------------------------------------------------------- for the build


def months_to_rebuild(
    conn: duckdb.DuckDBPyConnection, since_ingest_id: int | None
) -> tuple[date, date] | None:
    """The months whose marts are stale: from the earliest month touched by any file
    ingested after `since_ingest_id` (the last one published; None for a full build:
    the earliest month with data) to the latest month with data, since the
    year-to-date figures of every later month include the touched ones. Counting
    from the last publish, not the last run, means a run that died between ingest
    and publish is caught up by the next one."""
    # The months of the earliest and latest dates: a month of every row was 0.3 s
    # at 10M rows, for the same answer.
    data_dates = " UNION ALL ".join(
        f"SELECT min({m}) AS lo, max({m}) AS hi FROM staging.{e.kind}"
        for e in EXPORTS.values() for m in e.month_fields
    )
    first_data, last_data = conn.execute(
        f"SELECT date_trunc('month', min(lo))::DATE, date_trunc('month', max(hi))::DATE FROM ({data_dates})"
    ).fetchone()
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
