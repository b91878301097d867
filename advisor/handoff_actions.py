"""The handoff inside the Rasa process (docs/handoff.md): the action `action_request_human`, the turn hook that
keeps the bot silent while a person holds a conversation and walks a user through leaving a message, and the
delivery of messages to the user's channel. The decisions are advisor/handoff_state.py's (pure); the tables
beside the tracker store persistence/handoff_store.py's. Installed by advisor/patches.py (section 8).

Why in the Rasa process and not the action server: it needs the tracker store's database (the on-duty switch,
the messages table), the conversation lock and the channels' outputs (to push a trainer's reply live), all of
which only the Rasa server has.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional

from advisor import handoff_config
from advisor.handoff_state import (
    AGENT_KEY,
    AWAIT_EMAIL,
    LIVE_STATES,
    MESSAGE_STATES,
    NOTICE_KEY,
    OFFER_MESSAGE,
    PUSHED_KEY,
    SLOT_DELIVERED,
    SLOT_MESSAGE_REF,
    SLOT_SEEN,
    SLOT_SINCE,
    SLOT_STATE,
    SLOT_TAKEN_AT,
    SLOT_TRAINER,
    WAITING,
    email_in,
    leave_message_step,
    undelivered,
)

logger = logging.getLogger(__name__)

ACTION_NAME = "action_request_human"
HANDOFF_DB_ENV = "ADVISOR_HANDOFF_DB"  # the handoff tables' SQLite file when the tracker store is not SQL
ORIGINAL_TEXT_ATTR = "_handoff_text"
_store: Any = None
_tracker_store: Any = None
_notifier: Optional[Callable[[str], Awaitable[None]]] = None


# --- the tables beside the tracker store -------------------------------------------------------------
def bind(tracker_store: Any) -> None:
    """Called once the agent is loaded: the handoff tables go into the tracker store's database."""
    global _store, _tracker_store
    from persistence.handoff_store import HandoffStore, engine_of, sqlite_engine

    _tracker_store = tracker_store
    engine = engine_of(tracker_store)
    if engine is None:
        root = Path(__file__).resolve().parents[1]
        engine = sqlite_engine(os.environ.get(HANDOFF_DB_ENV, "").strip() or str(root / "var" / "handoff.db"))
    _store = HandoffStore(engine)


def store() -> Any:
    if _store is None:
        raise RuntimeError("the handoff store is not bound yet (advisor.handoff_actions.bind)")
    return _store


def set_notifier(notifier: Optional[Callable[[str], Awaitable[None]]]) -> None:
    global _notifier
    _notifier = notifier


def notify_staff(which: str, channel: Optional[str]) -> None:
    """A note to the staff channel (advisor.handoff_api.staff_notifier), in the background: the user's turn
    never waits for it. `which`: "waiting" or "message"; nothing about the user but the channel's name."""
    if _notifier is None:
        return
    cfg = handoff_config.load()
    template = cfg.staff_notice_waiting if which == "waiting" else cfg.staff_notice_message
    asyncio.ensure_future(_notifier(template.format(channel=channel or "?")))


def on_duty(now: Optional[float] = None) -> bool:
    cfg = handoff_config.load()
    when = dt.datetime.fromtimestamp(now or time.time(), dt.timezone.utc)
    try:
        switch = store().setting("on_duty")
    except Exception as e:  # noqa: BLE001 - the database is down: the file's default decides
        logger.warning("handoff: cannot read the on-duty switch (%s)", type(e).__name__)
        switch = None
    return cfg.on_duty_now(switch, when)


# --- the user's text, kept for a consented capture ------------------------------------------------------
def keep_text_for_consented_capture(message: Any) -> None:
    """Called by the UserMessage patch (advisor.patches.clean_user_message_text) with the cleaned text, before
    any redaction: the text stays on this in-memory message object only (never in metadata, the tracker or a
    log), so that a message left for the team, and an e-mail address given after an explicit yes, are stored
    in the messages table as the user wrote them. Nothing is stored unless the conversation awaits them."""
    text = getattr(message, "text", None)
    setattr(message, ORIGINAL_TEXT_ATTR, text if isinstance(text, str) else None)


# --- sending -------------------------------------------------------------------------------------------
async def utter(processor: Any, tracker: Any, output_channel: Any, name: str, **fill: Any) -> None:
    """Sends a domain response and records it on the tracker (ActionExecuted + BotUttered with the notice)."""
    from rasa.core.actions.action import create_bot_utterance
    from rasa.shared.core.events import ActionExecuted

    response = await processor.nlg.generate(name, tracker, output_channel.name(), **fill)
    if not response:
        return
    response["utter_action"] = name
    await output_channel.send_response(tracker.sender_id, dict(response))
    event = create_bot_utterance(response)  # (takes the text out of `response`)
    event.metadata = {**(event.metadata or {}), NOTICE_KEY: name, PUSHED_KEY: True}
    tracker.update(ActionExecuted(name), processor.domain)
    tracker.update(event, processor.domain)


async def deliver_pending(processor: Any, tracker: Any, output_channel: Any) -> None:
    """A REST user (or one whose socket was elsewhere) gets the trainer's replies and the handoff notices that
    could not be pushed, before the reply to this message."""
    from rasa.shared.core.events import SlotSet

    pending = undelivered([e.as_dict() for e in tracker.events], tracker.get_slot(SLOT_DELIVERED))
    if not pending:
        return
    for e in pending:
        meta = {k: v for k, v in (e.get("metadata") or {}).items() if k in (AGENT_KEY, NOTICE_KEY)}
        await output_channel.send_response(tracker.sender_id,
                                           {"text": e.get("text") or "", **(e.get("data") or {}), **meta})
    tracker.update(SlotSet(SLOT_DELIVERED, max(float(e.get("timestamp") or 0) for e in pending)), processor.domain)


# --- the turn hook --------------------------------------------------------------------------------------
async def handoff_turn(processor: Any, message: Any, tracker: Any) -> bool:
    """Runs after the user's message is logged; returns whether the bot may predict and answer as usual."""
    from rasa.shared.core.events import ActionExecuted, ConversationPaused, SlotSet

    state = tracker.get_slot(SLOT_STATE)
    if state in LIVE_STATES and not tracker.is_paused():
        # A new session (idle hour, the turn cap) resets Rasa's pause; the handoff is not over for that.
        tracker.update(ConversationPaused(), processor.domain)
    await deliver_pending(processor, tracker, message.output_channel)
    if tracker.is_paused():
        return False  # a person holds it, or is coming: the bot says nothing (not even to /restart)
    if state not in MESSAGE_STATES:
        return True
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    original = getattr(message, ORIGINAL_TEXT_ATTR, None)
    email = email_in(original) if state == AWAIT_EMAIL else None
    step = leave_message_step(state, intent, email)
    if step is None:
        return True
    ref = tracker.get_slot(SLOT_MESSAGE_REF)
    try:
        if step.store == "message" and original:
            ref = uuid.uuid4().hex
            # the message as stored everywhere else, personal data replaced (PRIVACY.md); only an e-mail address
            # given after the explicit yes below is kept as written
            store().add_message(ref, tracker.sender_id, tracker.get_latest_input_channel() or "", message.text or "")
            notify_staff("message", tracker.get_latest_input_channel())
        elif step.store == "email" and email and ref:
            store().set_email(ref, email)
    except Exception as e:  # noqa: BLE001 - one clear answer: the message could not be kept
        logger.error("handoff: a left message could not be stored (%s)", type(e).__name__)
        await utter(processor, tracker, message.output_channel, "utter_action_failed")
        tracker.update(SlotSet(SLOT_STATE, None), processor.domain)
        return False
    for name in step.responses:
        await utter(processor, tracker, message.output_channel, name)
    tracker.update(SlotSet(SLOT_STATE, step.state), processor.domain)
    tracker.update(SlotSet(SLOT_MESSAGE_REF, ref if step.state else None), processor.domain)
    if step.then_predict:
        return True
    tracker.update(ActionExecuted("action_listen"), processor.domain)
    return False


# --- action_request_human -------------------------------------------------------------------------------
def request_human_action() -> Any:
    """The action (a class built on first use: Rasa is imported only inside the Rasa process)."""
    from rasa.core.actions.action import Action, create_bot_utterance
    from rasa.shared.core.events import ActiveLoop, ConversationPaused, SlotSet

    class ActionRequestHuman(Action):
        def name(self) -> str:
            return ACTION_NAME

        async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
            now = time.time()
            events: List[Any] = []
            if tracker.active_loop_name:
                events += [ActiveLoop(None), SlotSet("requested_slot", None)]
            live = on_duty(now)
            if live:
                response = await nlg.generate("utter_handoff_waiting", tracker, output_channel.name())
                notice: Dict[str, Any] = {NOTICE_KEY: "utter_handoff_waiting", PUSHED_KEY: True}
                events += [SlotSet(SLOT_STATE, WAITING), SlotSet(SLOT_SINCE, now), SlotSet(SLOT_TRAINER, None),
                           SlotSet(SLOT_TAKEN_AT, None), SlotSet(SLOT_SEEN, None)]
                notify_staff("waiting", tracker.get_latest_input_channel())
            else:
                cfg = handoff_config.load()
                response = await nlg.generate("utter_handoff_closed", tracker, output_channel.name(),
                                              hours=cfg.hours_text())
                notice = {NOTICE_KEY: "utter_handoff_closed", PUSHED_KEY: True}
                events += [SlotSet(SLOT_STATE, OFFER_MESSAGE), SlotSet(SLOT_MESSAGE_REF, None)]
            bot = []
            if response:
                utterance = create_bot_utterance(response)
                utterance.metadata = {**(utterance.metadata or {}), **notice}
                bot = [utterance]
            # The pause comes last: Rasa stops predicting once the tracker is paused.
            return [*bot, *events, *([ConversationPaused()] if live else [])]

    return ActionRequestHuman()
