"""`newsbeam run|stream|report|sources|compact [flags]`: dispatch only — flags -> Settings -> the mode's runner -> exit
status. Bad flags are one line on stderr and exit status 2."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence

import pipeline.logfilter  # noqa: F401 - before Beam: quiets an import-time warning

# isort: split
from pipeline.options import (
    REPORT,
    RUN,
    STREAM,
    UsageError,
    flag_parser,
    help_parser,
    parse_options,
    parse_report_args,
    report_parser,
)

SOURCES, COMPACT = "sources", "compact"
USAGE = """usage: newsbeam <command> [flags]

commands:
  run     read files (default: the bundled seeds/) into partitioned Parquet (default: ./out)
  stream  poll RSS/Atom feeds and watch a folder into the same dataset, window by window
  report  write one self-contained HTML page (works offline) of what a dataset holds
  sources print the feeds of a stream's dataset that need attention (failing, stale, slow,
          blocked by robots.txt), from OUT/sources
  compact rewrite each partition's stream files into one Parquet file, atomically for readers

`newsbeam run --help` and `newsbeam stream --help` list newsbeam's flags and the Beam flags most
runs need (--runner, …); `--help-beam` lists all of Beam's. `newsbeam report|sources|compact
--help` list theirs.
"""


def run(mode: str, argv: Sequence[str]) -> int:
    """One command: validate every flag before anything runs, then run the mode."""
    from pipeline.runners.choice import runner_problem
    from pipeline.settings import settings_from

    options = parse_options(mode, argv)
    problem = runner_problem(options, mode)
    if problem:
        raise UsageError(problem)
    settings = settings_from(mode, options, time.time())
    if mode == RUN:
        from pipeline.runners.batch import run_batch

        return 0 if run_batch(settings, options)["balanced"] else 1
    from pipeline.runners.stream import run_stream

    run_stream(settings, options)
    return 0


def report(argv: Sequence[str]) -> int:
    """`newsbeam report OUT`: 0 with the page written, 1 when there is nothing to report."""
    import datetime as dt

    from pipeline.report import NothingToReport, write_report

    args = parse_report_args(argv)
    if not os.path.isdir(args.dataset):
        raise UsageError(
            f"{args.dataset} is not a folder (give the --output of newsbeam run/stream)"
        )
    try:
        result = write_report(
            args.dataset, args.output, args.since, args.until, dt.datetime.now(dt.UTC)
        )
    except NothingToReport as exc:
        print(f"newsbeam report: {exc}", file=sys.stderr)
        return 1
    print(
        f"newsbeam report: {result.path} ({result.bytes / 1e6:.1f} MB): {result.articles:,} "
        f"articles {result.first_day} to {result.last_day}, {result.dead_letters:,} dead letters",
        file=sys.stderr,
    )
    return 0


def _warn_stale_builds() -> None:
    """In a checkout, a module compiled before its source was edited runs the old code."""
    from transforms.core.compiled import stale_builds_in_use

    stale = stale_builds_in_use()
    if stale:
        logging.getLogger("newsbeam").warning(
            "%d compiled module(s) are older than their source and run the old code (%s): "
            "run `make compiled`, or set NEWSBEAM_PURE_PYTHON=1",
            len(stale),
            ", ".join(p.name for p in stale),
        )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _warn_stale_builds()
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    try:
        if command not in (RUN, STREAM, REPORT, SOURCES, COMPACT):
            raise UsageError(
                f"unknown command {command!r} (commands: run, stream, report, sources, compact)"
            )
        if command == COMPACT:
            from pipeline.compact_cli import compact_main

            return compact_main(rest)
        if command == SOURCES:
            from pipeline.sources_cli import sources_main

            return sources_main(rest)
        if command == REPORT:
            if any(a in ("-h", "--help") for a in rest):
                report_parser().print_help()
                return 0
            return report(rest)
        if "--help-beam" in rest:
            flag_parser(f"newsbeam {command}").print_help()
            return 0
        if any(a in ("-h", "--help") for a in rest):
            help_parser(command).print_help()
            return 0
        return run(command, rest)
    except UsageError as exc:
        print(f"newsbeam {command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
