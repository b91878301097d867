"""What the answer planner (actions/planner.py) reads and decides: the user's message as it reads it
(:class:`Turn`), what the conversation remembers (:class:`Context`), the decision with its trace
(:class:`Decision`), and which of the advisor's actions take a decision (:func:`accepted`: the routes by which a
message reaches the planner). Pure: no Rasa, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Optional, Tuple

from actions.context import trusted_entities
from actions.facts import FactEntry
from actions.knowledge_base import Knowledge
from actions.restate import words_not_known
from actions.unknowns import Unknown

FACT, COUNTERPART, TOPIC, NEIGHBOUR, AUDIENCE, NOT_KNOWN = "fact", "counterpart", "topic", "neighbour", "audience", "not_known"
NO_ANSWER = "none"  # the planner has no knowledge answer: the caller replies its own way
TRACE_CANDIDATES = 5


@dataclass(frozen=True)
class Turn:
    """What the planner reads of the user's message."""

    text: str
    intent: Optional[str]
    confidence: float
    entities: Tuple[Mapping[str, Any], ...]
    unsure: bool = False  # the NLU fell back: ``intent`` is only its best guess
    # ... torn between two knowledge questions ("can I go straight to the CSPO?": requirements or overview):
    # a knowledge question all the same, held to ``torn_min_score`` rather than ``unsure_min_score``
    torn: bool = False

    @classmethod
    def from_message(cls, message: Mapping[str, Any], unsure: bool = False,
                     intent: Optional[str] = None) -> "Turn":
        parsed = message.get("intent") or {}
        return cls(text=str(message.get("text") or ""), intent=intent or parsed.get("name"),
                   confidence=float(parsed.get("confidence") or 0.0),
                   entities=tuple(trusted_entities(message)), unsure=unsure)

    @classmethod
    def after_fallback(cls, message: Mapping[str, Any], kb: Knowledge, fallback_intent: str) -> "Turn":
        """A message the NLU fell back on: its best guess as the intent, and whether its two likeliest
        intents both ask a knowledge question (a topic of dialogue.yml other than the recommendation)."""
        guesses = [str(i.get("name")) for i in message.get("intent_ranking") or [] if i.get("name") != fallback_intent][:2]
        torn = len(guesses) == 2 and all(kb.topic_for_intent(g) not in (None, "recommendation") for g in guesses)
        return replace(cls.from_message(message, unsure=True, intent=guesses[0] if guesses else None), torn=torn)

    @property
    def is_payload(self) -> bool:
        return self.text.lstrip().startswith("/")


@dataclass(frozen=True)
class Context:
    """What the conversation remembers from the previous answer."""

    certification: Optional[str] = None
    topic: Optional[str] = None
    fact: Optional[str] = None
    neighbour: Optional[str] = None  # a neighbouring certification the last answer was about
    # the user's message before this one (read from the conversation, never kept in a slot): what a short
    # follow-up's pronoun stands for ("how do i get them?" after "how many SEUs do I need?")
    question: Optional[str] = None


NO_CONTEXT = Context()  # a conversation's first message: nothing remembered


AUDIENCE_TOPIC = "audience"  # whom each certification suits (certifications.yml): what an audience answer said


@dataclass(frozen=True)
class Decision:
    kind: str
    rule: str
    fact: Optional[FactEntry] = None
    topic: Optional[str] = None
    certifications: Tuple[str, ...] = ()
    neighbours: Tuple[str, ...] = ()
    unknown: Optional[Unknown] = None
    nearest: Optional[FactEntry] = None
    role: Optional[str] = None
    from_context: bool = False
    asks: Tuple[str, ...] = ()
    candidates: Tuple[Tuple[str, float], ...] = field(default_factory=tuple)
    # "yes" / "no" before the fact (actions/polarity.py); "all_of_it" (rule all_of_it); "because": its reason instead;
    # "fits": the certification the fact names for a goal, to "which one?" (rule goal_guide); "sure" / "how_sure": "are you
    # sure?" / "how sure are you?" (rule sure_of_last)
    polarity: Optional[str] = None
    score: float = 0.0  # the fact's score
    sure_score: float = 1.0  # the bar a fact must reach when the NLU was unsure (fact_retrieval.unsure_min_score)
    # ... when the NLU took a question asking no fit for the form's "which one?" (fact_retrieval.form_question_min_score)
    form_score: float = 1.0
    question: bool = False  # the message is a question (a question mark, or it asks for something)
    opens_form: bool = False  # a fact the data lets answer a message that opens the form (form_opening_facts)
    foreign: Tuple[str, ...] = ()  # words of the question the knowledge never uses (they raise the bar)
    # a short question leaning on the last answer ("how many questions is that?" after the pass mark),
    # answered by a fact of the same topic that speaks of what it asks about
    leans_on_last: bool = False
    route: Optional[str] = None  # how the message reached the planner, when not as a knowledge question (trace)
    source_only: bool = False  # "link?" after a fact: only where the fact comes from, not the fact again
    concepts: Tuple[str, ...] = ()  # the question's concepts (lexicon), named in an honest "I don't know"
    # candidates that reached the bar and why each was not the answer (trace: "why not this fact?")
    rejected: Tuple[Tuple[str, str], ...] = ()
    part: str = ""  # the words of the message this decision answers, when it asks more than one question
    also: Tuple["Decision", ...] = ()  # the answers to its further questions (actions/parts.py), in order
    numbered: bool = False  # the user numbered the questions ("1) ... 2) ..."): each answer under its number, in order
    worked_out: str = ""  # what the user's own figures work out to with the fact (actions/figures.py), said first
    introduces: Optional[str] = None  # the neighbour the fact says what it is ("what comes after the csm?": the A-CSM)
    # what a question asks about that its known unknown's words don't say ("student discount"; actions/restate.py)
    asked_about: Tuple[str, ...] = ()
    in_depth: bool = False  # advice or detail in depth asked for ("deep dive on psm i"): the scope said first
    # an honest "I don't know" that names nothing else: the question's own words, quoted (question_text.quotable)
    quoted: str = ""

    @property
    def restated(self) -> str:
        """An honest "I don't know" with no known unknown: the question's words the knowledge never uses, named
        (actions/restate.py: '"pause" or "break"'); with one, what the question asks about that the unknown's words don't
        say ('"student discount"'); "" otherwise."""
        if self.kind != NOT_KNOWN:
            return ""
        return words_not_known(self.asked_about if self.unknown is not None else self.foreign) or ""

    def trace(self) -> Dict[str, Any]:
        """The decision as plain data, for the bot event's metadata and the workbench."""
        return {
            "decision": self.kind, "rule": self.rule,
            "fact": self.fact.id if self.fact else None, "topic": self.topic,
            "certifications": list(self.certifications), "neighbours": list(self.neighbours),
            "unknown": self.unknown.id if self.unknown else None,
            "nearest": self.nearest.id if self.nearest else None, "role": self.role,
            "asks": ", ".join(self.asks) or None, "polarity": self.polarity,
            "foreign_words": list(self.foreign) or None, "asked_about": list(self.asked_about) or None,
            "route": self.route, "worked_out": self.worked_out or None,
            "candidates": [{"id": label, "score": round(score, 3)} for label, score in self.candidates],
            "rejected": [{"id": label, "why": why} for label, why in self.rejected] or None,
            **({"parts": [{"part": d.part, "decision": d.kind, "rule": d.rule, "fact": d.fact.id if d.fact else None,
                           "unknown": d.unknown.id if d.unknown else None} for d in (self,) + self.also]}
               if self.also else {}),
        }

    def context_after(self, before: Context) -> Context:
        """What the conversation remembers after this answer."""
        if self.neighbours:
            return Context(neighbour=self.neighbours[0], fact=self.fact.id if self.fact else None)
        if self.kind in (FACT, COUNTERPART) and self.fact is not None:
            cert = self.fact.certifications[0] if len(self.fact.certifications) == 1 else (
                self.certifications[0] if len(self.certifications) == 1 else None)
            return Context(certification=cert, topic=self.fact.topic, fact=self.fact.id, neighbour=self.introduces)
        if self.kind == TOPIC:
            cert = self.certifications[0] if len(self.certifications) == 1 and self.topic != "comparison" else None
            return Context(certification=cert, topic=self.topic, fact=None)
        if self.kind == NOT_KNOWN:
            cert = self.certifications[0] if len(self.certifications) == 1 else before.certification
            return Context(certification=cert, topic=before.topic, fact=None)
        if self.kind == AUDIENCE:  # "and for a developer?" next is the same question for another role
            # (and "why that one?" asks why the certification it named: the planner puts it in `certifications`)
            return Context(topic=AUDIENCE_TOPIC, certification=self.certifications[0] if len(self.certifications) == 1 else None)
        return before


KNOWLEDGE, FALLBACK, OUT_OF_SCOPE, FORM = "knowledge", "fallback", "out_of_scope", "form"
# A message the NLU took for small talk ("how many questions is that?" as ask_why, "open book or not?" as
# deny) right after a knowledge answer: the planner answers it only as a follow-up of that answer.
SMALL_TALK = "small_talk"
# "why?" right after a fact whose sources give no reason (actions/planner_followups.py)
WHY_NOT_STATED = "why_not_stated"
CONTEXT_RULES = ("counterpart", "counterpart_same_fact", "counterpart_question", "then", "said_already", "threshold_of_last",
                 "swap",
                 "source_of_last", "all_of_it", "sure_of_last", "figure_of_last", "audience_why", "audience_other", "topic_other",
                 "why_of_last", WHY_NOT_STATED, "subject_of_last", "next_step", "certification_of_last", "both_of_last",
                 "per_of_last", "currency_of_last")
# Rules whose answer comes before the recommendation form's question when the message opened the form.
FORM_OPENING_RULES = ("audience", "goal_guide", "side", "neighbour", "known_unknown")


def accepted(route: str, decision: Decision) -> bool:
    """Whether the action of ``route`` answers with the planner's decision or replies its own way:
    a knowledge question takes any answer; a message the NLU was unsure of takes anything but a bare
    "I don't know" (the fallback's "did you mean …?" buttons help more); one it put out of scope
    (planned as unsure: the stricter bar) only a neighbour, a known unknown or a fact."""
    if decision.kind == NO_ANSWER:
        return False
    if route == FALLBACK:
        return decision.rule != "not_known"
    if route == FORM:
        # "which one should I take?" is what the form answers: a fact comes first only for a clear
        # question that is not about which one fits ("who removes impediments?" the NLU took for a goal)
        # ("which is cheaper to keep, csm or cspo?" asks which one, but for a price a fact states: the fact)
        # (a message going on from the answer just given, "both of them?" after the validity, which the NLU took for a
        # wish for both: that answer, before the form's question)
        # ("I just got my CSM, what now?" opening it asks for advice: not the next certification, rule next_step)
        return decision.rule.startswith(FORM_OPENING_RULES) or decision.opens_form or (
            decision.rule in CONTEXT_RULES and decision.rule != "next_step") or (
            decision.rule in ("fact", "threshold", "counterpart_of_best", "aspect_compared", "asked_in_a_story", "figure_held")
            and decision.question
            and not _fit_asked(decision)
            and decision.score >= (decision.sure_score if "fit" in decision.asks else decision.form_score))
    if route == SMALL_TALK:
        # only a question leaning on the answer just given: "what can you do?", "ok then", "100%" are not
        if decision.rule in ("then", "said_already"):  # "ok then" and "100%" are no questions
            return decision.question
        return decision.rule in CONTEXT_RULES or (
            decision.leans_on_last and decision.question and decision.score >= decision.sure_score)
    if route == OUT_OF_SCOPE:
        return decision.rule.startswith(("neighbour", "known_unknown", "counterpart", "side")) or decision.rule in FOLLOWING_RULES
    return True


def _fit_asked(decision: Decision) -> bool:
    """A fact for a question asking which one fits ("which cert fits me?"), with nothing in particular that the
    fact states ("which is cheaper to keep, csm or cspo?" asks which one, but for a price a fact states)."""
    specific = decision.fact is not None and bool(set(decision.asks) & set(decision.fact.asks) - GENERIC_ASKS)
    return decision.rule in ("fact", "threshold", "aspect_compared") and "fit" in decision.asks and not specific


def fit_only(decision: Decision) -> bool:
    """... and speaking of nothing in particular either ("which one is about the 'how'?" speaks of how and what):
    in the form, the form's own question ("which cert fits me?" gets no fact the words "which cert" fit)."""
    return _fit_asked(decision) and not decision.concepts
# a fact: the one that states it, or one leaning on the last
FOLLOWING_RULES = ("fact", "figure_held", "asked_in_a_story", "threshold", "threshold_of_last", "said_already", "then",
                   "all_of_it", "sure_of_last", "figure_of_last", "both_of_last", "per_of_last",
                   "why_of_last", "subject_of_last", "next_step",
                   "certification_of_last", "currency_of_last")
UNPARTICULAR_ASKS = frozenset({"fit", "yesno"})  # a yes or no, which one: nothing a fact states in particular
GENERIC_ASKS = UNPARTICULAR_ASKS | {"how"}  # ... nor "how", for the form: "which one?" for a price is the fact's
