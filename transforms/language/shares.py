"""The language step's pure core: an article's text -> (language, confidence, shares by letters).

Each paragraph is detected on its own and weighted by its letters, so a page that mixes languages
gets shares, not a coin toss. Compiled (setup.py); detect.py is its Beam shell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from transforms.core.records import LanguageShare
from transforms.language.backends import WORD, LanguageDetector, Scores
from transforms.language.scan import clean_words, count_letters

UNDETERMINED = "und"

# A title is a dozen words written to be clicked, often in English over a local-language body:
# it counts, at half weight, and decides alone only when the body has no words.
TITLE_WEIGHT = 0.5
# Paragraphs shorter than this many letters ("Condividi", a byline) are joined to their neighbours
# before detection: alone they are mostly noise for every backend.
MIN_SPAN_LETTERS = 40
# A span's language is read from its first this-many characters (cut at a space): fastText's cost
# grows with the text, its answer on 300+ letters of one language does not. Shares still weigh
# every letter. Chosen on half A of bench/eval_language_spans.py (see the README).
MAX_SPAN_CHARS = 400
# Shares below this are dropped from `languages`; they are mostly a short span misdetected.
MIN_SHARE = 0.05
# One word is evidence only when the backend gives it better than even odds ("Bundesregierung",
# not "Putin"): on lingua's single words that answers 50-70% of them, 80-96% correctly.
SINGLE_WORD_MIN_PROB = 0.5

# News is written in a few dozen languages; detectors also know constructed and regional ones
# (Esperanto, Venetian, Asturian, Cebuano...) that steal short Romance headlines. Those keep a
# reduced prior rather than being disabled, so a long page in one is still recognised.
# fmt: off
NEWS_LANGUAGES = frozenset((
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "ha", "he", "hi", "hr", "hu", "hy",
    "id", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "ky", "lo", "lt", "lv", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "nb", "ne", "nl", "nn", "no", "pa", "pl", "ps", "pt", "ro",
    "ru", "si", "sk", "sl", "so", "sq", "sr", "sv", "sw", "ta", "te", "tg", "th", "tl", "tr",
    "uk", "ur", "uz", "vi", "xh", "yo", "zh", "zu",
))
# fmt: on
OTHER_LANGUAGE_PRIOR = 0.25

_PARAGRAPH = re.compile(r"\n\s*\n")
# Tokens that are addresses, not language: URLs, e-mails, bare domains ("Internazionale.it").
_NOISE_TOKEN = re.compile(
    r"(?:https?://|www\.)|[^@\s]+@[^@\s]+\.\w"
    r"|\w\.(?:com|org|net|it|uk|fr|de|es|pt|nl|ru|ua|cn|eu|info|au|news|tv|io)(?:/|\W*$)",
    re.IGNORECASE,
)
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u20cf]")  # cheap pre-check
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
# Letters one East Slavic language has and the other lacks: cheap, exact evidence where n-gram
# models confuse close Cyrillic languages on short text. Letters of other Cyrillic alphabets
# (Belarusian ў, Kazakh ә, Serbian ј, ...) switch the rule off.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UK_ONLY = re.compile(r"[іїєґ]", re.IGNORECASE)
_RU_ONLY = re.compile(r"[ыэё]", re.IGNORECASE)
_OTHER_CYRILLIC = re.compile(r"[ўәғқңөұүһјљњћђџѓќѕӣӯҳҷ]", re.IGNORECASE)


def detect_language(
    title: str | None,
    text: str,
    detector: LanguageDetector,
    languages: Iterable[str] = (),
) -> tuple[str, float, list[LanguageShare]]:
    """(dominant language, calibrated confidence, shares by letters) of one article.

    Shares are the letters of the spans each language wins; confidence is the letter-weighted
    probability the backend gave the dominant language over all spans, so a page half in Italian
    and half in English scores about 0.5, and an unsure headline scores what the model says.
    """
    allowed = frozenset(languages)
    spans = _spans(text)
    clean_title = _clean(title or "")
    if clean_title:
        spans.append((clean_title, TITLE_WEIGHT * count_letters(clean_title)))
    spans = [(s, w) for s, w in spans if w > 0]
    if not spans:
        return UNDETERMINED, 0.0, []

    single_word = len(spans) == 1 and len(WORD.findall(spans[0][0])) == 1
    belief: dict[str, float] = {}  # letter-weighted probability mass: calibrated confidence
    share: dict[str, float] = {}  # letters of the spans each language wins: the mix of the text
    total = 0.0
    for span, weight in spans:
        total += weight
        scores = span_scores(span, detector, allowed)
        for lang, p in scores:
            belief[lang] = belief.get(lang, 0.0) + weight * p
        if scores:
            share[scores[0][0]] = share.get(scores[0][0], 0.0) + weight
    if not share:
        return UNDETERMINED, 0.0, []
    ranked = sorted(share, key=lambda lang: (-share[lang], -belief[lang], lang))
    best, confidence = ranked[0], belief[ranked[0]] / total
    if single_word and confidence < SINGLE_WORD_MIN_PROB:
        return UNDETERMINED, 0.0, []
    kept = [lang for lang in ranked if share[lang] >= MIN_SHARE * total] or ranked[:1]
    norm = sum((share[lang] for lang in kept), 0.0)
    shares = [LanguageShare(lang, round(share[lang] / norm, 4)) for lang in kept]
    return best, round(min(confidence, 1.0), 4), shares


def span_scores(
    span: str, detector: LanguageDetector, allowed: frozenset[str] = frozenset()
) -> Scores:
    """Language probabilities of one span: script rules first, then the backend."""
    span = _head(span, MAX_SPAN_CHARS)
    if not _NON_LATIN.search(span):  # most spans: skip the script rules' scans
        return _with_prior(detector.scores(span))
    letters = count_letters(span)
    by_script = _script_language(span, letters, allowed)
    if by_script:
        return [(by_script, 1.0)]
    scores = _with_prior(detector.scores(span))
    if scores and len(_CYRILLIC.findall(span)) * 2 >= letters:
        scores = _east_slavic(span, scores, allowed)
    return scores


def _head(span: str, limit: int) -> str:
    """The span's first `limit` characters, cut back to the last space if there is one."""
    if not limit or len(span) <= limit:
        return span
    cut = span.rfind(" ", limit // 2, limit + 1)
    return span[:cut] if cut > 0 else span[:limit]


def _with_prior(scores: Scores) -> Scores:
    if all(lang in NEWS_LANGUAGES for lang, _ in scores):
        return scores
    weighted = [(c, p * (1.0 if c in NEWS_LANGUAGES else OTHER_LANGUAGE_PRIOR)) for c, p in scores]
    # Keep the mass the backend assigned: the prior moves belief, it does not add certainty.
    scale = sum((p for _, p in scores), 0.0) / (sum((p for _, p in weighted), 0.0) or 1.0)
    return sorted(((c, p * scale) for c, p in weighted), key=lambda x: (-x[1], x[0]))


def _script_language(span: str, letters: int, allowed: frozenset[str]) -> str | None:
    """zh / ja / ko when their scripts dominate: unambiguous, and n-gram models miss short CJK."""
    han, kana, hangul = (len(p.findall(span)) for p in (_HAN, _KANA, _HANGUL))
    if (han + kana) * 2 >= letters and han + kana:
        lang = "ja" if kana else "zh"  # Japanese prose always carries kana; Chinese never does
    elif hangul * 2 >= letters and hangul:
        lang = "ko"
    else:
        return None
    return lang if not allowed or lang in allowed else None


def _east_slavic(span: str, scores: Scores, allowed: frozenset[str]) -> Scores:
    if _OTHER_CYRILLIC.search(span):
        return scores
    uk, ru = bool(_UK_ONLY.search(span)), bool(_RU_ONLY.search(span))
    target = "uk" if uk and not ru else "ru" if ru and not uk else None
    if target is None or target == scores[0][0] or (allowed and target not in allowed):
        return scores
    top = scores[0][1]
    return [(target, top)] + [(c, p) for c, p in scores if c not in (target, scores[0][0])]


def _spans(text: str) -> list[tuple[str, float]]:
    """(span, letters): paragraphs, runs of short ones joined so each span carries evidence."""
    spans: list[tuple[str, float]] = []
    pending: list[str] = []
    pending_letters = 0
    for paragraph in _PARAGRAPH.split(text or ""):
        cleaned = _clean(paragraph)
        letters = count_letters(cleaned)
        if not letters:
            continue
        pending.append(cleaned)
        pending_letters += letters
        if pending_letters >= MIN_SPAN_LETTERS:
            spans.append((" ".join(pending), pending_letters))
            pending, pending_letters = [], 0
    if pending:
        tail = " ".join(pending)
        if spans and pending_letters < MIN_SPAN_LETTERS // 2:
            last, last_letters = spans[-1]  # a trailing "Condividi" joins its page
            spans[-1] = (f"{last} {tail}", last_letters + pending_letters)
        else:
            spans.append((tail, pending_letters))
    return spans


def _clean(text: str) -> str:
    # Hashtags, handles and addresses are names, not language (scan.c reads the words once).
    return clean_words(unicodedata.normalize("NFC", text), _NOISE_TOKEN)
