"""Single facts and the retriever that finds the one a question asks for.

The facts live in ``knowledge/facts.yml``: each has an id, the certification(s) it is about, the topic
it belongs to, a one- or two-sentence answer, example questions and a source. :func:`facts_from_knowledge`
reads and checks them; :class:`FactIndex` matches a new question against the example questions with a
TF-IDF model over word and character n-grams (chosen on the held-out set in ``tests/facts/``; the
figures are in ``scripts/measure_facts.py``'s output and docs/trainers.md). Broad questions ("tell me about
the CSPO") match a topic instead, and then the topic summary is the answer. Pure: no Rasa here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Pattern, Sequence, Tuple

from actions.assertions import Assertions, assertions_from
from actions.claims import claimed_figures
from actions.claims import figures as figures_in
from actions.figures import Figures, figures_from, wording_from
from actions.knowledge_base import WORDS_PROBLEM, Knowledge, KnowledgeError, Source, compiled_patterns, get_knowledge
from actions.threshold import Threshold

if TYPE_CHECKING:
    from actions.lexicon import Lexicon

TOPIC_PREFIX = "topic:"
ASKS_TOKEN = "q_"


SCORES_CACHE_SIZE = 1024  # texts whose scores FactIndex.scores keeps

@dataclass(frozen=True)
class FactEntry:
    id: str
    certifications: Tuple[str, ...]
    topic: str
    answer: str
    questions: Tuple[str, ...]
    sources: Tuple[Source, ...]  # one or more keys of sources.yml
    asks: Tuple[str, ...] = ()  # what the fact states: a price, a duration, a count, ... (lexicon.yml `asks`)
    counterparts: Mapping[str, str] = field(default_factory=dict)  # other certification -> its same fact
    # a fact about several certifications -> the same for one of them ("the official pages" -> the CSPO's page)
    per_certification: Mapping[str, str] = field(default_factory=dict)
    # ... or for one neighbour it speaks of ("the A-CSM and the A-CSPO each need ..." -> the A-CSM's alone)
    per_neighbour: Mapping[str, str] = field(default_factory=dict)
    only_with: Optional[str] = None  # a neighbour (neighbours.yml) that must be named for this fact to answer
    lists: bool = False  # the answer lists items ("the Scrum values are ..."): "is courage one?" gets "Yes."
    then: Optional[str] = None  # the fact answering "and after that?" after this one
    because: Optional[str] = None  # the reason the sources give for it, answering "why?" right after it
    threshold: Optional[Threshold] = None  # a minimum it states: "is 72% enough?" gets "No." (actions/threshold.py)
    figures: Optional[Figures] = None  # what the user's own figures work out to with it (actions/figures.py)
    same_for_both: bool = False  # it holds for the CSM and the CSPO alike: "the same?" gets "Yes" (actions/sameness.py)
    # concepts one of which a question must speak of for this fact to answer it (the advanced certifications' facts:
    # "is my 3-year-old CSM still active?" is no question about the A-CSM, whatever words it shares with one)
    about: Tuple[str, ...] = ()
    # concepts of a thing its certification does not have ("the CSPO has no test"): a question about that
    # certification speaking of one of them that no other fact answers ("CSPO exam tips?") gets this fact
    premise_of: Tuple[str, ...] = ()
    # concepts it answers without their words: the 12 months of experience the A-CSM needs answer "is she eligible
    # yet?" (a prerequisite), though neither its questions nor its answer say "eligible"
    speaks_of: Tuple[str, ...] = ()
    # what a yes/no question gets before the answer, by what it asks (actions/polarity.py `modality`): whether one
    # may ("can I take the CSPO without the CSM?": yes) or must ("is the CSM required for the CSPO?": no)
    yes_no: Mapping[str, str] = field(default_factory=dict)
    # what a yes/no question may assert that this fact makes true or false (actions/assertions.py): "is the CSM exam
    # proctored?" gets "No." before "open book and not proctored"
    assertions: Optional[Assertions] = None

    def narrower(self) -> Tuple[str, ...]:
        """The facts narrowing this one to one certification or neighbour (`per_certification`, `per_neighbour`)."""
        return (*self.per_certification.values(), *self.per_neighbour.values())


@dataclass(frozen=True)
class FactBook:
    facts: Mapping[str, FactEntry]
    broad_questions: Mapping[str, Tuple[str, ...]]  # topic -> questions wanting the topic summary
    min_score: float  # below this, the question is answered with the topic summary
    intent_bonus: float  # added to candidates of the topic the NLU's intent points to
    unsure_min_score: float  # the stricter bar when the NLU was unsure of the intent (fallback)
    torn_min_score: float  # ... when it was torn between two knowledge questions (decision.Turn.after_fallback)
    ambiguity_margin: float  # no certification named and two certifications' facts this close: topic answer
    aliases: Mapping[str, str]  # how a certification is written (lower case) -> certification key
    ignore_words: frozenset  # words that say nothing about which fact is asked ("the", "is", ...)
    max_unexplained: Optional[int] = None  # concepts of a question a fact may not speak of (None: unchecked)
    guide_facts: Mapping[str, str] = field(default_factory=dict)  # goal intent -> fact of the article's guide
    course_facts: Mapping[str, str] = field(default_factory=dict)  # certification -> the fact of earning it by its course
    form_opening_facts: frozenset = frozenset()  # facts that may answer a message opening the form
    form_fact_min_score: float = 1.0  # ... at this score or above
    form_question_min_score: float = 1.0  # a question asking no fit that the NLU took for the form's: its fact from here
    unfiltered_topics: frozenset = frozenset()  # topics whose facts answer whichever certification is named
    subject_min_score: float = 1.0  # a short follow-up read with the message before's subject: a fact from this score
    context_min_score: float = 1.0  # an unsure follow-up whose best fact speaks, as the last one, of what it asks: from this
    ask_margin: float = 0.0  # a fact this close to the best that states the kind of thing asked (a way, a price) wins
    summary_topics: frozenset = frozenset()  # topics whose summary answers a short question the NLU is sure of
    other_role_margin: float = 1.0  # "is X the SM's job?" gets "No." and the PO's duty when it fits by this much more
    other_role_min_score: float = 1.0  # ... and at least this well
    other_role_duty_min_score: float = 1.0  # ... or this well, when it asks whose job or duty it is in so many words
    guide_statement_confidence: float = 1.0  # a goal stated without "which one?" gets its choose-if line at this confidence
    topic_margin: float = 0.15  # a topic summary fitting this much better than a fact stating what is asked wins
    sure_topic_confidence: float = 1.01  # an intent this sure picks its own topic's summary over the general one
    duty_guide_min_score: Optional[float] = None  # "which cert?" whose words fit one role's duty this well: its guide line
    guide_min_confidence: float = 0.8  # how sure the NLU must be of the goal for its guide fact
    guide_sure_confidence: float = 0.8  # below this, the words must agree: no other guide fact matches them better
    foreign_word_min_score: Optional[float] = None  # the bar for a question with words the knowledge never uses
    foreign_yes_no_min_score: Optional[float] = None  # ... when it is a yes/no question (its "yes" rests on those words)
    answers_as_questions: bool = False  # also match a question against each fact's answer text
    concept_weight: float = 0.0  # added to the cosine times the share of the question's concepts a fact speaks of
    # added to the cosine times the share of the units of the question's figures ("90 min", "40 questions") the fact's
    # answer states a figure in (actions/claims.py)
    figure_weight: float = 0.0
    # a source the question names ("what does the article say ...?"): source key -> patterns (lower case) naming it
    named_sources: Mapping[str, Tuple[Pattern[str], ...]] = field(default_factory=dict)
    context_bonus: float = 0.0  # added to facts of the topic just answered, for a question naming no certification
    nearest_min_score: float = 0.45  # an "I don't know" names the nearest fact only at this score or above
    topic_max_words: int = 2  # a knowledge question with no matching fact and at most this many content
    #                           words ("csm costs?") gets the topic summary; a longer one "I don't know"
    works_out: Mapping[str, str] = field(default_factory=dict)  # the sentences of actions/figures.py (facts.yml)


class Normaliser:
    """Replaces every way of writing a certification by one word, so that "is the CSPO course long?"
    and "is the CSM course long?" ask the same thing; returns which certifications were named."""

    PLACEHOLDER = "certname"

    def __init__(self, aliases: Mapping[str, str], ignore_words: frozenset,
                 lexicon: Optional["Lexicon"] = None) -> None:
        ordered = sorted(aliases, key=len, reverse=True)
        self._aliases = aliases
        self._ignore = ignore_words
        self._lexicon = lexicon
        self._pattern = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(a) for a in ordered) + r")(?![\w-])", re.IGNORECASE
        ) if ordered else None

    def __call__(self, text: str) -> Tuple[str, Tuple[str, ...]]:
        named: List[str] = []
        lowered = text.lower()
        if self._pattern is not None:
            def swap(m: "re.Match[str]") -> str:
                key = self._aliases[m.group(1).lower()]
                if key not in named:
                    named.append(key)
                return f" {self.PLACEHOLDER} "
            lowered = self._pattern.sub(swap, lowered)
        extra: List[str] = []
        if self._lexicon is not None:
            extra = [ASKS_TOKEN + kind for kind in self._lexicon.asks_of(text)]
            lowered = self._lexicon.rewrite(self._lexicon.without_frames(self._lexicon.without_pleasantries(lowered)))
        words = [w for w in re.findall(r"[\w'-]+", lowered) if w not in self._ignore]
        return " ".join(words + extra), tuple(named)


@dataclass(frozen=True)
class Match:
    """The retriever's answer: a fact, or a topic when the question is broad or matches nothing well."""

    fact: Optional[FactEntry]
    topic: Optional[str]
    score: float


def _yes_no(raw: Any, where: str, fail: Any) -> Dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not raw or not all(k in ("may", "must") and v in ("yes", "no") for k, v in raw.items()):
        raise fail(where, 'expected a mapping of "may" and/or "must" to "yes" or "no"')
    return {str(k): str(v) for k, v in raw.items()}


def facts_from_knowledge(kb: Knowledge) -> FactBook:
    """Reads and checks the `facts` and `broad_questions` sections; errors name the file and the entry."""
    file = kb.extra_files.get("facts", "knowledge/facts.yml")

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, entry, problem)

    raw = kb.extra.get("facts")
    if not isinstance(raw, list) or not raw:
        raise fail("facts", "expected a non-empty list of facts")
    facts: Dict[str, FactEntry] = {}
    for i, entry in enumerate(raw):
        where = f"facts[{i}]"
        if not isinstance(entry, dict):
            raise fail(where, "expected a mapping")
        unknown = set(entry) - {"id", "certifications", "topic", "answer", "questions", "source", "asks",
                                "counterparts", "only_with", "lists", "then", "because", "threshold", "same_for_both",
                                "per_certification", "per_neighbour", "about", "yes_no", "figures", "premise_of",
                                "speaks_of", "assertions"}
        if unknown:
            raise fail(f"{where}.{sorted(unknown)[0]}", "is not a known field")
        fid = _text(entry.get("id"), f"{where}.id", fail)
        where = f"facts.{fid}"
        if fid in facts:
            raise fail(where, "the id is used twice")
        certs = _texts(entry.get("certifications"), f"{where}.certifications", fail)
        for cert in certs:
            if cert not in kb.certifications:
                raise fail(f"{where}.certifications", f"unknown certification {cert!r}")
        topic = _text(entry.get("topic"), f"{where}.topic", fail)
        if topic not in kb.topics:
            raise fail(f"{where}.topic", f"unknown topic {topic!r} (known: {', '.join(kb.topics)})")
        raw_source = entry.get("source")
        source_keys = _texts(raw_source if isinstance(raw_source, list) else [raw_source], f"{where}.source", fail)
        for key in source_keys:
            if key not in kb.sources:
                raise fail(f"{where}.source", f"unknown source {key!r} (known: {', '.join(sorted(kb.sources))})")
        asks = _texts(entry["asks"], f"{where}.asks", fail) if "asks" in entry else ()
        counterparts = entry.get("counterparts") or {}
        neighbour_keys = kb.extra.get("neighbours") or {}
        own = () if entry.get("only_with") else certs  # a neighbour's fact may name the CSM's or CSPO's counterpart
        if not isinstance(counterparts, dict) or any(
                (k not in kb.certifications and k not in neighbour_keys) or k in own for k in counterparts):
            raise fail(f"{where}.counterparts", "expected a mapping of another certification (or a neighbour) to a fact id")
        per_certification = entry.get("per_certification") or {}
        if not isinstance(per_certification, dict) or (per_certification and len(certs) < 2) \
                or any(k not in certs for k in per_certification):
            raise fail(f"{where}.per_certification", "expected, on a fact about several certifications, a mapping of "
                                                     "one of them to the same fact about it alone")
        per_neighbour = entry.get("per_neighbour") or {}
        if not isinstance(per_neighbour, dict) or any(k not in neighbour_keys for k in per_neighbour):
            raise fail(f"{where}.per_neighbour", "expected a mapping of a neighbour (neighbours.yml) to the same fact "
                                                 "about it alone")
        only_with = entry.get("only_with")
        if only_with is not None and not isinstance(only_with, str):
            raise fail(f"{where}.only_with", "expected the key of a neighbour (neighbours.yml)")
        facts[fid] = FactEntry(
            id=fid,
            certifications=tuple(c for c in kb.certifications if c in certs),
            topic=topic,
            answer=_text(entry.get("answer"), f"{where}.answer", fail),
            questions=_texts(entry.get("questions"), f"{where}.questions", fail),
            sources=tuple(kb.sources[k] for k in source_keys),
            asks=asks,
            counterparts={str(k): str(v) for k, v in counterparts.items()},
            per_certification={str(k): str(v) for k, v in per_certification.items()},
            per_neighbour={str(k): str(v) for k, v in per_neighbour.items()},
            only_with=only_with,
            lists=entry.get("lists") is True,
            then=_text(entry["then"], f"{where}.then", fail) if "then" in entry else None,
            because=_text(entry["because"], f"{where}.because", fail) if "because" in entry else None,
            threshold=_threshold(entry.get("threshold"), f"{where}.threshold", fail),
            figures=figures_from(entry.get("figures"), f"{where}.figures", fail),
            same_for_both=entry.get("same_for_both") is True,
            about=_about(entry.get("about"), f"{where}.about", kb, fail),
            premise_of=_about(entry.get("premise_of"), f"{where}.premise_of", kb, fail),
            speaks_of=_about(entry.get("speaks_of"), f"{where}.speaks_of", kb, fail),
            assertions=assertions_from(entry.get("assertions"), f"{where}.assertions", fail),
            yes_no=_yes_no(entry.get("yes_no"), f"{where}.yes_no", fail),
        )
    for fact in facts.values():
        if fact.same_for_both and set(fact.certifications) != {"CSM", "CSPO"} and not (
                len(fact.certifications) == 1 and set(fact.certifications) | set(fact.counterparts) >= {"CSM", "CSPO"}):
            raise fail(f"facts.{fact.id}.same_for_both", "needs a fact about the CSM and the CSPO, or one with a "
                                                          "counterpart for the other")
        if fact.then is not None and fact.then not in facts:
            raise fail(f"facts.{fact.id}.then", f"{fact.then!r} is not a fact id")
        for cert, other in fact.counterparts.items():
            if other not in facts or (cert not in facts[other].certifications and facts[other].only_with != cert):
                raise fail(f"facts.{fact.id}.counterparts.{cert}", f"{other!r} is not a fact about the {cert}")
        for cert, narrower in fact.per_certification.items():
            if narrower not in facts or facts[narrower].certifications != (cert,):
                raise fail(f"facts.{fact.id}.per_certification.{cert}", f"{narrower!r} is not a fact about the {cert} alone")
        for key, narrower in fact.per_neighbour.items():
            if narrower not in facts or facts[narrower].only_with != key:
                raise fail(f"facts.{fact.id}.per_neighbour.{key}", f"{narrower!r} is not a fact with only_with: {key}")
    broad_raw = kb.extra.get("broad_questions")
    if not isinstance(broad_raw, dict) or not broad_raw:
        raise fail("broad_questions", "expected a mapping of topic to questions")
    broad: Dict[str, Tuple[str, ...]] = {}
    for topic, questions in broad_raw.items():
        if topic not in kb.topics:
            raise fail(f"broad_questions.{topic}", "is not a topic of dialogue.yml")
        broad[str(topic)] = _texts(questions, f"broad_questions.{topic}", fail)
    settings = kb.extra.get("fact_retrieval") or {}
    if not isinstance(settings, dict):
        raise fail("fact_retrieval", "expected a mapping of settings")

    def number(key: str, default: Optional[float], high: float, whole: bool = False) -> Optional[float]:
        """A setting between 0 and ``high`` (``None`` allowed only when it is the default)."""
        value = settings.get(key, default)
        if value is None and default is None:
            return None
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not 0 <= value <= high:
            kind = "a whole number" if whole else "a number"
            raise fail(f"fact_retrieval.{key}", f"expected {kind} between 0 and {high:g}, found {value!r}")
        return float(value)

    def words(key: str) -> frozenset:
        value = settings.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"fact_retrieval.{key}", WORDS_PROBLEM)
        return frozenset(value)

    guide = kb.extra.get("guide_facts") or {}
    if not isinstance(guide, dict) or any(str(v) not in facts for v in guide.values()):
        raise fail("guide_facts", "expected a mapping of goal intent to a fact id")
    course = kb.extra.get("course_facts") or {}
    if not isinstance(course, dict) or any(str(k) not in kb.certifications or str(v) not in facts for k, v in course.items()):
        raise fail("course_facts", "expected a mapping of certification to a fact id")
    for fid in words("form_opening_facts") - set(facts):
        raise fail("fact_retrieval.form_opening_facts", f"unknown fact {fid!r}")
    for topic in words("unfiltered_topics") - set(kb.topics):
        raise fail("fact_retrieval.unfiltered_topics", f"unknown topic {topic!r}")
    for topic in words("summary_topics") - set(kb.topics):
        raise fail("fact_retrieval.summary_topics", f"unknown topic {topic!r}")
    max_unexplained = number("max_unexplained_concepts", None, 10, whole=True)
    named_sources = settings.get("named_sources") or {}
    if not isinstance(named_sources, dict):
        raise fail("fact_retrieval.named_sources", "expected a mapping of source key to a list of patterns")
    for key in named_sources:
        if key not in kb.sources:
            raise fail(f"fact_retrieval.named_sources.{key}", f"unknown source {key!r}")
    compiled_sources = {str(k): compiled_patterns(v, file, f"fact_retrieval.named_sources.{k}") for k, v in named_sources.items()}
    return FactBook(
        facts=facts, broad_questions=broad, named_sources=compiled_sources,
        min_score=float(number("min_score", 0.35, 1) or 0.0),
        intent_bonus=float(number("intent_bonus", 0.0, 1) or 0.0),
        unsure_min_score=float(number("unsure_min_score", 1.0, 2) or 0.0),
        torn_min_score=float(number("torn_min_score", settings.get("unsure_min_score", 1.0), 2) or 0.0),
        other_role_margin=float(number("other_role_margin", 1.0, 1) or 0.0),
        other_role_min_score=float(number("other_role_min_score", settings.get("unsure_min_score", 1.0), 2) or 0.0),
        other_role_duty_min_score=float(number("other_role_duty_min_score", settings.get("other_role_min_score", 1.0), 2)
                                        or 0.0),
        ambiguity_margin=float(number("ambiguity_margin", 0.1, 1) or 0.0),
        aliases={alias: cert.key for cert in kb.certifications.values() for alias in cert.aliases},
        ignore_words=frozenset(w.lower() for w in words("ignore_words")),
        nearest_min_score=float(number("nearest_min_score", 0.45, 2) or 0.0),
        topic_max_words=int(number("topic_max_words", 2, 10, whole=True) or 0),
        context_bonus=float(number("context_bonus", 0.0, 1) or 0.0),
        max_unexplained=None if max_unexplained is None else int(max_unexplained),
        concept_weight=float(number("concept_weight", 0.0, 1) or 0.0),
        figure_weight=float(number("figure_weight", 0.0, 1) or 0.0),
        guide_facts={str(k): str(v) for k, v in guide.items()},
        course_facts={str(k): str(v) for k, v in course.items()},
        guide_min_confidence=float(number("guide_min_confidence", 0.8, 1) or 0.0),
        guide_sure_confidence=float(number("guide_sure_confidence", 0.8, 1) or 0.0),
        guide_statement_confidence=float(number("guide_statement_confidence", 1.0, 1) or 0.0),
        topic_margin=float(number("topic_margin", 0.15, 1) or 0.0),
        sure_topic_confidence=float(number("sure_topic_confidence", 1.01, 2) or 0.0),
        duty_guide_min_score=number("duty_guide_min_score", None, 1),
        unfiltered_topics=words("unfiltered_topics"),
        summary_topics=words("summary_topics"),
        ask_margin=float(number("ask_margin", 0.0, 1) or 0.0),
        subject_min_score=float(number("subject_min_score", 1.0, 1) or 0.0),
        context_min_score=float(number("context_min_score", 1.0, 1) or 0.0),
        form_opening_facts=words("form_opening_facts"),
        form_fact_min_score=float(number("form_fact_min_score", 1.0, 2) or 0.0),
        form_question_min_score=float(number("form_question_min_score", settings.get("unsure_min_score", 1.0), 2) or 0.0),
        foreign_word_min_score=number("foreign_word_min_score", None, 2),
        foreign_yes_no_min_score=number("foreign_yes_no_min_score", None, 2),
        answers_as_questions=settings.get("answers_as_questions") is True,
        works_out=wording_from(kb.extra.get("works_out"), "works_out", fail)
        if any(f.figures for f in facts.values()) or "works_out" in kb.extra else {},
    )


def _about(raw: Any, where: str, kb: Knowledge, fail: Any) -> Tuple[str, ...]:
    """`about`: concepts of lexicon.yml one of which a question must mention for the fact to answer it."""
    if raw is None:
        return ()
    concepts = kb.extra.get("concepts") or {}
    if not isinstance(raw, list) or not raw or any(not isinstance(c, str) or c not in concepts for c in raw):
        raise fail(where, "expected a list of concepts of lexicon.yml")
    return tuple(raw)


def _threshold(raw: Any, where: str, fail: Any) -> Optional[Threshold]:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"min", "of", "percent", "unit", "noun"} or "min" not in raw \
            or not isinstance(raw.get("noun", ""), str):
        raise fail(where, "expected {min: <number>, of: <number>, percent: <number>, unit: <pattern>, noun: <words>} "
                          "(min required)")
    numbers = {}
    for key in ("min", "of", "percent"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise fail(f"{where}.{key}", "expected a number >= 0")
        numbers[key] = None if value is None else float(value)
    unit = raw.get("unit")
    if unit is not None:
        try:
            re.compile(str(unit))
        except re.error as e:
            raise fail(f"{where}.unit", f"not a valid pattern: {e}") from None
    return Threshold(minimum=float(raw["min"]), of=numbers["of"], percent=numbers["percent"],
                     unit=None if unit is None else str(unit), noun=str(raw["noun"]).strip() if raw.get("noun") else None)


def _text(value: Any, where: str, fail: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(where, "expected non-empty text")
    return value.strip()


def _texts(value: Any, where: str, fail: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail(where, "expected a non-empty list")
    return tuple(_text(v, f"{where}[{i}]", fail) for i, v in enumerate(value))


class FactIndex:
    """Nearest example question (cosine over TF-IDF features of the normalised question).

    Questions are normalised first (:class:`Normaliser`): certification names become one word, and,
    with a :class:`~actions.lexicon.Lexicon`, every phrase of a concept becomes that concept's token
    and what the question asks for (a price, a duration, ...) is added as a token. ``analyzers`` picks
    the features: ``("char",)`` character n-grams within words, ``("word",)`` words and word pairs,
    or both; ``scripts/measure_planner.py`` compares them on the independent sets.
    """

    def __init__(self, book: FactBook, analyzers: Sequence[str] = ("word", "char"),
                 lexicon: Optional["Lexicon"] = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.book = book
        self.lexicon = lexicon
        self.normalise = Normaliser(book.aliases, book.ignore_words, lexicon)
        self._labels: List[str] = []
        docs: List[str] = []
        # a fact narrowing another to one certification or neighbour is reached through it, not found
        narrower = {n for fact in book.facts.values() for n in fact.narrower()}
        for fact in book.facts.values():
            if fact.id in narrower:
                continue
            for text in fact.questions + ((fact.answer,) if book.answers_as_questions else ()):
                docs.append(self.normalise(text)[0])
                self._labels.append(fact.id)
        for topic, questions in book.broad_questions.items():
            for text in questions:
                docs.append(self.normalise(text)[0])
                self._labels.append(TOPIC_PREFIX + topic)
        # the concepts each fact's example questions speak of (for the concept weight and the context bonus)
        self.concepts: Dict[str, frozenset] = {}
        if lexicon is not None:
            for fact in book.facts.values():
                self.concepts[fact.id] = frozenset(lexicon.concepts_in(" ".join(fact.questions).lower()))
        # the units a fact's answer states a figure in ("60 minutes": minutes), for ``figure_weight``
        self.units: Dict[str, frozenset] = {fact.id: frozenset(figures_in(fact.answer.lower())) for fact in book.facts.values()}
        self._vectorizers = []
        self._scores: Dict[str, Dict[str, float]] = {}  # by normalised text (bounded: SCORES_CACHE_SIZE)
        for analyzer in analyzers:
            if analyzer == "word":
                vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b[\w'-]+\b")
            elif analyzer == "char":
                vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
            else:
                raise ValueError(f"unknown analyzer {analyzer!r}")
            vec.fit(docs)
            self._vectorizers.append(vec)
        self._matrix = self._encode(docs)

    def _encode(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        return normalize(hstack([vec.transform(texts) for vec in self._vectorizers]).tocsr())

    def scores(self, normalised: str) -> Dict[str, float]:
        """Best cosine per candidate (fact id, or ``topic:<name>``) for an already normalised text. Kept for
        the latest texts: one message is often planned more than once (as a question, then as a follow-up of
        the last answer; whole, then part by part), and the vectorisers take most of a plan's time."""
        cached = self._scores.get(normalised)
        if cached is not None:
            return dict(cached)
        sims = (self._matrix @ self._encode([normalised]).T).toarray().ravel()
        best: Dict[str, float] = {}
        for label, sim in zip(self._labels, sims, strict=True):
            if sim > best.get(label, -1.0):
                best[label] = float(sim)
        if len(self._scores) >= SCORES_CACHE_SIZE:  # bounded: every message may bring a new text
            self._scores.clear()
        self._scores[normalised] = best
        return dict(best)

    def rank(self, text: str, intent_topic: Optional[str] = None, context_topic: Optional[str] = None,
             context_fact: Optional[str] = None) -> Tuple[Tuple[str, ...], List[Tuple[str, float, float]]]:
        """The certifications the text names, and every candidate as (label, score, score + intent
        bonus + context bonus), best first by the latter. The score is the cosine, plus
        ``concept_weight`` times the share of the question's concepts the fact's questions speak of, plus
        ``figure_weight`` times the share of the units of the question's figures the fact's answer states one in.
        ``context_topic``/``context_fact``: what was just answered, used when the question names no
        certification (it leans on the conversation): facts of that topic, or speaking of the same
        things, get up to ``context_bonus``."""
        normalised, found = self.normalise(text)
        if not normalised:
            return found, []
        raw = self.scores(normalised)
        asked = frozenset(self.lexicon.concepts_in(text.lower())) if self.lexicon is not None else frozenset()
        previous = self.concepts.get(context_fact or "", frozenset())
        claimed = frozenset(claimed_figures(text)) if self.book.figure_weight else frozenset()
        units = frozenset(unit for unit, _ in claimed)
        ranked = []
        for label, score in raw.items():
            is_topic = label.startswith(TOPIC_PREFIX)
            topic = label[len(TOPIC_PREFIX):] if is_topic else self.book.facts[label].topic
            if asked and not is_topic and self.book.concept_weight:
                score += self.book.concept_weight * len(asked & self.concepts.get(label, frozenset())) / len(asked)
            if units and not is_topic:  # "the CSM exam is 90 min right?": the facts stating other minutes
                score += self.book.figure_weight * len(_other_figures(claimed, self.units.get(label, frozenset()))) / len(units)
            bonus = self.book.intent_bonus if intent_topic and topic == intent_topic else 0.0
            if not found and not is_topic and (context_topic or previous):
                mine = self.concepts.get(label, frozenset())
                overlap = len(previous & mine) / len(previous | mine) if previous and mine else 0.0
                same_topic = 1.0 if context_topic and topic == context_topic else 0.0
                bonus += self.book.context_bonus * max(overlap, same_topic)
            ranked.append((label, score, score + bonus))
        ranked.sort(key=lambda c: -c[2])
        return found, ranked

    def find(self, text: str, named: Sequence[str] = (), context: Optional[str] = None,
             intent_topic: Optional[str] = None, min_score: Optional[float] = None) -> Match:
        """The fact (or topic) a question asks for: the best candidate about a certification named
        (or, when none is, the one in ``context``), above ``min_score``; a topic for a broad question.
        Facts that only answer for a neighbour (``only_with``) are skipped here."""
        found, ranked = self.rank(text, intent_topic)
        wanted = tuple(dict.fromkeys(tuple(named) + found)) or ((context,) if context else ())
        raw = {label: score for label, score, _ in ranked}
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                return Match(fact=None, topic=label[len(TOPIC_PREFIX):], score=score)
            fact = self.book.facts[label]
            if fact.only_with or (wanted and not set(wanted) & set(fact.certifications)):
                continue
            if score < (self.book.min_score if min_score is None else min_score):
                return Match(fact=None, topic=None, score=score)
            if not wanted and self._ambiguous(fact, score, raw):
                return Match(fact=None, topic=fact.topic, score=score)
            return Match(fact=fact, topic=fact.topic, score=score)
        return Match(fact=None, topic=None, score=0.0)

    def ambiguous(self, fact: FactEntry, score: float, raw: Mapping[str, float]) -> bool:
        """A fact about one certification, when the same question fits the other one's fact almost as well."""
        return self._ambiguous(fact, score, raw)

    def _ambiguous(self, fact: FactEntry, score: float, raw: Mapping[str, float]) -> bool:
        if len(fact.certifications) != 1:
            return False
        return any(
            other.topic == fact.topic and other.certifications != fact.certifications
            and raw.get(other.id, 0.0) >= score - self.book.ambiguity_margin
            for other in self.book.facts.values() if other.id != fact.id and not other.only_with
        )


def _other_figures(claimed: frozenset, stated: frozenset) -> frozenset:
    """The units in which the answer states a figure and the question another ("90 min" against "60 minutes"): a
    figure the user quotes from the answer ("the 90 days") is in its words already, and says nothing of what is asked."""
    units = {unit for unit, _ in stated}
    return frozenset(unit for unit, value in claimed if unit in units and (unit, value) not in stated)


@lru_cache(maxsize=1)
def get_fact_index() -> FactIndex:
    """The facts of the knowledge base and their index, built once per process."""
    from actions.lexicon import lexicon_from_knowledge

    kb = get_knowledge()
    return FactIndex(facts_from_knowledge(kb), lexicon=lexicon_from_knowledge(kb))
