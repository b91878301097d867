"""The Rasa server's handoff endpoints, used by the workbench's Live page (docs/handoff.md):

    POST /handoff/take     {"conversation_id", "trainer"}           waiting -> held (409 when someone has it)
    POST /handoff/say      {"conversation_id", "trainer", "text"}   a trainer's reply, pushed into the channel
    POST /handoff/release  {"conversation_id", "trainer"}           back to the bot, which says so
    POST /handoff/seen     {"conversation_id", "trainer"}           the trainer's page is still open

They are HTTP API routes: the API token is required (Authorization: Bearer, checked before the body is read by
advisor.patches.harden_app, and again here), bodies are small JSON objects. Every change happens under the
conversation's lock (Redis in the cluster), the same lock Rasa takes for a user's message: two trainers cannot
take the same conversation, and a trainer's reply never interleaves with a user's turn. Rasa's own
`/conversations/<id>/tracker/events` could append the events but cannot push a message into Slack, Telegram
or a socket, nor check who holds the conversation atomically: hence these routes.

A sweeper task gives the conversation back to the bot when nobody took it in time, the user went quiet, or the
trainer's page stopped checking in (settings/handoff.yml).
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

from advisor import handoff_actions, handoff_config
from advisor.handoff_state import (
    AGENT_KEY,
    HELD,
    LIVE_STATES,
    NOTICE_KEY,
    PUSHED_KEY,
    SLOT_SEEN,
    SLOT_SINCE,
    SLOT_STATE,
    SLOT_TAKEN_AT,
    SLOT_TRAINER,
    WAITING,
    HandoffView,
    agent_text,
    timeout_due,
    trainer_name,
)

logger = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
SEEN_EVERY = 15.0  # seconds: a trainer's check-in is written to the tracker at most this often
_PUSHABLE = ("socketio", "slack", "telegram")


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# Rasa's lock store hands out tickets without a transaction (RedisLockStore.issue_ticket reads, adds and writes the
# lock): four trainers taking one conversation at once through two replicas can overwrite each other's ticket, and
# the loser's wait ends in a LockError, which reached the trainer as a 500 (seen in CI). The lock is asked for again
# (nothing has run yet), and after that the trainer gets a 503 to retry, never a 500.
LOCK_ATTEMPTS = 3
LOCK_RETRY_SECONDS = 0.2
BUSY_RETRY_AFTER = 1


@asynccontextmanager
async def conversation_lock(lock_store: Any, conversation_id: str) -> AsyncIterator[None]:
    """The conversation's lock, asked for again when Rasa's lock store fails to give it (Refused 503 at last)."""
    from rasa.core.lock_store import LockError

    for attempt in range(LOCK_ATTEMPTS):
        entered = False
        try:
            async with lock_store.lock(conversation_id):
                entered = True
                yield
            return
        except LockError:
            if entered:
                raise
            if attempt == LOCK_ATTEMPTS - 1:
                raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the conversation is busy; try again") from None
            logger.warning("handoff: the conversation's lock was not given (attempt %d); asking again", attempt + 1)
            await asyncio.sleep(LOCK_RETRY_SECONDS * (attempt + 1))


# --- pushing into the user's channel -------------------------------------------------------------------
def output_for(app: Any, tracker: Any) -> Any:
    """The output channel that reaches the user of `tracker` now, or None (REST, or no such channel here)."""
    name = tracker.get_latest_input_channel()
    if name not in _PUSHABLE:
        return None
    for channel in getattr(app.ctx, "input_channels", None) or []:
        if channel.name() != name:
            continue
        if name == "socketio":
            from channels.socketio import WebSocketIOOutput

            sio = getattr(channel, "sio", None)
            if sio is None or not socket_in_room(sio, getattr(channel, "namespace", None), tracker.sender_id):
                return None  # the user's page is connected elsewhere (another replica) or closed: next message
            return WebSocketIOOutput(sio, channel.bot_message_evt)
        if name == "slack":  # the user's direct-message channel, as their own messages came from
            meta = (tracker.latest_message.metadata if tracker.latest_message else None) or {}
            return channel.get_output_channel(meta.get("out_channel") or None)
        return channel.get_output_channel()
    return None


def socket_in_room(sio: Any, namespace: Optional[str], room: str) -> bool:
    """Whether a socket of this process is in the conversation's room (python-socketio's manager)."""
    try:
        return bool(sio.manager.rooms.get(namespace or "/", {}).get(room))
    except AttributeError:
        return True  # another manager: let the emit decide


async def push(app: Any, tracker: Any, response: Dict[str, Any]) -> bool:
    out = output_for(app, tracker)
    if out is None:
        return False
    try:
        await out.send_response(tracker.sender_id, response)
        return True
    except Exception as e:  # noqa: BLE001 - kept for delivery with the user's next message
        logger.warning("handoff: could not push into %s (%s)", tracker.get_latest_input_channel(), type(e).__name__)
        return False


async def notice(app: Any, processor: Any, tracker: Any, name: str, **fill: Any) -> None:
    """A domain response from the bot about the handoff, pushed (or kept for the next request) and recorded."""
    from rasa.core.actions.action import create_bot_utterance
    from rasa.shared.core.events import ActionExecuted

    channel = tracker.get_latest_input_channel() or "rest"
    response = await processor.nlg.generate(name, tracker, channel, **fill)
    if not response:
        return
    response["utter_action"] = name
    pushed = await push(app, tracker, {**response, NOTICE_KEY: name})
    event = create_bot_utterance(response)
    event.metadata = {**(event.metadata or {}), NOTICE_KEY: name, PUSHED_KEY: pushed}
    tracker.update(ActionExecuted(name), processor.domain)
    tracker.update(event, processor.domain)


# --- the operations (under the conversation's lock) --------------------------------------------------
def view_of(tracker: Any) -> HandoffView:
    from rasa.shared.core.events import UserUttered

    last_user = next((e.timestamp for e in reversed(tracker.events) if isinstance(e, UserUttered)), None)
    return HandoffView.from_slots(tracker.current_slot_values(), tracker.is_paused(), last_user)


async def _existing(processor: Any, conversation_id: str) -> Any:
    tracker = await processor.tracker_store.retrieve(conversation_id)
    if tracker is None or not tracker.events:
        raise Refused(HTTPStatus.NOT_FOUND, "no such conversation")
    return tracker


async def take(app: Any, processor: Any, conversation_id: str, trainer: str) -> Dict[str, Any]:
    from rasa.shared.core.events import SlotSet

    tracker = await _existing(processor, conversation_id)
    view = view_of(tracker)
    if view.state == HELD and view.trainer == trainer:
        return {"state": HELD, "trainer": trainer}
    if view.state != WAITING:
        raise Refused(HTTPStatus.CONFLICT, f"{view.trainer} has taken it already" if view.state == HELD
                      else "this conversation is not waiting for a person")
    holder = handoff_actions.store().claim(conversation_id, repr(view.since), trainer)
    if holder != trainer:
        raise Refused(HTTPStatus.CONFLICT, f"{holder} has taken it already")
    now = time.time()
    for event in (SlotSet(SLOT_STATE, HELD), SlotSet(SLOT_TRAINER, trainer), SlotSet(SLOT_TAKEN_AT, now),
                  SlotSet(SLOT_SEEN, now)):
        tracker.update(event, processor.domain)
    await notice(app, processor, tracker, "utter_handoff_taken", trainer=trainer)
    await processor.save_tracker(tracker)
    return {"state": HELD, "trainer": trainer}


def _held_by(tracker: Any, trainer: str) -> HandoffView:
    view = view_of(tracker)
    if view.state != HELD or view.trainer != trainer:
        raise Refused(HTTPStatus.CONFLICT, "you do not hold this conversation (take it first)")
    return view


async def say(app: Any, processor: Any, conversation_id: str, trainer: str, text: str) -> Dict[str, Any]:
    from rasa.shared.core.events import BotUttered, SlotSet

    tracker = await _existing(processor, conversation_id)
    _held_by(tracker, trainer)
    pushed = await push(app, tracker, {"text": text, AGENT_KEY: trainer})
    tracker.update(BotUttered(text, {}, {AGENT_KEY: trainer, PUSHED_KEY: pushed}), processor.domain)
    tracker.update(SlotSet(SLOT_SEEN, time.time()), processor.domain)
    await processor.save_tracker(tracker)
    return {"state": HELD, "pushed": pushed}


async def give_back(app: Any, processor: Any, tracker: Any, response: str, next_state: Optional[str]) -> None:
    """Resumes the bot: the pause lifted, the handoff slots cleared (all other slots kept), the user told."""
    from rasa.shared.core.events import ActionExecuted, ConversationResumed, SlotSet

    tracker.update(ConversationResumed(), processor.domain)
    for event in (SlotSet(SLOT_STATE, next_state), SlotSet(SLOT_TRAINER, None), SlotSet(SLOT_SINCE, None),
                  SlotSet(SLOT_TAKEN_AT, None), SlotSet(SLOT_SEEN, None)):
        tracker.update(event, processor.domain)
    await notice(app, processor, tracker, response)
    tracker.update(ActionExecuted("action_listen"), processor.domain)


async def release(app: Any, processor: Any, conversation_id: str, trainer: str) -> Dict[str, Any]:
    tracker = await _existing(processor, conversation_id)
    _held_by(tracker, trainer)
    await give_back(app, processor, tracker, "utter_handoff_back", None)
    await processor.save_tracker(tracker)
    return {"state": None}


async def seen(app: Any, processor: Any, conversation_id: str, trainer: str) -> Dict[str, Any]:
    from rasa.shared.core.events import SlotSet

    tracker = await _existing(processor, conversation_id)
    view = _held_by(tracker, trainer)
    now = time.time()
    if now - (view.trainer_seen or 0.0) >= SEEN_EVERY:
        tracker.update(SlotSet(SLOT_SEEN, now), processor.domain)
        await processor.save_tracker(tracker)
    return {"state": HELD}


async def sweep(app: Any, processor: Any, now: Optional[float] = None) -> List[Tuple[str, str]]:
    """Gives back every live conversation whose time is up; returns (conversation, response) done."""
    cfg = handoff_config.load()
    now = now or time.time()
    done: List[Tuple[str, str]] = []
    for conversation_id in await paused_ids(processor):
        async with processor.lock_store.lock(conversation_id):
            tracker = await processor.tracker_store.retrieve(conversation_id)
            if tracker is None:
                continue
            view = view_of(tracker)
            if view.state not in LIVE_STATES:
                continue
            due = timeout_due(view, now, cfg.timeouts.waiting, cfg.timeouts.user_idle, cfg.timeouts.trainer_gone)
            if due:
                await give_back(app, processor, tracker, *due)
                await processor.save_tracker(tracker)
                done.append((conversation_id, due[0]))
    return done


async def paused_ids(processor: Any) -> List[str]:
    from persistence.handoff_store import engine_of

    if engine_of(processor.tracker_store) is not None:
        return handoff_actions.store().paused_conversations()
    out = []
    for key in list(await processor.tracker_store.keys()):
        tracker = await processor.tracker_store.retrieve(key)
        if tracker is not None and tracker.is_paused():
            out.append(key)
    return out


# --- the routes -------------------------------------------------------------------------------------------
OPERATIONS = {"take": take, "release": release, "seen": seen}


def parse_body(body: Any, needs_text: bool) -> Tuple[str, str, Optional[str]]:
    """(conversation id, trainer, text) from a request body, or Refused(400)."""
    if not isinstance(body, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, 'send a JSON object like {"conversation_id": "...", "trainer": "..."}')
    cid = body.get("conversation_id")
    if not isinstance(cid, str) or not cid or len(cid) > 255 or "\x00" in cid:
        raise Refused(HTTPStatus.BAD_REQUEST, '"conversation_id" must be a conversation id')
    text = agent_text(body.get("text")) if needs_text else None
    if needs_text and text is None:
        raise Refused(HTTPStatus.BAD_REQUEST, '"text" must be a message of 1 to 2000 characters')
    return cid, trainer_name(body.get("trainer")), text


def register(app: Any, auth_token: Optional[str]) -> None:
    """Adds the routes and the sweeper to the Rasa app (advisor.patches, when the HTTP API is on)."""
    import json as jsonlib

    from rasa.server import requires_auth
    from sanic import response

    async def handle(request: Any, operation: str) -> Any:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.processor is None:
            return response.json({"error": "no model is loaded"}, status=HTTPStatus.CONFLICT)
        try:
            if len(request.body or b"") > MAX_BODY:
                raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is larger than {MAX_BODY} bytes")
            try:
                body = jsonlib.loads(request.body or b"")
            except ValueError:
                raise Refused(HTTPStatus.BAD_REQUEST, "the body must be JSON") from None
            cid, trainer, text = parse_body(body, operation == "say")
            processor = agent.processor
            async with conversation_lock(processor.lock_store, cid):
                if operation == "say":
                    result = await say(request.app, processor, cid, trainer, text or "")
                else:
                    result = await OPERATIONS[operation](request.app, processor, cid, trainer)
        except Refused as r:
            headers = {"Retry-After": str(BUSY_RETRY_AFTER)} if r.status == HTTPStatus.SERVICE_UNAVAILABLE else None
            return response.json({"error": r.message}, status=r.status, headers=headers)
        return response.json({"ok": True, **result})

    for operation in ("take", "say", "release", "seen"):
        async def route(request: Any, operation: str = operation) -> Any:
            return await handle(request, operation)

        route.__name__ = f"handoff_{operation}"
        app.add_route(requires_auth(app, auth_token)(route), f"/handoff/{operation}", methods=["POST"],
                      name=f"handoff_{operation}")

    @app.listener("after_server_start")
    async def start_handoff(running: Any, _: Any) -> None:
        agent = getattr(running.ctx, "agent", None)
        if agent is not None and agent.tracker_store is not None:
            handoff_actions.bind(agent.tracker_store)
        running.ctx.handoff_sweeper = asyncio.ensure_future(sweeper(running))
        handoff_actions.set_notifier(staff_notifier(running))

    @app.listener("before_server_stop")
    async def stop_handoff(running: Any, _: Any) -> None:
        task = getattr(running.ctx, "handoff_sweeper", None)
        if task is not None:
            task.cancel()


STAFF_CHANNEL_ENV = "HANDOFF_SLACK_CHANNEL"


def staff_notifier(app: Any) -> Any:
    """Posts a note to the Slack channel HANDOFF_SLACK_CHANNEL names, through the Slack channel's own output
    (its token, its API address); None when either is missing. A failure is logged, never raised."""
    import os

    target = (os.environ.get(STAFF_CHANNEL_ENV) or "").strip()
    slack = next((c for c in getattr(app.ctx, "input_channels", None) or [] if c.name() == "slack"), None)
    if not target or slack is None:
        return None

    async def post(text: str) -> None:
        try:
            out = slack.get_output_channel(target)
            if out is not None:
                await out.send_text_message(target, text)
        except Exception as e:  # noqa: BLE001 - a note the staff miss must not cost the user anything
            logger.warning("handoff: the staff note to Slack failed (%s)", type(e).__name__)

    return post


async def sweeper(app: Any) -> None:
    while True:
        try:
            interval = handoff_config.load().sweep_seconds
        except handoff_config.HandoffConfigError as e:
            logger.error("handoff: %s", e)
            interval = 30.0
        await asyncio.sleep(interval)
        agent = getattr(app.ctx, "agent", None)
        if agent is None or agent.processor is None or handoff_actions._store is None:
            continue
        try:
            for conversation_id, why in await sweep(app, agent.processor):
                logger.info("handoff: %s back to the bot (%s)", _log_id(conversation_id), why)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - the next sweep tries again
            logger.warning("handoff: sweep failed (%s: %s)", type(e).__name__, e)


def _log_id(conversation_id: str) -> str:
    from channels.ids import log_id

    return log_id(conversation_id)
