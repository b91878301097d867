"""Single facts and the retriever that finds the one a question asks for.

The facts live in ``knowledge/facts.yml``: each has an id, the certification(s) it is about, the topic
it belongs to, a one- or two-sentence answer, example questions and a source. :func:`facts_from_knowledge`
reads and checks them; :class:`FactIndex` matches a new question against the example questions with a
TF-IDF model over word and character n-grams (chosen on the held-out set in ``tests/facts/``; the
figures are in ``scripts/measure_facts.py``'s output and the README). Broad questions ("tell me about
the CSPO") match a topic instead, and then the topic summary is the answer. Pure: no Rasa here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, Source, get_knowledge

TOPIC_PREFIX = "topic:"


@dataclass(frozen=True)
class FactEntry:
    id: str
    certifications: Tuple[str, ...]
    topic: str
    answer: str
    questions: Tuple[str, ...]
    sources: Tuple[Source, ...]  # one or more keys of sources.yml


@dataclass(frozen=True)
class FactBook:
    facts: Mapping[str, FactEntry]
    broad_questions: Mapping[str, Tuple[str, ...]]  # topic -> questions wanting the topic summary
    min_score: float  # below this, the question is answered with the topic summary
    intent_bonus: float  # added to candidates of the topic the NLU's intent points to
    unsure_min_score: float  # the stricter bar when the NLU was unsure of the intent (fallback)
    ambiguity_margin: float  # no certification named and two certifications' facts this close: topic answer
    aliases: Mapping[str, str]  # how a certification is written (lower case) -> certification key
    ignore_words: frozenset  # words that say nothing about which fact is asked ("the", "is", ...)


class Normaliser:
    """Replaces every way of writing a certification by one word, so that "is the CSPO course long?"
    and "is the CSM course long?" ask the same thing; returns which certifications were named."""

    PLACEHOLDER = "certname"

    def __init__(self, aliases: Mapping[str, str], ignore_words: frozenset) -> None:
        ordered = sorted(aliases, key=len, reverse=True)
        self._aliases = aliases
        self._ignore = ignore_words
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
        words = [w for w in re.findall(r"[\w'-]+", lowered) if w not in self._ignore]
        return " ".join(words), tuple(named)


@dataclass(frozen=True)
class Match:
    """The retriever's answer: a fact, or a topic when the question is broad or matches nothing well."""

    fact: Optional[FactEntry]
    topic: Optional[str]
    score: float


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
        unknown = set(entry) - {"id", "certifications", "topic", "answer", "questions", "source"}
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
        facts[fid] = FactEntry(
            id=fid,
            certifications=tuple(c for c in kb.certifications if c in certs),
            topic=topic,
            answer=_text(entry.get("answer"), f"{where}.answer", fail),
            questions=_texts(entry.get("questions"), f"{where}.questions", fail),
            sources=tuple(kb.sources[k] for k in source_keys),
        )
    broad_raw = kb.extra.get("broad_questions")
    if not isinstance(broad_raw, dict) or not broad_raw:
        raise fail("broad_questions", "expected a mapping of topic to questions")
    broad: Dict[str, Tuple[str, ...]] = {}
    for topic, questions in broad_raw.items():
        if topic not in kb.topics:
            raise fail(f"broad_questions.{topic}", "is not a topic of dialogue.yml")
        broad[str(topic)] = _texts(questions, f"broad_questions.{topic}", fail)
    settings = kb.extra.get("fact_retrieval") or {}
    min_score = settings.get("min_score", 0.35) if isinstance(settings, dict) else None
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 1:
        raise fail("fact_retrieval.min_score", f"expected a number between 0 and 1, found {min_score!r}")
    bonus = settings.get("intent_bonus", 0.0) if isinstance(settings, dict) else None
    if isinstance(bonus, bool) or not isinstance(bonus, (int, float)) or not 0 <= bonus <= 1:
        raise fail("fact_retrieval.intent_bonus", f"expected a number between 0 and 1, found {bonus!r}")
    unsure = settings.get("unsure_min_score", 1.0) if isinstance(settings, dict) else None
    if isinstance(unsure, bool) or not isinstance(unsure, (int, float)) or not 0 <= unsure <= 2:
        raise fail("fact_retrieval.unsure_min_score", f"expected a number between 0 and 2, found {unsure!r}")
    margin = settings.get("ambiguity_margin", 0.1) if isinstance(settings, dict) else None
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= 1:
        raise fail("fact_retrieval.ambiguity_margin", f"expected a number between 0 and 1, found {margin!r}")
    aliases = {alias: cert.key for cert in kb.certifications.values() for alias in cert.aliases}
    ignore = settings.get("ignore_words", []) if isinstance(settings, dict) else []
    if not isinstance(ignore, list):
        raise fail("fact_retrieval.ignore_words", "expected a list of words")
    return FactBook(facts=facts, broad_questions=broad, min_score=float(min_score), intent_bonus=float(bonus),
                    unsure_min_score=float(unsure), ambiguity_margin=float(margin), aliases=aliases,
                    ignore_words=frozenset(str(w).lower() for w in ignore))


def _text(value: Any, where: str, fail: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(where, "expected non-empty text")
    return value.strip()


def _texts(value: Any, where: str, fail: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail(where, "expected a non-empty list")
    return tuple(_text(v, f"{where}[{i}]", fail) for i, v in enumerate(value))


class FactIndex:
    """Nearest example question (cosine over TF-IDF of character n-grams within words).

    Questions are normalised first (:class:`Normaliser`): facts are matched on what is asked, and the
    certification named picks between facts that differ only in their certification. ``analyzers``
    picks the features: ``("char",)`` (default: the best on the held-out set), ``("word",)`` or
    ``("word", "char")``; the measuring
    script ``scripts/measure_facts.py`` compares them.
    """

    def __init__(self, book: FactBook, analyzers: Sequence[str] = ("char",)) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.book = book
        self.normalise = Normaliser(book.aliases, book.ignore_words)
        self._labels: List[str] = []
        docs: List[str] = []
        for fact in book.facts.values():
            for text in fact.questions:
                docs.append(self.normalise(text)[0])
                self._labels.append(fact.id)
        for topic, questions in book.broad_questions.items():
            for text in questions:
                docs.append(self.normalise(text)[0])
                self._labels.append(TOPIC_PREFIX + topic)
        self._vectorizers = []
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
        """Best cosine per candidate (fact id, or ``topic:<name>``) for an already normalised text."""
        sims = (self._matrix @ self._encode([normalised]).T).toarray().ravel()
        best: Dict[str, float] = {}
        for label, sim in zip(self._labels, sims, strict=True):
            if sim > best.get(label, -1.0):
                best[label] = float(sim)
        return best

    def find(self, text: str, named: Sequence[str] = (), context: Optional[str] = None,
             intent_topic: Optional[str] = None, min_score: Optional[float] = None) -> Match:
        """The fact (or topic) a question asks for.

        ``named``: certifications the NLU found in the message (added to those the aliases find);
        facts about only other certifications are skipped. ``context``: the certification the
        conversation is about, used when the message names none. ``intent_topic``: the topic of the
        intent the NLU chose; candidates of that topic get ``intent_bonus`` (from the data).
        """
        normalised, found = self.normalise(text)
        wanted = tuple(dict.fromkeys(tuple(named) + found)) or ((context,) if context else ())
        if not normalised:
            return Match(fact=None, topic=None, score=0.0)
        raw = self.scores(normalised)
        scores = dict(raw)
        if intent_topic and self.book.intent_bonus:
            for label in scores:
                topic = label[len(TOPIC_PREFIX):] if label.startswith(TOPIC_PREFIX) else self.book.facts[label].topic
                if topic == intent_topic:
                    scores[label] += self.book.intent_bonus
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        for label, _ in ranked:
            score = raw[label]  # the bonus orders the candidates; the bar applies to the words alone
            if label.startswith(TOPIC_PREFIX):
                return Match(fact=None, topic=label[len(TOPIC_PREFIX):], score=score)
            fact = self.book.facts[label]
            if wanted and not set(wanted) & set(fact.certifications):
                continue
            if score < (self.book.min_score if min_score is None else min_score):
                return Match(fact=None, topic=None, score=score)
            if not wanted and self._ambiguous(fact, score, raw):
                # "what should I do after getting certified?": the CSM's and the CSPO's answers fit alike
                return Match(fact=None, topic=fact.topic, score=score)
            return Match(fact=fact, topic=fact.topic, score=score)
        return Match(fact=None, topic=None, score=0.0)


    def _ambiguous(self, fact: FactEntry, score: float, raw: Mapping[str, float]) -> bool:
        """A fact about one certification, when the same question fits the other one's fact almost as well."""
        if len(fact.certifications) != 1:
            return False
        return any(
            other.topic == fact.topic and other.certifications != fact.certifications
            and raw.get(other.id, 0.0) >= score - self.book.ambiguity_margin
            for other in self.book.facts.values() if other.id != fact.id
        )


@lru_cache(maxsize=1)
def get_fact_index() -> FactIndex:
    """The facts of the knowledge base and their index, built once per process."""
    return FactIndex(facts_from_knowledge(get_knowledge()))
