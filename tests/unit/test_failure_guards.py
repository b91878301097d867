"""The guards found by the failure-under-load runs (bench/failure.py), without servers:

- advisor.patches.tracker_store_failures_refuse_the_message: a failing tracker store fails the message
  (Rasa's FailSafeTrackerStore answered from an empty tracker, or kept the save in memory only);
- advisor.patches.lock_tickets_are_leases: a conversation's lock ticket is a lease its holder renews, so a
  dead holder's ticket is gone within seconds (Rasa: 60 s), and a failed release does not fail the answer;
- channels.rest: a message whose handling raised is answered 503 + Retry-After (Rasa: 200 with []);
- bench.failure.check_conversation: what counts as lost, stored twice or a duplicate reply.
"""
from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any, List

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from advisor import patches
from bench.failure import Attempt, Message, check_conversation
from channels.rest import SafeRestInput

patches.install()


class Broken(InMemoryTrackerStore):
    async def retrieve(self, sender_id: str) -> Any:
        raise ConnectionError("server closed the connection unexpectedly")

    async def retrieve_full_tracker(self, sender_id: str) -> Any:
        raise ConnectionError("server closed the connection unexpectedly")

    async def save(self, tracker: Any) -> None:
        raise ConnectionError("server closed the connection unexpectedly")


def test_a_failing_tracker_store_fails_the_message_instead_of_an_empty_or_unsaved_tracker() -> None:
    store = FailSafeTrackerStore(Broken(Domain.empty()))
    tracker = DialogueStateTracker.from_events("rest:a", [UserUttered("hi")])
    for call in (store.retrieve("rest:a"), store.retrieve_full_tracker("rest:a"), store.save(tracker)):
        with pytest.raises(patches.TrackerStoreUnavailable):
            asyncio.run(call)
    assert store._fallback_tracker_store is None, "nothing went to Rasa's in-memory fallback"


def test_a_working_tracker_store_behaves_as_before() -> None:
    store = FailSafeTrackerStore(InMemoryTrackerStore(Domain.empty()))
    assert asyncio.run(store.retrieve("rest:new")) is None  # a new conversation: None, no error
    asyncio.run(store.save(DialogueStateTracker.from_events("rest:b", [UserUttered("hi")])))
    saved = asyncio.run(store.retrieve("rest:b"))
    assert saved is not None and saved.latest_message.text == "hi"


def test_the_ticket_of_a_dead_holder_expires_within_the_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(patches.LOCK_LEASE_ENV, "1")
    store = InMemoryLockStore()
    store.issue_ticket("rest:c", patches.lock_lease())  # a replica that took the ticket and was killed

    async def next_message() -> float:
        start = time.monotonic()
        async with store.lock("rest:c", wait_time_in_seconds=0.1):
            return time.monotonic() - start

    assert asyncio.run(next_message()) < 2.5  # Rasa: 60 s (TICKET_LOCK_LIFETIME)


def test_a_live_holder_keeps_its_ticket_past_the_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(patches.LOCK_LEASE_ENV, "1")
    store = InMemoryLockStore()
    order: List[str] = []

    async def slow_turn() -> None:
        async with store.lock("rest:d", wait_time_in_seconds=0.1):
            order.append("first starts")
            await asyncio.sleep(2.5)  # longer than the lease: renewed meanwhile
            order.append("first ends")

    async def second() -> None:
        await asyncio.sleep(0.2)
        async with store.lock("rest:d", wait_time_in_seconds=0.1):
            order.append("second")

    async def both() -> None:
        await asyncio.gather(slow_turn(), second())

    asyncio.run(both())
    assert order == ["first starts", "first ends", "second"]
    assert store.get_lock("rest:d") is None  # released: nobody waits


def test_a_failed_release_does_not_fail_a_handled_message() -> None:
    class ReleaseFails(InMemoryLockStore):
        def cleanup(self, conversation_id: str, ticket_number: int) -> None:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6380. Connection refused.")

    async def turn() -> str:
        async with ReleaseFails().lock("rest:e", wait_time_in_seconds=0.1):
            return "answered"

    assert asyncio.run(turn()) == "answered"


def _receive(on_new_message: Any) -> Any:
    bp = SafeRestInput().blueprint(on_new_message)
    handler = next(r.handler for r in bp._future_routes if r.uri == "/webhook")
    request = SimpleNamespace(json={"sender": "someone", "message": "hi"}, args={}, headers={})
    return asyncio.run(handler(request))


def test_a_message_the_server_could_not_handle_is_refused_with_503_and_retry_after() -> None:
    async def failing(message: Any) -> None:
        raise patches.TrackerStoreUnavailable("the tracker store failed (OperationalError)")

    resp = _receive(failing)
    assert resp.status == 503 and resp.headers["Retry-After"] == "1"
    assert "send it again" in json.loads(resp.body)["error"]


def test_a_handled_message_gets_its_replies() -> None:
    async def answering(message: Any) -> None:
        assert message.sender_id == "rest:someone"
        await message.output_channel.send_text_message(message.sender_id, "hello")

    resp = _receive(answering)
    assert resp.status == 200 and [m["text"] for m in json.loads(resp.body)] == ["hello"]


def _msg(text: str, kind: str, replies: List[str] = ()) -> Message:  # type: ignore[assignment]
    return Message("s", text, [Attempt(200 if kind in ("answered", "apology") else 503, kind, 0, 0, list(replies))])


def _events(*turns: Any) -> List[dict]:
    out: List[dict] = []
    for user, bots in turns:
        out.append({"event": "user", "text": user})
        out += [{"event": "bot", "text": b} for b in bots]
    return out


def test_the_store_check_counts_lost_twice_and_duplicate_replies() -> None:
    retried = _msg("what is cspo?", "answered", ["CSPO is"])
    retried.attempts.insert(0, Attempt(503, "retryable 503", 0, 0))  # refused once, answered when sent again
    sent = [_msg("hi", "answered", ["Hello"]), retried, _msg("bye", "answered", ["Bye"]),
            _msg("thanks", "retryable 503")]  # refused in the end: may be missing
    assert check_conversation(sent, _events(("hi", ["Hello"]), ("what is cspo?", ["CSPO is"]),
                                            ("bye", ["Bye"]))) == {"samples": []}
    lost = check_conversation(sent, _events(("hi", ["Hello"]), ("bye", ["Bye"])))
    assert lost["lost"] == 1
    twice = check_conversation(sent, _events(("hi", ["Hello"]), ("hi", ["Hello"]), ("what is cspo?", ["CSPO is"]),
                                             ("bye", ["Bye"])))
    assert twice["stored_twice"] == 1 and twice["duplicate_replies"] == 1
    doubled = check_conversation(sent[:1], _events(("hi", ["Hello", "Hello"])))
    assert doubled["duplicate_replies"] == 1
    reply_lost = check_conversation(sent[:1], _events(("hi", [])))
    assert reply_lost["replies_lost"] == 1
    foreign = check_conversation(sent[:1], _events(("hi", ["Hello"]), ("not mine", ["?"])))
    assert foreign["unexpected"] == 1
    # a new session (the turn cap) starts, with its notice, before the message that opened it is stored: the
    # notice belongs to that message's turn (bench runs long enough to reach the cap had counted it lost)
    capped = [_msg("hi", "answered", ["Hello"]), _msg("what is cspo?", "answered", ["Fresh page", "CSPO is"])]
    session = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
               {"event": "bot", "text": "Fresh page"}, {"event": "action", "name": "action_listen"}]
    events = _events(("hi", ["Hello"]))[:2] + session + _events(("what is cspo?", ["CSPO is"]))
    assert check_conversation(capped, events) == {"samples": []}
    assert check_conversation(capped, _events(("hi", ["Hello"]), ("what is cspo?", ["CSPO is"])))["replies_lost"] == 1
    # a text without buttons reaches a REST client one paragraph per message (Rasa's collecting output channel),
    # while its bot event keeps it whole: nothing is lost
    split = [_msg("which one?", "answered", ["The CSPO suits you", "Source: the article", "Next question"])]
    whole = _events(("which one?", ["The CSPO suits you\n\nSource: the article", "Next question"]))
    assert check_conversation(split, whole) == {"samples": []}
    assert check_conversation(split, _events(("which one?", ["The CSPO suits you", "Next question"])))["replies_lost"] == 1


def test_two_replicas_creating_the_handoff_tables_at_once_both_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a fresh PostgreSQL both replicas saw the tables missing; the second CREATE raised a unique
    violation (pg_type) and stopped that replica at its start. The loser tries again and finds them."""
    import sqlalchemy as sa

    from persistence import handoff_store

    calls: List[int] = []
    real = handoff_store.METADATA.create_all

    def racing(engine: Any, checkfirst: bool = True) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.IntegrityError("CREATE TABLE handoff_messages", {}, Exception("pg_type_typname_nsp_index"))
        real(engine, checkfirst=checkfirst)

    monkeypatch.setattr(handoff_store.METADATA, "create_all", racing)
    engine = sa.create_engine("sqlite://")
    handoff_store.HandoffStore(engine)
    assert len(calls) == 2 and "handoff_messages" in sa.inspect(engine).get_table_names()


def test_a_web_message_the_server_could_not_handle_tells_the_user_to_send_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """socket.io has no status code: the failure (a 503 on REST) reaches the widget as a bot message."""
    from channels import socketio as web

    sent: List[str] = []

    async def capture(self: Any, recipient_id: str, text: str, **kwargs: Any) -> None:
        sent.append(text)

    async def failing(message: Any) -> None:
        raise patches.TrackerStoreUnavailable("the tracker store failed (OperationalError)")

    monkeypatch.setattr(web.WebSocketIOOutput, "send_text_message", capture)
    channel = web.SocketIOChannel(session_persistence=False)
    channel.blueprint(failing)
    monkeypatch.setattr(channel.sio, "enter_room", lambda *args, **kwargs: None)  # no real connection here
    handler = channel.sio.handlers[channel.namespace or "/"][channel.user_message_evt]
    asyncio.run(handler("sid-1", {"message": "what is CSPO?"}))
    assert sent == [web.NOT_HANDLED_TEXT]


def test_the_replies_stored_after_a_client_message_id_are_found() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered

    events = [UserUttered("hi", message_id="client-id-0001"), BotUttered("Hello"), BotUttered("Ask me"),
              ActionExecuted("action_listen"), UserUttered("what is cspo?", message_id="client-id-0002"),
              BotUttered("CSPO is", data={"buttons": [{"title": "More", "payload": "/more"}]})]
    assert [r["text"] for r in patches.stored_replies(events, "client-id-0001")] == ["Hello", "Ask me"]
    second = patches.stored_replies(events, "client-id-0002")
    assert [r["text"] for r in second] == ["CSPO is"] and second[0]["buttons"][0]["title"] == "More"
    assert patches.stored_replies(events, "client-id-0003") is None


def test_a_message_sent_again_with_its_id_is_answered_from_the_store_not_handled_twice() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import BotUttered

    handled: List[str] = []
    tracker = DialogueStateTracker.from_events("rest:f", [UserUttered("hi", message_id="client-id-0001"),
                                                          BotUttered("Hello")])

    class Processor:  # the processor's steps the patch relies on, Rasa's own methods for the rest
        handle_message = MessageProcessor.handle_message
        _handle_message_with_tracker = MessageProcessor._handle_message_with_tracker

        async def log_message(self, message: Any, should_save_tracker: bool = True) -> Any:
            await self._handle_message_with_tracker(message, tracker)
            handled.append(message.text)
            return tracker

    def message(text: str, mid: str) -> Any:
        m = UserMessage(text, CollectingOutputChannel(), "rest:f", message_id=mid)
        setattr(m, patches.CLIENT_MESSAGE_ID, True)
        return m

    again = message("hi", "client-id-0001")
    with pytest.raises(patches.AlreadyHandled) as raised:
        asyncio.run(Processor().log_message(again))
    assert handled == [] and [r["text"] for r in raised.value.replies] == ["Hello"]


def test_the_rest_channel_checks_a_client_message_id() -> None:
    from channels.rest import request_problem

    ok = {"sender": "s", "message": "hi", "message_id": "a1b2c3d4-e5"}
    assert request_problem(json.dumps(ok).encode()) is None
    for bad in ("short", "x" * 65, "has space in it", 12345678):
        assert "message_id" in request_problem(json.dumps({**ok, "message_id": bad}).encode())
