"""Low-confidence messages: offer the likeliest topics as buttons; a second miss in a row offers a person
from the team (or the capability menu), so the user is never stuck in a loop of "sorry?"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Sequence

from actions.knowledge_base import Knowledge
from actions.render import Button

FALLBACK_INTENT = "nlu_fallback"
MAX_SUGGESTIONS = 3
OFFER_HUMAN_RESPONSE = "utter_fallback_offer_human"  # its buttons: a person (/request_human), capabilities


@dataclass(frozen=True)
class FallbackPlan:
    response: str  # domain response to send
    buttons: List[Button]


def consecutive_fallbacks(recent_user_intents: Sequence[str]) -> int:
    """How many of the latest user messages in a row were not understood (newest last)."""
    count = 0
    for intent in reversed(recent_user_intents):
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def likely_topics(kb: Knowledge, ranking: Iterable[Mapping[str, Any]], limit: int = MAX_SUGGESTIONS) -> List[Button]:
    """Buttons for the best-ranked intents that the advisor can act on, with readable labels."""
    by_intent = {t.intent: t for t in kb.topics.values()}
    buttons: List[Button] = []
    for item in ranking:
        topic = by_intent.get(str(item.get("name")))
        if topic and all(b.payload != f"/{topic.intent}" for b in buttons):
            buttons.append(Button(topic.label, f"/{topic.intent}"))
        if len(buttons) >= limit:
            break
    if len(buttons) < 2:  # always offer a way forward
        for key in ("recommendation", "comparison"):
            topic = kb.topics[key]
            if all(b.payload != f"/{topic.intent}" for b in buttons):
                buttons.append(Button(topic.label, f"/{topic.intent}"))
    return buttons[:limit]


def plan_fallback(kb: Knowledge, ranking: Iterable[Mapping[str, Any]], recent_user_intents: Sequence[str]) -> FallbackPlan:
    if consecutive_fallbacks(recent_user_intents) >= 2:
        return FallbackPlan(response=OFFER_HUMAN_RESPONSE, buttons=[])
    return FallbackPlan(response="utter_fallback_suggest", buttons=likely_topics(kb, ranking))
