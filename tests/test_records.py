"""The record types and the one Parquet schema agree; rows round-trip through pyarrow."""

import typing

import pyarrow as pa
import pytest

from tests.conftest import make_article
from transforms.core.records import (
    ARTICLE_SCHEMA,
    SCHEMA_VERSION,
    Article,
    Entity,
    LanguageShare,
    Topic,
    TopicEvidence,
    articles_to_table,
)

_SCALAR = {
    str: (pa.string(),),
    int: (pa.int32(), pa.timestamp("us", tz="UTC")),
    float: (pa.float32(),),
    bool: (pa.bool_(),),
}


def _article(**kw):
    base = {
        "article_id": "a1",
        "url": "https://x.test/a",
        "source_uri": "file:///in/a.txt",
        "source_name": "x.test",
        "title": "T",
        "authors": ["A. Writer"],
        "published": 1_770_163_200_000_000,
        "published_at_source": "text",
        "ingested": 1_770_200_000_000_000,
        "content_hash": "",
    }
    base.update(kw)
    return make_article(base.pop("text", "Body"), **base)


def test_schema_has_every_record_field_in_order():
    assert ARTICLE_SCHEMA.names == list(Article._fields)


@pytest.mark.parametrize("name", Article._fields)
def test_field_types_agree(name):
    hint = typing.get_type_hints(Article)[name]
    field = ARTICLE_SCHEMA.field(name)
    origin = typing.get_origin(hint)
    if origin is typing.Union:  # Optional[x]
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
        assert field.nullable
        origin = typing.get_origin(hint)
    if origin is not None:  # Sequence[...]
        assert pa.types.is_list(field.type)
    else:
        assert field.type in _SCALAR[hint]


def test_contract_columns_and_types():
    expect = {
        "published_at": pa.timestamp("us", tz="UTC"),
        "ingested_at": pa.timestamp("us", tz="UTC"),
        "language_confidence": pa.float32(),
        "similarity": pa.float32(),
        "version": pa.int32(),
        "authors": pa.list_(pa.string()),
    }
    for name, typ in expect.items():
        assert ARTICLE_SCHEMA.field(name).type == typ
    entity = ARTICLE_SCHEMA.field("entities").type.value_type
    assert [f.name for f in entity] == ["text", "label", "id", "start", "end"]
    topic = ARTICLE_SCHEMA.field("topics").type.value_type
    assert [f.name for f in topic] == ["code", "label", "score"]
    assert ARTICLE_SCHEMA.metadata[b"newsbeam.schema_version"] == SCHEMA_VERSION.encode()


def test_rows_round_trip_through_arrow():
    a = _article(
        languages=[LanguageShare("it", 0.75), LanguageShare("en", 0.25)],
        entities=[Entity("Putin", "PER", "Q7747", 0, 5), Entity("Ushakov", "PER", None, 9, 16)],
        topics=[Topic("medtop:11000000", "politics", 0.9)],
        similarity=None,
    )
    table = articles_to_table([a, _article(article_id="a2", published_at=None)])
    assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    rows = table.to_pylist()
    assert rows[0]["entities"][1] == {
        "text": "Ushakov",
        "label": "PER",
        "id": None,
        "start": 9,
        "end": 16,
    }
    assert rows[0]["languages"][0]["lang"] == "it"
    assert rows[0]["topic_evidence"] is None
    assert rows[1]["published_at"] is None
    assert rows[0]["published_at"].isoformat() == "2026-02-04T00:00:00+00:00"


@pytest.mark.parametrize(
    ("column", "record"),
    [
        ("languages", LanguageShare),
        ("entities", Entity),
        ("topics", Topic),
        ("topic_evidence", TopicEvidence),
    ],
)
def test_nested_records_are_their_structs_in_order(column, record):
    """articles_to_table hands pyarrow the records as tuples: field order is the struct's."""
    struct = ARTICLE_SCHEMA.field(column).type.value_type
    assert [f.name for f in struct] == list(record._fields)


def test_topic_evidence_and_authors_round_trip():
    a = _article(
        authors=("Ada", "Bo"),
        topic_evidence=(TopicEvidence("medtop:11000000", ("governo", "ministro")),),
    )
    row = articles_to_table([a]).to_pylist()[0]
    assert row["authors"] == ["Ada", "Bo"]
    assert row["topic_evidence"] == [{"code": "medtop:11000000", "terms": ["governo", "ministro"]}]
    assert articles_to_table([]).equals(ARTICLE_SCHEMA.empty_table())
