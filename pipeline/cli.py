"""`newsbeam run`: parse flags -> validate once -> build the graph -> run -> print the summary."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pipeline.logfilter  # noqa: F401 - before Beam: quiets an import-time warning

# isort: split
from apache_beam.options import pipeline_options as beam_options

from pipeline.options import NewsbeamOptions
from pipeline.runners.choice import load_runner_options, runner_context, runner_problem

USAGE = """usage: newsbeam <command> [flags]

commands:
  run     read files (default: the bundled seeds/) into partitioned Parquet (default: ./out)
  stream  poll RSS/Atom feeds and watch a folder into the same dataset, window by window

`newsbeam run --help` lists newsbeam's flags and Beam's (--runner, --direct_num_workers, …).
"""


class UsageError(Exception):
    """A bad flag or value: reported as one line, exit status 2."""


class _OneLineParser(beam_options._BeamArgumentParser):
    def error(self, message):  # argparse prints usage + message; we want one actionable line
        raise UsageError(message)


def flag_parser(prog: str) -> _OneLineParser:
    """Every flag newsbeam accepts: ours and those of every Beam options class loaded."""
    load_runner_options()
    parser = _OneLineParser(prog=prog, allow_abbrev=False)
    seen = {}
    for cls in beam_options.PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)
    return parser


def default_input() -> str:
    """The seeds/ folder shipped beside the package (a checkout or an editable install)."""
    here = Path.cwd() / "seeds"
    bundled = Path(__file__).resolve().parent.parent / "seeds"
    return str(here if here.is_dir() else bundled)


def local_abspath(path: str) -> str:
    """Local paths made absolute (workers may start elsewhere); filesystem URIs as they are."""
    return path if "://" in path else os.path.abspath(path)


def checked_steps(opts: NewsbeamOptions) -> str:
    """Validate the flags the enrichment steps take (batch and stream alike); returns the
    language backend to use. Raises UsageError with what to do."""
    from transforms.language import detect as language

    backend = opts.language_backend or language.DEFAULT_BACKEND
    problem = language.backend_problem(backend)
    if problem:
        raise UsageError(f"--language-backend {backend}: {problem}")
    if opts.custom_topics:
        from transforms.topics.lexicon import TopicFileError, load_custom_topics

        try:
            load_custom_topics(opts.custom_topics)
        except (OSError, TopicFileError) as exc:
            raise UsageError(f"--custom-topics {exc}") from exc
    if opts.topics_backend == "e5":
        from transforms.topics.embedding import embedding_backend_problem

        problem = embedding_backend_problem()
        if problem:
            raise UsageError(f"--topics-backend e5: {problem}")
    if opts.ner_model:
        from transforms.entities.tag import ner_model_problem

        problem = ner_model_problem(opts.ner_model)
        if problem:
            raise UsageError(f"--ner-model {opts.ner_model}: {problem}")
    return backend


def settings_from(opts: NewsbeamOptions):
    """Validate once, with messages that say what to do; return plain Settings."""
    from pipeline.build import Settings
    from pipeline.sources.files import count_inputs, expand_input
    from transforms.write.partitioning import run_key

    source = expand_input(local_abspath(opts.input or default_input()))
    try:
        found = count_inputs(source)
    except Exception as exc:
        raise UsageError(f"--input {source}: cannot list it ({exc})") from exc
    if not found:
        raise UsageError(f"--input {source}: no input files match")
    backend = checked_steps(opts)
    output = local_abspath(opts.output).rstrip("/")
    return Settings(
        input=source,
        output=output,
        run_key=run_key(source),
        language_backend=backend,
        languages=tuple(opts.languages or ()),
        ner_model=opts.ner_model,
        custom_topics=opts.custom_topics,
        topics_backend=opts.topics_backend,
        explain_topics=opts.explain_topics,
        shards_per_partition=opts.shards_per_partition,
        max_input_bytes=opts.max_input_bytes,
    )


def run(argv: Sequence[str]) -> int:
    import apache_beam as beam
    from apache_beam.io.filesystems import FileSystems

    from pipeline.build import build
    from pipeline.summary import SUMMARY_NAME, counts_path, format_summary, read_counts, summarise

    parser = flag_parser("newsbeam run")
    _, unknown = parser.parse_known_args(list(argv))
    if unknown:
        raise UsageError(f"unknown flag {unknown[0]} (see `newsbeam run --help`)")
    options = beam_options.PipelineOptions(list(argv))
    problem = runner_problem(options)
    if problem:
        raise UsageError(problem)
    settings = settings_from(options.view_as(NewsbeamOptions))

    started = time.monotonic()
    with runner_context(options) as runner:  # None unless Dask: starts/stops a local cluster
        pipeline = beam.Pipeline(runner=runner, options=options)
        build(pipeline, settings)
        result = pipeline.run()
        result.wait_until_finish()
    summary = summarise(
        read_counts(counts_path(settings.output, settings.run_key)), time.monotonic() - started
    )
    summary.update(input=settings.input, output=settings.output, run_key=settings.run_key)
    with FileSystems.create(f"{settings.output}/{SUMMARY_NAME}") as fh:
        fh.write(json.dumps(summary, indent=1).encode("utf-8"))
    print(format_summary(summary))
    print(
        f"  dataset        {settings.output}/articles/  (summary: {settings.output}/{SUMMARY_NAME})"
    )
    return 0 if summary["balanced"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    try:
        if command == "run":
            if any(a in ("-h", "--help") for a in rest):
                flag_parser("newsbeam run").print_help()
                return 0
            return run(rest)
        if command == "stream":
            from pipeline.stream_cli import run_stream

            return run_stream(rest)
        raise UsageError(f"unknown command {command!r} (commands: run, stream)")
    except UsageError as exc:
        print(f"newsbeam: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
