"""Pure helpers for incoming text: cleaning, length limit, language check. Used by the NLU components
and tested on their own."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

# Messages longer than this are cut before NLU (README, "Limits"). Real questions are far shorter;
# the cut keeps a 20,000-character paste from slowing every component down.
MAX_MESSAGE_CHARS = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Closed-class English words: a text made of other-language words has almost none of them.
ENGLISH_FUNCTION_WORDS = frozenset(
    "a an the and or but if of to in on at for with by from about as is are was were be been am do does did "
    "i you he she it we they me my your our their this that these those what which who how why when where "
    "can could should would will not no yes so than then there here have has had just also very".split()
)
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


def detect_foreign_language(text: str, min_words: int = 3, min_probability: float = 0.9) -> Optional[str]:
    """An ISO code when the text is confidently not English, else None (English or too short to tell)."""
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in NEUTRAL_WORDS]
    letters = sum(len(w) for w in content)
    if letters >= 4 and _latin_share("".join(content)) < 0.5:
        return "non-latin"
    if len(content) < min_words:
        return None
    english_share = sum(1 for w in content if w in ENGLISH_FUNCTION_WORDS) / len(content)
    if english_share > 0.3:
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
