"""`yingshang`: the command line for data engineers.

Every command runs the same Dagster assets the UI shows, in process, so a run
from here and a run from the UI do the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import sys
import warnings
from pathlib import Path

log = logging.getLogger("yingshang")


def _settings_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--landing", help="landing folder (env YINGSHANG_LANDING; default warehouse/landing)")
    p.add_argument(
        "--warehouse",
        help="the analysts' DuckDB file (env YINGSHANG_WAREHOUSE; default warehouse/yingshang.duckdb)",
    )
    p.add_argument(
        "--county",
        help="6-digit county code for exports without 行政区划代码 (env YINGSHANG_COUNTY; required, no default)",
    )
    p.add_argument(
        "--archive",
        help="folder of the archived raw files, owner-only (env YINGSHANG_ARCHIVE; default archive/ beside the warehouse)",
    )


def _province_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=int, default=None,
        help="a province's landing folder (one subfolder per 6-digit county code): counties run "
        "at once in this many processes (default: the CPUs, at most one per county)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yingshang",
        description="County business-environment (营商环境) statistics warehouse.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Dagster's own log lines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="ingest new files in the landing folder, rebuild the marts, check and publish",
        description=(
            "Ingest every file in the landing folder not ingested before, rebuild what depends "
            "on it, check it and publish the analysts' warehouse. Exits 0 when the run completed, "
            "even with rejected files or quarantined rows; non-zero only when it could not complete."
        ),
    )
    _settings_args(run)
    _province_args(run)

    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild the whole warehouse from the archive alone",
        description=(
            "Replay every archived file, in the order first seen, into a new build, rebuild the "
            "marts and publish. The landing folder is not read."
        ),
    )
    _settings_args(rebuild)
    _province_args(rebuild)

    demo = sub.add_parser(
        "demo",
        help="generate the sample exports, run the pipeline on them and compare with the county's figures",
        description=(
            "Write the bundled sample exports (deterministic, messy like the real ones) into a demo "
            "landing folder, run the whole pipeline and print the county's half-year reference "
            "figures beside what the warehouse computed. Exits 1 if any figure differs."
        ),
    )
    demo.add_argument("--landing", default="warehouse/demo/landing", help="demo landing folder (default %(default)s)")
    demo.add_argument(
        "--warehouse", default="warehouse/demo/yingshang.duckdb", help="demo warehouse (default %(default)s)"
    )
    demo.add_argument("--county", default=None, help=argparse.SUPPRESS)

    query = sub.add_parser(
        "query",
        help="run SQL against the published warehouse (read-only)",
        description=(
            "Run one SQL query against the published warehouse, read-only, and print it as a table "
            "or write CSV/XLSX. Text cells starting with = + - @ are prefixed with ' so that a "
            "spreadsheet never runs them as formulas."
        ),
    )
    query.add_argument("sql", help="the query, e.g. \"SELECT * FROM marts.indicators LIMIT 5\"")
    query.add_argument("--format", choices=["table", "csv", "xlsx"], default="table", help="default %(default)s")
    query.add_argument("--output", "-o", help="write to this file (needed for xlsx)")
    query.add_argument("--chinese", action="store_true", help="Chinese column headers where documented")
    query.add_argument("--warehouse", help="the published DuckDB file (env YINGSHANG_WAREHOUSE)")

    report = sub.add_parser(
        "report",
        help="render the monthly (月调度), quarterly (季考核), half-year or year report as HTML and Markdown",
        description=(
            "Render the county's report for a period (2023-05, 2023-Q2, 2023-H1, 2023) from the published "
            "warehouse: 数据摘要 (the summary's data sentences), figures with the queries behind them "
            "(a month or quarter beside the year to date), coverage, quarantine flags, charts and, "
            "with a targets file, each figure against its target."
        ),
    )
    report.add_argument("--period", required=True, help="2023-05 (month), 2023-Q2, 2023-H1 … or 2023")
    report.add_argument(
        "--targets",
        help="targets CSV: indicator, year, target, better (higher/lower) (env YINGSHANG_TARGETS; optional)",
    )
    report.add_argument("--out", help="output folder (default: reports/ beside the warehouse)")
    report.add_argument("--warehouse", help="the published DuckDB file (env YINGSHANG_WAREHOUSE)")
    report.add_argument(
        "--county", help="6-digit county code (env YINGSHANG_COUNTY; default: the warehouse's only county)"
    )

    revisions = sub.add_parser(
        "revisions",
        help="list the figures releases changed: previous -> new, when, and the files that changed them",
        description=(
            "List what changed between releases of the published warehouse (meta.releases, "
            "marts.indicator_history): per figure the release and its publishing time, the "
            "previous and the new value, and the files of that release from the figure's export. "
            "change_type is revised (the value moved), removed (the figure is gone) or restated (same "
            "value, its completeness or gaps changed)."
        ),
    )
    revisions.add_argument(
        "--indicator", action="append", metavar="NAME",
        help="only this indicator (repeatable), e.g. court_received; see marts.indicator_definitions",
    )
    revisions.add_argument(
        "--since", metavar="RELEASE|DATE",
        help="a release number (what changed after it) or a date or time (releases published at or after it)",
    )
    revisions.add_argument("--county", help="only this 6-digit county code")
    revisions.add_argument("--new", action="store_true", help="also list figures that appeared for the first time")
    revisions.add_argument("--format", choices=["table", "csv", "xlsx"], default="table", help="default %(default)s")
    revisions.add_argument("--output", "-o", help="write to this file (needed for xlsx)")
    revisions.add_argument("--warehouse", help="the published DuckDB file (env YINGSHANG_WAREHOUSE)")

    dictionary = sub.add_parser(
        "dictionary",
        help="write the data dictionary (Markdown and HTML) of the published warehouse",
        description="Generate the data dictionary from the warehouse, the declarations and the SQL models.",
    )
    dictionary.add_argument("--out", help="output folder (default: beside the warehouse)")
    dictionary.add_argument("--warehouse", help="the published DuckDB file (env YINGSHANG_WAREHOUSE)")

    sample = sub.add_parser(
        "sample",
        help="write the sample exports into a folder",
        description="Write the bundled sample exports of all four kinds into FOLDER.",
    )
    sample.add_argument("folder", help="where to write the files (created if missing)")

    declare = sub.add_parser(
        "declare",
        help="draft an export declaration from sample files of a system not declared yet",
        description=(
            "Read sample exports of one system (as ingestion reads them: encodings, title rows, "
            "one- or two-row headers, totals and footers) and draft its declaration NAME.py, a mart "
            "SQL stub and a test stub, printing per column what was inferred and the evidence. "
            "Personal-data candidates are flagged personal=True and their values never printed. "
            "Existing files are never overwritten."
        ),
    )
    declare.add_argument("files", nargs="+", metavar="FILE", help="sample exports (.csv or .xlsx) of one system")
    declare.add_argument("--kind", required=True, help="the export's kind: lower-case table name, e.g. admin_penalties")
    declare.add_argument(
        "--out",
        help="write all four files into this folder (default: assets/exports/, sql/marts/ and tests/)",
    )
    declare.add_argument("--format", choices=["text", "json"], default="text", help="report format (default %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    log.propagate = False
    try:
        with contextlib.ExitStack() as quiet:
            if not args.verbose:
                # Users see the product's own lines; the libraries' warnings (Dagster's
                # BetaWarnings, …) are for developers, shown with -v.
                quiet.enter_context(warnings.catch_warnings())
                warnings.simplefilter("ignore")
            return _command(args)
    finally:
        log.removeHandler(handler)


def _command(args: argparse.Namespace) -> int:
    if args.command == "declare":
        return _declare(args)

    if args.command == "sample":
        from pipelines.sample_data import write_sample_exports

        for path in write_sample_exports(Path(args.folder)):
            print(path)
        return 0

    from assets.settings import DEMO_COUNTY, Settings

    try:
        settings = Settings.from_env(
            getattr(args, "landing", None), getattr(args, "warehouse", None), getattr(args, "county", None),
            archive=getattr(args, "archive", None),
        )
    except ValueError as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 2
    if args.command == "demo" and settings.county_code is None:
        settings = dataclasses.replace(settings, county_code=DEMO_COUNTY)

    if args.command in ("query", "report", "dictionary", "revisions"):
        return _analyst_command(args, settings)

    from pipelines import runner

    if args.command in ("run", "rebuild") and _province_mode(args.command, settings):
        return _province(args, settings)

    try:
        if args.command == "demo":
            from pipelines.sample_data import write_sample_exports

            written = write_sample_exports(settings.landing, settings.county_code)
            log.info("wrote %d sample exports to %s", len(written), settings.landing)
        if args.command == "rebuild":
            outcome = runner.rebuild(settings, verbose=args.verbose)
        else:
            outcome = runner.run(settings, verbose=args.verbose)
    except runner.RunFailed as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 1
    print(outcome.report())
    if args.command == "demo":
        table, all_match = runner.compare_reference(settings)
        print()
        print(table)
        return 0 if all_match else 1
    return 0


def _province_mode(command: str, settings) -> bool:
    """A province's landing folder (county subfolders), or for a rebuild, a
    warehouse folder holding counties' warehouses."""
    from assets.province import known_counties
    from pipelines import province

    return province.is_province(settings) if command == "run" else bool(known_counties(settings))


def _province(args, settings) -> int:
    from pipelines import province

    if args.workers is not None and args.workers < 1:
        print("yingshang: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.command == "run":
            # --county on a province's landing folder: that county alone (then the
            # merge). Only the flag: a YINGSHANG_COUNTY left in the environment does
            # not narrow a province's run.
            only = [args.county] if args.county else None
            outcome = province.run(settings, workers=args.workers, verbose=args.verbose, counties=only)
        else:
            outcome = province.rebuild(settings, workers=args.workers, verbose=args.verbose)
    except ValueError as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 2
    print(outcome.report())
    # A county that could not complete is a run that did not complete, though every
    # other county was published.
    return 1 if outcome.failed or outcome.published is None else 0


def _declare(args) -> int:
    from assets.exports import EXPORTS
    from pipelines.declare import DeclareError, as_json, draft, report, write

    try:
        d = draft([Path(f) for f in args.files], args.kind, EXPORTS.values())
        written = write(d, Path(args.out) if args.out else None)
    except DeclareError as e:
        print(f"yingshang declare: {e}", file=sys.stderr)
        return 2
    print(as_json(d) if args.format == "json" else report(d))
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _analyst_command(args, settings) -> int:
    """Commands that only read the published warehouse."""
    if not settings.warehouse.exists():
        print(f"yingshang: no published warehouse at {settings.warehouse} (run `yingshang run` first)", file=sys.stderr)
        return 2
    try:
        if args.command == "query":
            from pipelines.query import emit, run_query

            result = run_query(settings.warehouse, args.sql, chinese=args.chinese)
            text = emit(result, args.format, Path(args.output) if args.output else None)
            if text:
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
        elif args.command == "revisions":
            _revisions(args, settings)
        elif args.command == "report":
            from pipelines.report import write_report

            out = Path(args.out) if args.out else settings.home / "reports"
            county = settings.county_code or _only_county(settings.warehouse)
            targets = args.targets or os.environ.get("YINGSHANG_TARGETS") or None
            for path in write_report(settings.warehouse, args.period, county, out, Path(targets) if targets else None):
                print(path)
        else:
            import duckdb

            from assets.dictionary import write_dictionary

            with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
                for path in write_dictionary(conn, Path(args.out) if args.out else settings.home):
                    print(path)
    except (ValueError, OSError) as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a SQL error in the analyst's query, mostly
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"yingshang: {type(e).__name__}: {message}", file=sys.stderr)
        return 1
    return 0


def _revisions(args, settings) -> None:
    import duckdb

    from pipelines.query import emit
    from pipelines.revisions import for_terminal, revisions

    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        result = revisions(conn, args.indicator, args.since, args.county, new=args.new)
    if args.format == "table":
        if not result.rows:
            print("no figure changed" + (f" since {args.since}" if args.since else " between releases"))
            return
        result = for_terminal(result)
    text = emit(result, args.format, Path(args.output) if args.output else None)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _only_county(warehouse: Path) -> str:
    """The county a report is about when none is configured: the warehouse's only one."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        counties = [r[0] for r in conn.execute(
            "SELECT DISTINCT county_code FROM marts.indicators ORDER BY 1"
        ).fetchall()]
    if len(counties) != 1:
        held = ", ".join(counties) or "none"
        raise ValueError(f"name the county with --county or YINGSHANG_COUNTY (the warehouse holds: {held})")
    return counties[0]


if __name__ == "__main__":
    sys.exit(main())
