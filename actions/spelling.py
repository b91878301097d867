"""One typo per word put right before the planner reads a question: "how long is the csm vaild for",
"how many minuts for the test", and the shorthand of `shorthand` ("how lon is teh exm").

The NLU copes with typos (character n-grams), but the planner reads words: what a question asks for
("minutes" says a duration), which fact speaks of it, which unknown it is. A word of at least
`min_length` letters that appears nowhere in the knowledge data is replaced by the knowledge word one
typo away inside the word (a letter left out, or two letters swapped; the first and the last letter
kept, but for the last two swapped in a long word, "lenght"); of several, the one sharing the longest start
with it, then the most frequent. A four-letter word is put right only for two letters swapped inside ("lnog"),
or the last two when the word it would be is a frequent one ("tiem").
A word the data knows is never changed, nor a known word with an ending ("projects", "mailed"), nor a shorter
word ("csm", "fee"), nor a word of the NLU examples (`keep`: how people write, "write", "setting") unless the
word it would be is far more frequent there ("mastr"), nor a word with no knowledge word that close (a name,
another language).

Pure: the vocabulary comes in (:func:`vocabulary` collects it from the knowledge files' text).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

_WORD = re.compile(r"[a-z]+")
# A unit written against its number ("is the cspo 16h?", "60mins"): the word it stands for, apart
_UNITS = {"h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours", "min": "minutes",
          "mins": "minutes", "minutes": "minutes", "d": "days", "days": "days", "usd": "USD"}
# ... or after a space ("90 min", "8 hrs"): only the abbreviations no other word is written as
_SPACED_UNITS = frozenset({"min", "mins", "hr", "hrs"})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
CACHE_SIZE = 10_000
MAX_LENGTH = 24  # longer "words" are no typos of a word people type (and cost more to look up)
# a number said in two words ("twenty-four", "thirty seven"): its figure, whole
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS_10 = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_COMPOUND = re.compile(r"\b(" + "|".join(_TENS) + r")[- ](" + "|".join(_UNITS_10) + r")\b")
_VOWELS = "aeiou"
# letters said one by one ("the c s p o test", "p s m 1", "a c s m"): a run of single letters, spaces or dots between
_SPELLED = re.compile(r"(?<![\w.-])[a-z](?:[ .]{1,2}[a-z])+\.?(?![\w-])")
# letters said by their names, as dictation writes them ("see ess em": CSM, "see ess pee oh": CSPO); a run of them is a
# name only when its letters spell one and one of them is said by its name ("c s m" is the pattern above)
_LETTER_NAMES = {"ay": "a", "bee": "b", "see": "c", "cee": "c", "sea": "c", "dee": "d", "ess": "s", "es": "s", "em": "m",
                 "pee": "p", "oh": "o", "eye": "i"}
_NAMED_LETTERS = re.compile(r"(?<![\w-])(?:(?:" + "|".join(_LETTER_NAMES) + r"|[a-z])[ .-]{1,2})+(?:" + "|".join(_LETTER_NAMES)
                            + r"|[a-z])(?![\w-])")
# a leading "a" is the article, not the A of "A-CSM", unless one of these comes before it ("the a c s m course");
# a leading "i" is the pronoun
_DETERMINERS = frozenset({"the", "my", "an", "your", "her", "his", "their", "our", "this", "that"})
LAST_SWAP = 6  # the last two letters swapped only in words this long: shorter ones turn into other words ("from"/"form")
SWAP_ONLY = 4  # words this long are corrected only for two letters swapped inside ("lnog", "tset", "waht")
# ... or the last two, into a word the knowledge uses at least this often ("tiem", "dose" of "does"): rarer
# ones are too often another real word ("camp" is no "capm", "bets" no "best")
SHORT_LAST_SWAP_MIN = 20
# a word of the NLU examples (how people write) is still a typo when the word it would be is this many times as
# frequent there: "mastr" (11) of "master" (199), "requirments" (2) of "requirements" (13); not "setting" (7) of
# "sitting" (1)
TYPO_RATIO = 3
LONG = 7  # a vowel mistaken for another only in words this long: shorter ones turn into other words ("later"/"liter")
_ENDINGS = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "ion", "ions", "ment", "ments", "al", "ally")
_ESCAPES = re.compile(r"\\[a-zA-Z]")  # \b, \w, \s in the regular expressions of the data


def vocabulary(data: Any) -> Counter:
    """Every lower-case word in the strings of a nested structure (the knowledge files), with its count.
    Regular expressions count too: their words are words people type."""
    words: Counter = Counter()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            words.update(_WORD.findall(_ESCAPES.sub(" ", item).lower()))
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return words


def _edits(word: str) -> Iterable[str]:
    """Words one typo away: a letter left out, two letters swapped, a letter typed twice ("masster"), or in a
    word of at least LONG letters a vowel for another ("experiance"), inside the word (the first and the
    last letter kept). A real word's inflection ("changed", "websites") or another word ("table"/"tablet")
    mostly differs at the ends, and a letter changed or added turns words into other words too often
    ("scared"/"scaled", "slides"/"sides", "whenever"/"wherever"); the typos people make are mostly inside
    ("vaild", "minuts", "pasing", "trainng")."""
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        for c in _LETTERS:
            yield left + c + right  # a letter missing (between two letters)
        if len(right) > 2:
            yield left + right[1] + right[0] + right[2:]  # two letters swapped
        elif len(right) == 2 and len(word) >= LAST_SWAP:
            yield left + right[1] + right[0]  # ... the last two, in a longer word ("lenght", "widht")
        if left[-1] == right[0] and len(right) > 1:
            yield left + right[1:]  # a letter typed twice ("masster", "renewwal")
        if len(word) >= LONG and right[0] in _VOWELS and len(right) > 1:
            for c in _VOWELS:
                if c != right[0]:
                    yield left + c + right[1:]  # a vowel for another in a long word ("experiance", "eligable")


def _swaps(word: str) -> Iterable[str]:
    """Two letters swapped inside the word, the first and the last kept ("lnog", "tset")."""
    for i in range(1, len(word) - 2):
        yield word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _last_swapped(word: str) -> str:
    return word[:-2] + word[-1] + word[-2]


# American spellings and the British ones the knowledge is written in ("maximizing", "license", "behavior",
# "analyze", "center", "enrollment"): tried before a typo, as they differ by more than one letter or at the end
_BRITISH = ((re.compile(r"iz(e|es|ed|ing|ation|ations|er|ers)$"), r"is\1"), (re.compile(r"yz(e|es|ed|ing)$"), r"ys\1"),
            (re.compile(r"or(s)?$"), r"our\1"), (re.compile(r"ense(s)?$"), r"ence\1"), (re.compile(r"ter(s)?$"), r"tre\1"),
            (re.compile(r"ll?ment(s)?$"), r"lment\1"), (re.compile(r"l(ed|ing)$"), r"ll\1"))


def _british(word: str) -> List[str]:
    return [rx.sub(to, word) for rx, to in _BRITISH if rx.search(word)]


def _common_start(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@dataclass(frozen=True)
class Correction:
    start: int  # where the typed word starts in the text
    typed: str
    meant: str


class Speller:
    def __init__(self, words: Counter, min_length: int = 5, keep: Optional[Counter] = None,
                 shorthand: Optional[Mapping[str, str]] = None, spelled: Optional[Mapping[str, str]] = None) -> None:
        self.words = words  # what a typo may be corrected to: the knowledge's words
        self.keep = keep or Counter()  # further words that are never typos (how people write: data/nlu)
        self.min_length = min_length
        # short words people type for others ("teh", "exm", "u"), too short to be found one typo away:
        # always read as the word they stand for (lexicon.yml `shorthand`)
        self.shorthand = dict(shorthand or {})
        # names said letter by letter ("c s p o"): their letters -> how they are written ("cspo"); only these
        # are joined, so "i" and "a" stay words
        self.spelled = dict(spelled or {})
        self._cache: Dict[str, Optional[str]] = {}

    def meant(self, word: str) -> Optional[str]:
        """The knowledge word `word` is a typo of, or None (known, too short, nothing that close)."""
        if word in self.shorthand:
            return self.shorthand[word]
        if not (self.min_length <= len(word) or len(word) == SWAP_ONLY) or len(word) > MAX_LENGTH or word in self.words:
            return None
        british = next((w for w in _british(word) if w in self.words), None)
        if british is not None:  # the knowledge is written in British English: "maximizing" is "maximising"
            return british
        if self._inflected(word):
            return None
        if word not in self._cache:
            if len(self._cache) >= CACHE_SIZE:  # bounded: every message may bring new words
                self._cache.clear()
            edits = _swaps(word) if len(word) < self.min_length else _edits(word)
            found = {w for w in edits if w in self.words and w != word}
            if len(word) == SWAP_ONLY and not found and self.words[_last_swapped(word)] >= SHORT_LAST_SWAP_MIN:
                found = {_last_swapped(word)}  # "tiem": "time"
            # the closest first (the longest start in common: "minuts" is "minutes", not "minus"), then the
            # most frequent
            self._cache[word] = max(sorted(found), key=lambda w: (_common_start(w, word), self.words[w])) if found else None
        meant = self._cache[word]
        if meant is not None and word in self.keep and self.keep[meant] < TYPO_RATIO * self.keep[word]:
            return None  # a word people write ("setting"), not a typo of a word they write less ("sitting")
        return meant

    def _inflected(self, word: str) -> bool:
        """A known word with an ending ("projects", "mailed", "changed"): a word, not a typo."""
        for ending in _ENDINGS:
            stem = word[: -len(ending)]
            known = (stem, stem + "e") if ending[0] in "aeiou" else (stem,)  # "changing": "change"
            # (a stem people type for another word is no word: "renw" of "renwal" stands for "renew")
            if word.endswith(ending) and len(stem) >= 3 and stem not in self.shorthand \
                    and any(k in self.words or k in self.keep for k in known):
                return True
        return False

    def corrections(self, text: str) -> List[Correction]:
        out = []
        lowered = text.lower()
        shouting = text.upper() == text
        for c in _COMPOUND.finditer(lowered):  # "twenty-four months": 24, not "20-four" (shorthand word by word)
            out.append(Correction(c.start(), text[c.start():c.end()], str(_TENS[c.group(1)] + _UNITS_10[c.group(2)])))
        out += self._spelled(lowered, text)
        for key in (k for k in self.shorthand if "/" in k):  # "w/o": without ("cspo w/o an exam, possible?")
            for m in re.finditer(r"(?<![\w/])" + re.escape(key) + r"(?![\w/])", lowered):
                out.append(Correction(m.start(), text[m.start():m.end()], self.shorthand[key]))
        taken = [(fix.start, fix.start + len(fix.typed)) for fix in out]  # (their words are not corrected one by one)
        for m in _WORD.finditer(lowered):
            if any(start <= m.start() < end for start, end in taken):
                continue
            if not shouting and len(m.group()) > 1 and text[m.start():m.end()].isupper():
                continue  # an acronym in a sentence ("I work in HR"), not the shorthand "hr" (hour) nor a typo
            if m.start() > 0 and lowered[m.start() - 1].isdigit() and m.group() in _UNITS:  # "16h", "60mins"
                out.append(Correction(m.start(), text[m.start():m.end()], f" {_UNITS[m.group()]}"))
                continue
            if m.group() in _SPACED_UNITS and re.search(r"\d $", lowered[:m.start()]):
                out.append(Correction(m.start(), text[m.start():m.end()], _UNITS[m.group()]))  # "90 min": minutes
                continue
            meant = self.meant(m.group())
            if meant is not None:
                out.append(Correction(m.start(), text[m.start():m.end()], meant))
        return sorted(out, key=lambda fix: fix.start)

    def _spelled(self, lowered: str, text: str) -> List[Correction]:
        """Names said letter by letter ("how many questions are on the c s p o test"): the name as written."""
        out = []
        for m in _SPELLED.finditer(lowered):
            at = [m.start() + i for i, c in enumerate(m.group()) if c.isalpha()]  # where each letter is
            letters = "".join(lowered[i] for i in at)
            # (a dot after the last letter belongs to "c.s.m.", not to "... the c s m.")
            end = m.end() - (1 if m.group().endswith(".") and "." not in m.group()[:-1] else 0)
            before = lowered[:m.start()].split()
            if letters[1:] in self.spelled and (letters[0] == "i" or (
                    letters[0] == "a" and not (before and before[-1] in _DETERMINERS))):
                letters, at = letters[1:], at[1:]  # "can I get a c s m", "do i c s m": the article, the pronoun
            if letters in self.spelled:
                out.append(Correction(at[0], text[at[0]:end], self.spelled[letters]))
        taken = [(fix.start, fix.start + len(fix.typed)) for fix in out]
        for m in _NAMED_LETTERS.finditer(lowered):
            said = [(w.start() + m.start(), w.group()) for w in re.finditer(r"[a-z]+", m.group())]
            if not any(word in _LETTER_NAMES for _, word in said) or any(a < m.end() and m.start() < b for a, b in taken):
                continue
            before = lowered[:m.start()].split()
            if said[0][1] in ("a", "ay") and not (before and before[-1] in _DETERMINERS) \
                    and "".join(_LETTER_NAMES.get(w, w) for _, w in said[1:]) in self.spelled:
                said = said[1:]  # ("is there a see ess em test": the article)
            letters = "".join(_LETTER_NAMES.get(word, word) for _, word in said)
            if letters in self.spelled:
                out.append(Correction(said[0][0], text[said[0][0]:m.end()], self.spelled[letters]))
        return out

    def correct(self, text: str, entities: Sequence[Mapping[str, Any]] = ()) -> Tuple[str, Tuple[Dict[str, Any], ...]]:
        """The text with its typos put right, and the entities with their offsets moved to match."""
        fixes = self.corrections(text)
        if not fixes:
            return text, tuple(dict(e) for e in entities)
        pieces, at = [], 0
        for fix in fixes:
            pieces += [text[at:fix.start], fix.meant]
            at = fix.start + len(fix.typed)
        pieces.append(text[at:])

        def moved(offset: Any) -> Any:
            if not isinstance(offset, int):
                return offset
            return offset + sum(len(f.meant) - len(f.typed) for f in fixes if f.start < offset)

        return "".join(pieces), tuple({**e, "start": moved(e.get("start")), "end": moved(e.get("end"))}
                                      if "start" in e or "end" in e else dict(e) for e in entities)


def corrected_turn(turn: Any, speller: Optional[Speller]) -> Any:
    """A planner Turn (actions.planner) with its text and entity offsets corrected."""
    if speller is None:
        return turn
    text, entities = speller.correct(turn.text, turn.entities)
    return turn if text == turn.text else replace(turn, text=text, entities=entities)
