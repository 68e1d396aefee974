"""Releases and the revision history of the indicators (EXPORTS.md section 3b).

Every publish that changes what analysts see is a release: a row of
`meta.releases` (release_id 1, 2, …, published_at, the files new in it) and, in
`marts.indicator_history`, one row per county, indicator and period_end whose
figure appeared, changed or went away in it. `marts.indicators_as_of(ts)` answers
"what did the warehouse say at ts" from that history alone.

The history is a table appended at publish, not a model of sql/marts/: its rows
record what earlier publishes showed, which neither staging nor the other marts
hold any more (a re-export replaces the rows it revises), and a model is rebuilt
from staging whole or by month, which would erase it. It is declared here
(HISTORY, a Mart) so that its comments and the data dictionary come from one
declaration, like every other mart.

The published file is the record of releases. Before a release is made, the
build's releases and history are made those of the published file: a release
recorded in the build by a publish that then failed is dropped (its files go into
the next release), and a build made anew (`yingshang rebuild`, a deleted build)
takes its history back from the published file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb

from assets.declaration import Column, Mart
from assets.sqltext import sql_literal

log = logging.getLogger("yingshang")

# What happened to a figure in a release, in marts.indicator_history.change_type.
CHANGES = {
    "new": "首次出现",
    "revised": "数值修订",
    "removed": "不再出现（如重新导出后该期无数据）",
    "restated": "数值未变，完整性、缺报月份或名称变化",
}

RELEASES_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.releases (
    release_id INTEGER PRIMARY KEY,
    published_at TIMESTAMPTZ NOT NULL,
    files STRUCT(file_name VARCHAR, sha256 VARCHAR, kind VARCHAR, status VARCHAR)[] NOT NULL
);
COMMENT ON TABLE meta.releases IS '发布记录：每次内容有变化的发布一行 / one row per publish that changed anything';
COMMENT ON COLUMN meta.releases.release_id IS '发布序号，1、2、… / release number, 1, 2, …';
COMMENT ON COLUMN meta.releases.published_at IS '发布时间 / when it was published';
COMMENT ON COLUMN meta.releases.files IS '本次发布新增的文件（文件名、内容哈希、导出类型、入库状态，见 meta.ingest_log） / files new in this release (name, sha256, kind, status as in meta.ingest_log)';
"""


@cache
def indicators_columns() -> tuple[tuple[Column, str], ...]:
    """marts.indicators' declared columns with the types its SQL produces."""
    from assets.models import load_models

    model = next(m for m in load_models() if m.name == "indicators")
    return tuple(zip(model.mart.columns, model.types, strict=True))


# The columns the history adds to marts.indicators' own.
_ADDED = (
    (Column("release_id", "首次出现或变化的发布序号（meta.releases）",
            "release in which the value first appeared or changed (meta.releases)"), "INTEGER"),
    (Column("published_at", "该次发布时间", "when that release was published"), "TIMESTAMPTZ"),
    (Column("previous_value", "此前发布的数值；首次出现为空",
            "the value the previous release had; null when new"), None),  # value's type
    (Column("change_type", "变化类型", "what happened to the figure in that release", values=CHANGES), "VARCHAR"),
)
_FIRST = ("county_code", "indicator", "period_end", "value")


@cache
def history_columns() -> tuple[tuple[Column, str], ...]:
    """(column, DuckDB type): the key and value first, then what the history adds,
    then the rest of marts.indicators' columns, so that an as-of answer can return
    every one of them as the release had it."""
    own = dict((c.name, (c, t)) for c, t in indicators_columns())
    added = tuple((c, t or own["value"][1]) for c, t in _ADDED)
    return (*(own[n] for n in _FIRST), *added, *(ct for n, ct in own.items() if n not in _FIRST))


@cache
def history_mart() -> Mart:
    return Mart(
        name="indicator_history",
        zh="指标修订历史：每个指标值首次出现或变化的发布一行（发布时追加，不可由明细重算）",
        en="revision history: one row per county, indicator, period_end and release in which its "
           "value first appeared or changed (appended at each publish; staging cannot recompute it)",
        grain=("county_code", "indicator", "period_end", "release_id"),
        parquet_by_month="period_end",
        columns=tuple(c for c, _ in history_columns()),
    )


def _history_ddl() -> list[str]:
    mart = history_mart()
    cols = ",\n    ".join(f"{c.name} {t}" for c, t in history_columns())
    return [
        "CREATE SCHEMA IF NOT EXISTS marts",
        f"CREATE TABLE IF NOT EXISTS marts.indicator_history (\n    {cols}\n)",
        *mart.documentation(),
    ]


AS_OF_COMMENT = (
    "截至某时点最后一次发布时的 marts.indicators（由修订历史得出） / marts.indicators as the last "
    "release published at or before ts had it, answered from marts.indicator_history"
)


def _as_of_macro() -> list[str]:
    """The table macro. Its body names schemas but no catalog: written into the build
    opened directly, it is copied as is into the published file, and there resolves
    against whatever catalog the analyst opened (a DuckDB 1.x client included)."""
    columns = ", ".join(c.name for c, _ in indicators_columns())
    return [
        f"""CREATE OR REPLACE MACRO marts.indicators_as_of(ts) AS TABLE
SELECT {columns}
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY county_code, indicator, period_end ORDER BY release_id DESC) AS latest
    FROM marts.indicator_history
    WHERE release_id <= (SELECT max(release_id) FROM meta.releases WHERE published_at <= ts)
)
WHERE latest = 1 AND change_type <> 'removed'
ORDER BY county_code, indicator, period_end""",
        f"COMMENT ON MACRO TABLE marts.indicators_as_of IS {sql_literal(AS_OF_COMMENT)}",
    ]


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """meta.releases, marts.indicator_history and marts.indicators_as_of, empty if new."""
    conn.execute(RELEASES_DDL)
    for statement in (*_history_ddl(), *_as_of_macro()):
        conn.execute(statement)


def has_releases(conn: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    """Whether the database holds releases: one published before they existed has none."""
    where = f"database_name = {sql_literal(catalog)}" if catalog else "database_name = current_database()"
    return conn.execute(
        "SELECT count(*) = 2 FROM duckdb_tables() WHERE " + where + " AND "
        "((schema_name = 'meta' AND table_name = 'releases') "
        "OR (schema_name = 'marts' AND table_name = 'indicator_history'))"
    ).fetchone()[0]


def _last_release(conn: duckdb.DuckDBPyConnection, catalog: str = "") -> int | None:
    prefix = f"{catalog}." if catalog else ""
    return conn.execute(f"SELECT max(release_id) FROM {prefix}meta.releases").fetchone()[0]


def take_published(conn: duckdb.DuckDBPyConnection, published: Path) -> None:
    """Make the build's releases and history those of the published file (see the
    module's docstring). Nothing is done when both end at the same release."""
    if not has_releases(conn):
        return
    attached = published.exists()
    if attached:
        conn.execute(f"ATTACH {sql_literal(str(published))} AS ys_last_published (READ_ONLY)")
    try:
        held = attached and has_releases(conn, "ys_last_published")
        theirs = _last_release(conn, "ys_last_published") if held else None
        if theirs == _last_release(conn):
            return
        conn.begin()
        try:
            conn.execute("DELETE FROM marts.indicator_history")
            conn.execute("DELETE FROM meta.releases")
            if theirs is not None:
                conn.execute("INSERT INTO meta.releases BY NAME SELECT * FROM ys_last_published.meta.releases")
                conn.execute(
                    "INSERT INTO marts.indicator_history BY NAME "
                    "SELECT * FROM ys_last_published.marts.indicator_history"
                )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    finally:
        if attached:
            conn.execute("DETACH ys_last_published")
    log.debug("build's releases reset to the published file's (last release %s)", theirs)


@dataclass(frozen=True)
class Release:
    release_id: int
    published_at: datetime
    files: int
    changes: dict[str, int]  # change_type -> figures

    def summary(self) -> str:
        changed = ", ".join(f"{n} {kind}" for kind, n in self.changes.items() if n) or "no figure changed"
        return f"release {self.release_id}: {self.files} new files; figures: {changed}"


# The latest history row of each figure that has not been removed: what the last
# release showed.
_CURRENT = """
SELECT * FROM (
    SELECT *, row_number() OVER (
        PARTITION BY county_code, indicator, period_end ORDER BY release_id DESC) AS latest
    FROM marts.indicator_history
) WHERE latest = 1 AND change_type <> 'removed'
"""


def _changes_sql() -> str:
    """Every figure of marts.indicators that differs from what the last release
    showed, and every figure it showed that is gone, as history rows without their
    release."""
    key = ("county_code", "indicator", "period_end")
    rest = [c.name for c, _ in indicators_columns() if c.name not in (*key, "value")]
    differs = " OR ".join(f"n.{c} IS DISTINCT FROM p.{c}" for c in rest)
    on = " AND ".join(f"n.{c} = p.{c}" for c in key)
    pick = ", ".join(f"coalesce(n.{c}, p.{c}) AS {c}" for c in key)
    # A removed figure keeps its other columns as they were, its value null.
    others = ", ".join(f"CASE WHEN n.county_code IS NULL THEN p.{c} ELSE n.{c} END AS {c}" for c in rest)
    return f"""
SELECT {pick}, n.value, p.value AS previous_value,
       CASE WHEN p.county_code IS NULL THEN 'new'
            WHEN n.county_code IS NULL THEN 'removed'
            WHEN n.value IS DISTINCT FROM p.value THEN 'revised'
            ELSE 'restated' END AS change_type,
       {others}
FROM marts.indicators n FULL JOIN ({_CURRENT}) p ON {on}
WHERE p.county_code IS NULL OR n.county_code IS NULL
   OR n.value IS DISTINCT FROM p.value OR {differs}
"""


# Ledger entries (file name and content) no earlier release listed.
_NEW_FILES = """
SELECT coalesce(list({'file_name': file_name, 'sha256': sha256, 'kind': kind, 'status': status}
                     ORDER BY ingest_id), [])
FROM meta.ingest_log g
WHERE NOT EXISTS (
    SELECT 1 FROM (SELECT unnest(files) AS f FROM meta.releases) r
    WHERE r.f.file_name = g.file_name AND r.f.sha256 = g.sha256
)
"""


def record_release(conn: duckdb.DuckDBPyConnection, published: Path) -> Release | None:
    """Record in the build the release that publishing it now makes: the ledger
    entries and figures new or changed since the last published release. None,
    and nothing written, when nothing changed."""
    ensure_tables(conn)
    take_published(conn, published)
    has_indicators = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'marts' AND table_name = 'indicators'"
    ).fetchone()[0]
    conn.begin()
    try:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE release_files AS SELECT ({_NEW_FILES}) AS files")
        files = conn.execute("SELECT len(files) FROM release_files").fetchone()[0]
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE release_changes AS "
            + (_changes_sql() if has_indicators else "SELECT * FROM marts.indicator_history WHERE false")
        )
        counts = dict(conn.execute(
            "SELECT change_type, count(*) FROM release_changes GROUP BY ALL"
        ).fetchall())
        if not files and not counts:
            conn.rollback()
            return None
        release_id, published_at = conn.execute(
            "INSERT INTO meta.releases "
            "SELECT coalesce(max(release_id), 0) + 1, now(), (SELECT files FROM release_files) "
            "FROM meta.releases RETURNING release_id, published_at"
        ).fetchone()
        conn.execute(
            "INSERT INTO marts.indicator_history BY NAME "
            "SELECT *, ? AS release_id, ?::TIMESTAMPTZ AS published_at FROM release_changes",
            [release_id, published_at],
        )
        conn.execute("DROP TABLE release_changes; DROP TABLE release_files")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return Release(release_id, published_at, files, {k: counts.get(k, 0) for k in CHANGES})


def forget_unpublished(build: Path, published: Path) -> None:
    """After a failed publish: drop from the build the release the published file
    does not hold. Best effort: the next release does it anyway (take_published)."""
    try:
        with duckdb.connect(str(build)) as conn:
            take_published(conn, published)
    except Exception as e:  # the publish's own error is the one to report
        log.debug("could not drop the unpublished release from the build yet: %s", e)


def published_release(published: Path) -> int | None:
    """The last release of the published file; None when it has none."""
    if not published.exists():
        return None
    with duckdb.connect(str(published), read_only=True) as conn:
        return _last_release(conn) if has_releases(conn) else None


def release_line(published: Path, before: int | None) -> str:
    """What a run that published says of its release, if it made one."""
    with duckdb.connect(str(published), read_only=True) as conn:
        if not has_releases(conn):
            return "no release recorded"
        rows = conn.execute(
            "SELECT r.release_id, strftime(r.published_at, '%Y-%m-%d %H:%M:%S'), len(r.files), "
            "(SELECT list(change_type || ' ' || n ORDER BY change_type) FROM (SELECT change_type, count(*) AS n "
            " FROM marts.indicator_history h WHERE h.release_id = r.release_id GROUP BY ALL)) "
            "FROM meta.releases r WHERE r.release_id > ? ORDER BY 1",
            [before or 0],
        ).fetchall()
    if not rows:
        return f"no new release: nothing changed since release {before}"
    (release_id, at, files, changes), = rows[-1:]
    line = f"release {release_id} published {at}: {files} new files; figures {', '.join(changes or ['unchanged'])}"
    if changes and any(c.startswith(("revised", "removed", "restated")) for c in changes):
        line += f" (yingshang revisions --since {release_id - 1})"
    return line
