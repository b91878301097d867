"""Personal data kept out of stores and logs, erasure and retention (issue 22): advisor/privacy.py, the
UserMessage patch, the log filter, the tracker store's redacted writes and its erasure, persistence/retention.py,
the workbench's review marks, and every number phrase of the knowledge base left alone."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import Any, List

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from advisor import patches
from advisor.privacy import redact_event, redact_log_message, redact_parse_data, redact_user_text
from advisor.redaction import redact
from persistence import erasure, retention
from persistence.tracker_store import AdvisorTrackerStore
from workbench.inbox import message_key
from workbench.reviews import Reviews

patches.install()
ROOT = Path(__file__).resolve().parents[2]
EMAIL, PHONE = "anna.schmidt@example.com", "+49 151 2345678"
PERSONAL = f"I'm {EMAIL}, call me on {PHONE}"
REDACTED = "I'm [email], call me on [phone]"


# --- the text as stored --------------------------------------------------------------------------------
def test_user_text_is_redacted_then_cut() -> None:
    assert redact_user_text(PERSONAL) == REDACTED
    assert redact_user_text("what does the CSPO cost? 250 to 2,500 USD?") == "what does the CSPO cost? 250 to 2,500 USD?"
    assert redact_user_text(None) == "" and redact_user_text("") == ""


def test_an_address_crossing_the_length_limit_is_replaced_whole_not_cut_into_a_fragment() -> None:
    text = "x " * 495 + "mail " + EMAIL + " please"  # the address starts near character 995
    stored = redact_user_text(text)
    assert len(stored) <= 1000
    assert "anna" not in stored and "schmidt" not in stored and "@" not in stored


def test_parse_data_from_a_client_is_redacted() -> None:
    parse = {"text": PERSONAL, "intent": {"name": "greet", "confidence": 1.0},
             "entities": [{"entity": "role", "value": EMAIL, "start": 4, "end": 28}, "odd"]}
    out = redact_parse_data(parse)
    assert out["text"] == REDACTED and out["entities"][0]["value"] == "[email]" and out["entities"][1] == "odd"
    assert parse["text"] == PERSONAL  # a copy
    assert redact_parse_data(None) is None and redact_parse_data("x") == "x"


def test_events_are_redacted_where_user_text_lands_and_bot_words_are_left_alone() -> None:
    user = redact_event({"event": "user", "text": PERSONAL, "parse_data": {"text": PERSONAL, "entities": []},
                         "entities": [{"entity": "x", "value": PHONE}]})
    assert user["text"] == REDACTED and user["parse_data"]["text"] == REDACTED and user["entities"][0]["value"] == "[phone]"
    slot = redact_event({"event": "slot", "name": "answer_feedback",
                         "value": {"comment": f"write to {EMAIL}", "nested": [[PHONE]], "n": 3}})
    assert slot["value"] == {"comment": "write to [email]", "nested": [["[phone]"]], "n": 3}
    bot_text = "The CSPO costs from about 250 to 2,500 USD; call +1 555 0100 is not ours to change."
    assert redact_event({"event": "bot", "text": bot_text})["text"] == bot_text


def test_every_user_message_carries_the_redacted_text_and_parse_data() -> None:
    message = UserMessage(PERSONAL, sender_id="rest:a")
    assert message.text == REDACTED
    given = UserMessage(PERSONAL, None, "rest:a", {"text": PERSONAL, "intent": {"name": "greet"},
                                                  "entities": [{"entity": "role", "value": EMAIL}]})
    assert given.text == REDACTED and given.parse_data["text"] == REDACTED
    assert given.parse_data["entities"][0]["value"] == "[email]"


# --- logs --------------------------------------------------------------------------------------------
def test_personal_data_is_redacted_from_log_lines() -> None:
    record = logging.LogRecord("rasa.core.processor", logging.DEBUG, __file__, 1, "Received user message '%s'",
                               (PERSONAL,), None)
    patches.RedactPersonalData().filter(record)
    assert EMAIL not in record.getMessage() and PHONE not in record.getMessage()
    assert record.getMessage() == f"Received user message '{REDACTED}'"


@pytest.mark.parametrize("line", [
    "Starting Rasa server on http://127.0.0.1:5005",
    "conversation rest:#3fa9c0d1e2 erased on the user's request: 12 events, 0 workbench",
    "Deleted 3 conversation(s) idle for more than 2592000 s.",
    "2026-12-03 13:51:51 INFO     root  - Rasa server is up and running.",
    "action server took 31.2 ms; 250 USD; 16 hours; 37 of 50",
    "Slack: event Ev0123ABCD already handled; not answered again",
])
def test_ordinary_log_lines_are_left_alone(line: str) -> None:
    assert redact_log_message(line) == line


def test_the_log_filters_are_installed_on_every_handler_once() -> None:
    logger = logging.getLogger("test_privacy_handler")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        patches.redact_secrets_in_logs()
        patches.redact_secrets_in_logs()
        kinds = [type(f) for f in handler.filters]
        assert kinds.count(patches.RedactSecrets) == 1 and kinds.count(patches.RedactPersonalData) == 1
    finally:
        logger.removeHandler(handler)


# --- the tracker store ---------------------------------------------------------------------------------
def _store(tmp_path: Path) -> AdvisorTrackerStore:
    return AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "c.db"), ttl_seconds=0, sweep_seconds=0,
                               workbench_db=str(tmp_path / "workbench.db"))


def _raw_rows(db: Path) -> List[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select data from events")]


def test_the_store_writes_events_redacted_whatever_wrote_them(tmp_path: Path) -> None:
    store = _store(tmp_path)
    now = time.time()
    # as the HTTP API's POST /conversations/<id>/tracker/events would: raw text, not through UserMessage
    tracker = DialogueStateTracker.from_events("rest:a", [
        ActionExecuted("action_listen", timestamp=now),
        UserUttered(PERSONAL, {"name": "greet", "confidence": 1.0}, [{"entity": "role", "value": EMAIL}],
                    timestamp=now + 1),
        SlotSet("feedback_comment", f"reach me at {PHONE}", timestamp=now + 2),
        BotUttered("It costs 250 to 2,500 USD.", timestamp=now + 3)])
    asyncio.run(store.save(tracker))
    raw = "\n".join(_raw_rows(tmp_path / "c.db"))
    assert EMAIL not in raw and PHONE not in raw and "anna" not in raw
    assert "[email]" in raw and "[phone]" in raw and "250 to 2,500 USD" in raw
    back = asyncio.run(store.retrieve("rest:a"))
    assert back is not None and back.latest_message is not None and back.latest_message.text == REDACTED


def _tracker_with_forget(sender: str, at: float) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen", timestamp=at), UserUttered("forget me", {"name": "forget_me"}, timestamp=at),
        ActionExecuted("action_forget_me", timestamp=at + 1), SlotSet(erasure.FORGET_SLOT, True, timestamp=at + 1),
        BotUttered("Done", timestamp=at + 1), ActionExecuted("action_listen", timestamp=at + 1)])


def test_a_confirmed_forget_erases_the_conversation_instead_of_saving_it(tmp_path: Path, caplog: Any) -> None:
    store = _store(tmp_path)
    now = time.time()
    first = DialogueStateTracker.from_events("rest:gone", [
        ActionExecuted("action_listen", timestamp=now), UserUttered("what is csm?", timestamp=now)])
    asyncio.run(store.save(first))
    asyncio.run(store.save(DialogueStateTracker.from_events("rest:kept", [UserUttered("hi", timestamp=now)])))
    with sqlite3.connect(tmp_path / "c.db") as conn:  # a table issue 21 keeps messages for the team in
        conn.execute("create table handoff_messages (conversation_id text, body text)")
        conn.execute("insert into handoff_messages values ('rest:gone', 'x'), ('rest:kept', 'y')")
    reviews = Reviews(tmp_path / "workbench.db")
    reviews.set("rest:gone", True, "a note about it")
    reviews.set("rest:kept", True, "kept")
    reviews.mark(message_key("rest:gone", now, "what is csm?"), "dismissed")
    reviews.mark(message_key("rest:kept", now, "hi"), "dismissed")

    with caplog.at_level(logging.INFO, logger="persistence.tracker_store"):
        asyncio.run(store.save(_tracker_with_forget("rest:gone", now + 5)))
    assert asyncio.run(store.retrieve("rest:gone")) is None
    assert asyncio.run(store.retrieve_full_tracker("rest:gone")) is None
    assert asyncio.run(store.retrieve("rest:kept")) is not None
    with sqlite3.connect(tmp_path / "c.db") as conn:
        assert conn.execute("select conversation_id from handoff_messages").fetchall() == [("rest:kept",)]
        assert conn.execute("select count(*) from events where sender_id = 'rest:gone'").fetchone()[0] == 0
    assert reviews.get("rest:gone") == (False, "") and reviews.get("rest:kept") == (True, "kept")
    assert reviews.handled() == {message_key("rest:kept", now, "hi")}
    lines = [r.getMessage() for r in caplog.records if "erased" in r.getMessage()]
    assert len(lines) == 1 and "rest:gone" not in lines[0] and "what is csm" not in lines[0]
    assert "2 events" in lines[0] and "1 handoff_messages" in lines[0] and "2 workbench" in lines[0]


def test_erase_and_export_through_the_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    now = time.time()
    asyncio.run(store.save(DialogueStateTracker.from_events("rest:b", [
        UserUttered("hi", timestamp=now), BotUttered("Hello", timestamp=now + 1)])))
    assert [e["event"] for e in store.conversation_events("rest:b")] == ["user", "bot"]
    assert store.erase("rest:b", reason="a test") == {"events": 2, "workbench": 0}
    assert store.conversation_events("rest:b") == [] and store.erase("rest:b", reason="again")["events"] == 0
    assert not (tmp_path / "workbench.db").exists()  # never created by an erasure


def test_the_workbench_drops_marks_of_conversations_the_store_no_longer_holds(tmp_path: Path) -> None:
    reviews = Reviews(tmp_path / "w.db")
    reviews.set("rest:a", True, "")
    reviews.set("rest:b", False, "note")
    reviews.mark("k1", "dismissed")
    reviews.mark("k2", "annotated", "greet: hi")
    assert reviews.prune(["rest:a"], ["k2"]) == 2
    assert set(reviews.all()) == {"rest:a"} and reviews.handled() == {"k2"}


# --- retention as data -----------------------------------------------------------------------------------
def test_retention_defaults_come_from_the_data_file() -> None:
    from persistence.endpoints import DEFAULT_SWEEP_SECONDS, DEFAULT_TTL_SECONDS

    r = retention.load()
    assert r.conversation_ttl_days == 30 and DEFAULT_TTL_SECONDS == 30 * 24 * 3600
    assert DEFAULT_SWEEP_SECONDS == r.sweep_seconds and ("events", "sender_id") in r.conversation_tables


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(extra=1), "unknown keys"),
    (lambda d: d.update(conversation_ttl_days=-1), "conversation_ttl_days"),
    (lambda d: d.update(sweep_seconds="hourly"), "sweep_seconds"),
    (lambda d: d["conversation_tables"].append({"table": "x; drop table events", "column": "id"}), "lower-case SQL"),
    (lambda d: d.update(conversation_tables=[{"table": "other", "column": "id"}]), "events table"),
])
def test_a_bad_retention_file_is_refused(change: Any, message: str) -> None:
    data = yaml.safe_load(retention.RETENTION_PATH.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(retention.RetentionError, match=message):
        retention.parse(data)


# --- the advisor's numbers are never personal data ------------------------------------------------------
def _number_phrases() -> List[str]:
    """Every number of the facts' answers with up to three words either side ("from about 250 to 2,500
    USD", "a live 16-hour course", "37 correct (74%)")."""
    facts = yaml.safe_load((ROOT / "knowledge" / "facts.yml").read_text(encoding="utf-8"))["facts"]
    phrases = []
    for fact in facts:
        words = fact["answer"].split()
        for i, word in enumerate(words):
            if re.search(r"\d", word):
                phrases.append(" ".join(words[max(0, i - 3):i + 4]))
    return phrases


def test_every_number_phrase_of_the_facts_survives_redaction_as_a_user_would_type_it() -> None:
    phrases = _number_phrases()
    assert len(phrases) >= 40
    for phrase in phrases:
        for text in (phrase, f"is it true that {phrase}?", f"I read {phrase.lower()} somewhere, right?"):
            assert redact(text).text == text, text
            assert redact_user_text(text) == text, text


def test_json_of_a_redacted_event_is_still_json() -> None:
    assert json.loads(json.dumps(redact_event({"event": "user", "text": PERSONAL})))["text"] == REDACTED


# --- the action and the export ----------------------------------------------------------------------------
def _sdk_tracker(channel: str) -> Any:
    from rasa_sdk import Tracker

    events = [{"event": "user", "text": "yes", "input_channel": channel, "parse_data": {"intent": {"name": "affirm"}}}]
    return Tracker("rest:x", {}, {"text": "yes", "intent": {"name": "affirm"}}, events, False, None, {}, "action_listen")


@pytest.mark.parametrize("channel, signal", [("rest", False), ("slack", False), ("socketio", True)])
def test_action_forget_me_answers_and_marks_the_turn(channel: str, signal: bool) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.action_privacy import FORGET_SLOT, ActionForgetMe

    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionForgetMe().run(dispatcher, _sdk_tracker(channel), {}))
    assert events == [{"event": "slot", "timestamp": None, "name": FORGET_SLOT, "value": True}]
    assert FORGET_SLOT == erasure.FORGET_SLOT
    assert dispatcher.messages[0]["response"] == "utter_forgotten"
    customs = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert customs == ([{"data": {"advisor": "conversation_forgotten"}}] if signal else [])


def test_the_export_holds_who_said_what_when_and_where() -> None:
    from workbench.privacy import export

    events = [
        {"event": "session_started", "timestamp": 1764770000.0},
        {"event": "user", "timestamp": 1764770001.5, "text": REDACTED, "input_channel": "telegram"},
        {"event": "action", "timestamp": 1764770002.0, "name": "action_answer_question"},
        {"event": "bot", "timestamp": 1764770002.0, "text": "The CSM costs ...",
         "data": {"buttons": [{"title": "More", "payload": "/x"}, "junk"]}},
        {"event": "slot", "timestamp": 1764770002.0, "name": "certification", "value": "CSM"},
        {"event": "user", "timestamp": "not a time", "text": None},
    ]
    out = export("telegram:42", events, now=1764770100.0)
    assert out["conversation_id"] == "telegram:42" and out["channel"] == "telegram"
    assert out["exported_at"] == "2025-12-03T13:55:00+00:00"
    assert out["messages"] == [
        {"from": "user", "time": "2025-12-03T13:53:21+00:00", "text": REDACTED, "channel": "telegram"},
        {"from": "bot", "time": "2025-12-03T13:53:22+00:00", "text": "The CSM costs ...", "buttons": ["More"]},
        {"from": "user", "time": None, "text": "", "channel": "telegram"},
    ]
    assert json.loads(json.dumps(out)) == out
