"""Dashboard counts of the live handoff (docs/handoff.md), from the conversations' events: how many asked for a
person, how many a trainer answered, how many were missed (given back to the bot before anyone took them), and
how long users waited for a trainer. Pure."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional

from advisor.handoff_state import HELD, MESSAGE_STATES, WAITING


@dataclass
class HandoffStats:
    requests: int = 0  # a person was asked for while someone was on duty (the conversation was paused)
    answered: int = 0  # a trainer took it
    missed: int = 0  # back to the bot before anyone took it
    waiting_now: int = 0
    offered_message: int = 0  # nobody on duty, or nobody came: the user was offered to leave a message
    waits: List[float] = field(default_factory=list)  # seconds from the request to a trainer taking it

    @property
    def wait_median(self) -> Optional[float]:
        return statistics.median(self.waits) if self.waits else None

    @property
    def wait_max(self) -> Optional[float]:
        return max(self.waits) if self.waits else None

    @property
    def answered_rate(self) -> Optional[float]:
        done = self.answered + self.missed
        return self.answered / done if done else None


def conversation_stats(events: Iterable[Mapping[str, Any]], into: HandoffStats) -> None:
    asked_at: Optional[float] = None
    for e in events:
        if e.get("event") != "slot" or e.get("name") != "handoff":
            continue
        value, ts = e.get("value"), float(e.get("timestamp") or 0)
        if value == WAITING:
            into.requests += 1
            asked_at = ts
        elif value == HELD and asked_at is not None:
            into.answered += 1
            into.waits.append(max(0.0, ts - asked_at))
            asked_at = None
        elif asked_at is not None:  # back to the bot, or on to leaving a message, without a trainer
            into.missed += 1
            asked_at = None
        if value == MESSAGE_STATES[0]:
            into.offered_message += 1
    if asked_at is not None:
        into.waiting_now += 1


def compute(conversations: Iterable[Any]) -> HandoffStats:
    stats = HandoffStats()
    for c in conversations:
        conversation_stats(c.events, stats)
    return stats
