"""The answer planner: reads a parsed message and the conversation's context once, and decides what
the answer is — one fact, its counterpart for the other certification, a topic summary, a
neighbouring certification, the audience shortcut, an honest "not known", or nothing (the caller's
own reply: the form, the fallback, out of scope).

It returns a :class:`Decision` with a trace (the candidates and their scores, what the question asks
for, the rule that decided) that goes into the bot event's metadata, so the workbench can show "why
this answer". Pure: no Rasa, no I/O; the data (facts, lexicon, unknowns, neighbours) comes in.

The rules, in order (each is named in the trace):
1. ``button``: a typed or clicked payload ("/ask_cost") asks for its topic summary.
2. ``counterpart``: "and for the CSPO?" right after a fact: the same fact for the other certification
   (data: ``counterparts`` in facts.yml); without a fact before it, ``followup_topic``: the previous
   topic for the certification named.
3. ``neighbour_fact`` / ``neighbour_not_known`` / ``neighbour``: a neighbouring certification named
   (PSM, A-CSM, ...): a fact that answers for it, an honest "not known" when the question asks for a
   detail no fact states (a price, a count, ...), else what it is and how it relates.
4. ``known_unknown``: a question the knowledge data lists as not answerable (pass rates, salary
   figures, course dates, ...): say so, with the nearest fact and where to look.
5. ``audience``: "which one is for a business analyst?": the article's answer for that role.
6. ``fact``: the best fact above ``min_score`` that states what the question asks for (a price
   question is never answered with a duration) and is about the certification asked.
7. ``broad_topic``: a broad question ("tell me about the CSPO", "csm costs?") gets the topic summary.
8. ``not_known``: a question the facts do not answer: say so, at most the nearest fact, where to look.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.claims import contradicts
from actions.context import is_elliptical, mentioned_certifications
from actions.decision import (
    AUDIENCE,
    COUNTERPART,
    FACT,
    NEIGHBOUR,
    NO_ANSWER,
    NO_CONTEXT,
    NOT_KNOWN,
    TOPIC,
    TRACE_CANDIDATES,
    UNPARTICULAR_ASKS,
    Context,
    Decision,
    Turn,
)
from actions.facts import TOPIC_PREFIX, FactEntry, FactIndex, Normaliser
from actions.figures import Worker
from actions.knowledge_base import Knowledge, KnowledgeError
from actions.neighbours import ENTITY as NEIGHBOUR_ENTITY
from actions.neighbours import Neighbours
from actions.parts import question_parts
from actions.polarity import modality, polarity
from actions.question_text import (
    ABOUT_THE_ADVISOR,
    ASKING_FRAME,
    COUNT_OF_WHAT_WAS_SAID,
    GOING_ON,
    PRONOUN,
    QUESTION_START,
    UNIT_ONLY,
    WORD,
    leans_on_context,
    looks_like_a_question,
    named_beyond_comparison,
    only_compared,
    only_likened,
    the_asking_clause,
    the_question,
    without_what_is_not_asked,
    word_count,
)
from actions.sameness import comparison, sameness
from actions.sides import sides_from_knowledge
from actions.spelling import Speller, corrected_turn
from actions.spelling import vocabulary as spelling_vocabulary
from actions.stages import stages_from_knowledge
from actions.threshold import SCORE_WORDS
from actions.unknowns import Unknown, Unknowns

_SPAN = re.compile(r"\b(\d+|one|two|three|five|twelve|24)\s+(months?|years?)\b", re.I)
_WITHIN_SPAN = re.compile(r"\b(within|in the (past|last))\b[^.;]{0,30}\b(days?|weeks?|months?|years?)\b", re.I)
ISSUER_CONCEPT = "issuer"  # lexicon.yml's concept of who issues a certification
_ALLIANCE_ONLY = re.compile(r"^(?!.*\b(scrum\.org|pmi|scaled agile|safe|psm|pspo|pmp)\b).*\bscrum ?alliance\b", re.I | re.S)
_ASKS_ISSUER = re.compile(r"\b(who|which (organi[sz]ation|body|company))\b|\bissu|\baward|\bbehind\b", re.I)
DEADLINE_CONCEPT = "deadline"  # lexicon.yml's concept of a time limit or window ("by when", "time window")
# a verb, not the thing a certification may lack ("how to test product assumptions")
_DOING_IT = re.compile(r"\b(to|how to|can|will|we|you|i) (test|examine|assess)\b|\btesting\b")
_SMALL_UNITS = re.compile(r"\b(hours?|hrs?|minutes?|mins?|days?|weeks?)\b", re.I)


def _role_cues(kb: Knowledge, roles: Mapping[str, str], key: str = "role_cues") -> Dict[str, Tuple["re.Pattern[str]", ...]]:
    """lexicon.yml `role_cues` (or `role_moves`): a role value -> the regular expressions that describe it (or
    a move into it)."""
    raw = kb.extra.get(key) or {}
    where = kb.extra_files.get(key, "knowledge/lexicon.yml")
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        raise KnowledgeError(where, key, "expected a mapping of role values to lists of patterns")
    cues: Dict[str, Tuple["re.Pattern[str]", ...]] = {}
    for role, patterns in raw.items():
        if roles and role not in roles:
            raise KnowledgeError(where, f"{key}.{role}", "not a role of recommender.yml's role_leaning")
        try:
            cues[str(role)] = tuple(re.compile(str(p)) for p in patterns)
        except re.error as e:
            raise KnowledgeError(where, f"{key}.{role}", f"not a valid pattern: {e}") from None
    return cues


def _spelled_names(aliases: Iterable[str]) -> Dict[str, str]:
    """The names people may say letter by letter ("c s p o", "a c s m"): the letters of each one-word alias
    ("csp-po": "csppo") -> the alias (the one written as its letters when there is one: "psm", not "psm1")."""
    out: Dict[str, str] = {}
    for alias in aliases:
        letters = re.sub(r"[^a-z]", "", alias.lower())
        if " " not in alias.strip() and len(letters) >= 2 and (letters not in out or alias.lower() == letters):
            out[letters] = alias.lower()
    return out


def _shorthand(kb: Knowledge) -> Dict[str, str]:
    """lexicon.yml `shorthand`: a lower-case word -> the word(s) it stands for."""
    raw = kb.extra.get("shorthand") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and re.fullmatch(r"[a-z]+", k) and isinstance(v, str) and v.strip()
                                            for k, v in raw.items()):
        raise KnowledgeError(kb.extra_files.get("shorthand", "knowledge/lexicon.yml"), "shorthand",
                             "expected a mapping of lower-case words to the words they stand for")
    return {k: v.strip() for k, v in raw.items()}


GENERAL_TOPIC = "overview"  # the summary of what a certification is: the topic any question about it fits a little
# "the requirements / eligibility / prerequisites for the PMP" (not "should I get the PMP?")
_REQUIREMENT_NOUN = re.compile(r"(requirements?|reqs|eligib\w*|criteria|pre-?req\w*|qualifications?|conditions)$")
REDACTED = re.compile(r"\[[a-z]+\]")
POINT_ASKS = ("price", "duration", "count", "percent")  # asked for, a "which one?" is no question of fit
FIGURE_ASKS = ("count", "percent")  # a known unknown asking for one of these shows no nearest fact with a number
ASKED_AGAIN_MAX_WORDS = 5  # "and what about renewing?": longer questions say what they ask themselves
DIFFERENCE_CONCEPT = "difference"  # lexicon.yml's concept of comparing the two ("different", "vs", "compare")
# ... unless the words fit the fact just given less than this, and another fact better by as much ("and who defines
# the vision?" right after who removes impediments asks about the vision)
SAID_ALREADY_OUTSCORED = 0.25
WINDOW_AGAIN_MAX_WORDS = 5
_ASKS_WHEN = re.compile(r"\b(when|within what|within which|what time ?frame|which time ?frame|what period|counted from|"
                        r"count(ing)? from|starts? (counting|from)|from what date|(what|which) time ?period|how far back)\b")
_ASKING_WORDS = frozenset({"what", "when", "where", "which", "whom", "whose", "much", "many", "long", "often", "soon"})
# "is psm a scrum alliance cert?": who issues it (a regular expression, not words of the retriever's lexicon: those
# shift every fact's weights)
_ISSUER_ASKED = re.compile(r"\b(a|an)\s+(official\s+)?(scrum alliance|scrum\.org|pmi|scaled agile)\b")
# whose duty something is, in so many words ("is the product vision the scrum master's job?")
_WHOSE_DUTY = re.compile(r"\b(own|owns|owned|job|jobs|responsib\w*|in charge|duty|duties|task|tasks)\b")
# "the CSM, not the CSPO", "the CSM rather than the CSPO": one of the two named claimed over the other
_NOT_THE_OTHER = re.compile(r"\b(not|rather than|instead of|over|before)\b")
# "the scrum master one", "the PO cert": a role named for its certification
_ITS_CERTIFICATION = re.compile(r"\s*(one|cert|certs|certificate|certification|course|track|path|exam)\b", re.I)


def _names_its_certification(text: str, entity: Mapping[str, Any]) -> bool:
    end = entity.get("end")
    return entity.get("entity") == "role" and isinstance(end, int) and bool(_ITS_CERTIFICATION.match(text, end))


# "would my CSPO work instead?": whether it counts, not work experience
_THE_OTHER = re.compile(r"\bthe other( one| cert\w*| course| exam| test)?\b")
# "and the advanced one of that?" after the CSPO: the advanced certification of its track (the A-CSPO)
_THE_ADVANCED = re.compile(r"\b(the|an?|its) advanced (one|version|level|cert\w*|credential|step)\b")
# "what if I already have the CSM?" right after what the A-CSPO needs: whether the one held counts towards it
_WHAT_IF_I_HOLD = re.compile(r"\W*((and|so|ok|okay|but)\W+)*(what if|what about if|how about if) i "
                             r"(already )?(have|hold|got|own|did|do|earned|passed)\b")
_WORKS_INSTEAD = re.compile(r"\bwork(s)? (instead|for (it|that|this))\b")
_CONTENT_WORD = re.compile(r"[a-z][a-z'-]*")
# a message of at least this many words whose sentences that ask are at most this share of it tells a story around
# its question: when no fact answers it whole, those sentences are read alone
STORY_MIN_WORDS = 30
STORY_QUESTION_SHARE = 0.5
ASIDE_MAX_WORDS = 6  # "ok 50 then.", "i already know scrum well.": what a short message says before its question
# "so how many 8-hour days is that?": a question asking for a figure, claiming none
_ASKS_A_FIGURE = re.compile(r"\W*((so|and|ok|okay|but|then)\W+)*(how (many|much|long)|what|which|when)\b", re.I)
IN_ITS_WORDS_MAX = 4  # "before or after the course?": at most this many words beside the ignored ones
SAID_ALREADY_MAX_WORDS = 9  # "how much does that cost?", "and how long do I have to use them": longer ones stand alone
# whether a certification is needed for, or counts towards, another ("does a PSM I count toward the A-CSM?")
_BUILDS_ON = re.compile(r"\b(counts?|qualif\w*|need|needs|needed|require[sd]?|requirement|prerequisites?|first|before|"
                        r"enough|accepted|towards?|instead|necessary|mandatory|without)\b")
# ... not about another of its requirements (experience, the course, the level after it, an expired one)
_OTHER_REQUIREMENT = re.compile(r"\b(experience|work|worked|course|class|training|months?|years?|csp(-?(sm|po))?|active|"
                                r"expired|lapsed|sm|po|scrum master|product owner)\b")
# a part of a message that says something of the user ("i work in HR", "my company pays"), not a question
# a part asking again what the part before asked, in other words ("... ? i mean who teaches it"): only it counts
_REPHRASED = re.compile(r"\W*((sorry|oops|ok|or)\W+)?(i mean|i meant|what i mean is|what i meant is|in other words)\b", re.I)
_TELLS_ABOUT_ONESELF = re.compile(r"\W*(i|i'm|im|i am|i've|ive|my|we|we're|our)\b", re.I)
# ... or of their situation, before the question ("if I do the course in March, ...", "as the exam is short, ...")
_SITUATION = re.compile(r"\W*(i|i'm|im|i am|i've|ive|my|we|we're|our|if|as|since|when|because)\b", re.I)
# a question asking only whether what the message said is so ("..., is that true?", "..., right?")
_CHECKS_A_CLAIM = re.compile(r"\W*(is (that|this|it) (true|right|correct|so|accurate|a fact)|"
                             r"(is that|that's|thats) (really )?(true|right|correct)|"
                             r"true|right|correct|really|is it|am i right)\W*$", re.I)
_SAMENESS = re.compile(r"\b(same|different|differs?|unlike)\b")
_COMPARING = re.compile(r"\b(vs\.?|versus|compared?|compares|comparing|comparison|differen\w*|differs?|than|"
                        r"which (one|of (them|the two)|has|is|lasts|costs|needs|expires))\b")
_MOVING_ON = re.compile(r"^\W*(and|what about|how about|ok and|so and)\s+(the|its|their|your)\b", re.I)
_PRONOUN_OBJECT = re.compile(r"\b(for|before|towards?|into|with|of|does|do|did|will|would|is|can|could) "
                             r"(it|that|this|that one|this one)\b")


_ENDINGS = ("'s", "s", "es", "ed", "ing", "er", "ers", "est", "ation", "ations", "ion", "ions", "ment", "ments")


def _vocabulary(kb: Knowledge, index: FactIndex, neighbours: Neighbours) -> frozenset:
    texts: List[str] = []
    for fact in index.book.facts.values():
        texts += list(fact.questions) + [fact.answer]
    for questions in index.book.broad_questions.values():
        texts += list(questions)
    for cert in kb.certifications.values():
        texts += list(cert.aliases) + [cert.name] + [f"{t.summary} {' '.join(t.items)}" for t in cert.topics.values()]
    for n in neighbours.entries.values():
        texts += list(n.aliases) + [n.name, n.what, n.relation]
    if index.lexicon is not None:
        texts += [p.rstrip("*") for phrases in index.lexicon.concepts.values() for p in phrases]
        texts += list(index.lexicon.polarity_generic) + list(index.lexicon.common_words)
    texts += list(index.book.ignore_words) + list(kb.followup_words)
    words = set(re.findall(r"[a-z][a-z'-]+", " ".join(texts).lower()))
    # the parts of a hyphenated word are words of the knowledge too ("servant-leader": "is the SM a servant?")
    return frozenset(words | {part for w in words if "-" in w for part in w.split("-") if len(part) >= 3})


def _only_names(text: str, aliases: Sequence[str], kb: Knowledge) -> bool:
    """True when the message is only a name (one of ``aliases``) plus linking words ("and psm 1?")."""
    lowered = text.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        lowered = re.sub(r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])", " ", lowered)
    return all(t in kb.followup_words for t in re.findall(r"[\w'.-]+|[?!.,]", lowered))


_IT = re.compile(r"\bit\b", re.I)  # "how do I get it?": the pronoun a certification may stand for



def _reads_the_figure(fact: FactEntry, text: str) -> bool:
    """Whether the fact's minimum (`threshold`) reads a figure of the question ("got 38 out of 50", "8 months")."""
    return fact.threshold is not None and fact.threshold.answer(text) is not None


def _gives_a_page(fact: FactEntry) -> bool:
    """A fact that states where (`asks: where`) with the page's address in its answer."""
    return "where" in fact.asks and "://" in fact.answer


# "I earned 20 SEUs, some from 3 years ago, do they still count?": the fact a user's own number is put
# against answers only when no other fact fits the question better than it by more than this (the
# two-year window, not "Yes." and the 20 SEUs)
THRESHOLD_MARGIN = 0.03
# ... among a neighbour's facts, where its course and its experience share most words ("get the A-CSPO")
NEIGHBOUR_THRESHOLD_MARGIN = 0.15
# A question this close to one of a fact's own questions is that question: no known unknown's cue outweighs it
SAME_QUESTION_SCORE = 0.97



def _outscored(fact_id: str, ranked: Sequence[Tuple[str, float, float]], bar: float) -> bool:
    """Whether another fact than ``fact_id`` reaches ``bar`` and outscores it by SAID_ALREADY_OUTSCORED."""
    scores = {label: score for label, score, _ in ranked}
    best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
    own = scores.get(fact_id, 0.0)
    return best is not None and best[0] != fact_id and best[1] >= bar and own < SAID_ALREADY_OUTSCORED \
        and best[1] - own >= SAID_ALREADY_OUTSCORED


def _words(kb: Knowledge, key: str) -> frozenset:
    """A list of words of the knowledge data (lexicon.yml), lower case; none when it is missing."""
    raw = kb.extra.get(key)
    return frozenset(str(w).lower() for w in raw) if isinstance(raw, list) else frozenset()


@dataclass(frozen=True)
class Reading:
    """What the planner read of a message before it looks for one fact (rules 6-8)."""

    text: str
    named: Tuple[str, ...]  # the certifications it asks about
    asks: Tuple[str, ...]  # what it asks for (lexicon `asks`), or what the question before it asked
    own_asks: Tuple[str, ...]  # ... in its own words
    concepts: Tuple[str, ...]  # what it speaks of (lexicon `concepts`)
    ranked: Tuple[Tuple[str, float, float], ...]  # the candidates (facts and topics), best first
    candidates: Tuple[Tuple[str, float], ...]  # the best of them, for the trace
    topic: Optional[str]  # the topic of the NLU's intent (or of the last answer)
    topic_from_context: bool
    on_a_point: bool  # it asks about one point the two differ on, or for a price, a duration, a count


class Planner:
    """Decides the answer to one message. Built once per process from the knowledge data."""

    def __init__(self, kb: Knowledge, index: FactIndex, neighbours: Neighbours, unknowns: Unknowns,
                 role_leaning: Mapping[str, str], coverage: Optional[int] = None,
                 guide_facts: Optional[Mapping[str, str]] = None, user_words: Optional[Counter] = None) -> None:
        self.kb, self.index, self.neighbours, self.unknowns = kb, index, neighbours, unknowns
        self.sides = sides_from_knowledge(kb, tuple(index.book.facts))  # "which one is about the how?" (actions/sides.py)
        self.stages = stages_from_knowledge(kb, tuple(index.book.facts))  # "I failed twice, now what?" (actions/stages.py)
        # "I got certified in March 2024, when must I renew?" (actions/figures.py)
        self.worker = Worker(index.book.works_out) if index.book.works_out else None
        self.role_leaning = role_leaning  # role entity value -> "csm" | "cspo" | "none"
        self.role_cues = _role_cues(kb, role_leaning)
        self.role_moves = _role_cues(kb, role_leaning, "role_moves")
        # goal intent -> the fact with the article's choose-if line for it (facts.yml `guide_facts`)
        self.guide_facts = dict(index.book.guide_facts if guide_facts is None else guide_facts)
        self._guide_topics = {index.book.facts[f].topic for f in self.guide_facts.values() if f in index.book.facts}
        # How many of the question's concepts a fact may leave unexplained (None: not checked).
        self.coverage = index.book.max_unexplained if coverage is None else (coverage if coverage >= 0 else None)
        self._fact_concepts: Dict[str, frozenset] = {}
        self._fact_words: Dict[str, frozenset] = {}  # the first letters of each word a fact's questions and answer use
        self._span_facts: set = set()  # facts stating a span in months or years ("12 months of work")
        # every way of writing the CSM or the CSPO ("and for a csm?" puts the one named into the question before)
        names = sorted({a for c in kb.certifications.values() for a in c.aliases}, key=len, reverse=True)
        self._certification_names = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in names) + r")(?![\w-])",
                                                re.I) if names else None
        # ... and of the neighbours ("and the a-cspo?" right after "how much does the a-csm course cost?")
        every = sorted({a for c in kb.certifications.values() for a in c.aliases}
                       | {a for n in neighbours.entries.values() for a in n.aliases}, key=len, reverse=True)
        self._any_names = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in every) + r")(?![\w-])", re.I) \
            if every else None
        self._definition_words, self._requirement_words, self._requirement_fillers = (
            _words(kb, key) for key in ("definition_words", "requirement_words", "requirement_fillers"))
        self.vocabulary = _vocabulary(kb, index, neighbours)
        # the fact saying what a neighbour is (its first `answers_facts`: "what comes after the csm?" gets the A-CSM's)
        self._introducing: Dict[str, str] = {}
        for key, entry in neighbours.entries.items():
            if entry.answers_facts and entry.answers_facts[0] not in self._introducing:
                self._introducing[entry.answers_facts[0]] = key
        # one typo per word put right before anything reads the words (actions/spelling.py)
        # (`user_words`: the NLU examples' words, never taken for typos)
        self.speller = Speller(spelling_vocabulary(kb.extra) + Counter(self.vocabulary), keep=user_words,
                               shorthand=_shorthand(kb), spelled=_spelled_names(every))
        # the certifications' names (aliases, longest first), for a name the corrections reveal (_names_put_right)
        self._aliases = [(re.compile(r"(?<![\w.-])" + re.escape(alias) + r"(?![\w-])"), key) for alias, key in sorted(
            ((alias.lower(), key) for key, cert in kb.certifications.items() for alias in cert.aliases),
            key=lambda pair: -len(pair[0]))]
        self._by_prefix: Dict[str, List[str]] = {}
        for word in self.vocabulary:
            self._by_prefix.setdefault(word[:3], []).append(word)
        lexicon = index.lexicon
        if lexicon is not None:
            for fact in index.book.facts.values():
                texts = " ".join(fact.questions + (fact.answer,)).lower()
                concepts = set(lexicon.concepts_in(texts)) | set(fact.speaks_of)
                if _WITHIN_SPAN.search(fact.answer) and DEADLINE_CONCEPT in lexicon.concepts:
                    concepts.add(DEADLINE_CONCEPT)  # "within the past five years" is a time window
                self._fact_concepts[fact.id] = frozenset(concepts)
                self._fact_words[fact.id] = frozenset(w[:5] for w in index.normalise(texts)[0].split())
                if "duration" in fact.asks and _SPAN.search(fact.answer):
                    self._span_facts.add(fact.id)
        for n in neighbours.entries.values():
            if n.builds_on_fact and n.builds_on_fact not in index.book.facts:
                raise KnowledgeError("knowledge/neighbours.yml", f"neighbours.{n.key}.builds_on_fact",
                                     f"unknown fact {n.builds_on_fact!r}")
        for u in unknowns.entries:
            if u.related and u.related not in index.book.facts:
                raise KnowledgeError("knowledge/unknowns.yml", f"unknowns.{u.id}.related", f"unknown fact {u.related!r}")

    # ------------------------------------------------------------------ the decision
    def plan(self, turn: Turn, context: Context) -> Decision:
        corrected = corrected_turn(turn, self.speller)
        if corrected.text != turn.text:
            corrected = self._names_put_right(corrected)
        turn = without_what_is_not_asked(corrected)
        other = self._the_other_one(turn, context)
        if other is not None:  # "and how long is the course for the other?" after an answer about the CSM
            # (where the message says it: "ok, same question for the other one?" is then "... for the CSPO?")
            said = _THE_OTHER.search(turn.text.lower())
            where = {"start": said.start(), "end": said.end()} if said else {}
            turn = replace(turn, entities=tuple(turn.entities) + ({"entity": "certification", "value": other, **where},))
        turn = self._the_advanced_one(turn, context)
        decision = self._plan_turn(turn, context)
        if decision.kind in (FACT, COUNTERPART, NOT_KNOWN) and not turn.is_payload and decision.rule != "source_of_last":
            # (not "who do I pay? where do i do it" right after a fee: one question, where the fee is paid)
            parts = question_parts(turn.text)
            if len(parts) > 1 and not self.sides.both_asked(turn.text.lower()):  # (the how and the what: one question)
                decision = self._plan_parts(turn, context, parts) or decision
        decision = self._asked_in_a_story(decision, turn, context) or decision
        decision = self._read_with_last(decision, turn, context)
        if decision.kind in (FACT, COUNTERPART) and decision.fact is not None and not decision.neighbours \
                and decision.fact.id in self._introducing:
            # "do I need the CSM for it?" right after "what comes after the csm?" asks about the A-CSM
            decision = replace(decision, introduces=self._introducing[decision.fact.id])
        return decision

    def _asked_in_a_story(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"I spent eleven years as an ER nurse ... I work long shifts so I need to plan ahead: how many hours is the
        CSM course itself? I can swap shifts if I know in advance.": a long message no fact answers whole, whose
        sentences that ask are a small part of it, read as those sentences alone; their fact, when one answers them at
        the bar the whole message is held to (the NLU's doubt about the whole stays)."""
        # (a shorter message too when a sentence of its own asks: "ok 50 then. and the pass mark?")
        short = word_count(turn.text) < STORY_MIN_WORDS
        several = decision.rule == "neighbour_not_known" and len(decision.neighbours) > 1
        if (decision.rule not in ("not_known", "no_fact_no_topic") and not several) or decision.unknown is not None \
                or turn.is_payload or (short and the_question(turn.text) == turn.text):
            return None
        question = the_asking_clause(turn.text)  # (from the words that ask: "..., I want to know: how many hours ...?")
        if question == turn.text or (not short and word_count(question) > STORY_QUESTION_SHARE * word_count(turn.text)) \
                or (short and word_count(turn.text) - word_count(question) > ASIDE_MAX_WORDS):
            return None  # (a short message: only after a short aside; a longer story says what its question leans on)
        entities = []
        for e in turn.entities:  # the entities the sentences that ask hold, at their place in them
            start, end = e.get("start"), e.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                continue
            at = question.find(turn.text[start:end])
            if at >= 0:
                entities.append({**e, "start": at, "end": at + end - start})
        if several and len({e.get("value") for e in entities if e.get("entity") == NEIGHBOUR_ENTITY}) != 1:
            return None  # ("I got my A-CSPO last year ... how much experience does CSP-PO require?": the one asked about)
        again = self._plan_turn(replace(turn, text=question, entities=tuple(entities)), context)
        if again.kind != FACT or again.fact is None or again.rule not in ("fact", "neighbour_fact"):
            return None
        return replace(again, rule="asked_in_a_story" if again.rule == "fact" else again.rule)

    def _read_with_last(self, decision: Decision, turn: Turn, context: Context) -> Decision:
        """A question no fact answers, or answered with a fact off the subject of the user's message before: read
        with what that message spoke of (``_subject_of_last``), when that gives a fact."""
        if decision.rule in ("not_known", "no_fact_no_topic", "neighbour_not_known") \
                and (decision.unknown is None or decision.rule == "neighbour_not_known"):
            covered = self._covered_by_last(turn, context)
            if covered is not None:
                return covered
        if decision.rule in ("not_known", "no_fact_no_topic") or self._off_the_subject(decision, turn, context):
            return self._subject_of_last(turn, context) or self._unknown_of_last(decision, turn, context) \
                or self._it_is_the_certification(decision, turn, context) or self._near_the_last(decision, turn, context) \
                or decision
        return decision

    def _near_the_last(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"is it live or can I do it at my own pace?" right after the course's length, which the NLU fell back on: its
        best fact ("the courses are live ...") speaks, as the fact just given does, of what the question speaks of
        ("live"), and its "it" is that: the fact from `context_min_score`, below the unsure message's bar."""
        lexicon, book = self.index.lexicon, self.index.book
        last = book.facts.get(str(context.fact)) if context.fact else None
        if lexicon is None or last is None or not turn.unsure or decision.rule != "not_known" or decision.unknown is not None \
                or not PRONOUN.search(turn.text.lower()) or word_count(turn.text) > SAID_ALREADY_MAX_WORDS + 3:
            return None
        weak = set(lexicon.weak_concepts)
        own = set(lexicon.concepts_in(turn.text.lower())) - weak
        shared = own & set(lexicon.concepts_in(last.answer.lower()))
        best = next(((label, score) for label, score in decision.candidates if not label.startswith(TOPIC_PREFIX)), None)
        if not shared or best is None or best[1] < book.context_min_score:
            return None
        fact = book.facts[best[0]]
        wanted = (str(context.certification),) if context.certification in self.kb.certifications else ()
        if fact.id == last.id or fact.only_with or not shared & set(lexicon.concepts_in(fact.answer.lower())) \
                or not self._eligible(fact, wanted) or own - set(self._fact_concepts.get(fact.id, frozenset())):
            return None
        return Decision(FACT, "near_last", fact=fact, topic=fact.topic, certifications=wanted or fact.certifications,
                        from_context=True, question=True, score=best[1], candidates=decision.candidates)

    def _covered_by_last(self, turn: Turn, context: Context) -> Optional[Decision]:
        """"does it have to be before I take the course?" right after "... the experience may come before or after the
        advanced course": a short yes/no question nothing else answers, every specific word of which the fact just given
        says (actions/polarity.py reads them), is that fact again; it speaks for itself (no "Yes."/"No." on it)."""
        lexicon = self.index.lexicon
        last = self.index.book.facts.get(str(context.fact)) if context.fact else None
        if lexicon is None or last is None or turn.is_payload or word_count(turn.text) > SAID_ALREADY_MAX_WORDS \
                or not leans_on_context(turn.text) or mentioned_certifications(self.kb, list(turn.entities)) \
                or self.index.normalise(turn.text)[1] or self.neighbours.named(turn.text, list(turn.entities)):
            return None
        if polarity(turn.text, last.answer, lexicon, self.index.normalise, lexicon.polarity_generic) is None:
            return None
        return Decision(FACT, "said_already", fact=last, topic=last.topic, certifications=last.certifications,
                        from_context=True, question=True, asks=lexicon.asks_of(turn.text))

    def _it_is_the_certification(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"so how do I get it then?" right after "the CSPO has no test: ...": a short question that nothing answers on
        its own words, whose "it" can only be the certification the conversation is about, read with that certification
        for "it"; its fact only at the sure bar (it rests on that reading). None otherwise."""
        lowered = turn.text.lower()
        it = _IT.search(turn.text)  # (on the text itself: the replacement below cuts it where "it" stands)
        if decision.rule not in ("not_known", "no_fact_no_topic") or it is None or turn.is_payload \
                or context.certification not in self.kb.certifications or word_count(lowered) > SAID_ALREADY_MAX_WORDS \
                or self.index.normalise(turn.text)[1] or mentioned_certifications(self.kb, list(turn.entities)) \
                or self.neighbours.named(turn.text, list(turn.entities)) \
                or (self.index.lexicon is not None and not self.index.lexicon.asks_of(turn.text)):
            return None  # (nor "what's the logic behind it", "enough, stop it": they ask for nothing a fact states)
        text = f"{turn.text[:it.start()]}the {context.certification}{turn.text[it.end():]}"
        read = self.plan(replace(turn, text=text), context)
        if read.kind not in (FACT, COUNTERPART) or read.rule not in ("fact", "counterpart_of_best", "threshold") \
                or read.score < self.index.book.unsure_min_score:
            return None
        return replace(read, rule="certification_of_last", from_context=True)

    def _unknown_of_last(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"and in the UK?" right after "how much do certified scrum masters earn?", which nobody publishes: a short
        follow-up that nothing answers on its own, going on from a question the data lists as not answerable, is
        that question again (the same honest "I don't know", not "that's outside what I know"); None otherwise."""
        text = turn.text.lower()
        if decision.rule not in ("not_known", "no_fact_no_topic") or not context.question or context.fact is not None \
                or turn.is_payload or word_count(text) > ASKED_AGAIN_MAX_WORDS or not GOING_ON.match(text):
            return None
        unknown = self.unknowns.matching(context.question)
        if unknown is None:
            return None
        named = tuple(self.index.normalise(context.question)[1])
        nearest = self.index.book.facts.get(unknown.related) if unknown.related else None
        return Decision(NOT_KNOWN, "known_unknown_of_last", unknown=unknown, nearest=nearest, certifications=named,
                        from_context=True, question=True)

    def _off_the_subject(self, decision: Decision, turn: Turn, context: Context) -> bool:
        """A fact chosen for a question with a pronoun ("how long is it?" after the CSM test's questions), or counting
        what it does not name ("how many do I need in total?" after SEUs), that speaks of nothing the user's message
        before it spoke of (the test): "it" was that."""
        lexicon = self.index.lexicon
        if lexicon is None or decision.rule != "fact" or decision.fact is None or not context.question \
                or not (PRONOUN.search(turn.text.lower()) or COUNT_OF_WHAT_WAS_SAID.search(turn.text.lower())):
            return False
        weak = set(lexicon.weak_concepts)
        before = {c for phrase, c in self._subject_phrases(context.question) if not lexicon.asks_of(phrase)} - weak \
            or set(lexicon.concepts_in(context.question.lower())) - weak - set(lexicon.asks)  # (all its words made it unknown)
        own = set(lexicon.concepts_in(turn.text.lower())) - weak - set(lexicon.asks)
        # (what its answer speaks of, not its example questions: the validity's "how long is the cert valid after the
        # course?" does not make "how long is it?" after "when is the next CSM course in Lisbon?" a question of validity)
        return bool(before) and not own - set(lexicon.concepts_in(context.question.lower())) \
            and not before & set(lexicon.concepts_in(decision.fact.answer.lower()))

    def _subject_phrases(self, question: str) -> Tuple[Tuple[str, str], ...]:
        """The words of a question naming a concept, each with its concept, but not those that made it a question the
        knowledge cannot answer: "when is the next CSM course in Lisbon?" spoke of the course, not of what is "next"."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        lowered = question.lower()
        unknown = self.unknowns.matching(lowered)
        spans = [m.span() for c in (unknown.cues if unknown is not None else ()) for m in c.finditer(lowered)]
        return tuple((phrase, concept) for phrase, concept in lexicon.concept_phrases(lowered)
                     if not any(start <= lowered.find(phrase) and lowered.find(phrase) + len(phrase) <= end
                                for start, end in spans))

    def _subject_of_last(self, turn: Turn, context: Context) -> Optional[Decision]:
        """A short follow-up that no fact answers on its own words ("how do i get them?", "within what period?")
        read with what the user's message before it spoke of (its lexicon concepts: "SEUs", "experience"): a fact
        that states what this one asks, other than the one just given and reaching the sure bar; None otherwise."""
        lexicon = self.index.lexicon
        text = turn.text
        if lexicon is None or not context.question or turn.is_payload or word_count(text) > SAID_ALREADY_MAX_WORDS \
                or not looks_like_a_question(text) or not leans_on_context(text) or self.index.normalise(text)[1] \
                or mentioned_certifications(self.kb, list(turn.entities)):
            return None
        if self.neighbours.named(text, list(turn.entities)) or self.foreign_words(the_asking_clause(text)):
            return None  # "is it the same at scrum.org?", "and in indian rupees?": about something else
        own = set(lexicon.concepts_in(text.lower()))
        # (the things it spoke of, not what it asked: "how long" is a duration asked, not a subject)
        subject = [phrase for phrase, concept in self._subject_phrases(context.question)
                   if concept not in own and not lexicon.asks_of(phrase)]
        if not subject:
            return None
        asks = lexicon.asks_of(text)
        if not set(asks) - UNPARTICULAR_ASKS or _SAMENESS.search(text.lower()):
            return None  # "do I need to wait between them?" (yes or no: on words no fact may speak of), "the same at ...?"
        wanted: Tuple[str, ...] = (str(context.certification),) if context.certification in self.kb.certifications else ()
        expanded = f"{text} ({' '.join(subject)})"
        concepts = lexicon.concepts_in(expanded.lower())
        book = self.index.book
        _, ranked = self.index.rank(expanded, None, context.topic, context.fact)
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                continue
            if score < book.subject_min_score:
                return None
            fact = book.facts[label]
            if fact.id == context.fact or fact.only_with or not self._eligible(fact, wanted, asks) \
                    or self._why_not(fact, expanded, asks, concepts, True):
                continue  # (the fact just given: the follow-up asks for something more)
            return Decision(FACT, "subject_of_last", fact=fact, topic=fact.topic, certifications=wanted or fact.certifications,
                            from_context=True, asks=asks, score=score, sure_score=book.unsure_min_score, question=True)
        return None

    def _names_put_right(self, turn: Turn) -> Turn:
        """A certification the speller's corrections reveal ("and teh product ownr?": the product owner), which the
        NLU, reading the typos, did not find: added as the entity it would have found (its aliases, data)."""
        lowered = turn.text.lower()
        taken = [(int(e["start"]), int(e["end"])) for e in turn.entities
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
        found: List[Dict[str, Any]] = []
        for alias, key in self._aliases:
            for m in alias.finditer(lowered):
                if not any(m.start() < end and start < m.end() for start, end in taken):
                    taken.append((m.start(), m.end()))
                    found.append({"entity": "certification", "value": key, "start": m.start(), "end": m.end()})
        return replace(turn, entities=tuple(turn.entities) + tuple(found)) if found else turn

    def _the_other_one(self, turn: Turn, context: Context) -> Optional[str]:
        """The certification a message means by "the other one", when it names none and the last answer was
        about one of the two; else None. A whole "and the other one?" is left to the swap rule."""
        lexicon = self.index.lexicon
        lowered = turn.text.lower()
        if lexicon is None or context.certification not in self.kb.certifications or turn.is_payload \
                or not lexicon.names_the_other_one(lowered) or lexicon.asks_the_other_way_round(lowered.strip()) \
                or mentioned_certifications(self.kb, list(turn.entities)) or self.index.normalise(turn.text)[1]:
            return None
        others = [c for c in self.kb.certifications if c != context.certification]
        return others[0] if len(others) == 1 else None

    def _the_advanced_one(self, turn: Turn, context: Context) -> Turn:
        """"and the advanced one of that?" after an answer about the CSPO, "what's the advanced version of the csm?":
        the advanced certification of that track (the neighbour building on it, neighbours.yml `related` and
        `builds_on_fact`), named as the NLU would have named it; the turn as it was when it names none or another."""
        said = _THE_ADVANCED.search(turn.text.lower())
        if said is None or turn.is_payload or any(e.get("entity") == NEIGHBOUR_ENTITY for e in turn.entities):
            return turn
        named = mentioned_certifications(self.kb, list(turn.entities))
        track = named[0] if len(set(named)) == 1 else (context.certification if not named else None)
        advanced = [k for k, n in self.neighbours.entries.items() if n.related == track and n.builds_on_fact]
        if track is None or len(advanced) != 1:
            return turn
        # (written as its name: "the advanced one" itself is no question of the advanced facts' words)
        name = f"{said.group(1)} {self.neighbours.entries[advanced[0]].aliases[0]}"
        moved = len(name) - (said.end() - said.start())
        entities = tuple(dict(e, start=int(e["start"]) + moved, end=int(e["end"]) + moved)
                         if isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and int(e["start"]) >= said.end()
                         else e for e in turn.entities)
        return replace(turn, text=turn.text[:said.start()] + name + turn.text[said.end():], entities=entities + (
            {"entity": NEIGHBOUR_ENTITY, "value": advanced[0], "start": said.start(), "end": said.start() + len(name)},))

    def _plan_parts(self, turn: Turn, context: Context, parts: Sequence[Tuple[int, int]]) -> Optional[Decision]:
        """A message asking two questions ("csm exam duration and can I pause it in the middle?"): each part
        planned on its own (a certification named in the message holds for a part naming none, and a part
        goes on from the one before it), when every part gets a fact or an honest "not known" and they
        differ; None to answer the message whole."""
        named = mentioned_certifications(self.kb, list(turn.entities))
        decisions: List[Decision] = []
        before = Context(certification=named[0] if len(set(named)) == 1 else context.certification, topic=context.topic)
        for start, end in parts:
            entities = tuple(dict(e, start=int(e["start"]) - start, end=int(e["end"]) - start) for e in turn.entities
                             if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                             and start <= int(e["start"]) and int(e["end"]) <= end)
            part = replace(turn, text=turn.text[start:end].strip(" ,;"), entities=entities)
            # "who teaches the CSM and how many hours is it?": "it" is what the part before spoke of (the course)
            if not looks_like_a_question(part.text) and _TELLS_ABOUT_ONESELF.match(part.text) \
                    and not looks_like_a_question(the_asking_clause(part.text)):
                # "... ? i work in HR": what the user says of themselves, no question to answer (not "I have the
                # A-CSM, what is the next level": a question after what they say)
                continue
            if _REPHRASED.match(part.text):  # "wer unterrichtet den kurs? i mean who is the teacher ...": asked again
                decisions = []
            decision = self._read_with_last(self._plan_turn(part, before), part, before)
            if looks_like_a_question(part.text) and (decision.kind == NO_ANSWER or (
                    decision.kind == TOPIC and self.foreign_words(part.text))):  # "can I pause it in the middle?"
                decision = Decision(NOT_KNOWN, "not_known", certifications=tuple(named[:1]), asks=decision.asks,
                                    candidates=decision.candidates)
            if decision.kind not in (FACT, COUNTERPART, NOT_KNOWN) or decision.source_only \
                    or (decisions and decision.rule == "source_of_last"):
                # ("where do I renew? need the link": the link of what the message asks, read whole)
                return None
            decisions.append(replace(decision, part=part.text))
            before = replace(decision.context_after(before), question=part.text)
        answers = {(d.fact.id if d.fact else None, d.unknown.id if d.unknown else None, d.kind) for d in decisions}
        if not decisions:
            return None
        if len(answers) < 2:
            # "how much is the csm course and does it include the test": one fact answers both parts (the price, and
            # what it includes), which the whole message's words may miss
            return replace(decisions[0], part="") if decisions[0].fact is not None and decisions[0].kind == FACT else None
        kept = [d for i, d in enumerate(decisions)
                if d.fact is None or all(d.fact is not e.fact for e in decisions[:i])]  # a fact once
        return replace(kept[0], also=tuple(kept[1:]))

    def _plan_turn(self, turn: Turn, context: Context) -> Decision:
        decision = self._plan(turn, context)
        lexicon = self.index.lexicon
        if not decision.question and ("?" in turn.text or QUESTION_START.match(turn.text)):
            decision = replace(decision, question=True)
        last = self.index.book.facts.get(context.fact) if context.fact is not None else None
        if decision.rule == "fact" and decision.fact is not None and last is not None \
                and decision.fact.topic == last.topic and leans_on_context(turn.text) and lexicon is not None \
                and not ABOUT_THE_ADVISOR.search(turn.text.lower()) and "fit" not in lexicon.asks_of(turn.text):
            concepts = lexicon.concepts_in(turn.text.lower())
            if concepts and self._explains(decision.fact, concepts):
                decision = replace(decision, leans_on_last=True)
        if decision.fact is not None and decision.kind in (FACT, COUNTERPART) and decision.polarity is None:
            first = self._first_word(turn, decision.fact, last)
            if first:
                decision = replace(decision, polarity=first)
        if decision.fact is not None and decision.kind in (FACT, COUNTERPART) and not decision.also:
            decision = self._with_figures_worked_out(decision, turn.text)
        return decision

    def _with_figures_worked_out(self, decision: Decision, text: str) -> Decision:
        """"I got certified in March 2024, when must I renew?": what the user's figures work out to with the fact's
        (actions/figures.py), said first, instead of a "Yes."/"No." read from the fact's words; "if I get 36 correct do I
        pass?": "No." and what it is short by (the fact's threshold)."""
        fact = decision.fact
        if fact is None or self.worker is None:
            return decision
        # (the whole message: the figures are often in a sentence before the question, "I failed 3 times. how much?")
        question = text
        if fact.figures is not None:
            sentence = self.worker.work_out(fact.figures, question)
            if sentence:
                return replace(decision, worked_out=sentence, polarity=None)
        if fact.threshold is not None and decision.polarity == "no":
            short = fact.threshold.short_of(question)
            if short is not None and fact.threshold.noun:
                return replace(decision, worked_out=self.worker.short_of(*short, fact.threshold.noun))
        return decision

    def _first_word(self, turn: Turn, fact: FactEntry, last: Optional[FactEntry]) -> Optional[str]:
        """What the answer says before the fact, the first rule that applies: "Yes."/"No." on an item of a list
        (`lists`), the same for both (`same_for_both`), the same as the fact just given, may/must (`yes_no`), a
        score against a minimum (`threshold`); None when none does."""
        lexicon, text = self.index.lexicon, turn.text
        if lexicon is not None and fact.lists and not re.match(r"\W*(yes|no)\b", fact.answer, re.I):
            answer = polarity(text, fact.answer, lexicon, self.index.normalise, lexicon.polarity_generic)
            if answer:
                return answer
        if fact.same_for_both:
            named = set(mentioned_certifications(self.kb, list(turn.entities))) | set(self.index.normalise(text)[1])
            # every concept the question speaks of is in the answer, in other words ("expire": "valid"); one shared
            # is not enough ("the same price for both courses?" is not answered by the courses' length)
            asked = set(lexicon.concepts_in(text.lower())) - lexicon.weak_concepts if lexicon is not None else set()
            shared = lexicon is not None and bool(asked) and asked <= set(lexicon.concepts_in(fact.answer.lower()))
            answer = sameness(text, fact.answer, sorted(named), True,
                              lexicon.polarity_generic if lexicon is not None else frozenset(), shared)
            if answer:
                return answer
            # "is that the same for the other one?" right after a fact that holds for both: the fact just given,
            # "Yes, the same for both." / "No, they're the same." first (its own words need not be repeated)
            compared = comparison(text, True)
            if last is not None and fact.id in (last.id, *last.counterparts.values(), *last.narrower()) \
                    and compared in ("same", "different"):
                return "same_yes" if compared == "same" else "same_no"
        if fact.yes_no and lexicon is not None and "yesno" in lexicon.asks_of(the_question(text)):
            # "can I take the CSPO without the CSM?": "Yes." before "Neither has formal prerequisites"
            # (of the sentences that ask: "I'm a student with no job yet. can I even take the CSM?" asks whether one may)
            answer = fact.yes_no.get(modality(the_question(text)) or "")
            if answer:
                return answer
        if fact.threshold is not None and (
                lexicon is None or "yesno" in lexicon.asks_of(text) or SCORE_WORDS.search(text.lower())):
            answer = fact.threshold.answer(text)
            if answer:
                return answer
        # "the CSM class is 24 hours, is that right?": "No." before the 16 hours (actions/claims.py); also beside a
        # threshold the question does not speak of ("CSM exam is 90 min right?": the test's 60 minutes); not for a
        # question asking for a figure, which claims none ("so how many 8-hour days is that?")
        question = the_question(text)
        if _ASKS_A_FIGURE.match(question) and lexicon is not None and "yesno" not in lexicon.asks_of(question):
            return None
        return contradicts(question, fact.answer)

    def _plan(self, turn: Turn, context: Context) -> Decision:
        kb, book = self.kb, self.index.book
        topic = kb.topic_for_intent(turn.intent)
        if turn.is_payload:
            if topic is None or topic == "recommendation":
                return Decision(NO_ANSWER, "payload_not_a_topic")
            return self._topic(topic, (), context, "button")
        # "[email]", "[phone]" ... are where the redaction (advisor/redaction.py) took personal data out: not
        # words of the question ("call me on [phone]" is no question about phones)
        text = REDACTED.sub(" ", turn.text)
        if not text.strip():
            return Decision(NO_ANSWER, "empty")
        topic_from_context = False
        if (topic is None or topic == "recommendation") and turn.unsure and context.fact in book.facts \
                and context.topic in kb.topics and context.topic != "recommendation" and leans_on_context(text):
            # "who decides that price?", which the NLU fell back on (or put out of scope) right after the course
            # price: a question about what was just answered, at the stricter bar of an unsure message (its
            # summary too, when it fits best: "who decides that price?" is in the cost summary)
            topic, topic_from_context = context.topic, True
        entities = list(turn.entities)
        named = mentioned_certifications(kb, entities)
        elliptical = bool(named) and is_elliptical(kb, text, entities)

        step = self._next_step(text, named, context)
        if step is not None:
            return step
        side = self.sides.asked(text.lower())
        if side is not None and not turn.is_payload:
            # "which cert is about the 'how'?", "is the CSPO the 'how' one?" (actions/sides.py)
            fact = self.index.book.facts[side.fact]
            yes_no = self.index.lexicon is not None and "yesno" in self.index.lexicon.asks_of(text)
            return Decision(FACT, "side", fact=fact, topic=fact.topic, certifications=fact.certifications, question=True,
                            polarity=self.sides.polarity(side, named, yes_no))
        from_last = self._from_the_last_answer(turn, text, named, elliptical, context)
        if from_last is not None:
            return from_last

        # (answering only the first of two questions joined in one sentence, "how long is the course and does it
        # include the exam?", measured: one more right on set 17, but "is there an exam for csm and how many
        # questions" then lost the number of questions a single fact gives: left out)
        own_asks = self._asks(text)
        asks = own_asks or self._asked_again(text, context)
        # (not the words framing a claim: "my trainer said you need 85%?" asks nothing about trainers)
        concepts = self._concepts_asked(text)
        found, ranked = self.index.rank(text, topic, context.topic, context.fact)
        named = tuple(dict.fromkeys(named + found))
        if len(named) > 1:
            # "is the CSPO test open book like the CSM one?" asks about the CSPO
            asked = tuple(c for c in named if not only_likened(text, entities, c))
            named = asked or named
        candidates = tuple((label, score) for label, score, _ in ranked[:TRACE_CANDIDATES])

        window = self._window_of_last(text, named, concepts, context)
        if window is not None:  # "within what time?" right after "two free attempts within 90 days ...": that again
            return Decision(FACT, "said_already", fact=window, topic=window.topic, certifications=named or window.certifications,
                            asks=asks, candidates=candidates)

        # 3. a neighbouring certification named (or, in "does it expire?", the one just answered about)
        question, named_here = the_question(text), tuple(dict.fromkeys(named + found))
        unknown = self.unknowns.matching(question, named_here)
        asking = the_asking_clause(text) if unknown is not None else question
        if unknown is not None and asking != question and self.unknowns.matching(asking, named_here) is None:
            situation = question[:len(question) - len(asking)]
            if situation and not looks_like_a_question(situation.strip(" ,;:-\u2013\u2014")) \
                    and _SITUATION.match(situation) and self.unknowns.matching(situation) is not None \
                    and not _CHECKS_A_CLAIM.match(asking):  # ("I read 98% of people pass, is that true?": the claim asked)
                # "my company pays for my csm training - what does the fee cover?": who pays is the user's situation,
                # not what they ask ("psm i price vs csm price, which is cheaper?" still asks the PSM's price; its cue
                # there alone: "my csm expired 2 years ago, can i renew it now?" asks about the late renewal)
                unknown = None
        if unknown is not None and ranked and not ranked[0][0].startswith(TOPIC_PREFIX) and ranked[0][1] >= SAME_QUESTION_SCORE \
                and set(named) <= set(book.facts[ranked[0][0]].certifications):
            # "How many questions are there in the CSM test?" is a fact's own question, whatever the cues (not
            # "is the CSM exam hard?", which is "is the CSPO exam hard?", a question of the CSPO's fact, for the CSM)
            unknown = None
        if unknown is not None and SCORE_WORDS.search(text.lower()) and any(
                not label.startswith(TOPIC_PREFIX) and _reads_the_figure(book.facts[label], text)
                and set(named) <= set(book.facts[label].certifications) for label, _, _ in ranked[:TRACE_CANDIDATES]):
            # "took a practice exam and got 38 out of 50, does that clear the CSM pass mark?": the user's own score
            # against the pass mark, not the unknown practice tests
            unknown = None
        neighbour_keys = self._past_what_is_held(tuple(self.neighbours.named(text, entities)), text, context)
        if neighbour_keys and named and named_beyond_comparison(text, entities, named):
            lowered = text.lower()
            spans = self._neighbour_starts(lowered)
            spans += [int(e["start"]) for e in entities
                      if e.get("entity") == "other_certification" and isinstance(e.get("start"), int)]
            if only_compared(lowered, spans) and unknown is None:
                # "CSM vs PSM I, which one has to be renewed?": each one's fact, when both are found
                compared = self._compared_with_neighbour(neighbour_keys, named, text, asks, ranked, candidates)
                if compared is not None:
                    return compared
            lexicon = self.index.lexicon
            if only_compared(lowered, spans) and (lexicon is None or set(asks) & set(POINT_ASKS) or any(
                    c not in lexicon.described_by_neighbours and c not in lexicon.weak_concepts for c in concepts)):
                # the neighbour is only what the CSM/CSPO is compared with on a point ("does the CSM test have 80
                # questions like the PSM?"); compared as a whole ("cspo vs pspo i who offers which") its description
                # says how they differ, not the CSM/CSPO comparison
                neighbour_keys = ()
        # (right after a fact of the neighbour's own, "is there a renewal fee?" also goes on about it)
        after_its_fact = context.fact in book.facts and book.facts[str(context.fact)].only_with == context.neighbour \
            and word_count(text) <= SAID_ALREADY_MAX_WORDS
        # "do I need a CSM for it?" right after what the A-CSM is: the certification it builds on, named, is what the
        # question asks about the A-CSM (not whether the CSM has prerequisites)
        builds_on = context.neighbour in self.neighbours.entries and bool(named) \
            and set(named) == {self.neighbours.entries[str(context.neighbour)].related} \
            and bool(_PRONOUN_OBJECT.search(text.lower()))
        # ... or "would my CSPO work instead?", "does my PSM count?": a short yes/no question whether a certification
        # named counts towards the advanced one just spoken of
        builds_on = builds_on or (
            context.neighbour in self.neighbours.entries and bool(self.neighbours.entries[str(context.neighbour)].builds_on_fact)
            and bool(named) and set(named) <= set(self.kb.certifications)
            and word_count(text) <= SAID_ALREADY_MAX_WORDS
            and (("yesno" in asks and bool(_BUILDS_ON.search(text.lower()))) or bool(_WHAT_IF_I_HOLD.match(text.lower())))
            and not _OTHER_REQUIREMENT.search(_WORKS_INSTEAD.sub("", text.lower())))
        # ("how many months of work exp exactly?" right after what the A-CSM is: a short question naming nothing, whose best
        # fact is one of the A-CSM's, asks about it)
        its_own = not named and context.neighbour in self.neighbours.entries and word_count(text) <= SAID_ALREADY_MAX_WORDS \
            and self._best_is_its(ranked, str(context.neighbour))
        if not neighbour_keys and (builds_on or not named_beyond_comparison(text, entities, named)) \
                and context.neighbour in self.neighbours.entries \
                and (leans_on_context(text) or after_its_fact or its_own or builds_on) \
                and (asks or concepts or QUESTION_START.match(text) or _REQUIREMENT_NOUN.search(text.lower().strip(" ?!."))):
            # "does it expire?" right after the PSM asks about the PSM; a message asking nothing ("<script>…",
            # "asdf") is no question about it
            neighbour_keys = (str(context.neighbour),)
            # (not "and the experience needed?", which moves on to another of its facts)
            said = self._said_already(text, (), asks, concepts, context, neighbour=True) \
                if after_its_fact and unknown is None and not _MOVING_ON.match(text) else None
            if said is not None:  # "within what time frame?" right after the A-CSPO's experience: that fact again
                return Decision(FACT, "said_already", fact=said, topic=said.topic, neighbours=neighbour_keys, asks=asks,
                                candidates=candidates)
            if builds_on:  # "do I need a CSM for it?": its facts ranked as if it were named ("... for the A-CSM?")
                alias = self.neighbours.entries[neighbour_keys[0]].aliases[0]
                ranked = self.index.rank(f"{text} ({alias})", topic, context.topic, context.fact)[1]
            if unknown is None:
                # "how much does it cost?" right after the PSM: what isn't known about the PSM ("it" named)
                alias = self.neighbours.entries[neighbour_keys[0]].aliases[0]
                unknown = self.unknowns.matching(f"{the_question(text)} ({alias})")
        if neighbour_keys and named and unknown is None:
            # "compare pass marks csm and psm": the CSM's fact and the PSM's, one after the other
            compared = self._compared_with_neighbour(neighbour_keys, named, text, asks, ranked, candidates)
            if compared is not None:
                return compared
        if neighbour_keys:
            counts = self._builds_on(neighbour_keys, named, text, asks)
            if counts is not None and unknown is None:
                return counts
            return self._neighbour(neighbour_keys, text, asks, ranked, candidates, unknown)

        # "how much does that cost?" / "within how long?" right after a fact that states it: that fact again
        said = self._said_already(text, named, asks, concepts, context) if unknown is None else None
        if said is not None and self._words_beyond(said, text) and _outscored(said.id, ranked, book.min_score):
            # "and who defines the vision?" after who removes impediments: words that fact never uses, and another
            # fact fits them far better
            said = None
        if said is not None:
            return Decision(FACT, "said_already", fact=said, topic=said.topic, certifications=named or said.certifications,
                            asks=asks, candidates=candidates)

        # 4. a known unknown
        if unknown is not None:
            nearest = book.facts.get(unknown.related) if unknown.related else None
            if nearest is not None and len(set(named)) == 1 and named[0] not in nearest.certifications \
                    and named[0] in nearest.counterparts:
                # "CSPO price in the UK?": what is known of the CSPO's price, not of the CSM's
                nearest = book.facts.get(nearest.counterparts[named[0]])
            if nearest is not None and set(asks) & set(FIGURE_ASKS) and "yesno" not in asks and re.search(r"\d", nearest.answer):
                # "how many SEUs is a gathering worth?": "you need 20 SEUs" beside it reads as the figure asked for
                # (a yes/no on the user's own figure, "is 75% enough?", still gets the fact that answers it)
                nearest = None
            return Decision(NOT_KNOWN, "known_unknown", unknown=unknown, nearest=nearest, certifications=named,
                            asks=asks, candidates=candidates)

        # 5. which one is for my role, or for what I like doing? (not a question about one point the two differ
        # on, "I'm a tester and hate exams, which one has no exam?", nor a figure: "I'm a PM ..., how many questions?")
        on_a_point = bool(set(asks) & set(POINT_ASKS)) or (
            self.index.lexicon is not None and bool(set(concepts) & self.index.lexicon.point_concepts))
        audience = None if on_a_point else self._audience(turn, entities, context)
        if on_a_point:
            asks = tuple(a for a in asks if a != "fit")  # "which one has no exam?" asks about the exam, not a fit
        if audience is not None:
            return Decision(AUDIENCE, "audience", role=audience, topic="audience", asks=asks, candidates=candidates,
                            polarity=self._claimed_for(audience, turn.text, entities))
        # ("and if I fail both?" right after the attempts goes on from that answer: no goal stated; "and if I care
        # more about the product?" after which one suits whom does state one)
        goes_on = context.fact in book.facts and book.facts[str(context.fact)].topic not in self._guide_topics \
            and bool(GOING_ON.match(text.lower())) and not self._asks_fit(text)
        guide = None if goes_on else self._goal_guide(turn, ranked)
        if guide is not None:
            return Decision(FACT, "goal_guide", fact=guide, topic=guide.topic, certifications=guide.certifications,
                            asks=asks, candidates=candidates)
        # (a certification named is what the question is about, unless it names both: "which cert, CSM or CSPO?")
        guide = None if goes_on or (named and set(named) != {"CSM", "CSPO"}) else self._duty_guide(text, asks, ranked)
        if guide is not None:
            return Decision(FACT, "goal_guide_by_duty", fact=guide, topic=guide.topic, certifications=guide.certifications,
                            asks=asks, candidates=candidates)

        return self._one_fact(turn, context, Reading(text, named, asks, own_asks, concepts, tuple(ranked), candidates, topic,
                                                     topic_from_context, on_a_point))

    def _from_the_last_answer(self, turn: Turn, text: str, named: Tuple[str, ...], elliptical: bool,
                              context: Context) -> Optional[Decision]:
        """Rules 2: a message going on from the last answer ("and for the CSPO?", "and after that?", "link?",
        "and the PSM?" after a fact, "and the product owner version?" after a neighbour); None when it does not."""
        kb, book = self.kb, self.index.book
        entities = list(turn.entities)
        # 2. "and for the CSPO?" after a fact or a topic
        if elliptical and context.fact is not None and context.fact in book.facts:
            previous = book.facts[context.fact]
            # a neighbour's fact ("psm_assessment") is about no CSM/CSPO of its own: "and the CSM?" wants its counterpart
            own = () if previous.only_with else previous.certifications
            others = [c for c in named if c not in own]
            if others and others[0] in previous.counterparts:
                fact = book.facts[previous.counterparts[others[0]]]
                return Decision(COUNTERPART, "counterpart", fact=fact, topic=fact.topic,
                                certifications=(others[0],))
            if not others and not previous.only_with:  # "and the CSM?" about a fact that already covers it
                return Decision(FACT, "counterpart_same_fact", fact=previous, topic=previous.topic, certifications=named)
        if elliptical and context.fact is None and context.neighbour is None and context.question:
            again = self._asked_again_for(turn, named, context)
            if again is not None:
                return again
        if not named and context.fact is None and context.question:
            again = self._asked_again_for_neighbour(turn, context)
            if again is not None:
                return again
        lexicon = self.index.lexicon
        leaning = self._leaning_on_last_fact(text, context)
        if leaning is not None:
            return leaning
        if context.fact is None and context.neighbour in self.neighbours.entries and lexicon is not None \
                and lexicon.asks_what_follows(text.lower().strip()):
            # "and after that?" right after what the A-CSM is: the one that follows it, and what it is
            after = self.neighbours.entries[str(context.neighbour)].then
            if after and self.neighbours.entries[after].answers_facts:
                fact = self._then_fact(after, str(context.neighbour))
                return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(after,))
        source = self._source_of_last(text, named, context)
        if source is not None:
            return source
        if not named and context.fact is not None and context.fact in book.facts:
            # "and the PSM?" after a CSM fact: its counterpart for that neighbour, if the data has one
            neighbour_named = self.neighbours.named(text, entities)
            if len(neighbour_named) == 1 and _only_names(text, self.neighbours.entries[neighbour_named[0]].aliases, kb):
                other = book.facts[context.fact].counterparts.get(neighbour_named[0])
                if other is None and context.fact in self.neighbours.entries[neighbour_named[0]].answers_facts:
                    other = context.fact  # "and the A-CSPO?" after a fact that covers both advanced certifications
                if other:
                    fact = book.facts[other]
                    return Decision(COUNTERPART, "counterpart", fact=fact, topic=fact.topic,
                                    neighbours=(neighbour_named[0],))
        if context.fact is None and context.neighbour in self.neighbours.entries and (elliptical or (
                GOING_ON.match(text.lower()) and word_count(text) <= ASKED_AGAIN_MAX_WORDS + 1)):
            # "and the product owner version?" right after what the PSM is: the PSPO (neighbours.yml `counterpart`)
            mate = self.neighbours.entries[str(context.neighbour)].counterpart
            if mate is not None and self.neighbours.entries[mate].related in (named or self.index.normalise(text)[1]):
                return Decision(NEIGHBOUR, "neighbour_counterpart", neighbours=(mate,))
        if elliptical and context.topic is not None and context.topic in kb.topics and context.topic != "recommendation":
            return self._topic(context.topic, named, context, "followup_topic")
        return None

    def _one_fact(self, turn: Turn, context: Context, reading: Reading) -> Decision:
        """Rules 6-8: the fact that answers (or its counterpart, the same fact for both, the user's figure against a
        threshold), else the topic summary of a broad question, else an honest "not known"."""
        kb, book = self.kb, self.index.book
        text, named, asks, own_asks, concepts = reading.text, reading.named, reading.asks, reading.own_asks, reading.concepts
        ranked, candidates, topic = reading.ranked, reading.candidates, reading.topic
        topic_from_context, on_a_point = reading.topic_from_context, reading.on_a_point
        # 6. one fact
        wanted: Tuple[str, ...] = named or (
            (context.certification,) if context.certification is not None and context.certification in kb.certifications else ())
        if not wanted and context.question and leans_on_context(text):
            # "what's after that?" right after "I just got my CSPO!" (which no answer spoke of): the CSPO
            before = self.index.normalise(context.question)[1]
            wanted = tuple(before) if len(before) == 1 else ()
        raw = {label: score for label, score, _ in ranked}
        bar = (book.torn_min_score if turn.torn else book.unsure_min_score) if turn.unsure else book.min_score
        foreign = self.foreign_words(the_asking_clause(text))
        if foreign and book.foreign_word_min_score is not None:
            # "can I bring my dog to the class?": words the knowledge never uses ask about something else
            bar = max(bar, book.foreign_word_min_score)
            if "yesno" in asks and "where" not in asks and " or " not in f" {text.lower()} " \
                    and book.foreign_yes_no_min_score is not None:
                # "can I pause the csm exam in the middle?": "exam" fits the CSPO's no-test fact, whose CSM
                # counterpart (the path) answered; a yes/no rests on the words the knowledge never uses (not a
                # choice, "... or just attendance?", nor "where can I read ...?")
                bar = max(bar, book.foreign_yes_no_min_score)
        best_rejected: Optional[FactEntry] = None
        rejected: List[Tuple[str, str]] = []
        # "what does the CSPO cost?" asks for what a fact about the CSPO states: no topic summary then,
        # unless the topic fits far better ("who should take the CSPO?": the audience summary)
        best_topic = max((score for label, score, _ in ranked if label.startswith(TOPIC_PREFIX)), default=0.0)
        # ("what about renewing?" after the official page asks where, as the last question did: no summary then)
        topic_bar = bar if asks and not own_asks else max(bar, best_topic - book.topic_margin)
        fact_states_it = bool(wanted) and self._strong(asks) and any(
            not label.startswith(TOPIC_PREFIX) and score >= topic_bar
            and self._eligible(book.facts[label], wanted, asks) and self._states(book.facts[label], asks)
            for label, score, _ in ranked)
        if on_a_point and not fact_states_it and len(set(named)) > 1:
            # "which lasts longer, csm or cspo?": a fact about both speaking of the point asked, not a summary of each
            fact_states_it = any(not label.startswith(TOPIC_PREFIX) and score >= topic_bar and not book.facts[label].about
                                 and set(named) <= set(book.facts[label].certifications)
                                 and self._explains(book.facts[label], concepts, text) for label, score, _ in ranked)
        if len(set(named)) > 1 and _SAMENESS.search(text.lower()) and not fact_states_it:
            # "is renewing the CSPO the same as renewing the CSM?": a fact the same for both says so ("Yes, the
            # same for both."), rather than the topic's summary for each
            fact_states_it = any(not label.startswith(TOPIC_PREFIX) and score >= topic_bar and book.facts[label].same_for_both
                                 and self._eligible(book.facts[label], wanted, asks) for label, score, _ in ranked)
        compared = self._aspect_compared(text, named, concepts, asks, ranked, bar, candidates)
        if compared is not None:
            return compared
        if SCORE_WORDS.search(text.lower()):
            # "scored 36/50 on the CSM, pass or fail?": the fact whose minimum the user's own number is put
            # against (facts.yml `threshold`), when it is among the candidates that reach the bar
            best_fact = max((score for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)
                             and self._eligible(book.facts[label], wanted, ())), default=0.0)
            for label, score, _ in ranked:
                if label.startswith(TOPIC_PREFIX) or score < bar or score < best_fact - THRESHOLD_MARGIN:
                    continue
                fact = book.facts[label]
                if _reads_the_figure(fact, text) and self._eligible(fact, wanted, ()):
                    return Decision(FACT, "threshold", fact=fact, topic=fact.topic, certifications=named or fact.certifications,
                                    asks=asks, candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                    form_score=book.form_question_min_score,
                                    question=True)
        # a fact `about` a subject answers a question speaking of it, or going on from an answer about it
        last = book.facts.get(str(context.fact)) if context.fact else None
        spoken_of = set(concepts) | (set(self._fact_concepts.get(last.id, frozenset())) if last is not None else set())

        def on_subject(fact: FactEntry) -> bool:
            return context.neighbour is not None or bool(set(fact.about) & spoken_of)

        for position, (label, score, _) in enumerate(ranked):
            if label.startswith(TOPIC_PREFIX):
                # a broad question ("tell me about the CSPO"): the best candidate, or few words
                if score >= bar and (not turn.unsure or topic_from_context) and (position == 0 or self._is_broad(text)) \
                        and not fact_states_it \
                        and not self._page_wanted(concepts, ranked, bar):
                    chosen = label[len(TOPIC_PREFIX):]
                    if chosen == GENERAL_TOPIC and topic not in (None, GENERAL_TOPIC, "recommendation") \
                            and not turn.unsure and turn.confidence >= book.sure_topic_confidence:
                        # "PO responsibilities?": the words fit the general summary of the CSPO best, but the NLU
                        # is sure it asks about the role's responsibilities: that topic's summary says more
                        chosen = str(topic)
                    return self._topic(chosen, named, context, "broad_topic", asks=asks, candidates=candidates)
                continue
            fact = book.facts[label]
            if score < bar:
                # (ranked by score plus the intent's bonus: a fact further down may reach the bar on its own, but
                # going on to it measured worse: 4 more wrong facts for 2 more right on sets 1-17)
                break
            if not self._eligible(fact, wanted, asks):
                # "how many questions are on the CSPO test?" matches the CSM's fact best: its
                # counterpart for the CSPO (data) is the answer ("the CSPO has no test")
                other = fact.counterparts.get(wanted[0]) if len(wanted) == 1 and not fact.only_with else None
                # ... and the counterpart speaks of something the question asks about: the Product Owner's
                # backlog duty is no answer to "does the Scrum Master prioritise the backlog?" via the SM's duty
                # (weak concepts aside: "I got my csm last month, what comes after it?" speaks of no subject)
                weak = self.index.lexicon.weak_concepts if self.index.lexicon is not None else frozenset()
                strong = set(concepts) - set(weak)
                fits = not strong or bool(strong & set(self._fact_concepts.get(other or "", frozenset())))
                if other and fits and self._states(fact, asks) and self._explains(fact, concepts) \
                        and not self._from_another_source(book.facts[other], text):
                    answer = book.facts[other]
                    return Decision(COUNTERPART, "counterpart_of_best", fact=answer, topic=answer.topic,
                                    certifications=wanted, asks=asks, candidates=candidates, score=score,
                                    sure_score=book.unsure_min_score, form_score=book.form_question_min_score)
                if self._other_role(text, fact, score, wanted, asks, concepts, ranked):
                    # "does the Scrum Master prioritise the backlog?": no, that is the Product Owner's duty
                    return Decision(FACT, "other_role", fact=fact, topic=fact.topic, certifications=fact.certifications,
                                    asks=asks, candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                    question=True, polarity="no")
                rejected.append((label, "about another certification"))
                continue
            # a fact the same for both answers whether the two named differ ("is the renewal fee different for cspo
            # vs csm?": "No, they're the same.")
            alike = tuple(c for c in concepts if not (c == DIFFERENCE_CONCEPT and fact.same_for_both and len(set(named)) > 1))
            why = self._why_not(fact, text, asks, alike, on_subject(fact))
            if why:
                best_rejected = best_rejected or fact
                rejected.append((label, why))
                continue
            if not wanted and self.index.ambiguous(fact, score, raw):
                return self._topic(fact.topic, (), context, "ambiguous_certification", asks=asks, candidates=candidates)
            closer = self._states_it_closer(text, fact, score, ranked[position + 1:], wanted, asks, alike, on_subject)
            if closer is not None:
                # "my cspo is about to expire, what do I have to do to keep it?": the validity fits the words a little
                # better, but the renewal's requirements say how
                fact, score = closer
            if len(wanted) == 1 and wanted[0] in fact.per_certification:
                fact = book.facts[fact.per_certification[wanted[0]]]  # "the CSPO's official page": that one only
            elif context.neighbour in fact.per_neighbour:
                # "does my CSM count instead?" right after the A-CSPO's requirements: the A-CSPO's alone
                fact = book.facts[fact.per_neighbour[str(context.neighbour)]]
            return Decision(FACT, "fact", fact=fact, topic=fact.topic, certifications=named or fact.certifications,
                            from_context=not named and bool(wanted), asks=asks, candidates=candidates,
                            rejected=tuple(rejected[:TRACE_CANDIDATES]), score=score, sure_score=book.unsure_min_score,
                            form_score=book.form_question_min_score,
                            question="?" in text or bool(set(asks) - {"fit"}) or bool(QUESTION_START.match(text)),
                            opens_form=fact.id in book.form_opening_facts and score >= book.form_fact_min_score,
                            concepts=tuple(c for c in concepts if c not in self.index.lexicon.weak_concepts)
                            if self.index.lexicon is not None else ())

        # 7./8. nothing answers it
        if topic is None or topic == "recommendation":
            return Decision(NO_ANSWER, "no_fact_no_topic", asks=asks, candidates=candidates)
        if not turn.unsure and best_rejected is None and self._is_broad(text):
            return self._topic(topic, named, context, "broad_topic", asks=asks, candidates=candidates)
        if not turn.unsure and not asks and not foreign and turn.confidence >= book.sure_topic_confidence \
                and topic in book.summary_topics and word_count(text) <= ASKED_AGAIN_MAX_WORDS:
            # "why bother with csm": a few words, nothing asked that a fact states (a price, a count...), and the NLU
            # is sure of a topic whose summary is the answer (the benefits), which no single fact is
            return self._topic(topic, named, context, "sure_topic", asks=asks, candidates=candidates)
        premise = self._false_premise(text, named, concepts)
        if premise is not None:  # "CSPO exam tips?": the CSPO has no test
            return Decision(FACT, "false_premise", fact=premise, topic=premise.topic, certifications=premise.certifications,
                            asks=asks, candidates=candidates, question=True)
        nearest = self._nearest(ranked, wanted)
        # (what it asks for in the order it asks: "I don't have dates ..." for "what's the date they introduced the fee?")
        in_order = self.index.lexicon.in_order_asked(text, asks) if self.index.lexicon is not None else asks
        return Decision(NOT_KNOWN, "not_known", nearest=nearest, certifications=named, topic=topic,
                        asks=in_order, candidates=candidates, foreign=tuple(foreign),
                        rejected=tuple(rejected[:TRACE_CANDIDATES]))
        # (no concept named here: "I don't have the renewal rules" would be untrue of the CSM's, which the
        # knowledge holds; a neighbour's, which it does not, are named in _neighbour)

    # ------------------------------------------------------------------ the parts
    def _past_what_is_held(self, keys: Tuple[str, ...], text: str, context: Context) -> Tuple[str, ...]:
        """"I have A-CSM and 18 months as SM, enough?" right after the CSP's requirements: the A-CSM is what the user
        holds, and the question is about the level after it, the one just spoken of (neighbours.yml `then`)."""
        if len(keys) != 1 or context.neighbour not in self.neighbours.entries or context.neighbour == keys[0]:
            return keys
        held = self.neighbours.entries[keys[0]]
        if held.then != context.neighbour:
            return keys
        aliases = "|".join(re.escape(a) for a in sorted(held.aliases, key=len, reverse=True))
        holds = re.search(r"\b(i have|i've got|ive got|i got|i hold|i already have|i already hold|i earned|i passed|with my)"
                          r"\s+(my |the |an? |already )?(" + aliases + r")(?![\w-])", text.lower())
        return (str(context.neighbour),) if holds else keys

    def _false_premise(self, text: str, named: Sequence[str], concepts: Sequence[str]) -> Optional[FactEntry]:
        """The fact saying the one certification asked about has no such thing ("the CSPO has no test"), for a question
        no fact answers that speaks of it (facts.yml `premise_of`); not of doing it ("will the CSPO course teach how
        to test product assumptions?")."""
        if len(set(named)) != 1 or _DOING_IT.search(text.lower()):
            return None
        return next((f for f in self.index.book.facts.values() if f.premise_of and f.certifications == (named[0],)
                     and not f.only_with and set(f.premise_of) & set(concepts)), None)

    def _aspect_compared(self, text: str, named: Sequence[str], concepts: Sequence[str], asks: Sequence[str],
                         ranked: Sequence[Tuple[str, float, float]], bar: float,
                         candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """"CSM vs CSPO renewal, any difference?", "skills csm vs cspo": the two compared on one point get that point
        for both (a fact about both, or the best fact and its counterpart for the other), not the summary of every
        difference, nor the point for one of them only. None when the question compares on no point or no fact
        that reaches the bar speaks of it."""
        book, lexicon = self.index.book, self.index.lexicon
        if lexicon is None or len(set(named)) != 2 or not set(named) <= set(self.kb.certifications) \
                or not _COMPARING.search(text.lower()) or "yesno" in asks:
            return None  # (a yes or no, "is the CSPO course shorter than the CSM's?": the rules below answer it)
        point = [c for c in concepts if c != DIFFERENCE_CONCEPT and c not in lexicon.weak_concepts]
        if not point:
            return None
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                continue
            if score < bar:
                return None
            fact = book.facts[label]
            if fact.only_with or self._why_not(fact, text, asks, point, False) or self._unexplained(fact, point, text):
                continue
            if set(named) <= set(fact.certifications):
                return Decision(FACT, "aspect_compared", fact=fact, topic=fact.topic, certifications=tuple(named),
                                asks=tuple(asks), candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                form_score=book.form_question_min_score, question=True)
            other = next((c for c in named if c not in fact.certifications), "")
            twin = book.facts.get(fact.counterparts.get(other, "")) if other else None
            if twin is None:
                return None
            order = list(self.kb.certifications)
            pair = sorted([(fact, fact.certifications), (twin, (other,))],
                          key=lambda p: order.index(p[1][0]) if p[1][0] in order else len(order))
            first, second = (Decision(FACT, "aspect_compared", fact=f, topic=f.topic, certifications=tuple(c), asks=tuple(asks),
                                      candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                      form_score=book.form_question_min_score, question=True) for f, c in pair)
            return replace(first, also=(second,))
        return None

    def _window_of_last(self, text: str, named: Sequence[str], concepts: Sequence[str], context: Context) -> Optional[FactEntry]:
        """The fact just given, when it states a time window ("within 90 days of the welcome email") and a few words
        ask only when, or from when ("within what time?", "counted from when?", "90 days from when?")."""
        previous = self.index.book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or previous.only_with or not _WITHIN_SPAN.search(previous.answer) \
                or word_count(text) > WINDOW_AGAIN_MAX_WORDS or not set(named) <= set(previous.certifications):
            return None
        if not _ASKS_WHEN.search(text.lower()):
            return None
        own = self._fact_concepts.get(previous.id, frozenset())
        return previous if set(concepts) <= set(own) | {DEADLINE_CONCEPT, "duration"} else None

    def _words_beyond(self, fact: FactEntry, text: str) -> List[str]:
        """The words of four letters or more of a question (not concepts, asks or certification names) that the fact's
        questions and answer never use."""
        own = self._fact_words.get(fact.id, frozenset())
        return [w for w in self.index.normalise(text)[0].split() if len(w) >= 4 and "_" not in w
                and w != Normaliser.PLACEHOLDER and w[:5] not in own and w not in self.kb.followup_words
                and w not in _ASKING_WORDS]

    def _said_already(self, text: str, named: Sequence[str], asks: Sequence[str], concepts: Sequence[str],
                      context: Context, neighbour: bool = False) -> Optional[FactEntry]:
        """The fact just given, when a short question leaning on it asks for what it states (a price, a
        duration, a count...) and speaks of nothing it doesn't: "and the fee?" after the renewal rules; or
        asks nothing of the kind but names only what that fact speaks of ("is it proctored too?")."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or (previous.only_with and not neighbour) or lexicon is None:
            return None  # (a neighbour's own fact only right after it: ``neighbour``)
        if set(named) <= set(previous.certifications) and not set(asks) & lexicon.strong_asks \
                and self._in_its_words(text, previous):
            return previous  # "before or after the course?" right after "... may come before or after the advanced course"
        if not leans_on_context(text):
            return None
        if word_count(text) > SAID_ALREADY_MAX_WORDS or not set(named) <= set(previous.certifications):
            return None
        strong = set(asks) & lexicon.strong_asks
        if strong and not strong <= set(previous.asks):
            return None
        if strong == {"duration"} and UNIT_ONLY.match(text):
            return previous  # "and in months?" right after "valid for two years"
        own = self._fact_concepts.get(previous.id, frozenset())
        yes_no = "yesno" in asks or bool(re.search(r"\b(too|also|as well)\W*$", text.lower()))  # "open book too?"
        if not strong and not (yes_no and not set(asks) - {"yesno"} and concepts and all(c in own for c in concepts)):
            return None  # "is it proctored too?" after the open-book fact: a yes/no on concepts that fact speaks of
        return previous if self._explains(previous, concepts) else None

    def _in_its_words(self, text: str, fact: FactEntry) -> bool:
        """A few words (two at least, beside the retriever's `ignore_words`), every one of them in the fact's answer: a
        question about what it says, in its own words ("before or after the course?")."""
        words = set(_CONTENT_WORD.findall(text.lower())) - self.index.book.ignore_words
        return 2 <= len(words) <= IN_ITS_WORDS_MAX and words <= set(_CONTENT_WORD.findall(fact.answer.lower()))

    def _source_of_last(self, text: str, named: Sequence[str], context: Context) -> Optional[Decision]:
        """"link?", "where can I read that officially?" right after a fact: where that fact comes from. A fact
        that gives the page itself (it states a `where`, with the address) and shares the last fact's source; else
        the last fact's own source, without the fact again (``source_only``)."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        neighbour = self.neighbours.entries.get(str(context.neighbour)) if previous is None and context.neighbour else None
        if neighbour is not None:
            # "source?" right after what the A-CSM is: where that comes from (a fact of it with the same source)
            previous = next((book.facts[f] for f in neighbour.answers_facts + tuple(
                f.id for f in book.facts.values() if f.only_with == neighbour.key)
                if f in book.facts and neighbour.source in book.facts[f].sources), None)
            named = ()
        if previous is None or lexicon is None or not leans_on_context(text):
            return None
        lowered = text.lower()
        # ("who do I pay? where do i do it" right after a fee: where it is paid, the page)
        paying = {"price", "who"} if "price" in previous.asks and {"where", "price"} <= set(lexicon.asks_of(lowered)) else set()
        if word_count(lowered) > SAID_ALREADY_MAX_WORDS + 2 or not (lexicon.asks_for_source(lowered) or paying):
            return None
        if not set(lexicon.asks_of(lowered)) <= {"where", "yesno", "how"} | paying \
                or not set(named) <= set(previous.certifications):
            return None
        if set(lexicon.concepts_in(lowered)) - set(lexicon.source_concepts) - ({"price"} if paying else set()):
            return None  # "and the course page?": a page about something else
        if neighbour is not None:
            return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, neighbours=(neighbour.key,),
                            source_only=True)
        if _gives_a_page(previous):
            return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, certifications=previous.certifications)
        own = set(previous.sources)
        pages = [f for f in book.facts.values() if _gives_a_page(f) and not f.only_with
                 and own & set(f.sources)
                 and set(f.certifications) >= set(previous.certifications)]
        if pages:
            page = max(pages, key=lambda f: len(own & set(f.sources)) / len(set(f.sources)))
            return Decision(FACT, "source_of_last", fact=page, topic=page.topic, certifications=page.certifications)
        return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, certifications=previous.certifications,
                        source_only=True)

    def _asked_again(self, text: str, context: Context) -> Tuple[str, ...]:
        """"what about renewing?" right after the fact giving the CSM's official page asks the same of
        renewing: where. A short question going on from the last ("and ...", "what about ...") that asks
        for nothing itself asks for what the last fact stated, when that was one kind of thing (a price,
        a duration, a place...)."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or lexicon is None or not GOING_ON.match(text.lower()) \
                or word_count(text) > ASKED_AGAIN_MAX_WORDS:
            return ()
        stated = [a for a in previous.asks if a in lexicon.strong_asks]
        return tuple(stated) if len(stated) == 1 else ()

    def _states_it_closer(self, text: str, fact: FactEntry, score: float, rest: Sequence[Tuple[str, float, float]],
                          wanted: Sequence[str], asks: Sequence[str], concepts: Sequence[str],
                          on_subject: Callable[[FactEntry], bool]) -> Optional[Tuple[FactEntry, float]]:
        """A fact within ``ask_margin`` of the best that gives what the question asks for when the best does not:
        the page, for "where can I read about renewing?" (not where SEUs are earned); else the kind of thing asked
        (a way, a price...). None when there is none, or the best gives it."""
        book, lexicon = self.index.book, self.index.lexicon
        if not book.ask_margin:
            return None

        def first(gives: Callable[[FactEntry], bool]) -> Optional[Tuple[FactEntry, float]]:
            for label, other_score, _ in rest:
                if other_score < score - book.ask_margin:
                    return None
                other = book.facts.get(label) if not label.startswith(TOPIC_PREFIX) else None
                if other is not None and gives(other) and self._eligible(other, wanted, asks) \
                        and not self._why_not(other, text, asks, concepts, on_subject(other)):
                    return other, other_score
            return None

        closer = None
        if lexicon is not None and "where" in asks and lexicon.asks_for_source(text.lower()) and not _gives_a_page(fact):
            closer = first(_gives_a_page)
        kinds = set(asks) - UNPARTICULAR_ASKS
        if closer is None and kinds and not kinds & set(fact.asks):
            closer = first(lambda other: bool(kinds & set(other.asks)))
        return closer

    def _other_role(self, text: str, fact: FactEntry, score: float, wanted: Sequence[str], asks: Sequence[str],
                    concepts: Sequence[str], ranked: Sequence[Tuple[str, float, float]]) -> bool:
        """A yes/no question whether one role does what the reference gives the other ("does the Scrum Master
        prioritise the backlog?"): the other role's duty (a fact of the `unfiltered_topics`, about the other
        certification only) fits it well (``other_role_min_score``: "does the SM need to know the backlog?"
        fits less and is not answered "No.") and by ``other_role_margin`` over any fact about the role asked."""
        book = self.index.book
        if self.index.lexicon is None or not self.index.lexicon.names_a_role(text.lower()):
            return False  # "does the CSPO trainer need to be certified?" asks about the course, not the role
        if "yesno" not in asks or len(wanted) != 1 or fact.topic not in book.unfiltered_topics \
                or len(fact.certifications) != 1 or wanted[0] in fact.certifications or fact.only_with \
                or not self._explains(fact, concepts):
            return False
        # ("is the product vision the scrum master's job?", "does the scrum master own the backlog?": whose duty it is,
        # asked in so many words, at a lower bar)
        bar = book.other_role_duty_min_score if _WHOSE_DUTY.search(text.lower()) else book.other_role_min_score
        if score < bar:
            return False
        own = max((s for label, s, _ in ranked if not label.startswith(TOPIC_PREFIX)
                   and wanted[0] in book.facts[label].certifications), default=0.0)
        return score - own >= book.other_role_margin

    def _page_wanted(self, concepts: Sequence[str], ranked: Sequence[Tuple[str, float, float]], bar: float) -> bool:
        """"Got a pdf or something about CSM vs CSPO?": the question asks for what a page gives (a page concept
        beyond "official"), and a fact giving such a page reaches the bar: that page, not the topic's summary."""
        lexicon = self.index.lexicon
        if lexicon is None or not set(concepts) & (set(lexicon.page_concepts) - set(lexicon.source_concepts)):
            return False
        book = self.index.book
        return any(not label.startswith(TOPIC_PREFIX) and score >= bar and _gives_a_page(book.facts[label])
                   and self._explains(book.facts[label], concepts) for label, score, _ in ranked)

    def _only_a_page(self, fact: FactEntry, text: str, asks: Sequence[str]) -> bool:
        """A fact that gives a page (its address; it states a `where` and nothing else strong) answers a
        question asking where, for a link or page, or for what such a page holds (lexicon `page_concepts`:
        "is there a free guide?"): "are the renewal rules the same for both?" is not one. A page about a
        subject (renewing) answers only a question that speaks of it."""
        lexicon = self.index.lexicon
        if lexicon is None or not _gives_a_page(fact) or [a for a in fact.asks if a in lexicon.strong_asks] != ["where"]:
            return False
        lowered = text.lower()
        asked = set(lexicon.concepts_in(lowered))
        subject = self._fact_concepts.get(fact.id, frozenset()) - set(lexicon.page_concepts) - set(lexicon.weak_concepts)
        if subject and not subject & asked and asked & set(lexicon.page_concepts) <= set(lexicon.source_concepts):
            return True  # "where is the official CSPO info?" is not asking for the page about renewing
        return "where" not in asks and not lexicon.asks_for_source(lowered) and not asked & set(lexicon.page_concepts)

    def _next_step(self, text: str, named: Sequence[str], context: Context) -> Optional[Decision]:
        """What comes next for where the user stands (knowledge/stages.yml): "I failed twice, now what?", or "and then
        what?" right after "I just finished my CSPO course"; None when the message asks no such thing or says no stage."""
        lowered = text.lower()
        lexicon = self.index.lexicon
        if not self.stages.asks_what_next(lowered) and not (lexicon is not None and lexicon.asks_what_follows(lowered.strip())):
            return None
        certifications = tuple(named) or self.index.normalise(text)[1]
        stage = self.stages.stage_in(lowered)
        if stage is None:
            if not context.question or word_count(text) > ASKED_AGAIN_MAX_WORDS:
                return None
            stage = self.stages.stage_in(context.question.lower())
            certifications = certifications or self.index.normalise(context.question)[1]
        if stage is None:
            return None
        if not certifications and context.certification in self.kb.certifications:
            certifications = (str(context.certification),)
        fact_id = self.stages.next_fact(stage, certifications)
        if fact_id is None:
            return None
        fact = self.index.book.facts[fact_id]
        # "I got my A-CSM, what comes after it?": the fact for that neighbour, when the data has one (per_neighbour)
        own = [self.index.book.facts[fact.per_neighbour[n]] for n in self.neighbours.named(text, ())
               if n in fact.per_neighbour]
        if len(own) == 1:
            fact = own[0]
        return Decision(FACT, "next_step", fact=fact, topic=fact.topic, certifications=fact.certifications, question=True)

    def _leaning_on_last_fact(self, text: str, context: Context) -> Optional[Decision]:
        """A whole message that only goes on from the fact just given: "and the other way round?" (swap), "and
        after that?" (its `then`), "why?" (its `because`), "do I need anything else?" (all of it again)."""
        book, lexicon = self.index.book, self.index.lexicon
        last = book.facts.get(context.fact) if context.fact is not None else None
        if last is None or lexicon is None:
            return None
        lowered = text.lower().strip()
        if lexicon.asks_the_other_way_round(lowered):
            # "and the other way round?" after "do I need the CSM before the CSPO?": a fact speaking of both
            # answers it too; one about a single certification has its counterpart (data) for the other
            if len(last.certifications) > 1:
                return Decision(FACT, "swap", fact=last, topic=last.topic, certifications=last.certifications)
            others = [c for c in self.kb.certifications if c not in last.certifications and c in last.counterparts]
            if len(others) == 1 and not last.only_with:
                fact = book.facts[last.counterparts[others[0]]]
                return Decision(COUNTERPART, "swap", fact=fact, topic=fact.topic, certifications=(others[0],))
        if last.then is not None and lexicon.asks_what_follows(lowered):
            # "and after that?" after "you get two free attempts": what the data says follows that fact
            fact = book.facts[last.then]
            return Decision(FACT, "then", fact=fact, topic=fact.topic, certifications=fact.certifications)
        if last.because is not None and lexicon.asks_why(lowered):
            # "why so different?" after the course price: the reason the sources give (each trainer sets it)
            return Decision(FACT, "why_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="because")
        if lexicon.asks_for_the_rest(lowered):
            # "do I need anything else?" after the renewal fee: all that fact says (fee and SEUs), not another fact
            return Decision(FACT, "all_of_it", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="all_of_it")
        if lexicon.asks_if_sure(lowered):
            # "are you sure?" after the test's 50 questions: that fact again, as its source says it (the NLU took it for
            # "why?", and the advisor said it had recommended nothing yet)
            return Decision(FACT, "sure_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="sure")
        return None

    def _concepts_asked(self, text: str) -> Tuple[str, ...]:
        """The lexicon's concepts of the sentences that ask, when they speak of one ("I'm in HR and we track
        certifications in a spreadsheet. For the CSPO, what expiry period should I enter?" asks about validity,
        not a track); of the whole message otherwise ("I failed the test twice. what now?")."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        question = the_question(text)
        framed = list(ASKING_FRAME.finditer(question))
        question = question[framed[-1].end():] if framed else question
        if question != text:
            asked = lexicon.concepts_in(lexicon.without_frames(question.lower()))
            if set(asked) - lexicon.weak_concepts:
                return tuple(asked)
        return tuple(lexicon.concepts_in(lexicon.without_frames(text.lower())))

    def _asks(self, text: str) -> Tuple[str, ...]:
        lexicon = self.index.lexicon
        return lexicon.asks_of(text) if lexicon is not None else ()

    def asks_beside_pleasantries(self, text: str) -> bool:
        """Whether a message the NLU took for a greeting or thanks asks a question besides ("hi there! hope you're
        well :) quick one - how long is the scrum master course?"): what is left without its pleasantries is a
        question of three words or more, not about the advisor."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return False
        rest = lexicon.without_pleasantries(text.lower()).strip(" \t\n!.,;:-\u2013\u2014")
        return rest != text.lower().strip() and word_count(rest) >= 3 and looks_like_a_question(rest)

    def foreign_words(self, text: str) -> List[str]:
        """Words of the question that nothing in the knowledge data uses (facts, their questions, the
        lexicon's concepts and everyday words), three letters or more, after common endings."""
        lexicon = self.index.lexicon
        foreign = []
        lowered = lexicon.without_frames(text.lower()) if lexicon is not None else text.lower()  # "my colleague told me"
        for word in re.findall(r"[a-z][a-z'-]+", lowered):
            if len(word) < 3 or "'" in word or word.endswith("ly"):
                continue
            forms = {word} | {word[: -len(end)] for end in _ENDINGS if word.endswith(end) and len(word) - len(end) >= 3}
            if word.endswith("ies"):
                forms.add(word[:-3] + "y")  # "responsibilities": "responsibility"
            if "-" in word:
                forms |= {part for part in word.split("-") if len(part) >= 3}  # "one-day": "day" ("one" is short)
                if all(len(part) < 3 or part in self.vocabulary for part in word.split("-")):
                    continue
            if forms & self.vocabulary or (lexicon is not None and lexicon.concepts_in(word)):
                continue
            if any(self._stem_known(f) for f in forms):
                continue
            foreign.append(word)
        return foreign

    def _stem_known(self, form: str) -> bool:
        return any(v.startswith(form) and len(v) - len(form) <= 3 for v in self._by_prefix.get(form[:3], ()))

    def _explains(self, fact: FactEntry, concepts: Sequence[str], text: str = "") -> bool:
        """Whether the fact's questions and answer speak of what the question does: at most
        ``coverage`` of the question's concepts may be foreign to it ("attempts" of the PSM, when
        the PSM fact speaks of questions, minutes and the pass mark)."""
        if self.coverage is None or fact.id not in self._fact_concepts:
            return True
        return len(self._unexplained(fact, concepts, text)) <= self.coverage

    def _why_not(self, fact: FactEntry, text: str, asks: Sequence[str], concepts: Sequence[str], on_subject: bool) -> str:
        """Why a fact that reached the bar does not answer the question ("" when nothing keeps it from it)."""
        if fact.about and not on_subject:
            return "about " + " or ".join(fact.about) + ", which the question is not"
        elsewhere = self._from_another_source(fact, text)
        if elsewhere:
            return elsewhere
        if not self._states(fact, asks):
            return "does not state what is asked"
        if not self._explains(fact, concepts, text):
            return "leaves a concept unexplained: " + ", ".join(self._unexplained(fact, concepts, text))
        return "only a page" if self._only_a_page(fact, text, asks) else ""

    def _from_another_source(self, fact: FactEntry, text: str) -> str:
        """Why the fact cannot say what the source the question names says ("what does the article say about ...?"
        and a fact from an official page; facts.yml `named_sources`), or "" when the question names none or the fact's."""
        lowered = text.lower()
        named = {k for k, patterns in self.index.book.named_sources.items() if any(p.search(lowered) for p in patterns)}
        if named and not named & {s.key for s in fact.sources}:
            return "not from the source the question names: " + ", ".join(sorted(named))
        return ""

    def _unexplained(self, fact: FactEntry, concepts: Sequence[str], text: str = "") -> List[str]:
        """The question's concepts the fact does not speak of (weak ones aside). With the question's
        ``text``, "how long ..." naming no hours, minutes, days or weeks is a duration a fact stating
        months or years speaks of ("how long must I have worked as a PO?": "12 months of work")."""
        weak = self.index.lexicon.weak_concepts if self.index.lexicon is not None else frozenset()
        known = self._fact_concepts.get(fact.id, frozenset())
        if text and fact.id in self._span_facts and not _SMALL_UNITS.search(text):
            known = known | {"duration"}
        if text and not fact.only_with and _ALLIANCE_ONLY.search(text) and not _ASKS_ISSUER.search(text):
            # "... in the scrum master test from scrum alliance?": the issuer of every CSM/CSPO fact, named, not asked
            known = known | {ISSUER_CONCEPT}
        return [c for c in concepts if c not in known and c not in weak]

    def _eligible(self, fact: FactEntry, wanted: Sequence[str], asks: Sequence[str] = ()) -> bool:
        """A fact about a certification asked about (any, when none is; any, for a role fact asked with
        "who": "who owns the backlog, the Scrum Master?"), not one only for a neighbour."""
        return not fact.only_with and (
            not wanted or (fact.topic in self.index.book.unfiltered_topics and "who" in asks)
            or bool(set(wanted) & set(fact.certifications)))

    def _strong(self, asks: Sequence[str]) -> bool:
        lexicon = self.index.lexicon
        return lexicon is not None and any(a in lexicon.strong_asks for a in asks)

    def _states(self, fact: FactEntry, asks: Sequence[str]) -> bool:
        """Whether the fact states what the question asks for (facts without `asks` state anything)."""
        lexicon = self.index.lexicon
        if lexicon is None or not fact.asks:
            return True
        strong = [a for a in asks if a in lexicon.strong_asks]
        return not strong or any(a in fact.asks for a in strong)

    def _builds_on(self, keys: Tuple[str, ...], named: Sequence[str], text: str, asks: Tuple[str, ...]) -> Optional[Decision]:
        """"does the A-CSPO need the CSPO first?", "does a PSM I count toward the A-CSM?": a yes/no question naming an
        advanced certification and another one, asking whether that one is needed or counts, gets what the advanced one
        builds on (neighbours.yml `builds_on_fact`, narrowed to it)."""
        advanced = [k for k in keys if self.neighbours.entries[k].builds_on_fact]
        others = [k for k in keys if k not in advanced]
        lowered = text.lower()
        asked = ("yesno" in asks and _BUILDS_ON.search(lowered)) or _WHAT_IF_I_HOLD.match(lowered)
        if len(advanced) != 1 or not (named or others) or not asked or _OTHER_REQUIREMENT.search(lowered):
            return None
        fact = self.index.book.facts[str(self.neighbours.entries[advanced[0]].builds_on_fact)]
        if advanced[0] in fact.per_neighbour:
            fact = self.index.book.facts[fact.per_neighbour[advanced[0]]]
        return Decision(FACT, "neighbour_fact", fact=fact, topic=fact.topic, neighbours=(advanced[0],), asks=asks,
                        question=True)

    def _best_is_its(self, ranked: Sequence[Tuple[str, float, float]], key: str) -> bool:
        """Whether the best fact a question fits at ``min_score`` is one of the neighbour's (`answers_facts`, `only_with`)."""
        best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
        if best is None or best[1] < self.index.book.min_score:
            return False
        return self.index.book.facts[best[0]].only_with == key or best[0] in self.neighbours.entries[key].answers_facts

    def _then_fact(self, after: str, before: Optional[str]) -> FactEntry:
        """What the neighbour ``after`` is (its first fact), for the track of the one before it when the data narrows
        it (`per_neighbour`: after the A-CSM, the CSP-SM alone)."""
        fact = self.index.book.facts[self.neighbours.entries[after].answers_facts[0]]
        if before is not None and before in fact.per_neighbour:
            return self.index.book.facts[fact.per_neighbour[before]]
        return fact

    def _is_broad(self, text: str) -> bool:
        """Few words beyond the certification's name and the topic ("csm costs?"): the summary fits."""
        normalised, _ = self.index.normalise(text)
        words = [w for w in normalised.split() if w != "certname" and not w.startswith("q_")]
        return len(words) <= self.index.book.topic_max_words

    def _nearest(self, ranked: Sequence[Tuple[str, float, float]], wanted: Sequence[str]) -> Optional[FactEntry]:
        book = self.index.book
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                continue
            fact = book.facts[label]
            if fact.only_with or (wanted and not set(wanted) & set(fact.certifications)):
                continue
            return fact if score >= book.nearest_min_score else None
        return None

    def _topic(self, topic: str, named: Sequence[str], context: Context, rule: str,
               asks: Tuple[str, ...] = (), candidates: Tuple[Tuple[str, float], ...] = ()) -> Decision:
        kb = self.kb
        if named:
            certs, from_context = tuple(named), False
        elif context.certification in kb.certifications and topic not in ("comparison", "resources"):
            certs, from_context = (str(context.certification),), True
        else:
            certs, from_context = tuple(kb.certifications), False
        return Decision(TOPIC, rule, topic=topic, certifications=certs, from_context=from_context,
                        asks=asks, candidates=candidates)

    def _neighbour(self, keys: Tuple[str, ...], text: str, asks: Tuple[str, ...],
                   ranked: Sequence[Tuple[str, float, float]], candidates: Tuple[Tuple[str, float], ...],
                   unknown: Optional[Unknown]) -> Decision:
        """A fact that answers for the neighbour; else "not known" when the question asks for a detail
        (a price, a count, a known unknown, or something beyond what the description says); else the
        neighbour's description."""
        book = self.index.book
        if unknown is not None:  # "how much is the PSM?": what the data says about not knowing it
            return Decision(NOT_KNOWN, "neighbour_not_known", neighbours=keys, unknown=unknown, asks=asks,
                            candidates=candidates)
        concepts = tuple(self.index.lexicon.concepts_in(text.lower())) if self.index.lexicon is not None else ()
        if ("issuer" in concepts or _ISSUER_ASKED.search(text.lower())) and not self._strong([a for a in asks if a != "who"]):
            # "is PSM I the Scrum Alliance one?": who issues it, first, then what it is
            return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=tuple(dict.fromkeys(asks + ("who",))),
                            candidates=candidates, concepts=concepts)
        question = the_question(text)
        if self._defines(text, keys, asks) or (question != text and self._defines(question, keys, asks)):
            # "what's PSM I?", "is PSM the same as CSM?", "I keep seeing PSM in job ads. what is it": what it is
            return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=asks, candidates=candidates,
                            concepts=concepts)
        after = self._after(text, keys)
        if after is not None:  # "what's the next level after the A-CSPO?": the one that follows it, and what it is
            fact = self._then_fact(after, keys[0] if len(keys) == 1 else None)
            return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(after,), asks=asks,
                            candidates=candidates)
        allowed = {f for k in keys for f in self.neighbours.entries[k].answers_facts}
        # what the one after it is comes after its own facts: "does A-CSM need a CSM, and how many months of experience?"
        # asks its own 12 months, not the CSP's 24 (which the words "months of experience" fit as well)
        entries = self.neighbours.entries
        later = {f for k in keys if entries[k].then in entries and entries[k].then not in keys
                 for f in entries[str(entries[k].then)].answers_facts}
        # "if I've only been a product owner for 8 months, can I get the A-CSPO yet?": the fact whose minimum the user's
        # own figure is put against (the 12 months), when it is close to the best, before one the words fit as well
        own_figure = SCORE_WORDS.search(text.lower()) is not None
        best = max((score for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), default=0.0)

        def measured(label: str, score: float) -> bool:
            fact = book.facts.get(label)
            return own_figure and fact is not None and score >= best - NEIGHBOUR_THRESHOLD_MARGIN \
                and _reads_the_figure(fact, text)

        for label, score, _ in sorted(ranked, key=lambda c: (c[0] in later, not measured(c[0], c[1]))):
            if label.startswith(TOPIC_PREFIX) or score < book.min_score:
                continue
            fact = book.facts[label]
            covers_all = len(keys) == 1 or all(fact.id in self.neighbours.entries[k].answers_facts for k in keys)
            if covers_all and (fact.only_with in keys or fact.id in allowed) and self._states(fact, asks) \
                    and self._explains(fact, concepts, text):
                if len(keys) == 1 and keys[0] in fact.per_neighbour:
                    fact = book.facts[fact.per_neighbour[keys[0]]]  # "how long is the A-CSM course?": the A-CSM's alone
                if len(keys) == 1 and label in later:
                    # "what comes after it?" right after the A-CSM: the one after it, which "there" then is ("and what do
                    # I need to get there?")
                    return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(str(entries[keys[0]].then),),
                                    asks=asks, candidates=candidates)
                return Decision(FACT, "neighbour_fact", fact=fact, topic=fact.topic, neighbours=keys,
                                asks=asks, candidates=candidates)
        lexicon = self.index.lexicon
        detail = lexicon is not None and (
            self._strong([a for a in asks if a != "who"])  # who issues it: the description says
            or any(c not in lexicon.described_by_neighbours for c in concepts))
        if not all(self.neighbours.entries[k].answers_facts for k in keys) \
                and any(_REQUIREMENT_NOUN.match(t) for t in self._beside_the_names(text, keys)):
            # "what are the requirements for the PMP?": its description does not say what it takes
            detail, concepts = True, concepts + ("prerequisite",)
        if detail:
            return Decision(NOT_KNOWN, "neighbour_not_known", neighbours=keys, asks=asks, candidates=candidates,
                            concepts=concepts)
        return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=asks, candidates=candidates, concepts=concepts)

    def _asked_again_for(self, turn: Turn, named: Sequence[str], context: Context) -> Optional[Decision]:
        """"and for a csm?" right after a question no fact answered ("what's the average salary of a cspo?"):
        that question again, for the certification now named; its honest "I don't know" when no fact answers it
        either (rule `counterpart_question`). None when the question before was itself such a follow-up."""
        previous = str(context.question)
        if len(set(named)) != 1 or named[0] not in self.kb.certifications or not looks_like_a_question(previous) \
                or is_elliptical(self.kb, previous, ()) or word_count(previous) <= 3:
            return None
        spans = [(int(e["start"]), int(e["end"])) for e in turn.entities
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
        # (the user's own words for it: "and the po?" after "what does the scrum master do?" asks what the po does)
        name = turn.text[spans[0][0]:spans[0][1]] if len(spans) == 1 else named[0]
        text, count = self._certification_names.subn(name, previous) if self._certification_names else (previous, 0)
        if not count:
            text = f"{previous.rstrip(' ?!.')} for the {name}?"
        # (only after a question no fact answered: after a topic's summary, "and the po?" is that topic for the PO)
        if self._plan(Turn(text=previous, intent=None, confidence=0.0, entities=()), Context()).kind != NOT_KNOWN:
            return None
        kind = next((str(e.get("entity")) for e in turn.entities if e.get("entity")), "certification")
        value = next((e.get("value") for e in turn.entities if e.get("entity")), named[0])
        entities = tuple({"entity": kind, "value": value, "start": m.start(), "end": m.end()}
                         for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text))
        decision = self._plan(replace(turn, text=text, entities=entities), Context(certification=named[0]))
        if decision.kind not in (FACT, COUNTERPART, NOT_KNOWN) or decision.also:
            return None
        return replace(decision, rule="counterpart_question", certifications=(named[0],))

    def _asked_again_for_neighbour(self, turn: Turn, context: Context) -> Optional[Decision]:
        """"and the a-cspo?" right after "how much does the a-csm course cost?", "what about the psm?" right after "how
        many people fail the csm": a whole "and X?" naming one neighbour, right after a question no fact answered, is
        that question again for it (its honest "I don't know"), not what the neighbour is. None otherwise."""
        keys = self.neighbours.named(turn.text, list(turn.entities))
        previous = str(context.question)
        if len(keys) != 1 or self._any_names is None or word_count(turn.text) > 5 or not GOING_ON.match(turn.text.lower()) \
                or not looks_like_a_question(previous) or word_count(previous) <= 3:
            return None
        left = self._any_names.sub(" ", turn.text.lower())
        if re.sub(r"\W+|\b(and|also|so|plus|what|how|about|the|for|a|an|then|ok|okay)\b", "", left):
            return None  # words beyond the name ("and the a-cspo, how long?"): a question of its own
        if self._plan(Turn(text=previous, intent=None, confidence=0.0, entities=()), Context()).kind != NOT_KNOWN:
            return None
        name = self.neighbours.entries[keys[0]].aliases[0]
        text, count = self._any_names.subn(name, previous)
        if not count:
            return None
        decision = self._plan(replace(turn, text=text, entities=()), Context())
        if decision.kind != NOT_KNOWN or decision.also:
            return None
        if decision.unknown is not None and decision.unknown.about:
            # what it says is about the CSM or the CSPO ("... people find the CSM test"): the plain "I don't know" for it
            decision = replace(decision, unknown=None, nearest=None)
        return replace(decision, rule="counterpart_question", neighbours=(keys[0],), from_context=True, question=True)

    def _compared_with_neighbour(self, keys: Tuple[str, ...], named: Sequence[str], text: str, asks: Tuple[str, ...],
                                 ranked: Sequence[Tuple[str, float, float]],
                                 candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """A question comparing a certification named with one neighbour on one point ("psm vs csm which one lasts
        longer?"): the best fact of each that states what is asked (comparing aside), when both are found."""
        lexicon, book = self.index.lexicon, self.index.book
        if lexicon is None or len(keys) != 1 or not _COMPARING.search(text.lower()):
            return None
        entry = self.neighbours.entries[keys[0]]
        concepts = tuple(c for c in lexicon.concepts_in(text.lower()) if c != DIFFERENCE_CONCEPT)
        wanted = tuple(asks_ for asks_ in asks if asks_ not in UNPARTICULAR_ASKS)
        theirs: Optional[FactEntry] = None
        ours: Optional[FactEntry] = None
        mate: Optional[str] = None  # the counterpart the neighbour's own fact names for the certification
        for label, score, _ in ranked:
            fact = book.facts.get(label)
            if fact is None or not self._states(fact, wanted) or not self._explains(fact, concepts, text):
                continue
            own = fact.only_with == keys[0]
            # (the neighbour named has only a few facts of its own: one that speaks of every point asked is
            # its answer at any score, "PSM I vs CSM: which one needs a course?")
            if score < book.min_score and not (own and concepts):
                continue
            if theirs is None and (own or fact.id in entry.answers_facts):
                theirs = book.facts[fact.per_neighbour[keys[0]]] if keys[0] in fact.per_neighbour else fact
                # (the CSM and the CSPO both named: a counterpart speaking of both, "psm vs csm vs cspo which lasts
                # longer?" the validity of both)
                mate = next((m for m in (fact.counterparts.get(c, "") for c in named) if m in book.facts
                             and set(named) <= set(book.facts[m].certifications)), None)
            elif ours is None and score >= book.min_score and not fact.only_with and not fact.about \
                    and self._eligible(fact, named, wanted) and fact.topic not in self._guide_topics \
                    and DIFFERENCE_CONCEPT not in self._fact_concepts.get(fact.id, ()):
                ours = fact
        if mate is not None and (ours is None or (
                len(ours.certifications) > len(set(named)) and len(book.facts[mate].certifications) == len(set(named)))):
            # the counterpart the data gives the neighbour's fact, rather than a fact about both CSM and CSPO
            # ("PSM I vs CSM, which one needs a course?": the CSM's path, not that neither has prerequisites)
            ours = book.facts[mate]
        if theirs is None or ours is None or theirs.id == ours.id:
            return None
        lowered = text.lower()
        mentions = self._neighbour_starts(lowered)
        own_mention = self._certification_names.search(lowered) if self._certification_names is not None else None
        if mentions and own_mention is not None and min(mentions) < own_mention.start():
            # "PSM I vs CSM: ...": the neighbour's fact first, as the user put it
            also = Decision(FACT, "compared_fact", fact=ours, topic=ours.topic, certifications=tuple(named), asks=asks)
            return Decision(FACT, "neighbour_compared", fact=theirs, topic=theirs.topic, asks=asks, candidates=candidates,
                            neighbours=keys, also=(also,))
        also = Decision(FACT, "neighbour_fact", fact=theirs, topic=theirs.topic, neighbours=keys, asks=asks)
        return Decision(FACT, "neighbour_compared", fact=ours, topic=ours.topic, certifications=tuple(named),
                        asks=asks, candidates=candidates, neighbours=keys, also=(also,))

    def _neighbour_starts(self, lowered: str) -> List[int]:
        """Where the (lower-case) text names a neighbouring certification by one of its aliases."""
        return [m.start() for m in self.neighbours.pattern.finditer(lowered)] if self.neighbours.pattern is not None else []

    def _after(self, text: str, keys: Sequence[str]) -> Optional[str]:
        """The neighbour that follows the one named, when the message asks what comes after it."""
        if len(keys) != 1 or not self.neighbours.entries[keys[0]].then:
            return None
        entry = self.neighbours.entries[keys[0]]
        names = "|".join(re.escape(a) for a in sorted(entry.aliases, key=len, reverse=True))
        asked = re.search(r"\b(after|beyond|following|past|above|higher than|up from)\s+"
                          r"(the\s+|my\s+|an?\s+|your\s+)?((getting|having|earning|"
                          r"finishing|doing|passing)\s+(the\s+|my\s+|an?\s+)?)?(" + names + r")(?![\w-])"
                          # "does the experience have to come after the A-CSM course?" asks when, not what follows it
                          r"(?!\s+(course|class|training|workshop)s?\b)", text.lower())
        return entry.then if asked else None

    def _defines(self, text: str, keys: Sequence[str], asks: Sequence[str] = ()) -> bool:
        """Whether the message only asks what a neighbour is, or how it relates to the CSM/CSPO (its words,
        beside the names, are all `definition_words` of lexicon.yml or linking words), or all it takes
        (`requirement_words`, one at least: "A-CSM eligibility?"; not a yes/no question)."""
        words = self._definition_words
        if not words:
            return False
        tokens = self._beside_the_names(text, keys)
        if bool(tokens) and all(t in words or t in self.kb.followup_words for t in tokens):
            return True
        allowed = words | self._requirement_words | self._requirement_fillers | self.kb.followup_words
        # only for a neighbour the knowledge holds facts for (its description then says what it takes; the PMP's does not)
        described = all(self.neighbours.entries[k].answers_facts for k in keys)
        return described and "yesno" not in asks and any(t in self._requirement_words for t in tokens) \
            and all(t in allowed for t in tokens)

    def _beside_the_names(self, text: str, keys: Sequence[str]) -> List[str]:
        lowered = text.lower()
        aliases = [a for k in keys for a in self.neighbours.entries[k].aliases] + [
            a for cert in self.kb.certifications.values() for a in cert.aliases]
        for alias in sorted(aliases, key=len, reverse=True):
            lowered = re.sub(r"(?<![\w-])" + re.escape(alias.lower()) + r"(?![\w-])", " ", lowered)
        return WORD.findall(lowered)

    def _asks_fit(self, text: str) -> bool:
        """"which one suits me?", "is the CSM relevant for a tester?" (lexicon `asks: fit`)."""
        return "fit" in self._asks(text)

    def _audience(self, turn: Turn, entities: Sequence[Mapping[str, Any]], context: Context = NO_CONTEXT) -> Optional[str]:
        """One role the article places, in a question asking which certification suits it, or in a short
        follow-up of such an answer ("and a developer?")."""
        follow_up = context.topic == "audience" and bool(GOING_ON.match(turn.text.lower())) \
            and word_count(turn.text) <= 8
        if not self._asks_fit(turn.text) and not follow_up and self._claimed(turn.text, entities) is None:
            return None
        lowered = turn.text.lower()
        # "developer moving into product, which of the two?": the role moved into, not the one left (`role_moves`)
        roles = {role for role, cues in self.role_moves.items() if any(c.search(lowered) for c in cues)} \
            or {str(e.get("value")) for e in entities if e.get("entity") == "role" and not _names_its_certification(turn.text, e)}
        if not roles:  # "I run a small startup, which cert?": a role described, not named (lexicon `role_cues`)
            roles = {role for role, cues in self.role_cues.items() if any(c.search(lowered) for c in cues)}
        if len(roles) != 1:
            return None
        role = next(iter(roles))
        return role if self.role_leaning.get(role) in ("csm", "cspo") else None

    def _claimed(self, text: str, entities: Sequence[Mapping[str, Any]]) -> Optional[str]:
        """The certification a claim to check says suits a role ("my boss says as a BA I should do the CSM, is that
        right?"): the first one named, in a message framed as a claim (lexicon.yml `claim_frames`); None otherwise."""
        lexicon = self.index.lexicon
        if lexicon is None or not lexicon.frames_a_claim(text.lower()):
            return None
        named = sorted((int(e.get("start") or 0), str(e.get("value"))) for e in entities
                       if e.get("entity") == "certification" and str(e.get("value")) in self.kb.certifications)
        # ("do the scrum master one": a role named for its certification)
        named += sorted((int(e.get("start") or 0), str(self.kb.certification_for_role(str(e.get("value")).lower())))
                        for e in entities if _names_its_certification(text, e)
                        and self.kb.certification_for_role(str(e.get("value")).lower()))
        if not named or (len({c for _, c in named}) > 1 and not _NOT_THE_OTHER.search(text.lower())):
            return None  # ("does it make sense to do the CSM or the CSPO first?": both offered, none claimed)
        return min(named)[1]

    def _claimed_for(self, role: str, text: str, entities: Sequence[Mapping[str, Any]]) -> Optional[str]:
        """"yes" / "no" before the article's answer for a role, when the message claims a certification suits it."""
        claimed = self._claimed(text, entities)
        if claimed is None:
            return None
        return "yes" if self.role_leaning.get(role) == claimed.lower() else "no"

    def _duty_guide(self, text: str, asks: Sequence[str], ranked: Sequence[Tuple[str, float, float]]) -> Optional[FactEntry]:
        """"I decide which features we build and in what order, which cert?": the words fit one role's duty best
        (a fact of `unfiltered_topics`, at `duty_guide_min_score`): the article's choose-if line of that role's
        certification."""
        book = self.index.book
        if "fit" not in asks or book.duty_guide_min_score is None:
            return None
        best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
        if best is None or best[1] < book.duty_guide_min_score:
            return None
        duty = book.facts[best[0]]
        if duty.topic not in book.unfiltered_topics or len(duty.certifications) != 1:
            return None
        return next((book.facts[f] for f in self.guide_facts.values()
                     if f in book.facts and book.facts[f].certifications == duty.certifications), None)

    def _goal_guide(self, turn: Turn, ranked: Sequence[Tuple[str, float, float]] = ()) -> Optional[FactEntry]:
        """"I love clearing blockers for the team, which one?": the article's choose-if line for that goal.
        A goal the NLU is less than sure of needs the words' agreement: no other goal's line matches the
        message better ("more into how the work gets done than what gets built" is no product goal)."""
        book = self.index.book
        fact_id = self.guide_facts.get(turn.intent or "")
        if fact_id is None or turn.unsure or turn.confidence < book.guide_min_confidence:
            return None
        if not self._asks_fit(turn.text) and (turn.confidence < book.guide_statement_confidence
                                              or QUESTION_START.match(turn.text)):
            # "I care about what we build and why" asks nothing: a goal the NLU is this sure of, said, not
            # asked ("what goes into a product backlog?" is a question about the backlog)
            return None
        if turn.confidence < book.guide_sure_confidence:
            scores = {label: score for label, score, _ in ranked}
            # only the lines about one certification compete: "consider both" shares its words with every
            # "which one?" question
            others = {f for f in self.guide_facts.values() if f != fact_id and len(book.facts[f].certifications) == 1}
            if any(scores.get(other, 0.0) > scores.get(fact_id, 0.0) for other in others):
                return None
        return book.facts[fact_id]
