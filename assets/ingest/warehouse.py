"""The warehouse tables ingestion writes: `staging.<kind>` (derived from each
export declaration), `quarantine.rows`, `meta.ingest_log` and `meta.file_totals`."""

from __future__ import annotations

import duckdb

from assets.declaration import Export
from assets.exports import EXPORTS

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


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
        f"COMMENT ON TABLE {table} IS {_quote(about)};",
    ]
    lines += [
        f"COMMENT ON COLUMN {table}.{name} IS {_quote(doc)};"
        for name, _, doc in staging_columns(export)
    ]
    return "\n".join(lines)


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(META_DDL)
    for export in EXPORTS.values():
        conn.execute(staging_ddl(export))
