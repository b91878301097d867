"""The fact retriever's vocabulary, from ``knowledge/lexicon.yml``.

Two things a question's words say beyond their letters:
- **concepts**: words that mean one thing to the advisor ("exam", "test", "assessment" are the test;
  "class", "training", "workshop" the course). :meth:`Lexicon.rewrite` replaces each by one token, so
  a question worded in a way no example question uses still lands on the fact about the same things.
- **what is asked** (``asks``): a price, a duration, a count, a person, a place, a date, yes or no.
  A fact declares which of these it answers; a question asking for a price is not answered with a
  duration (:mod:`actions.planner`).

Pure: data in, tokens out. Loading validates the data and names the file and entry on error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Pattern, Sequence, Tuple

from actions.knowledge_base import WORDS_PROBLEM, Knowledge, KnowledgeError

CONCEPT_PREFIX = "c_"
ASKS_PREFIX = "q_"


@dataclass(frozen=True)
class Lexicon:
    concepts: Mapping[str, Tuple[str, ...]]  # concept -> phrases (lower case; a trailing * matches any ending)
    asks: Mapping[str, Tuple[Pattern[str], ...]]  # answer type -> patterns of questions asking for it
    strong_asks: frozenset  # answer types a fact must state to answer the question (price, duration, ...)
    described_by_neighbours: frozenset  # concepts a neighbour's description answers ("how does PSM differ?")
    polarity_generic: frozenset  # words a yes/no question's "yes" does not rest on (actions/polarity.py)
    common_words: frozenset  # everyday words that say nothing about a question's subject
    weak_concepts: frozenset  # concepts a fact need not speak of to answer ("separately", "years ago")
    _pattern: Optional[Pattern[str]]
    _by_phrase: Mapping[str, str]
    _prefixes: Tuple[Tuple[str, str], ...]
    then_questions: Tuple[Pattern[str], ...] = ()  # "and after that?": the fact that follows the one just given
    course_skipped: Tuple[Pattern[str], ...] = ()  # "can I skip the class?": the course is required
    swap_questions: Tuple[Pattern[str], ...] = ()  # "and the other way round?": the same question, roles swapped
    both_questions: Tuple[Pattern[str], ...] = ()  # "both of them?", "for both?": the fact just given, for both
    rest_questions: Tuple[Pattern[str], ...] = ()  # "do I need anything else?": all of the fact just given, again
    why_questions: Tuple[Pattern[str], ...] = ()  # "why?", "how come?": the reason for the fact just given
    depth_requests: Tuple[Pattern[str], ...] = ()  # "go into detail on PMP", "deep dive on psm i": advice in depth
    sure_questions: Tuple[Pattern[str], ...] = ()  # "are you sure?": the fact just given, as its source says it
    other_one: Tuple[Pattern[str], ...] = ()  # "... for the other one?": the certification not spoken of last
    role_words: Tuple[Pattern[str], ...] = ()  # "the Scrum Master", "a PO": the role itself, not its certification
    source_questions: Tuple[Pattern[str], ...] = ()  # "link?": where the fact just given comes from
    source_concepts: frozenset = frozenset()  # ... speaking of nothing else ("and the course page?" does)
    page_concepts: frozenset = frozenset()  # what a page gives ("a guide"): a page answers a question of these
    frames: Tuple[Pattern[str], ...] = ()  # "my colleague says ...", "..., is that right?": a claim put as a yes/no question
    point_concepts: frozenset = frozenset()  # "which one has no exam?": a point the two differ on, not a fit for a role
    pleasantries: Tuple[Pattern[str], ...] = ()  # "hi there! hope you're well", "quick one", "thanks!": no question in them

    def frames_a_claim(self, text: str) -> bool:
        """Whether the (lower-case) message puts a claim to check ("my colleague says ...", "..., is that right?")."""
        return any(p.search(text) for p in self.frames)

    def without_pleasantries(self, text: str) -> str:
        """``text`` (lower case) without greetings, thanks and the words that only announce a question ("hi there!
        quick one - ...", "do you happen to know ...", "... thanks so much"): they say nothing about which fact is asked."""
        for pattern in self.pleasantries:
            text = pattern.sub(" ", text)
        return text

    def without_frames(self, text: str) -> str:
        """``text`` (lower case) without the words that frame a claim as hearsay to check ("my manager says",
        "is that true?"): they say nothing about which fact is asked."""
        for pattern in self.frames:
            text = pattern.sub(" ", text)
        return text

    def _concept_of(self, phrase: str) -> str:
        found = self._by_phrase.get(phrase)
        if found is not None:
            return found
        for prefix, concept in self._prefixes:
            if phrase.startswith(prefix):
                return concept
        return ""

    def rewrite(self, text: str) -> str:
        """``text`` (lower case) with every concept phrase replaced by its ``c_<concept>`` token."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: f" {CONCEPT_PREFIX}{self._concept_of(m.group(1))} ", text)

    def asks_what_follows(self, text: str) -> bool:
        """Whether the whole (lower-case) message asks what comes next ("and after that?", "then what?")."""
        return any(p.search(text) for p in self.then_questions)

    def skips_the_course(self, text: str) -> bool:
        """Whether the (lower-case) message speaks of getting a certification without its course ("can I skip the class
        and just take the test?", "self-study only?")."""
        return any(p.search(text) for p in self.course_skipped)

    def asks_for_source(self, text: str) -> bool:
        """Whether the (lower-case) message speaks of a link, a page, a source ("link?", "where can I read that?")."""
        return any(p.search(text) for p in self.source_questions)

    def names_a_role(self, text: str) -> bool:
        """The lower-case question speaks of the role ("does the Scrum Master ...?"), not only of a certification."""
        return any(p.search(text) for p in self.role_words)

    def names_the_other_one(self, text: str) -> bool:
        """Whether the (lower-case) message speaks of "the other one" (certification)."""
        return any(p.search(text) for p in self.other_one)

    def asks_why(self, text: str) -> bool:
        """Whether the whole (lower-case) message asks for the reason of what was just said ("why?", "how come?")."""
        return any(p.search(text) for p in self.why_questions)

    def asks_in_depth(self, text: str) -> bool:
        """Whether the (lower-case) message asks for advice or detail in depth ("deep dive on psm i please")."""
        return any(p.search(text) for p in self.depth_requests)

    def asks_if_sure(self, text: str) -> bool:
        """Whether the whole (lower-case) message doubts what was just said ("are you sure?", "really?")."""
        return any(p.search(text) for p in self.sure_questions)

    def asks_for_the_rest(self, text: str) -> bool:
        """Whether the whole (lower-case) message asks whether there is more ("anything else?", "is that all?")."""
        return any(p.search(text) for p in self.rest_questions)

    def asks_the_other_way_round(self, text: str) -> bool:
        """Whether the whole (lower-case) message asks the last question the other way round ("vice versa?")."""
        return any(p.search(text) for p in self.swap_questions)

    def asks_for_both(self, text: str) -> bool:
        """Whether the whole (lower-case) message asks the last question for both certifications ("both of them?")."""
        return any(p.search(text) for p in self.both_questions)

    def concepts_in(self, text: str) -> Tuple[str, ...]:
        """The concepts a (lower-case) text mentions, in order of first mention ("in months" asks for a unit, not
        about experience)."""
        if self._pattern is None:
            return ()
        found = [self._concept_of(m.group(1)) for m in self._pattern.finditer(_UNIT_ASKED.sub(" ", text))]
        return tuple(dict.fromkeys(c for c in found if c))

    def concept_phrases(self, text: str) -> Tuple[Tuple[str, str], ...]:
        """The words of a (lower-case) text that name a concept, each with its concept, first mention only."""
        if self._pattern is None:
            return ()
        found: Dict[str, str] = {}
        for m in self._pattern.finditer(text):
            concept = self._concept_of(m.group(1))
            if concept and concept not in found.values():
                found[m.group(1)] = concept
        return tuple(found.items())

    def asks_of(self, text: str) -> Tuple[str, ...]:
        """What a question asks for, e.g. ``("price",)``; empty when nothing in it says."""
        lowered = text.lower()
        found = tuple(kind for kind, patterns in self.asks.items() if any(p.search(lowered) for p in patterns))
        if "yesno" in self.asks and "yesno" not in found and self.frames_a_claim(lowered):
            found += ("yesno",)  # "my colleague says the CSM lasts forever, true?" asks whether it is so
        return found

    def in_order_asked(self, text: str, kinds: Sequence[str]) -> Tuple[str, ...]:
        """``kinds`` (what a question asks for) in the order the question asks them: "what's the exact date they
        introduced the renewal fee?" asks when (its "what date") before the price (its "fee")."""
        lowered = text.lower()

        def first(kind: str) -> int:
            starts = [m.start() for p in self.asks.get(kind, ()) for m in [p.search(lowered)] if m is not None]
            return min(starts, default=len(lowered))

        return tuple(sorted(kinds, key=first))


# the units a figure may be asked in (question_text.UNIT_ONLY: "and in months?")
UNITS = r"(hours?|hrs|minutes?|mins|days?|weeks?|months?|years?)"
# "in months, how long is the CSPO valid?": the unit a figure is asked in, no concept of its own
_UNIT_ASKED = re.compile(r"\b(in|into) " + UNITS + r"\b")


def _concept_list(value: Any, concepts: Mapping[str, Any], fail: Any, name: str = "weak_concepts") -> frozenset:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or any(c not in concepts for c in value):
        raise fail(name, "expected a list of concepts named under `concepts`")
    return frozenset(str(c) for c in value)


def lexicon_from_knowledge(kb: Knowledge) -> Lexicon:
    file = kb.extra_files.get("concepts", "knowledge/lexicon.yml")

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, entry, problem)

    raw_concepts = kb.extra.get("concepts")
    if not isinstance(raw_concepts, dict) or not raw_concepts:
        raise fail("concepts", "expected a mapping of concept to the words that mean it")
    concepts: Dict[str, Tuple[str, ...]] = {}
    by_phrase: Dict[str, str] = {}
    prefixes: List[Tuple[str, str]] = []
    alternatives: List[str] = []
    for concept, phrases in raw_concepts.items():
        where = f"concepts.{concept}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(concept)):
            raise fail(where, "a concept name is lower-case letters, digits and _")
        if not isinstance(phrases, list) or not phrases:
            raise fail(where, "expected a non-empty list of words or phrases")
        cleaned: List[str] = []
        for i, phrase in enumerate(phrases):
            text = str(phrase).strip().lower()
            if not text or not isinstance(phrase, (str, int)):
                raise fail(f"{where}[{i}]", "expected a word or phrase")
            stem = text[:-1] if text.endswith("*") else None
            key = stem if stem is not None else text
            if key in by_phrase or any(p == key for p, _ in prefixes):
                raise fail(f"{where}[{i}]", f"{text!r} already means {by_phrase.get(key) or 'another concept'}")
            if stem is not None:
                prefixes.append((stem, str(concept)))
                alternatives.append(re.escape(stem) + r"[\w'-]*")
            else:
                by_phrase[text] = str(concept)
                alternatives.append(re.escape(text))
            cleaned.append(text)
        concepts[str(concept)] = tuple(cleaned)
    # Longest first, so that "renewal fee" wins over "fee" when both are listed.
    alternatives.sort(key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])") if alternatives else None
    prefixes.sort(key=lambda p: -len(p[0]))

    raw_asks = kb.extra.get("asks")
    if not isinstance(raw_asks, dict) or not raw_asks:
        raise fail("asks", "expected a mapping of answer type to question patterns")

    def compiled(raw: Any, where: str) -> Tuple[Pattern[str], ...]:
        if not isinstance(raw, list):
            raise fail(where, "expected a list of patterns")
        found: List[Pattern[str]] = []
        for i, p in enumerate(raw):
            try:
                found.append(re.compile(str(p)))
            except re.error as e:
                raise fail(f"{where}[{i}]", f"not a valid pattern: {e}") from None
        return tuple(found)

    asks: Dict[str, Tuple[Pattern[str], ...]] = {}
    for kind, patterns in raw_asks.items():
        if not isinstance(patterns, list) or not patterns:
            raise fail(f"asks.{kind}", "expected a non-empty list of patterns")
        asks[str(kind)] = compiled(patterns, f"asks.{kind}")
    strong: Any = kb.extra.get("strong_asks") or []
    if not isinstance(strong, list) or any(s not in asks for s in strong):
        raise fail("strong_asks", "expected a list of answer types named under `asks`")
    described: Any = kb.extra.get("described_by_neighbours") or []
    if not isinstance(described, list) or any(c not in concepts for c in described):
        raise fail("described_by_neighbours", "expected a list of concepts named under `concepts`")
    generic: Any = kb.extra.get("polarity_generic_words") or []
    if not isinstance(generic, list) or not all(isinstance(w, str) for w in generic):
        raise fail("polarity_generic_words", WORDS_PROBLEM)
    common: Any = kb.extra.get("common_words") or []
    if not isinstance(common, list) or not all(isinstance(w, str) for w in common):
        raise fail("common_words", WORDS_PROBLEM)
    then = compiled(kb.extra.get("then_questions") or [], "then_questions")
    course_skipped = compiled(kb.extra.get("course_skipped") or [], "course_skipped")
    swap = compiled(kb.extra.get("swap_questions") or [], "swap_questions")
    both = compiled(kb.extra.get("both_questions") or [], "both_questions")
    rest = compiled(kb.extra.get("rest_questions") or [], "rest_questions")
    why = compiled(kb.extra.get("why_questions") or [], "why_questions")
    depth = compiled(kb.extra.get("depth_requests") or [], "depth_requests")
    sure = compiled(kb.extra.get("sure_questions") or [], "sure_questions")
    other_one = compiled(kb.extra.get("other_one") or [], "other_one")
    role_words = compiled(kb.extra.get("role_words") or [], "role_words")
    source = compiled(kb.extra.get("source_questions") or [], "source_questions")
    frames = compiled(kb.extra.get("claim_frames") or [], "claim_frames")
    pleasantries = compiled(kb.extra.get("pleasantries") or [], "pleasantries")
    return Lexicon(concepts=concepts, asks=asks, strong_asks=frozenset(strong), then_questions=then, swap_questions=swap,
                   both_questions=both, course_skipped=course_skipped,
                   rest_questions=rest, why_questions=why, depth_requests=depth,
                   sure_questions=sure, other_one=other_one, role_words=role_words,
                   source_questions=source, frames=frames, pleasantries=pleasantries,
                   source_concepts=_concept_list(kb.extra.get("source_concepts"), concepts, fail, "source_concepts"),
                   page_concepts=_concept_list(kb.extra.get("page_concepts"), concepts, fail, "page_concepts"),
                   point_concepts=_concept_list(kb.extra.get("point_concepts"), concepts, fail, "point_concepts"),
                   common_words=frozenset(str(w).lower() for w in common),
                   weak_concepts=_concept_list(kb.extra.get("weak_concepts"), concepts, fail),
                   described_by_neighbours=frozenset(described),
                   polarity_generic=frozenset(str(w).lower() for w in generic), _pattern=pattern,
                   _by_phrase=by_phrase, _prefixes=tuple(prefixes))
