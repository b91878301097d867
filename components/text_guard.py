"""Pure helpers for incoming text: cleaning, length limit, language check. Used by the NLU components
and tested on their own."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

# Messages longer than this are cut before NLU (docs/trainers.md, "Limits"). Real questions are far shorter;
# the cut keeps a 20,000-character paste from slowing every component down.
MAX_MESSAGE_CHARS = 1000

# Control characters, zero-width characters, line/paragraph separators, and the bidirectional
# embedding/override/isolate controls (U+202A-202E, U+2066-2069) plus the invisible operators
# (U+2060-2065) and the Arabic letter mark: they can make an echoed text read differently from what
# was typed ("Trojan Source"), so they never reach NLU, the tracker or a reply.
# Lone surrogates (U+D800-DFFF, which JSON can carry as "\\ud800") and the non-characters U+FFFE/FFFF cannot
# be encoded as UTF-8: a store, spaCy or a log line would raise on them. They go too.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    r"\ud800-\udfff\ufffe\uffff]"
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# English stop words (spaCy's list): an English sentence of four or more words nearly always has some.
@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"u", "r", "ur", "pls", "plz", "ok", "okay", "hi", "hey", "thx", "gonna", "wanna", "gotta"}


# Names that mean the same in every language and say nothing about which one is spoken.
NEUTRAL_WORDS = frozenset("csm cspo scrum master product owner agile po sm ok okay".split())


def clean_text(text: Optional[str], limit: int = MAX_MESSAGE_CHARS) -> str:
    """Removes control and invisible characters, folds white space, cuts to `limit` characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return text


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return latin / len(letters)


def detect_foreign_language(text: str, min_words: int = 4, min_probability: float = 0.95,
                            max_english_share: float = 0.15) -> Optional[str]:
    """An ISO code when the text is confidently not English, else None (English or too short to tell)."""
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in NEUTRAL_WORDS]
    letters = sum(len(w) for w in content)
    if letters >= 4 and _latin_share("".join(content)) < 0.5:
        return "non-latin"
    if len(content) < min_words:
        return None
    stop_words = _english_stop_words()
    longer = [w for w in content if len(w) > 1] or content  # "a", "e", "é" say little about the language
    english_share = sum(1 for w in longer if w in stop_words) / len(longer)
    # Accented letters are rare in English: then a few English-looking words ("was", "die") are allowed.
    # Without them, short English jargon ("pmp exam practice questions") can look foreign, so only a
    # longer text with no English stop word at all counts.
    accented = any(unicodedata.decomposition(c) for c in "".join(content))
    if accented:
        if english_share >= max_english_share + 0.1:
            return None
    elif english_share > 0 or len(content) < 6:
        return None
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0  # deterministic answers
    try:
        guesses = detect_langs(" ".join(content))
    except LangDetectException:
        return None
    best = guesses[0] if guesses else None
    if best and best.lang != "en" and best.prob >= min_probability:
        return best.lang
    return None
