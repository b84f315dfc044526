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
    # The cut character is replaced and counted (issue 16: bad bytes are never silently lost).
    assert decoded.text.startswith("cittàcittà") and decoded.text.endswith("citt\ufffd")
    assert decoded.text.count("\ufffd") == 1 and decoded.replaced == 1


def test_never_raises_on_junk():
    assert isinstance(decode_bytes(bytes(range(256)) * 10).text, str)


# --- UTF-8 with a few bad bytes, UTF-16 without BOM (issue 16) -------------------------------

ITALIAN = "Città di Roma: perché è già così, più caffè per l'università e la città. " * 3


@pytest.mark.parametrize(
    "content_type, declared",
    [
        (None, ""),
        ("text/html; charset=utf-8", ""),
        ("text/html; charset=iso-8859-1", ""),  # a lie, again: the bytes are (mostly) UTF-8
        (None, '<meta charset="windows-1250">'),
    ],
)
def test_utf8_with_a_few_bad_bytes_stays_utf8_and_counts_them(content_type, declared):
    good = (declared + ITALIAN).encode("utf-8")
    bad = good.replace("già".encode(), b"gi\xe0", 1).replace(b"Roma", b"Ro\xff\xfema", 1)
    decoded = decode_bytes(bad, content_type)
    assert decoded.encoding == "utf_8" and decoded.replaced == 3
    # One mark per maximal invalid subsequence, as browsers and Python's "replace" do: \xff\xfe
    # are two, "gi\xe0 " one (\xe0 opens a sequence the space does not continue).
    assert decoded.text == bad.decode("utf-8", "replace")
    assert "Città di Ro\ufffd\ufffdma: perché è gi\ufffd così" in decoded.text
    assert "Ă" not in decoded.text and "Ã" not in decoded.text


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Президент России Владимир Путин прибыл в Пекин. Ёлка, ёж. " * 3, "cp1251"),
        ("Πρωθυπουργός της Ελλάδας συναντήθηκε με τον πρόεδρο. Άλφα Ώμέγα " * 3, "cp1253"),
        ("中华人民共和国国家主席习近平同俄罗斯总统普京通电话。" * 3, "gbk"),
        ("日本の首相は記者会見で、経済対策について説明した。" * 3, "euc_jp"),
        ("日本の首相は記者会見で、経済対策について説明した。" * 3, "shift_jis"),
        ("Zażółć gęślą jaźń. Źródło Śląsk Łódź. " * 3, "cp1250"),
        ("À l'été, l'élève Ça déjà « guillemets » — façade. Ô ß Þ Â° " * 3, "cp1252"),
    ],
)
def test_legacy_charsets_are_not_taken_for_utf8_with_errors(text, encoding):
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.encoding != "utf_8"
    if encoding not in ("cp1250", "cp1252"):  # charset-normalizer's pick on these is its own
        assert decoded.text == text and decoded.replaced == 0


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text, source",
    [
        ("<html><body><p>Città già così</p></body></html>", "utf-16"),
        ('{"title": "Città", "text": "già così"}\n', "utf-16"),
        ("Президент России прибыл в Пекин с визитом.\nВторая строка текста.", "utf-16"),
        # CJK text without markup has almost no zero bytes: charset-normalizer finds it.
        ("中华人民共和国国家主席习近平同俄罗斯总统普京通电话。\n第二行。", "detected"),
    ],
)
def test_utf16_without_bom_is_detected(encoding, text, source):
    decoded = decode_bytes(text.encode(encoding), "text/html; charset=utf-8")
    assert (decoded.text, decoded.source) == (text, source)


def test_zero_bytes_of_binary_data_are_not_utf16():
    noise = bytes((i * 7919) % 251 for i in range(4096))  # zero bytes on both sides
    assert decode_bytes(noise).source != "utf-16"


@pytest.mark.parametrize(
    "tail, replaced",
    [
        (
            b"\xe9",
            1,
        ),  # a stray Latin-1 byte that is also a UTF-8 lead byte (found by bench/fuzz.py)
        (b"\xe6\x9d", 2),  # a character cut by a size cap
    ],
)
def test_a_last_character_cut_short_is_replaced_and_counted_not_dropped(tail, replaced):
    data = TEXT.encode("utf-8") + b" fine." + tail
    got = decode_bytes(data)
    assert got.encoding == "utf_8" and got.replaced == replaced
    assert got.text == data.decode("utf-8", "replace") == TEXT + " fine.\ufffd"


def test_italian_with_six_accents_and_two_stray_bytes_stays_utf8():
    # Found by bench/fuzz.py: three valid characters per bad byte was read as ISO-8859-2
    # ("CittĂ"), the issue's own failure.
    text = "Report of the day. " * 10 + "Città perché già più così è."
    data = text.encode("utf-8")
    data = data[:40] + b"\xe9" + data[40:100] + b"\xff" + data[100:]
    got = decode_bytes(data)
    assert (got.encoding, got.replaced) == ("utf_8", 2)
    assert got.text == data.decode("utf-8", "replace")


def test_a_declared_charset_counts_a_last_character_cut_short():
    whole = "日本の首相は記者会見で説明した。".encode("shift_jis")
    got = decode_bytes(whole[:-1], "text/plain; charset=shift_jis")  # "。" loses its second byte
    assert got.source == "declared" and got.encoding == "shift_jis"
    assert got.text == "日本の首相は記者会見で説明した\ufffd" and got.replaced == 1
