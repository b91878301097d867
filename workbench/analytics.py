"""Figures for the dashboard and `make analytics`, computed from conversation summaries (pure)."""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from workbench.conversations import (
    FORM_NAME,
    FORM_SLOTS,
    RECOMMENDATION_SLOT,
    Conversation,
    day_of,
    intent_of,
    is_fallback_message,
)

ASK_INTENT = "ask_recommendation"
RECOMMEND_ACTION = "action_recommend"
STAGES = ("asked",) + tuple(f"answered {s}" for s in FORM_SLOTS) + ("recommended", "resource link shown")


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def funnel_stages(conv: Conversation, resource_url: str) -> Tuple[List[str], Optional[str]]:
    """The funnel stages one conversation reached, and where it dropped off (the question pending when it
    ended without a recommendation), if it was asked."""
    reached: List[str] = []
    asked = recommended = link = recommending = False
    answered = set()
    pending: Optional[str] = None
    for e in conv.events:
        kind = e.get("event")
        if kind == "user" and intent_of(e)[0] == ASK_INTENT:
            asked = True
        elif kind == "active_loop" and e.get("name") == FORM_NAME:
            asked = True
        elif kind == "slot":
            name, value = e.get("name"), e.get("value")
            if name in FORM_SLOTS and value not in (None, ""):
                answered.add(name)
            elif name == "requested_slot" and value:
                pending = value  # the last question asked (a stopped form sets it to null)
            elif name == RECOMMENDATION_SLOT and value not in (None, ""):
                recommended = True
        elif kind == "action" and e.get("name") == RECOMMEND_ACTION:
            recommending = True
        elif kind == "bot" and recommending and resource_url and resource_url in str(e.get("text") or ""):
            link = True  # (Rasa logs an action's messages before the slots it sets)
    if not asked:
        return [], None
    reached.append("asked")
    reached += [f"answered {s}" for s in FORM_SLOTS if s in answered]
    if recommended:
        reached.append("recommended")
    if link and recommended:
        reached.append("resource link shown")
    drop = None
    if not recommended:
        drop = f"at the {pending} question" if pending else "before the first question"
    return reached, drop


@dataclass
class Analytics:
    conversations: int = 0
    messages: int = 0
    user_messages: int = 0
    per_day: "OrderedDict[str, Tuple[int, int]]" = field(default_factory=OrderedDict)  # day -> (conversations, messages)
    per_channel: Dict[str, int] = field(default_factory=dict)
    intents: List[Tuple[str, int]] = field(default_factory=list)
    fallback_by_day: "OrderedDict[str, Tuple[int, int]]" = field(default_factory=OrderedDict)  # day -> (fallbacks, user msgs)
    fallback_messages: int = 0
    recommendations: Dict[str, int] = field(default_factory=dict)
    funnel: List[Tuple[str, int]] = field(default_factory=list)
    drop_off: List[Tuple[str, int]] = field(default_factory=list)
    latencies: List[float] = field(default_factory=list)
    fixed_latency: Optional[Dict[str, float]] = None  # median/p90/max computed elsewhere (in SQL: workbench.store)

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    def latency(self) -> Dict[str, float]:
        if self.fixed_latency is not None:
            return dict(self.fixed_latency)
        return {
            "median": _percentile(self.latencies, 0.5),
            "p90": _percentile(self.latencies, 0.9),
            "max": max(self.latencies) if self.latencies else 0.0,
        }

    def as_dict(self) -> Dict[str, Any]:
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "user_messages": self.user_messages,
            "per_day": dict(self.per_day),
            "per_channel": self.per_channel,
            "intents": dict(self.intents),
            "fallback_rate": self.fallback_rate,
            "fallback_by_day": dict(self.fallback_by_day),
            "recommendations": self.recommendations,
            "funnel": dict(self.funnel),
            "drop_off": dict(self.drop_off),
            "latency_s": self.latency(),
        }


def compute(convs: Sequence[Conversation], resource_url: str = "") -> Analytics:
    a = Analytics(conversations=len(convs))
    day_convs: Counter[str] = Counter()
    day_msgs: Counter[str] = Counter()
    day_user: Counter[str] = Counter()
    day_fb: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    recs: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    drops: Counter[str] = Counter()
    for c in convs:
        day_convs[c.day] += 1
        channels[c.channel] += 1
        a.latencies += c.latencies
        for e in c.events:
            if e.get("event") not in ("user", "bot"):
                continue
            d = day_of(float(e.get("timestamp") or 0))
            day_msgs[d] += 1
            a.messages += 1
            if e.get("event") == "user":
                a.user_messages += 1
                day_user[d] += 1
                if is_fallback_message(e):
                    a.fallback_messages += 1
                    day_fb[d] += 1
                else:
                    intents[intent_of(e)[0]] += 1
        for r in c.recommendations:
            recs[r] += 1
        reached, drop = funnel_stages(c, resource_url)
        stages.update(reached)
        if drop:
            drops[drop] += 1
    for d in sorted(set(day_convs) | set(day_msgs)):
        a.per_day[d] = (day_convs[d], day_msgs[d])
        a.fallback_by_day[d] = (day_fb[d], day_user[d])
    a.per_channel = dict(channels.most_common())
    a.intents = intents.most_common()
    a.recommendations = {k: recs[k] for k in ("csm", "cspo", "both")} | {
        k: v for k, v in recs.items() if k not in ("csm", "cspo", "both")
    }
    a.funnel = [(s, stages[s]) for s in STAGES]
    a.drop_off = drops.most_common()
    return a


def dashboard_view(a: Analytics, latency_buckets: List[Tuple[str, int]], handoff: Any) -> Dict[str, Any]:
    """What the dashboard page shows, from the figures (the workbench's SQL index or its pure reference)."""
    days = list(a.per_day)
    return {
        "a": a,
        "days": days,
        "per_day_c": [a.per_day[d][0] for d in days],
        "per_day_m": [a.per_day[d][1] for d in days],
        "fb_rate": [(a.fallback_by_day[d][0] / a.fallback_by_day[d][1]) if a.fallback_by_day[d][1] else 0.0 for d in days],
        "lat": a.latency(),
        "latency_buckets": latency_buckets,
        "handoff": handoff,
    }


def resource_url_from_knowledge() -> str:
    """The resource link handed out after a recommendation (knowledge/sources.yml), or '' if unreadable."""
    try:
        from actions.knowledge_base import load_knowledge

        return load_knowledge().resource_link.url
    except Exception:  # noqa: BLE001 - analytics still work without the funnel's last step
        return ""
