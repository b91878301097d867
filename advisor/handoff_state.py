"""The handoff's state, as the tracker keeps it (slots `handoff*` plus Rasa's pause/resume events), and the
decisions made on it. Pure: no Rasa, no I/O (the Rasa side is advisor/handoff_actions.py and handoff_api.py).

States (slot `handoff`):
- ``waiting``: paused for the bot, nobody has taken it yet;  ``held``: a trainer (slot `handoff_trainer`) has it;
- ``offer_message`` → ``await_message`` → ``offer_email`` → ``await_email``: nobody on duty, leaving a message
  (the e-mail address is asked for only after an explicit yes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence, Tuple

WAITING, HELD = "waiting", "held"
OFFER_MESSAGE, AWAIT_MESSAGE, OFFER_EMAIL, AWAIT_EMAIL = "offer_message", "await_message", "offer_email", "await_email"
LIVE_STATES = (WAITING, HELD)
MESSAGE_STATES = (OFFER_MESSAGE, AWAIT_MESSAGE, OFFER_EMAIL, AWAIT_EMAIL)

SLOT_STATE, SLOT_TRAINER, SLOT_SINCE = "handoff", "handoff_trainer", "handoff_since"
SLOT_TAKEN_AT, SLOT_SEEN, SLOT_MESSAGE_REF, SLOT_DELIVERED = (
    "handoff_taken_at", "handoff_trainer_seen", "handoff_message_ref", "handoff_delivered")
# BotUttered metadata of a trainer's message (and of the bot's own handoff notices).
AGENT_KEY = "handoff_agent"  # the trainer's name
NOTICE_KEY = "handoff_notice"  # the bot's own handoff messages: the response name
PUSHED_KEY = "handoff_pushed"  # whether it reached the user's channel when it was sent

YES_INTENTS = frozenset({"affirm"})
NO_INTENTS = frozenset({"deny", "stop", "goodbye"})
MAX_TRAINER_NAME = 60
MAX_AGENT_TEXT = 2000

# One address, the whole of it: local@domain.tld (no spaces, one @, a dot in the domain).
_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})(?![\w@-])")


def email_in(text: Optional[str]) -> Optional[str]:
    """The one e-mail address in `text`, or None (none, or more than one: ask again)."""
    found = _EMAIL.findall(text or "")
    if len(found) != 1 or len(found[0]) > 254:
        return None
    return found[0]


def trainer_name(value: Any) -> str:
    """A trainer's display name: printable, one line, bounded ("trainer" when empty)."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable()).strip()
    return text[:MAX_TRAINER_NAME] or "trainer"


def agent_text(value: Any) -> Optional[str]:
    """A trainer's message as it may be sent: printable text (new lines kept), bounded, not blank."""
    if not isinstance(value, str):
        return None
    text = "".join(ch for ch in value if ch.isprintable() or ch == "\n").strip()
    if not text or len(text) > MAX_AGENT_TEXT:
        return None
    return text


@dataclass(frozen=True)
class HandoffView:
    state: Optional[str] = None
    trainer: Optional[str] = None
    since: Optional[float] = None
    taken_at: Optional[float] = None
    trainer_seen: Optional[float] = None
    last_user_at: Optional[float] = None
    paused: bool = False

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any], paused: bool, last_user_at: Optional[float]) -> "HandoffView":
        def num(key: str) -> Optional[float]:
            v = slots.get(key)
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        state = slots.get(SLOT_STATE)
        return cls(state=state if isinstance(state, str) else None, trainer=slots.get(SLOT_TRAINER) or None,
                   since=num(SLOT_SINCE), taken_at=num(SLOT_TAKEN_AT), trainer_seen=num(SLOT_SEEN),
                   last_user_at=last_user_at, paused=paused)

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


# What the sweeper does when a live conversation's time is up: the response to send, and the state after.
TIMED_OUT_WAITING = ("utter_handoff_wait_timeout", OFFER_MESSAGE)
USER_LEFT = ("utter_handoff_user_timeout", None)
TRAINER_LEFT = ("utter_handoff_trainer_left", None)


def timeout_due(view: HandoffView, now: float, waiting: float, user_idle: float,
                trainer_gone: float) -> Optional[Tuple[str, Optional[str]]]:
    """(response, next state) when the bot must take a live conversation back now, else None."""
    if view.state == WAITING:
        start = view.since or 0.0
        return TIMED_OUT_WAITING if now - start >= waiting else None
    if view.state == HELD:
        taken = view.taken_at or view.since or 0.0
        seen = max(view.trainer_seen or 0.0, taken)
        if now - seen >= trainer_gone:
            return TRAINER_LEFT
        last_user = max(view.last_user_at or 0.0, taken)
        if now - last_user >= user_idle:
            return USER_LEFT
    return None


@dataclass(frozen=True)
class Step:
    """What a message does while a message is being left: responses to send (domain names), the state after,
    what to store (``message`` or ``email``), and whether the bot then handles the message as usual."""

    responses: Tuple[str, ...] = ()
    state: Optional[str] = None
    store: Optional[str] = None
    then_predict: bool = False


def leave_message_step(state: Optional[str], intent: Optional[str], email: Optional[str]) -> Optional[Step]:
    """The next step of leaving a message, or None when `state` is no such step."""
    if state == OFFER_MESSAGE:
        if intent in YES_INTENTS:
            return Step(("utter_handoff_ask_message",), AWAIT_MESSAGE)
        if intent in NO_INTENTS:
            return Step(("utter_handoff_no_message",), None)
        return Step((), None, then_predict=True)  # the user moved on: the bot answers as usual
    if state == AWAIT_MESSAGE:
        if intent in NO_INTENTS:
            return Step(("utter_handoff_no_message",), None)
        return Step(("utter_handoff_offer_email",), OFFER_EMAIL, store="message")
    if state == OFFER_EMAIL:
        if intent in YES_INTENTS:
            return Step(("utter_handoff_ask_email",), AWAIT_EMAIL)
        if intent in NO_INTENTS:
            return Step(("utter_handoff_saved_without_email",), None)
        return Step(("utter_handoff_saved_without_email",), None, then_predict=True)
    if state == AWAIT_EMAIL:
        if email:
            return Step(("utter_handoff_saved_with_email",), None, store="email")
        if intent in NO_INTENTS:
            return Step(("utter_handoff_saved_without_email",), None)
        return Step(("utter_handoff_email_invalid",), AWAIT_EMAIL)
    return None


def undelivered(events: Sequence[Mapping[str, Any]], delivered_until: Optional[float]) -> List[Mapping[str, Any]]:
    """The handoff messages (bot events with AGENT_KEY metadata) not pushed to the user's channel and newer
    than `delivered_until`: what a REST user gets with the reply to their next message."""
    out = []
    for e in events:
        meta = e.get("metadata") or {}
        if e.get("event") == "bot" and (meta.get(AGENT_KEY) or meta.get(NOTICE_KEY)) and not meta.get(PUSHED_KEY) \
                and float(e.get("timestamp") or 0) > (delivered_until or 0.0):
            out.append(e)
    return out
