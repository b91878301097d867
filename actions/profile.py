"""Understands the user's answers to the recommendation questions. Pure: parsed message in, slot
values out. Answers are read through the NLU (intents, their ranking, the `role` entity, the goal
spotter's hint, whether the message is worded as a question), never through keyword lists.

While the form waits for a slot, a reply is first read as the answer to that question: an answer
intent for the slot (a goal for the focus, `inform_role`, yes/no) counts even when a knowledge intent
ranks above it, unless the reply is a clear new question (worded as a question, a knowledge or
small-talk intent on top). A clear question is left to its own rule and the form asks again."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.context import trusted_entities
from actions.render import quote_user_text

ROLE, FOCUS, LEADS = "current_role", "preferred_focus", "leads_transformation"
FORM_SLOTS = (ROLE, FOCUS, LEADS)

GOAL_FOCUS: Mapping[str, str] = {
    "goal_facilitate_teams": "team_process",
    "goal_own_product": "product_value",
    "goal_lead_transformation": "both",
}
ROLE_INTENTS = frozenset({"inform_role", "ask_recommendation"})
# The intents that answer each question (the role question also takes a `role` entity).
ANSWER_INTENTS: Mapping[str, frozenset] = {
    ROLE: frozenset({"inform_role"}),
    FOCUS: frozenset(GOAL_FOCUS),
    LEADS: frozenset({"affirm", "deny", "goal_lead_transformation"}),
}
ANY_ANSWER = frozenset().union(*ANSWER_INTENTS.values()) | ROLE_INTENTS
# Intents that are a different request rather than an answer: the form pauses, the request is
# handled by its own rule, and the form asks its question again.
NOT_AN_ANSWER = frozenset({
    "ask_certification_info", "ask_responsibilities", "ask_benefits", "ask_audience", "ask_skills",
    "compare_certifications", "ask_requirements", "ask_cost", "ask_resources", "ask_continuous_learning",
    "greet", "thank", "goodbye", "bot_challenge", "ask_capabilities", "stop", "start_over",
    "feedback_helpful", "feedback_wrong",  # a vote on the answer just given (data/rules/feedback.yml)
    "request_human",  # asking for a person (data/rules/handoff.yml): the form ends, a trainer is asked for
})
# After this many unclear answers to the same question the form takes "not sure" and moves on,
# so no question is asked more than twice in a row.
MAX_UNCLEAR = 2
DEFAULTS: Mapping[str, Any] = {ROLE: "other", FOCUS: "both", LEADS: False}
FOCUS_VALUES = ("team_process", "product_value", "both")


@dataclass(frozen=True)
class Parsed:
    intent: Optional[str]
    confidence: float
    ranking: List[Mapping[str, Any]]
    entities: Sequence[Mapping[str, Any]]
    text: str
    is_payload: bool
    goal_hint: Optional[Mapping[str, Any]] = None
    # Worded as a question (the NLU's QuestionForm: word order or a final "?").
    question_form: bool = False
    # The intent is an answer intent read from further down the ranking, not the NLU's top intent.
    reread: bool = False

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> "Parsed":
        intent = message.get("intent") or {}
        text = message.get("text") or ""
        is_payload = text.lstrip().startswith("/")
        question_form = message.get("question_form")
        return cls(
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=list(message.get("intent_ranking") or []),
            entities=trusted_entities(message),
            text=text,
            is_payload=is_payload,
            goal_hint=message.get("goal_hint") if isinstance(message.get("goal_hint"), dict) else None,
            question_form=not is_payload and (question_form if isinstance(question_form, bool)
                                              else text.rstrip().endswith("?")),
        )


# A question about someone else ("which one should a project manager take?", "what does leading a
# transformation mean?"): an interrogative first word and no word of the user speaking of themselves.
_ASKING = re.compile(r"^\W*(?:what|what's|whats|how|why|who|whom|whose|when|where|which|does|do|did|is|are|can|could|"
                     r"should|would|will|shall|may|might|must)\b", re.IGNORECASE)
_SELF = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|our|ours|us)\b|\bas an?\b", re.IGNORECASE)


def asks_about_others(parsed: Parsed) -> bool:
    """Worded as a question about someone or something else: a role or goal it names is not the user's."""
    return parsed.question_form and bool(_ASKING.match(parsed.text)) and not _SELF.search(parsed.text)


def is_new_question(parsed: Parsed) -> bool:
    """A clear new request rather than an answer: worded as a question, with a knowledge or small-talk
    intent on top ("how much does the CSM cost?"). A payload button is one when its intent is."""
    return parsed.intent in NOT_AN_ANSWER and (parsed.question_form or parsed.is_payload)


def as_answer(parsed: Parsed, requested: Optional[str], answer_confidence: float) -> Parsed:
    """The message read as the answer to ``requested``, the question the form is waiting for.

    The NLU's top intent stands when it answers the question, when nothing is asked, and for a clear
    new question. Otherwise the best-ranked intent that answers the question, if the NLU gives it at
    least ``answer_confidence``, is taken in its place ("how the work gets done" read as a goal although
    a knowledge intent ranked first); ``reread`` marks it, so that a focus read this way is asked back.
    """
    wanted = ANSWER_INTENTS.get(requested or "")
    if not wanted or parsed.is_payload or is_new_question(parsed):
        return parsed
    # An answer to another question stands as the NLU read it ("coaching my team" while the role is
    # asked), unless it carries nothing: "inform_role" without a role says nothing but the job.
    says_a_role = any(e.get("entity") == "role" for e in parsed.entities)
    if parsed.intent in ANY_ANSWER and (parsed.intent != "inform_role" or says_a_role or requested == ROLE):
        return parsed
    found = [(float(item.get("confidence") or 0.0), str(item.get("name"))) for item in parsed.ranking
             if item.get("name") in wanted]
    if found and max(found)[0] >= answer_confidence:
        confidence, name = max(found)
        return replace(parsed, intent=name, confidence=confidence, reread=True)
    return parsed


@dataclass
class Extraction:
    values: Dict[str, Any] = field(default_factory=dict)
    quotes: Dict[str, str] = field(default_factory=dict)
    focus_unsure: bool = False
    # An inferred focus that is not near-certain: asked back as a yes/no question instead of used.
    focus_guess: Optional[str] = None
    focus_guess_quote: str = ""
    drop_guess: bool = False  # the guess was answered (yes or no): forget it


_CLAUSE_BREAK = re.compile(r"[,;.!?]+|\s(?:and|but|so|because|though|although)\s", re.IGNORECASE)


def clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` holding the span start..end: the words that support a value, not the message."""
    left, right = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    return text[left:right].strip()


def clauses_without(text: str, spans: Iterable[Tuple[int, int]]) -> str:
    """The clauses of ``text`` that hold none of the spans (what is left after the role was named)."""
    taken = [clause_around(text, s, e) for s, e in spans]
    parts = [p.strip() for p in _CLAUSE_BREAK.split(text) if p and p.strip()]
    rest = [p for p in parts if not any(p in t or t in p for t in taken)]
    return ", ".join(rest)


def _role_entity(parsed: Parsed, known_roles: Iterable[str]) -> Optional[Tuple[str, str, Tuple[int, int]]]:
    """(role value, the supporting words, the entity's span) of the first `role` entity."""
    known = set(known_roles)
    for entity in parsed.entities:
        if entity.get("entity") == "role":
            value = str(entity.get("value") or "").strip().lower()
            start, end = entity.get("start"), entity.get("end")
            span = (int(start), int(end)) if isinstance(start, int) and isinstance(end, int) else (0, len(parsed.text))
            return (value if value in known else "other"), clause_around(parsed.text, *span), span
    return None


def _words(text: str) -> List[str]:
    return re.findall(r"\w+", text.lower())


def _secondary_goal(parsed: Parsed, threshold: float) -> Optional[Tuple[str, str]]:
    """A goal stated inside a longer request, e.g. "I'm a BA and want to own the backlog, which one?".

    The NLU's GoalSpotter looks at each clause on its own and reports the clearest goal as `goal_hint`
    (intent, confidence, clause). Returns (goal intent, the clause that states it).
    """
    hint = parsed.goal_hint
    if parsed.is_payload or parsed.intent in GOAL_FOCUS or not hint:
        return None
    if _words(str(hint.get("clause") or "")) == _words(parsed.text):
        return None  # the clause is the whole message, which the intent classifier read as no goal ("help me pick")
    name = hint.get("intent")
    if name in GOAL_FOCUS and float(hint.get("confidence") or 0.0) >= threshold:
        return str(name), str(hint.get("clause") or "")
    return None


def extract(parsed: Parsed, requested: Optional[str], known_roles: Iterable[str],
            secondary_goal_confidence: float, certain_confidence: float = 0.8,
            focus_guess: Optional[str] = None) -> Extraction:
    """Slot values this message states, whatever was asked; the asked slot also accepts "not sure".

    - a value comes only from words that state it, and is quoted with those words (not the message);
    - one clause fills at most one slot: a goal fills the focus *or* the transformation question;
    - a goal the NLU is not near-certain of (below ``certain_confidence``, or only a clause of a longer
      request) becomes ``focus_guess``, asked back as yes/no, never used silently.
    """
    out = Extraction()

    def put(slot: str, value: Any, words: str = "") -> None:
        out.values[slot] = value
        quote = "" if parsed.is_payload else quote_user_text(words or parsed.text)
        if quote:
            out.quotes[slot] = quote

    # The answer to a guess asked back ("You'd like to own the product, right?").
    if requested == FOCUS and focus_guess in FOCUS_VALUES and parsed.intent in ("affirm", "deny"):
        out.drop_guess = True
        if parsed.intent == "affirm":
            put(FOCUS, focus_guess)
        return out

    # A role named in passing ("removing blockers for my devs") is not the user's own role, nor is one
    # named in a question ("what does a scrum master do?").
    stated = (parsed.intent in ROLE_INTENTS or requested == ROLE) and not is_new_question(parsed) \
        and not asks_about_others(parsed)
    role = _role_entity(parsed, known_roles) if stated else None
    if role:
        put(ROLE, role[0], role[1])
    elif requested == ROLE and parsed.intent in ("inform_role", "deny"):
        put(ROLE, "other")  # a role we have no name for, or "not sure"

    # A goal read from further down the NLU's ranking is asked back, never used silently.
    sure = parsed.is_payload or (parsed.confidence >= certain_confidence and not parsed.reread)
    if parsed.intent in GOAL_FOCUS and asks_about_others(parsed):
        goal, words, sure = None, "", False  # "what does leading a transformation mean?" states no goal
    elif parsed.intent in GOAL_FOCUS:
        goal, words = parsed.intent, (clauses_without(parsed.text, [role[2]]) if role else parsed.text)
        if role or requested == ROLE:
            sure = False  # the same message answered the role question: check before using it
        if not words.strip():
            goal = None  # the role was all there was ("team member"): no goal besides it
    else:
        found = None if asks_about_others(parsed) else _secondary_goal(parsed, secondary_goal_confidence)
        named = parsed.text[role[2][0]:role[2][1]] if role else ""
        if found and named.strip() and re.search(r"(?<!\w)" + re.escape(named.strip()) + r"(?!\w)", found[1], re.IGNORECASE):
            found = None  # the clause that named the role ("I manage a team of developers") states no goal too
        goal, words, sure = (found[0], found[1], False) if found else (None, "", False)

    if goal == "goal_lead_transformation":
        # "I lead our agile transformation" answers the transformation question; "a bit of both" (the
        # focus question's third answer) the focus question. Never both from one clause.
        if requested == FOCUS and sure:
            put(FOCUS, "both", words)
        elif requested == FOCUS and parsed.intent == goal:
            out.focus_guess, out.focus_guess_quote = "both", quote_user_text(words)
        elif requested != FOCUS and parsed.intent == goal and (sure or requested == LEADS):
            put(LEADS, True, words)  # an answer to the transformation question is taken as one
    elif goal:
        if sure and requested in (None, FOCUS):
            put(FOCUS, GOAL_FOCUS[goal], words)
        elif FOCUS not in out.values:
            out.focus_guess, out.focus_guess_quote = GOAL_FOCUS[goal], quote_user_text(words)
    elif requested == FOCUS and parsed.intent == "deny":
        put(FOCUS, "both")
        out.focus_unsure = True

    if requested == LEADS and LEADS not in out.values:
        if parsed.intent == "affirm":
            put(LEADS, True)
        elif parsed.intent == "deny":
            put(LEADS, False)
    return out


@dataclass
class Decision:
    """What the form validation should do with one user message."""

    slots: Dict[str, Any]
    unclear_answers: int
    gave_up_on: Optional[str] = None  # the slot filled with its default after repeated unclear answers
    reject: bool = False  # not an answer: let another rule handle the message, then ask again


def decide(extraction: Extraction, parsed: Parsed, requested: Optional[str], unclear_answers: int) -> Decision:
    slots = dict(extraction.values)
    if requested is None or requested in slots or extraction.drop_guess:
        return Decision(slots=slots, unclear_answers=0)
    if parsed.intent in NOT_AN_ANSWER and not slots:
        return Decision(slots={}, unclear_answers=unclear_answers, reject=True)
    if parsed.intent == "ask_recommendation":
        return Decision(slots=slots, unclear_answers=unclear_answers)  # just ask the question again
    if requested == FOCUS and extraction.focus_guess:
        return Decision(slots=slots, unclear_answers=unclear_answers)  # understood, asked back as yes/no
    count = unclear_answers + 1
    if count >= MAX_UNCLEAR:
        slots[requested] = DEFAULTS[requested]
        return Decision(slots=slots, unclear_answers=0, gave_up_on=requested)
    return Decision(slots=slots, unclear_answers=count)
