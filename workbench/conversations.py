"""Conversations as the workbench sees them: a summary of one tracker's events (plain Rasa event dicts).

Pure functions over the event dicts that Rasa's tracker store returns (`event.as_dict()`), so they can be
tested on hand-made fixtures without Rasa.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from workbench.trace import TraceView, bot_trace

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_handle_fallback", "action_default_fallback", "action_two_stage_fallback"})
RECOMMENDATION_SLOT = "recommendation"
FORM_NAME = "recommendation_form"
FORM_SLOTS = ("current_role", "preferred_focus", "leads_transformation")
# Conversation-id namespaces (../shared/contract.md) and Rasa's input channel names.
ID_PREFIXES = {"rest": "rest", "web": "web", "slack": "slack", "telegram": "telegram"}
INPUT_CHANNELS = {"rest": "rest", "socketio": "web", "slack": "slack", "telegram": "telegram"}
# Events that are bookkeeping, not part of what a trainer reads.
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start"})


def channel_of(conversation_id: str, events: Sequence[Mapping[str, Any]] = ()) -> str:
    """The channel: from the id's namespace (`rest:…`, `web:…`), else from the user events' input channel."""
    prefix = conversation_id.split(":", 1)[0] if ":" in conversation_id else ""
    if prefix in ID_PREFIXES:
        return ID_PREFIXES[prefix]
    for e in events:
        if e.get("event") == "user" and e.get("input_channel"):
            name = str(e["input_channel"])
            return INPUT_CHANNELS.get(name, name)
    return "unknown"


def intent_of(event: Mapping[str, Any]) -> tuple[str, float]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def best_guess(event: Mapping[str, Any]) -> tuple[str, float]:
    """What the NLU took a message for, looking past `nlu_fallback` to the best real intent."""
    ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
    for r in ranking:
        if r.get("name") and r.get("name") != FALLBACK_INTENT:
            return str(r["name"]), float(r.get("confidence") or 0.0)
    return intent_of(event)


def day_of(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y-%m-%d")


@dataclass
class Turn:
    """One line of a transcript."""

    kind: str  # user, bot, action, slot, form
    timestamp: float
    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    entities: List[Dict[str, Any]] = field(default_factory=list)
    fallback: bool = False
    name: str = ""
    value: Any = None
    trace: Optional[TraceView] = None  # a bot reply's "why this answer"


@dataclass
class Conversation:
    id: str
    channel: str
    events: List[Dict[str, Any]]
    start: float
    end: float
    user_messages: int
    bot_messages: int
    intents: List[str]
    had_fallback: bool
    recommendations: List[str]
    latencies: List[float]

    @property
    def recommendation(self) -> Optional[str]:
        return self.recommendations[-1] if self.recommendations else None

    @property
    def day(self) -> str:
        return day_of(self.start)

    @property
    def length(self) -> int:
        """Length as a trainer counts it: the user's messages."""
        return self.user_messages


def is_fallback_message(event: Mapping[str, Any]) -> bool:
    return intent_of(event)[0] == FALLBACK_INTENT


def summarize(conversation_id: str, events: Iterable[Mapping[str, Any]]) -> Conversation:
    evs = [dict(e) for e in events]
    stamps = [float(e.get("timestamp") or 0) for e in evs if e.get("timestamp")]
    users = [e for e in evs if e.get("event") == "user"]
    bots = [e for e in evs if e.get("event") == "bot"]
    fallback = any(is_fallback_message(e) for e in users) or any(
        e.get("event") == "action" and e.get("name") in FALLBACK_ACTIONS for e in evs
    )
    recs = [
        str(e["value"])
        for e in evs
        if e.get("event") == "slot" and e.get("name") == RECOMMENDATION_SLOT and e.get("value") not in (None, "")
    ]
    return Conversation(
        id=conversation_id,
        channel=channel_of(conversation_id, evs),
        events=evs,
        start=min(stamps) if stamps else 0.0,
        end=max(stamps) if stamps else 0.0,
        user_messages=len(users),
        bot_messages=len(bots),
        intents=[intent_of(e)[0] for e in users],
        had_fallback=fallback,
        recommendations=recs,
        latencies=reply_latencies(evs),
    )


def reply_latencies(events: Sequence[Mapping[str, Any]]) -> List[float]:
    """Seconds from each user message to the first bot message after it (messages never answered are skipped)."""
    out: List[float] = []
    pending: Optional[float] = None
    for e in events:
        if e.get("event") == "user":
            pending = float(e.get("timestamp") or 0)
        elif e.get("event") == "bot" and pending is not None:
            out.append(max(0.0, float(e.get("timestamp") or 0) - pending))
            pending = None
    return out


def transcript(conv: Conversation) -> List[Turn]:
    turns: List[Turn] = []
    for e in conv.events:
        kind, ts = e.get("event"), float(e.get("timestamp") or 0)
        if kind == "user":
            name, conf = intent_of(e)
            guess = best_guess(e) if name == FALLBACK_INTENT else (name, conf)
            turns.append(
                Turn(
                    "user",
                    ts,
                    text=str(e.get("text") or ""),
                    intent=guess[0],
                    confidence=guess[1],
                    entities=list((e.get("parse_data") or {}).get("entities") or []),
                    fallback=name == FALLBACK_INTENT,
                )
            )
        elif kind == "bot":
            text = str(e.get("text") or "")
            buttons = (e.get("data") or {}).get("buttons") or []
            if buttons:
                text += "\n" + " ".join(f"[{b.get('title')}]" for b in buttons)
            turns.append(Turn("bot", ts, text=text, trace=bot_trace(e)))
        elif kind == "action" and e.get("name") not in HIDDEN_ACTIONS:
            turns.append(Turn("action", ts, name=str(e.get("name"))))
        elif kind == "slot" and e.get("name") != "requested_slot":
            turns.append(Turn("slot", ts, name=str(e.get("name")), value=e.get("value")))
        elif kind == "active_loop":
            turns.append(Turn("form", ts, name=str(e.get("name") or "form ended")))
    return turns


@dataclass
class Filters:
    channel: str = ""
    day_from: str = ""
    day_to: str = ""
    intent: str = ""
    fallback: str = ""  # "", "yes", "no"
    recommended: str = ""  # "", "yes", "no", or csm/cspo/both
    min_length: int = 0
    max_length: int = 0

    @classmethod
    def from_query(cls, q: Mapping[str, str]) -> "Filters":
        def num(key: str) -> int:
            try:
                return max(0, int(q.get(key) or 0))
            except ValueError:
                return 0

        return cls(
            channel=q.get("channel", ""),
            day_from=q.get("from", ""),
            day_to=q.get("to", ""),
            intent=q.get("intent", ""),
            fallback=q.get("fallback", ""),
            recommended=q.get("recommended", ""),
            min_length=num("min_length"),
            max_length=num("max_length"),
        )

    def accepts(self, c: Conversation) -> bool:
        if self.channel and c.channel != self.channel:
            return False
        if self.day_from and c.day < self.day_from:
            return False
        if self.day_to and c.day > self.day_to:
            return False
        if self.intent and self.intent not in c.intents:
            return False
        if self.fallback in ("yes", "no") and c.had_fallback != (self.fallback == "yes"):
            return False
        if self.recommended == "yes" and not c.recommendations:
            return False
        if self.recommended == "no" and c.recommendations:
            return False
        if self.recommended in ("csm", "cspo", "both") and self.recommended not in c.recommendations:
            return False
        if self.min_length and c.length < self.min_length:
            return False
        if self.max_length and c.length > self.max_length:
            return False
        return True


def newest_first(convs: Iterable[Conversation]) -> List[Conversation]:
    return sorted(convs, key=lambda c: c.end, reverse=True)
