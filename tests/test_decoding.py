"""Decoding: BOM, declared charset (and its lies), in-document declarations, detection."""

from __future__ import annotations

import codecs

import pytest

from transforms.parse.decoding import decode_bytes

TEXT = "Perché la città è così — “bella”, déjà vu, Ærø, naïve"


@pytest.mark.parametrize(
    "data, content_type, source",
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "text/html; charset=iso-8859-1", "bom"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None, "bom"),
        (TEXT.encode("utf-8"), "text/html; charset=utf-8", "declared"),
        (TEXT.encode("cp1252"), "text/plain; charset=windows-1252", "declared"),
        # The header says Latin-1 but the bytes are UTF-8: the commonest lie.
        (TEXT.encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8"),
        # The header says UTF-8 but the bytes are cp1252: the bytes win.
        (TEXT.encode("cp1252"), "text/html; charset=utf-8", "detected"),
        (b'<meta charset="windows-1252">' + TEXT.encode("cp1252"), None, "document"),
        (b'<?xml version="1.0" encoding="iso-8859-1"?>' + TEXT.encode("cp1252"), None, "document"),
        (TEXT.encode("utf-8"), None, "utf-8"),
        (TEXT.encode("utf-8"), "text/html; charset=no-such-charset", "utf-8"),
    ],
)
def test_decodes_without_mojibake(data, content_type, source):
    decoded = decode_bytes(data, content_type)
    assert TEXT in decoded.text
    assert "\ufffd" not in decoded.text
    assert decoded.source == source


def test_undeclared_legacy_charsets_are_detected():
    russian = "Президент России Владимир Путин прибыл в Пекин с государственным визитом. " * 5
    decoded = decode_bytes(russian.encode("cp1251"))
    assert decoded.text == russian


@pytest.mark.parametrize(
    "text",
    [
        "El presidente habló de la situación económica en España",  # ties with cp775
        "Simulações de 2º turno",
    ],
)
def test_undeclared_western_text_ties_go_to_cp1252(text):
    decoded = decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding, decoded.source) == (text, "cp1252", "detected")


def test_utf8_cut_mid_character_still_decodes():
    data = ("città" * 100).encode("utf-8")[:-1]  # the last "à" loses its second byte
    decoded = decode_bytes(data)
    assert decoded.source == "utf-8"
    assert decoded.text.startswith("cittàcittà") and decoded.text.endswith("citt")
    assert "\ufffd" not in decoded.text


def test_never_raises_on_junk():
    assert isinstance(decode_bytes(bytes(range(256)) * 10).text, str)
