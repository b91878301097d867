"""Understands the user's answers to the recommendation questions. Pure: parsed message in, slot
values out. Answers are read through the NLU (intents, `role` entity), never through keyword lists."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional

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
# Intents that are a different request rather than an answer: the form pauses, the request is
# handled by its own rule, and the form asks its question again.
NOT_AN_ANSWER = frozenset({
    "ask_certification_info", "ask_responsibilities", "ask_benefits", "ask_audience", "ask_skills",
    "compare_certifications", "ask_requirements", "ask_cost", "ask_resources", "ask_continuous_learning",
    "greet", "thank", "goodbye", "bot_challenge", "ask_capabilities", "stop", "start_over",
})
# After this many unclear answers to the same question the form takes "not sure" and moves on,
# so no question is asked more than twice in a row.
MAX_UNCLEAR = 2
DEFAULTS: Mapping[str, Any] = {ROLE: "other", FOCUS: "both", LEADS: False}


@dataclass(frozen=True)
class Parsed:
    intent: Optional[str]
    confidence: float
    ranking: List[Mapping[str, Any]]
    entities: List[Mapping[str, Any]]
    text: str
    is_payload: bool
    goal_hint: Optional[Mapping[str, Any]] = None

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> "Parsed":
        intent = message.get("intent") or {}
        text = message.get("text") or ""
        return cls(
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=list(message.get("intent_ranking") or []),
            entities=trusted_entities(message),
            text=text,
            is_payload=text.lstrip().startswith("/"),
            goal_hint=message.get("goal_hint") if isinstance(message.get("goal_hint"), dict) else None,
        )


@dataclass
class Extraction:
    values: Dict[str, Any] = field(default_factory=dict)
    quotes: Dict[str, str] = field(default_factory=dict)
    focus_unsure: bool = False


def _role_entity(parsed: Parsed, known_roles: Iterable[str]) -> Optional[str]:
    known = set(known_roles)
    for entity in parsed.entities:
        if entity.get("entity") == "role":
            value = str(entity.get("value") or "").strip().lower()
            return value if value in known else "other"
    return None


def _secondary_goal(parsed: Parsed, threshold: float) -> Optional[str]:
    """A goal stated inside a longer request, e.g. "I'm a BA and want to own the backlog, which one?".

    The NLU's GoalSpotter looks at each clause on its own and reports the clearest goal as `goal_hint`.
    """
    hint = parsed.goal_hint
    if parsed.is_payload or parsed.intent in GOAL_FOCUS or not hint:
        return None
    name = hint.get("intent")
    if name in GOAL_FOCUS and float(hint.get("confidence") or 0.0) >= threshold:
        return str(name)
    return None


def extract(parsed: Parsed, requested: Optional[str], known_roles: Iterable[str],
            secondary_goal_confidence: float) -> Extraction:
    """Slot values this message gives, whatever was asked; the asked slot also accepts "not sure"."""
    out = Extraction()
    quote = "" if parsed.is_payload else quote_user_text(parsed.text)

    def put(slot: str, value: Any) -> None:
        out.values[slot] = value
        if quote:
            out.quotes[slot] = quote

    # A role named in passing ("removing blockers for my devs") is not the user's own role.
    role = _role_entity(parsed, known_roles) if (parsed.intent in ROLE_INTENTS or requested == ROLE) else None
    if role:
        put(ROLE, role)
    elif requested == ROLE and parsed.intent in ("inform_role", "deny"):
        put(ROLE, "other")  # a role we have no name for, or "not sure"

    goal = parsed.intent if parsed.intent in GOAL_FOCUS else _secondary_goal(parsed, secondary_goal_confidence)
    if goal:
        if goal == "goal_lead_transformation" and requested == LEADS:
            put(LEADS, True)
        else:
            put(FOCUS, GOAL_FOCUS[goal])
            # Said unprompted ("I'm driving our agile transformation"), it also answers the last question.
            if goal == "goal_lead_transformation" and requested not in (FOCUS, ROLE):
                put(LEADS, True)
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
    if requested is None or requested in slots:
        return Decision(slots=slots, unclear_answers=0)
    if parsed.intent in NOT_AN_ANSWER and not slots:
        return Decision(slots={}, unclear_answers=unclear_answers, reject=True)
    if parsed.intent == "ask_recommendation":
        return Decision(slots=slots, unclear_answers=unclear_answers)  # just ask the question again
    count = unclear_answers + 1
    if count >= MAX_UNCLEAR:
        slots[requested] = DEFAULTS[requested]
        return Decision(slots=slots, unclear_answers=0, gave_up_on=requested)
    return Decision(slots=slots, unclear_answers=count)
