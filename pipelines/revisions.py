"""What changed between releases (EXPORTS.md section 3b), read from the published
warehouse: `yingshang revisions` and the report's 修订 marks."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import duckdb

from assets.releases import has_releases
from pipelines.query import Result

# Shown unless --new: a figure's first appearance is not a revision.
CHANGED = ("revised", "removed", "restated")


def revised_in_last_release(conn: duckdb.DuckDBPyConnection, county: str) -> dict[tuple[str, date], Decimal | None]:
    """(indicator, period_end) -> the value the previous release had, for every
    figure of `county` the last release revised: what the report marks 修订."""
    if not has_releases(conn):
        return {}
    rows = conn.execute(
        "SELECT indicator, period_end, previous_value FROM marts.indicator_history "
        "WHERE county_code = ? AND change_type = 'revised' "
        "AND release_id = (SELECT max(release_id) FROM meta.releases)",
        [county],
    ).fetchall()
    return {(i, p): v for i, p, v in rows}


def mark_revised(conn: duckdb.DuckDBPyConnection, county: str, figures: list) -> None:
    """Mark the report's figures (pipelines.report.Figure) the last release revised,
    with the value the release before had."""
    revised = revised_in_last_release(conn, county)
    for f in figures:
        if (f.indicator, f.period_end) in revised:
            f.revised, f.previous = True, revised[(f.indicator, f.period_end)]


def since_clause(since: str | None) -> tuple[str, list]:
    """`--since`: a release number (what changed after it) or a date or time (releases
    published at or after it)."""
    if since is None:
        return "true", []
    text = since.strip()
    if re.fullmatch(r"\d+", text):
        return "h.release_id > ?", [int(text)]
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--since takes a release number or a date or time like 2023-07-01 or "
            f"'2023-07-01 18:00', not {since!r}"
        ) from None
    return "r.published_at >= ?::TIMESTAMPTZ", [text]


def revisions(
    conn: duckdb.DuckDBPyConnection,
    indicators: list[str] | None = None,
    since: str | None = None,
    county: str | None = None,
    new: bool = False,
) -> Result:
    """One row per figure a release changed: the release, when it was published, the
    figure, its previous and new value, and the files of that release from the
    figure's export (the files that changed it; none when a rebuild or a changed
    definition did)."""
    if not has_releases(conn):
        raise ValueError("this warehouse has no releases yet (published before releases were recorded): "
                         "the next `yingshang run` that changes anything makes release 1")
    known = {i for (i,) in conn.execute("SELECT indicator FROM marts.indicator_definitions").fetchall()}
    unknown = sorted(set(indicators or ()) - known)
    if unknown:
        raise ValueError(f"unknown indicator {', '.join(unknown)} (see marts.indicator_definitions)")
    where, params = since_clause(since)
    changes = (*CHANGED, "new") if new else CHANGED
    filters = [where, f"h.change_type IN ({', '.join('?' * len(changes))})"]
    params += list(changes)
    if indicators:
        filters.append(f"h.indicator IN ({', '.join('?' * len(indicators))})")
        params += list(indicators)
    if county:
        filters.append("h.county_code = ?")
        params.append(county)
    cur = conn.execute(
        f"""
        SELECT h.release_id AS release, strftime(r.published_at, '%Y-%m-%d %H:%M:%S') AS published_at,
               h.county_code, h.indicator, d.indicator_zh, h.period_end, h.change_type,
               h.previous_value AS previous, h.value AS new,
               CASE WHEN h.change_type = 'removed' THEN 'no longer published'
                    WHEN NOT h.complete THEN 'incomplete: no data for ' || h.missing_months
                    WHEN h.change_type = 'restated' THEN 'now complete'
                    ELSE '' END AS note,
               coalesce(array_to_string(
                   [f.file_name FOR f IN r.files IF f.kind = d.kind AND f.status = 'loaded'], ', '
               ), '') AS files
        FROM marts.indicator_history h
        JOIN meta.releases r USING (release_id)
        LEFT JOIN marts.indicator_definitions d USING (indicator)
        WHERE {' AND '.join(filters)}
        ORDER BY h.release_id, h.county_code, h.indicator, h.period_end
        """,
        params,
    )
    return Result([c[0] for c in cur.description], cur.fetchall())


def for_terminal(result: Result) -> Result:
    """previous -> new in one column, and a word where no file of the export explains it."""
    i = {c: n for n, c in enumerate(result.columns)}
    rows = []
    for row in result.rows:
        shift = f"{_num(row[i['previous']])} -> {_num(row[i['new']])}"
        files = row[i["files"]] or "(no new file of this export: a rebuild or a changed definition)"
        rows.append((row[i["release"]], row[i["published_at"]], row[i["county_code"]], row[i["indicator"]],
                     row[i["period_end"]], row[i["change_type"]], shift, row[i["note"]], files))
    return Result(["release", "published_at", "county_code", "indicator", "period_end", "change_type",
                   "previous -> new", "note", "files"], rows)


def _num(v: Decimal | None) -> str:
    return "—" if v is None else f"{v.normalize():f}"
