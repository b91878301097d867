"""The recommender: a user's profile in, CSM / CSPO / both out, with reasons quoting the user.

Pure and typed. Its rules (leanings, weights, wording) come from the `recommender` section of the
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
    "transformation_yes", "transformation_no",
)


@dataclass(frozen=True)
class Rules:
    role_leaning: Mapping[str, str]
    focus_leaning: Mapping[str, str]
    role_weight: float
    focus_weight: Mapping[str, float]
    transformation_weight: float
    role_names: Mapping[str, str]
    focus_names: Mapping[str, str]
    option_names: Mapping[str, str]
    reasons: Mapping[str, str]
    reply: Mapping[str, Any]
    secondary_goal_confidence: float


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
    result: str  # "csm" | "cspo" | "both"
    reasons: Tuple[str, ...]
    scores: Mapping[str, float]


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

    role_leaning = {str(k): str(v) for k, v in mapping("role_leaning").items()}
    for role, option in role_leaning.items():
        if option not in OPTIONS + ("none",):
            raise fail(f"role_leaning.{role}", f"must be one of {', '.join(OPTIONS + ('none',))}, found {option!r}")
    focus_leaning = {str(k): str(v) for k, v in mapping("focus_leaning").items()}
    for focus in FOCUS_VALUES:
        if focus_leaning.get(focus) not in OPTIONS:
            raise fail(f"focus_leaning.{focus}", f"must be one of {', '.join(OPTIONS)}")
    weights = mapping("weights")

    def number(value: Any, entry: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(entry, f"expected a non-negative number, found {value!r}")
        return float(value)

    focus_weight_raw = weights.get("focus")
    if not isinstance(focus_weight_raw, dict):
        raise fail("weights.focus", "expected a mapping of focus value to weight")
    focus_weight = {f: number(focus_weight_raw.get(f), f"weights.focus.{f}") for f in FOCUS_VALUES}
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
    for key in ("headline", "why", "what_it_involves", "next_step", "buttons"):
        if key not in reply:
            raise fail(f"reply.{key}", "is missing")
    return Rules(
        role_leaning=role_leaning,
        focus_leaning=focus_leaning,
        role_weight=number(weights.get("role"), "weights.role"),
        focus_weight=focus_weight,
        transformation_weight=number(weights.get("transformation"), "weights.transformation"),
        role_names=role_names,
        focus_names=focus_names,
        option_names=option_names,
        reasons=reasons,
        reply=reply,
        secondary_goal_confidence=number(raw.get("secondary_goal_confidence", 0.2), "secondary_goal_confidence"),
    )


@lru_cache(maxsize=1)
def get_rules() -> Rules:
    """The recommender rules of the knowledge base, read and checked once per process."""
    return rules_from_knowledge(get_knowledge())


def _quote(profile: Profile, slot: str, fallback: str) -> str:
    said = profile.quotes.get(slot)
    return f'"{said}"' if said else fallback


def recommend(profile: Profile, rules: Rules) -> Recommendation:
    """Scores the three options from the profile and explains the winner."""
    scores: Dict[str, float] = {o: 0.0 for o in OPTIONS}
    role_option = rules.role_leaning.get(profile.role or "", "none")
    if role_option in OPTIONS:
        scores[role_option] += rules.role_weight
    focus_option = rules.focus_leaning.get(profile.focus or "")
    if focus_option:
        scores[focus_option] += rules.focus_weight[profile.focus]  # type: ignore[index]
    if profile.leads_transformation:
        scores["both"] += rules.transformation_weight

    best_single = max(("csm", "cspo"), key=lambda o: scores[o])
    if scores["csm"] == scores["cspo"] and scores["both"] <= scores["csm"]:
        result = "both" if scores["csm"] > 0 or profile.leads_transformation else _fallback_result(role_option)
    elif scores["both"] > scores[best_single]:
        result = "both"
    elif scores["both"] == scores[best_single]:
        result = "both" if profile.leads_transformation else best_single
    else:
        result = best_single

    return Recommendation(result=result, reasons=tuple(_reasons(profile, rules, result, role_option, focus_option)),
                          scores=scores)


def _fallback_result(role_option: str) -> str:
    # Nothing points anywhere (unknown role, no focus, no transformation): both, the rounded view.
    return role_option if role_option in OPTIONS else "both"


def _reasons(profile: Profile, rules: Rules, result: str, role_option: str, focus_option: Optional[str]) -> List[str]:
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
        out.append(t["transformation_yes"].format(quote=_quote(profile, "leads_transformation", "you said yes")))
    elif profile.leads_transformation is False and result != "both":
        out.append(t["transformation_no"])
    return out[:3]
