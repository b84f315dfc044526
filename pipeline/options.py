"""newsbeam's flags: one PipelineOptions subclass, a flag group per mode, every flag with a default
and help. A flag of one mode given to the other is rejected with one line, never silently ignored;
pipeline.settings validates the values once into the one Settings type the graph is built from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import math
from collections.abc import Sequence

from apache_beam.options import pipeline_options as beam_options
from apache_beam.options.pipeline_options import PipelineOptions

RUN, STREAM = "run", "stream"
DEFAULT_OUTPUT = "out"
DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024
DEFAULT_WINDOW_S = 60
DEFAULT_HORIZON_S = 7 * 86400  # the streaming dedupe's memory: feeds keep an item for days
# Optional runners whose flags newsbeam accepts when their extra is installed.
_OPTIONAL_OPTION_MODULES = ("apache_beam.runners.dask.dask_runner",)


class UsageError(Exception):
    """A bad flag or value: reported as one line, exit status 2."""


def number_at_least(kind, minimum, inclusive: bool = True):
    """An argparse type: `kind` (int, float) no smaller than `minimum`; its name is the message."""

    def parse(value: str):
        number = kind(value)
        if not math.isfinite(number) or number < minimum or (number == minimum and not inclusive):
            raise ValueError(value)
        return number

    bound = "non-negative" if minimum == 0 and inclusive else "positive"
    parse.__name__ = f"{bound} {'integer' if kind is int else kind.__name__}"
    return parse


def _language_list(value: str) -> tuple[str, ...]:
    codes = tuple(c.strip().lower() for c in value.split(",") if c.strip())
    if not codes or any(not c.isalpha() or len(c) not in (2, 3) for c in codes):
        raise ValueError(value)
    return codes


_language_list.__name__ = "comma-separated ISO 639-1 list"


def _flag(group, name: str, **kwargs) -> None:
    """--snake_case (Beam's spelling, what templates pass) and --kebab-case, one dest."""
    dest = name.replace("-", "_")
    spellings = [f"--{dest}"] + ([f"--{name}"] if "-" in name else [])
    group.add_argument(*spellings, dest=dest, **kwargs)


def _io_flags(parser) -> None:
    g = parser.add_argument_group("newsbeam: output (run and stream)")
    _flag(
        g,
        "output",
        default=DEFAULT_OUTPUT,
        help="Dataset root: OUT/articles/date=…/lang=…/*.parquet, OUT/deadletter/, OUT/summary.json."
        " Default: ./out",
    )
    _flag(
        g,
        "shards-per-partition",
        type=number_at_least(int, 1),
        default=1,
        help="Files per date/lang partition and window (raise it for very large partitions).",
    )
    _flag(
        g,
        "max-input-bytes",
        type=number_at_least(int, 1),
        default=DEFAULT_MAX_INPUT_BYTES,
        help="The most bytes of one input item. JSON Lines and JSON arrays of any size are read "
        "part by part (a longer line or element is a dead letter); another file past it is a dead "
        "letter, except an HTML or text page, whose head is read.",
    )
    # Beam declares --user_agent ("describing the pipeline to external services", SetupOptions):
    # the same meaning, so both spellings set one value, which newsbeam's requests send.
    g.add_argument(
        "--user-agent",
        dest="user_agent",
        default=None,
        help="The User-Agent of every request newsbeam makes (feed polls, robots.txt, pages); name yourself and a "
        "contact, e.g. 'acme-monitor/1.0 (+https://acme.example/bot; ops@acme.example)'. "
        "Default: newsbeam/<version> (+https://github.com/newsbeam). Also spelled --user_agent.",
    )


def _step_flags(parser) -> None:
    g = parser.add_argument_group("newsbeam: enrichment steps (run and stream)")
    _flag(
        g,
        "language-backend",
        default=None,
        help="Language detector (see README for the measured table). Default: the measured best.",
    )
    _flag(
        g,
        "languages",
        type=_language_list,
        default=(),
        help="Restrict detection to these languages, e.g. it,en,fr (for known sources).",
    )
    _flag(
        g,
        "ner-backend",
        default="rules",
        choices=("rules", "model", "model+rules"),
        help="Entity tagger: rules (the bundled gazetteer and name rules; default), model (the "
        "bundled CRF), model+rules (the rules in Italian and English, the CRF in other "
        "languages). All link names through the bundled gazetteer.",
    )
    _flag(
        g,
        "ner-model",
        default=None,
        help="Optional installed spaCy pipeline for entities, e.g. it_core_news_lg; its spans are "
        "linked through the bundled gazetteer. Overrides --ner-backend.",
    )
    _flag(
        g,
        "custom-topics",
        default=None,
        help="A TOML file of your own topics, scored beside IPTC as custom:<slug>.",
    )
    _flag(
        g,
        "topics-backend",
        choices=("lexicon", "e5"),
        default="lexicon",
        help="Topic scorer: the bundled lexicons (default, fast) or e5, multilingual embeddings "
        'from the optional extra (pip install "newsbeam[embeddings]"); see README.',
    )
    _flag(
        g,
        "explain-topics",
        action="store_true",
        default=False,
        help="Keep the matched evidence for each topic in the output (topic_evidence).",
    )
    _flag(
        g,
        "cache-dir",
        default=None,
        help="Where each worker keeps the built gazetteer and py3langid model between runs (~80 "
        "MB; loading them is ~0.7 CPU-s faster per process), and with --topics-backend e5 the "
        "prototypes' embeddings (0.5 MB; ~30 CPU-s). Default: $XDG_CACHE_HOME/newsbeam "
        "or $HOME/.cache/newsbeam (none without either); 'off' builds them in every process. "
        "Outputs are the same.",
    )


def _run_flags(parser) -> None:
    g = parser.add_argument_group("newsbeam run")
    _flag(
        g,
        "input",
        default=None,
        help="Files to read: a folder, a glob such as 'news/**/*' or any Beam filesystem URI. "
        "Formats: .txt .html .htm .jsonl .json .csv .tsv .xml .rss .atom, any of them .gz; "
        "other names are sniffed. Default: the bundled seeds/ folder.",
    )
    _flag(
        g,
        "dask-local-workers",
        type=number_at_least(int, 0),
        default=0,
        help="Start a local Dask cluster with this many worker processes (one thread each) for "
        "the run and stop it afterwards; implies --runner DaskRunner. For a cluster that is "
        "already running use --runner DaskRunner --dask_client_address tcp://HOST:8786.",
    )


def _fetch_flags(parser) -> None:
    g = parser.add_argument_group("newsbeam: fetching (stream; run with --fetch-articles)")
    _flag(
        g,
        "fetch-articles",
        choices=("auto", "always", "never"),
        default=None,
        help="Fetch the article page behind each new feed item's link and keep its main text: "
        "'auto' when the feed's text is a teaser (short, or cut with '…' / 'Read more'), "
        "'always', or 'never'. Pages are fetched politely (robots.txt, --politeness-delay, "
        "Crawl-delay, --user-agent), once per URL. Default: auto for stream, never for run.",
    )
    _flag(
        g,
        "allow-private-pages",
        action="store_true",
        default=False,
        help="Fetch article pages on loopback, private and link-local addresses too. By default a "
        "link from a feed to such an address is not requested (fetch_status skipped), so a feed "
        "cannot make newsbeam call an internal service; links on a polled feed's own host are "
        "always allowed.",
    )
    _flag(
        g,
        "max-page-bytes",
        type=number_at_least(int, 1),
        default=5 * 1024 * 1024,
        help="The most bytes of one article page; a larger page keeps the feed's text "
        "(fetch_status too_large). Default: 5 MiB.",
    )
    _flag(
        g,
        "politeness-delay",
        type=number_at_least(float, 0),
        default=1.0,
        help="Seconds between two requests to one host (polls and pages). Default: 1.",
    )
    _flag(
        g,
        "fetch-timeout",
        type=number_at_least(float, 0, inclusive=False),
        default=10.0,
        help="Seconds one request may take, connect, headers and body together.",
    )
    _flag(
        g,
        "fetch-concurrency",
        type=number_at_least(int, 1),
        default=16,
        help="Requests in flight at once per worker process, across hosts; one host never has "
        "more than one. Default: 16.",
    )


def _stream_flags(parser) -> None:
    g = parser.add_argument_group("newsbeam stream")
    _flag(
        g,
        "feeds-file",
        default=None,
        help="A feed list: one URL per line, '#' comments, optional interval (15m).",
    )
    _flag(g, "feed", action="append", default=None, help="A feed URL to poll (repeatable).")
    _flag(g, "watch", default=None, help="A folder whose new and changed files are ingested once.")
    _flag(
        g,
        "poll-interval",
        type=number_at_least(int, 0, inclusive=False),
        default=300,
        help="Seconds between two polls of a feed. Default: 300.",
    )
    _flag(
        g,
        "window",
        type=number_at_least(int, 0, inclusive=False),
        default=DEFAULT_WINDOW_S,
        help="Seconds of ingestion time per output file window. Default: 60.",
    )
    _flag(
        g,
        "duration",
        type=number_at_least(float, 0, inclusive=False),
        default=None,
        help="Stop after this many seconds, then write everything fetched.",
    )
    _flag(
        g,
        "poll-shards",
        type=number_at_least(int, 1),
        default=1,
        help="Keys the feeds' hosts are spread over, so a cluster polls them on several workers. "
        "Default: 1. The local runner polls with one key whatever this says: it runs keys one "
        "after another.",
    )
    _flag(
        g,
        "dedupe-horizon",
        type=number_at_least(int, 0, inclusive=False),
        default=DEFAULT_HORIZON_S,
        help="Seconds an item is remembered after it was last seen. Default: 7 days.",
    )


_MODE_GROUPS = {RUN: _run_flags, STREAM: _stream_flags}


class NewsbeamOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        _io_flags(parser)
        _step_flags(parser)
        _fetch_flags(parser)
        for add in _MODE_GROUPS.values():
            add(parser)


def mode_of_flags() -> dict[str, str]:
    """Each mode-only flag's dest -> the mode it belongs to."""
    owner: dict[str, str] = {}
    for mode, add in _MODE_GROUPS.items():
        probe = beam_options._BeamArgumentParser(add_help=False)
        add(probe)
        owner.update((action.dest, mode) for action in probe._actions)
    return owner


class _OneLineParser(beam_options._BeamArgumentParser):
    def error(self, message):  # argparse prints usage + message; we want one actionable line
        raise UsageError(message)


def load_runner_options() -> list[str]:
    """Import the option modules of installed optional runners; returns the ones loaded."""
    loaded = []
    for name in _OPTIONAL_OPTION_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        loaded.append(name)
    return loaded


def flag_parser(prog: str, runner_flags: bool = True) -> _OneLineParser:
    """Every flag newsbeam accepts: ours and those of every Beam options class loaded; with
    runner_flags, the optional runners' flags too (importing Dask's costs ~0.25 CPU-s)."""
    if runner_flags:
        load_runner_options()
    parser = _OneLineParser(prog=prog, allow_abbrev=False)
    seen = {}
    for cls in beam_options.PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)
    return parser


# Beam's flags that `newsbeam run|stream --help` lists beside ours; `--help-beam` lists all ~300.
BEAM_FLAGS_SHOWN = frozenset(
    {
        "--runner",
        "--direct_num_workers",
        "--direct_running_mode",
        "--project",
        "--region",
        "--temp_location",
        "--flink_master",
        "--dask_client_address",
    }
)


def help_parser(mode: str) -> argparse.ArgumentParser:
    """What `newsbeam <mode> --help` prints: newsbeam's flags of that mode, then the few of
    Beam's that most runs need (a Beam flag is accepted either way)."""
    prog = f"newsbeam {mode}"
    parser = argparse.ArgumentParser(
        prog=prog,
        epilog=f"Every Beam flag (runners, Dataflow, Flink, Dask, ...): {prog} --help-beam",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _io_flags(parser)
    _step_flags(parser)
    _fetch_flags(parser)
    _MODE_GROUPS[mode](parser)
    beam = parser.add_argument_group("Beam flags most runs need")
    for action in flag_parser(prog)._actions:
        if BEAM_FLAGS_SHOWN.intersection(action.option_strings):
            beam._add_action(action)
    return parser


def given_flags(parser, argv: Sequence[str]) -> set[str]:
    """The dests of the flags that argv spells out (not the defaults)."""
    given = set()
    for token in argv:
        if token.startswith("--"):
            action = parser._option_string_actions.get(token.split("=", 1)[0])
            if action is not None:
                given.add(action.dest)
    return given


def parse_options(mode: str, argv: Sequence[str]) -> PipelineOptions:
    """Flags -> PipelineOptions; an unknown flag, a bad value or another mode's flag is a
    UsageError naming it."""
    parser = flag_parser(f"newsbeam {mode}", runner_flags=False)
    _, unknown = parser.parse_known_args(list(argv))
    if unknown:  # perhaps an optional runner's flag: load those, then ask again
        parser = flag_parser(f"newsbeam {mode}")
        _, unknown = parser.parse_known_args(list(argv))
    if unknown:
        raise UsageError(f"unknown flag {unknown[0]} (see `newsbeam {mode} --help`)")
    owner = mode_of_flags()
    for dest in sorted(given_flags(parser, argv)):
        other = owner.get(dest, mode)
        if other != mode:
            flag = "--" + dest.replace("_", "-")
            raise UsageError(f"{flag} applies to `newsbeam {other}` only")
    return ParsedOptions(mirror_user_agent(argv))


class ParsedOptions(PipelineOptions):
    """The parsed flags, with one view per options class.

    Beam's view_as() builds a view afresh (an argparse parser, then a parse of every flag) each
    time it is asked, and Beam asks for every transform it applies and every type check: ~0.3
    CPU-s of newsbeam's graph construction. Every view of one options object shares its values
    (_all_options: a value set through one view is read through the others), so the first view
    of a class serves every later request for it. The views stay out of its pickled state.
    """

    def view_as(self, cls):
        views = self.__dict__.setdefault("_views", {})
        view = views.get(cls)
        if view is None:
            view = views[cls] = super().view_as(cls)
        return view

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_views", None)
        return state


def mirror_user_agent(argv: Sequence[str]) -> list[str]:
    """--user-agent (ours) and --user_agent (Beam's SetupOptions) mean one thing; each options
    class parses only its own spelling, so whichever is given is passed in both, as --flag=value."""
    out: list[str] = []
    tokens = list(argv)
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        flag, eq, value = token.partition("=")
        if flag not in ("--user-agent", "--user_agent") or (not eq and i + 1 >= len(tokens)):
            out.append(token)
            continue
        if not eq:
            value, skip = tokens[i + 1], True
        out += [f"--user-agent={value}", f"--user_agent={value}"]
    return out


REPORT = "report"


class PlainParser(argparse.ArgumentParser):
    """argparse for the commands without Beam options (report, sources, compact): a bad flag is
    one UsageError line, not argparse's usage block."""

    def error(self, message):
        raise UsageError(message)


def day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def report_parser() -> argparse.ArgumentParser:
    """`newsbeam report`'s flags: no Beam options, it only reads a dataset."""
    parser = PlainParser(
        prog="newsbeam report",
        allow_abbrev=False,
        description="Write one self-contained HTML page (works offline) of what a dataset holds.",
    )
    parser.add_argument(
        "dataset", metavar="OUT", help="The --output folder of newsbeam run/stream."
    )
    parser.add_argument(
        "--output", default="report.html", help="Where to write the page. Default: report.html."
    )
    parser.add_argument(
        "--since", type=day, default=None, help="First published day to include (YYYY-MM-DD, UTC)."
    )
    parser.add_argument(
        "--until", type=day, default=None, help="Last published day to include (YYYY-MM-DD, UTC)."
    )
    return parser


def parse_report_args(argv: Sequence[str]) -> argparse.Namespace:
    args = report_parser().parse_args(list(argv))
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    return args
