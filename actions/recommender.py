"""The recommender: a user's profile in, CSM / CSPO / both out, with reasons quoting the user.

Pure and typed. Its rules (leanings with the article line each follows, the order the signals decide
in, wording) come from the `recommender` section of the
knowledge base, validated by :func:`rules_from_knowledge`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, get_knowledge

OPTIONS: Tuple[str, ...] = ("csm", "cspo", "both")
FOCUS_VALUES: Tuple[str, ...] = ("team_process", "product_value", "both")
REASON_KEYS: Tuple[str, ...] = (
    "role_supports", "role_outweighed", "role_neutral", "focus_supports", "focus_unsure",
    "transformation_yes", "transformation_no", "transformation_later",
)
SIGNALS: Tuple[str, ...] = ("focus", "transformation", "role")


@dataclass(frozen=True)
class Rules:
    role_leaning: Mapping[str, str]  # role -> csm | cspo | none
    focus_leaning: Mapping[str, str]  # focus -> csm | cspo | both
    transformation_option: str
    decide_by: Tuple[str, ...]  # signals in the order they decide: focus, transformation, role
    basis: Mapping[str, str]  # "role.<role>", "focus.<focus>", "transformation", "decide_by.<signal>" -> article line
    role_names: Mapping[str, str]
    focus_names: Mapping[str, str]
    option_names: Mapping[str, str]
    reasons: Mapping[str, str]
    reply: Mapping[str, Any]
    secondary_goal_confidence: float
    certain_confidence: float  # below this the NLU's goal is confirmed with a yes/no question
    # While the form waits for an answer: an answer intent this far down the NLU's ranking (below a
    # knowledge intent, in a message not worded as a question) is still read as the answer.
    answer_confidence: float
    confirm_focus: str  # that question, with {focus} and {quote}
    followups: Mapping[str, str]  # wording of the answers to "why?" and "what about the other one?"
    followup_buttons: Tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Profile:
    role: Optional[str] = None
    focus: Optional[str] = None
    leads_transformation: Optional[bool] = None
    # What the user actually said for each slot (already cleaned for display), if typed.
    quotes: Mapping[str, str] = field(default_factory=dict)
    # True when the user said they were unsure of their focus (stored as "both").
    focus_unsure: bool = False


@dataclass(frozen=True)
class Recommendation:
    result: Optional[str]  # "csm" | "cspo" | "both", or None when nothing the user said points anywhere
    reasons: Tuple[str, ...]
    decided_by: Optional[str]  # the signal that decided, and through it the article line (Rules.basis)


def rules_from_knowledge(kb: Knowledge) -> Rules:
    """Reads and checks the `recommender` section; errors name the file and the entry."""
    file = kb.extra_files.get("recommender", "knowledge")
    raw = kb.extra.get("recommender")

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, f"recommender.{entry}" if entry else "recommender", problem)

    if not isinstance(raw, dict):
        raise fail("", "the section is missing or not a mapping")

    def mapping(key: str) -> Dict[str, Any]:
        value = raw.get(key)
        if not isinstance(value, dict) or not value:
            raise fail(key, "expected a non-empty mapping")
        return value

    basis: Dict[str, str] = {}

    def leaning(value: Any, entry: str, allowed: Tuple[str, ...]) -> str:
        if not isinstance(value, dict) or value.get("option") not in allowed:
            raise fail(entry, f"expected {{option: {' | '.join(allowed)}, basis: ...}}, found {value!r}")
        if not isinstance(value.get("basis"), str) or not value["basis"].strip():
            raise fail(f"{entry}.basis", "is missing: say which line of the article this follows")
        basis[entry] = value["basis"].strip()
        return str(value["option"])

    role_leaning = {str(k): leaning(v, f"role.{k}", ("csm", "cspo", "none")) for k, v in mapping("role_leaning").items()}
    focus_raw = mapping("focus_leaning")
    focus_leaning = {f: leaning(focus_raw.get(f), f"focus.{f}", OPTIONS) for f in FOCUS_VALUES}
    transformation_option = leaning(raw.get("transformation"), "transformation", OPTIONS)
    order_raw = raw.get("decide_by")
    if not isinstance(order_raw, list) or not order_raw:
        raise fail("decide_by", "expected a list of {signal, basis}")
    decide_by: List[str] = []
    for i, item in enumerate(order_raw):
        if not isinstance(item, dict) or item.get("signal") not in SIGNALS:
            raise fail(f"decide_by[{i}]", f"expected a signal among {', '.join(SIGNALS)}")
        if not isinstance(item.get("basis"), str) or not item["basis"].strip():
            raise fail(f"decide_by[{i}].basis", "is missing: say which line of the article this follows")
        decide_by.append(str(item["signal"]))
        basis[f"decide_by.{item['signal']}"] = item["basis"].strip()
    if sorted(decide_by) != sorted(SIGNALS):
        raise fail("decide_by", f"must list each of {', '.join(SIGNALS)} once")

    def number(value: Any, entry: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(entry, f"expected a non-negative number, found {value!r}")
        return float(value)

    role_names = {str(k): str(v) for k, v in mapping("role_names").items()}
    for role in role_leaning:
        if role not in role_names:
            raise fail(f"role_names.{role}", "is missing")
    focus_names = {str(k): str(v) for k, v in mapping("focus_names").items()}
    option_names = {str(k): str(v) for k, v in mapping("option_names").items()}
    for option in OPTIONS:
        if option not in option_names:
            raise fail(f"option_names.{option}", "is missing")
    for focus in FOCUS_VALUES:
        if focus not in focus_names:
            raise fail(f"focus_names.{focus}", "is missing")
    reasons = {str(k): str(v) for k, v in mapping("reasons").items()}
    for key in REASON_KEYS:
        if not reasons.get(key, "").strip():
            raise fail(f"reasons.{key}", "is missing")
    reply = mapping("reply")
    for key in ("headline", "why", "what_it_involves", "next_step", "buttons", "no_signal", "choose_csm",
                "choose_cspo", "choose_both"):
        if key not in reply:
            raise fail(f"reply.{key}", "is missing")
    return Rules(
        role_leaning=role_leaning,
        focus_leaning=focus_leaning,
        transformation_option=transformation_option,
        decide_by=tuple(decide_by),
        basis=basis,
        role_names=role_names,
        focus_names=focus_names,
        option_names=option_names,
        reasons=reasons,
        reply=reply,
        secondary_goal_confidence=number(raw.get("secondary_goal_confidence", 0.2), "secondary_goal_confidence"),
        certain_confidence=number(raw.get("certain_confidence", 0.8), "certain_confidence"),
        answer_confidence=number(raw.get("answer_confidence", 0.2), "answer_confidence"),
        confirm_focus=_confirm_text(raw, fail),
        followups=_followups(raw, fail),
        followup_buttons=tuple(raw["followups"].get("buttons") or ()),
    )


FOLLOWUP_KEYS: Tuple[str, ...] = ("why", "no_recommendation", "other_single", "other_both", "change")


def _followups(raw: Mapping[str, Any], fail: Any) -> Dict[str, str]:
    section = raw.get("followups")
    if not isinstance(section, dict):
        raise fail("followups", "expected a mapping")
    out = {}
    for key in FOLLOWUP_KEYS:
        if not isinstance(section.get(key), str) or not section[key].strip():
            raise fail(f"followups.{key}", "is missing")
        out[key] = section[key].strip()
    return out


def _confirm_text(raw: Mapping[str, Any], fail: Any) -> str:
    text = raw.get("confirm_focus")
    if not isinstance(text, str) or "{focus}" not in text:
        raise fail("confirm_focus", "expected a question with {focus} (and optionally {quote})")
    return text


@lru_cache(maxsize=1)
def get_rules() -> Rules:
    """The recommender rules of the knowledge base, read and checked once per process."""
    return rules_from_knowledge(get_knowledge())


def _quote(profile: Profile, slot: str, fallback: str) -> str:
    said = profile.quotes.get(slot)
    return f'"{said}"' if said else fallback


def recommend(profile: Profile, rules: Rules) -> Recommendation:
    """The first signal of ``rules.decide_by`` that points to an option decides; the reasons explain it."""
    role_option = rules.role_leaning.get(profile.role or "", "none")
    focus_option = None if profile.focus_unsure else rules.focus_leaning.get(profile.focus or "")
    points = {
        "focus": focus_option,
        "transformation": rules.transformation_option if profile.leads_transformation else None,
        "role": role_option if role_option in OPTIONS else None,
    }
    decided_by = next((signal for signal in rules.decide_by if points[signal]), None)
    result = points[decided_by] if decided_by else None
    reasons = tuple(_reasons(profile, rules, result, role_option, focus_option)) if result else ()
    return Recommendation(result=result, reasons=reasons, decided_by=decided_by)


def _reasons(profile: Profile, rules: Rules, result: str, role_option: str, focus_option: Optional[str]) -> List[str]:
    """Each reason quotes the user's own words for the value it rests on (or says it was a button)."""
    t = rules.reasons
    names = rules.option_names
    out: List[str] = []
    # The focus first: it weighs most.
    if profile.focus:
        if profile.focus_unsure:
            out.append(t["focus_unsure"])
        elif focus_option == result or result == "both":
            out.append(t["focus_supports"].format(
                focus=rules.focus_names[profile.focus],
                quote=_quote(profile, "preferred_focus", "your choice"),
                option=names[focus_option or result],
            ))
    if profile.role:
        role_name = rules.role_names.get(profile.role, profile.role)
        quote = _quote(profile, "current_role", role_name)
        if role_option == "none":
            out.append(t["role_neutral"].format(quote=quote))
        elif role_option == result or result == "both":
            out.append(t["role_supports"].format(role=role_name, quote=quote, option=names[role_option]))
        else:
            out.append(t["role_outweighed"].format(role=role_name, option_role=names[role_option]))
    if profile.leads_transformation is True:
        quote = _quote(profile, "leads_transformation", "you said yes")
        if result == "both":
            out.append(t["transformation_yes"].format(quote=quote))
        else:
            out.append(t["transformation_later"].format(quote=quote, option=names[result]))
    elif profile.leads_transformation is False and result != "both":
        out.append(t["transformation_no"])
    return out[:3]
