"""`yingshang`: the command line for data engineers.

Every command runs the same Dagster assets the UI shows, in process, so a run
from here and a run from the UI do the same thing.
"""

from __future__ import annotations

import argparse
import logging
import sys

log = logging.getLogger("yingshang")


def _settings_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--landing", help="landing folder (env YINGSHANG_LANDING; default warehouse/landing)")
    p.add_argument(
        "--warehouse",
        help="the analysts' DuckDB file (env YINGSHANG_WAREHOUSE; default warehouse/yingshang.duckdb)",
    )
    p.add_argument(
        "--county",
        help="6-digit county code for exports without 行政区划代码 (env YINGSHANG_COUNTY; default 610528)",
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

    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild the whole warehouse from the archive alone",
        description=(
            "Replay every archived file, in the order first seen, into a new build, rebuild the "
            "marts and publish. The landing folder is not read."
        ),
    )
    _settings_args(rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    log.propagate = False

    from pipelines.settings import Settings

    try:
        settings = Settings.from_env(args.landing, args.warehouse, args.county)
    except ValueError as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 2

    from pipelines import runner

    try:
        if args.command == "run":
            outcome = runner.run(settings, verbose=args.verbose)
        else:
            outcome = runner.rebuild(settings, verbose=args.verbose)
    except runner.RunFailed as e:
        print(f"yingshang: {e}", file=sys.stderr)
        return 1
    print(outcome.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
