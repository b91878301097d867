"""The handoff's pure parts (docs/handoff.md): settings, state decisions, the tables beside the tracker store,
the Live page's reading of events. The Rasa side runs in tests/e2e/test_handoff.py."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
import yaml

from advisor import handoff_config
from advisor.handoff_config import HandoffConfigError, from_dict
from advisor.handoff_state import (
    AWAIT_EMAIL,
    AWAIT_MESSAGE,
    HELD,
    OFFER_EMAIL,
    OFFER_MESSAGE,
    TIMED_OUT_WAITING,
    TRAINER_LEFT,
    USER_LEFT,
    WAITING,
    HandoffView,
    agent_text,
    email_in,
    leave_message_step,
    timeout_due,
    trainer_name,
    undelivered,
)
from persistence.handoff_store import HandoffStore, engine_of
from workbench.live import last_traces, live_state, live_turns

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc


def cfg(**over: Any) -> handoff_config.HandoffConfig:
    raw: Dict[str, Any] = {"on_duty": "auto", "timezone": "Europe/Berlin",
                           "hours": {d: "09:00-17:00" for d in handoff_config.DAYS[:4]} | {"friday": "09:00-12:00, 13:00-15:00"}}
    raw.update(over)
    return from_dict(raw)


# --- settings -------------------------------------------------------------------------------------------
def test_the_projects_settings_file_loads_and_says_the_hours() -> None:
    c = from_dict(yaml.safe_load((ROOT / "settings" / "handoff.yml").read_text()))
    assert c.hours_text().startswith("The team answers live Monday to Thursday 09:00-17:00, Friday 09:00-15:00")
    assert c.timeouts.waiting > 0 and c.sweep_seconds > 0


def test_opening_hours_in_the_configured_time_zone() -> None:
    c = cfg()
    monday_10_berlin = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (winter, UTC+1)
    assert c.is_open(monday_10_berlin)
    assert not c.is_open(dt.datetime(2026, 12, 7, 7, 30, tzinfo=UTC))  # 08:30 in Berlin
    assert not c.is_open(dt.datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # 17:00 in Berlin: closed (end exclusive)
    assert not c.is_open(dt.datetime(2026, 12, 11, 11, 30, tzinfo=UTC))  # Friday 12:30: the lunch gap
    assert not c.is_open(dt.datetime(2026, 12, 12, 10, 0, tzinfo=UTC))  # Saturday
    assert c.schedule() == "Monday to Thursday 09:00-17:00, Friday 09:00-12:00, 13:00-15:00"


def test_the_switch_overrides_the_hours() -> None:
    c = cfg()
    saturday = dt.datetime(2026, 12, 12, 10, 0, tzinfo=UTC)
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert c.on_duty_now("on", saturday) and not c.on_duty_now("off", monday)
    assert c.on_duty_now("auto", monday) and not c.on_duty_now(None, saturday)
    assert c.on_duty_now("garbage", monday)  # an unknown value: the file's default (auto)
    assert cfg(on_duty="off").on_duty_now(None, monday) is False


@pytest.mark.parametrize("bad, why", [
    ({"on_duty": "maybe"}, "on_duty"),
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"hours": {"monday": "9-5"}}, "HH:MM"),
    ({"hours": {"monday": "17:00-09:00"}}, "ends before"),
    ({"hours": {"funday": "09:00-10:00"}}, "weekdays"),
    ({"timeouts": {"waiting": -1}}, "positive"),
    ({"timeouts": {"waiting": True}}, "positive"),
    ({"hours_sentence": "{secret.__class__}"}, "hours_sentence"),
    ({"staff_notice_waiting": "{user}"}, "staff_notice_waiting"),
])
def test_bad_settings_are_refused_with_a_reason(bad: Dict[str, Any], why: str) -> None:
    with pytest.raises(HandoffConfigError, match=why):
        from_dict(bad)


def test_no_opening_hours_says_so() -> None:
    assert cfg(hours={}).hours_text() == "The team does not answer live at the moment."


# --- state decisions -------------------------------------------------------------------------------------
def test_email_is_taken_only_when_there_is_exactly_one() -> None:
    assert email_in("it's lee.reader@example.org thanks") == "lee.reader@example.org"
    assert email_in("LEE+cspo@Mail.Example.co.uk.") == "LEE+cspo@Mail.Example.co.uk"
    assert email_in("a@b.com or c@d.com") is None
    assert email_in("my address is secret") is None and email_in(None) is None
    assert email_in("user@localhost") is None and email_in("@example.org") is None


def test_leaving_a_message_asks_for_an_address_only_after_a_yes() -> None:
    assert leave_message_step(OFFER_MESSAGE, "affirm", None).state == AWAIT_MESSAGE  # type: ignore[union-attr]
    assert leave_message_step(OFFER_MESSAGE, "deny", None).state is None  # type: ignore[union-attr]
    moved_on = leave_message_step(OFFER_MESSAGE, "ask_cost", None)
    assert moved_on is not None and moved_on.then_predict and moved_on.state is None
    stored = leave_message_step(AWAIT_MESSAGE, "ask_cost", None)
    assert stored is not None and stored.store == "message" and stored.state == OFFER_EMAIL
    assert leave_message_step(AWAIT_MESSAGE, "stop", None).store is None  # type: ignore[union-attr]
    asked = leave_message_step(OFFER_EMAIL, "affirm", None)
    assert asked is not None and asked.state == AWAIT_EMAIL and asked.responses == ("utter_handoff_ask_email",)
    for not_yes in ("deny", "inform_role", None):
        step = leave_message_step(OFFER_EMAIL, not_yes, "x@y.com")
        assert step is not None and step.store is None and step.state is None  # no yes: no address kept
    kept = leave_message_step(AWAIT_EMAIL, "inform_role", "x@y.com")
    assert kept is not None and kept.store == "email" and kept.state is None
    again = leave_message_step(AWAIT_EMAIL, "inform_role", None)
    assert again is not None and again.state == AWAIT_EMAIL and again.store is None
    assert leave_message_step(AWAIT_EMAIL, "deny", None).state is None  # type: ignore[union-attr]
    assert leave_message_step(None, "affirm", None) is None and leave_message_step(HELD, "affirm", None) is None


def test_timeouts() -> None:
    waiting = HandoffView(state=WAITING, since=100.0, paused=True)
    assert timeout_due(waiting, 150, waiting=60, user_idle=600, trainer_gone=90) is None
    assert timeout_due(waiting, 160, waiting=60, user_idle=600, trainer_gone=90) == TIMED_OUT_WAITING
    held = HandoffView(state=HELD, since=100.0, taken_at=200.0, trainer_seen=250.0, last_user_at=260.0, paused=True)
    assert timeout_due(held, 300, waiting=60, user_idle=600, trainer_gone=90) is None
    assert timeout_due(held, 340, waiting=60, user_idle=600, trainer_gone=90) == TRAINER_LEFT
    fresh_trainer = HandoffView(state=HELD, taken_at=200.0, trainer_seen=900.0, last_user_at=260.0, paused=True)
    assert timeout_due(fresh_trainer, 900, waiting=60, user_idle=600, trainer_gone=90) == USER_LEFT
    assert timeout_due(HandoffView(state=None), 10 ** 9, 1, 1, 1) is None


def test_view_from_slots_ignores_wrong_types() -> None:
    v = HandoffView.from_slots({"handoff": HELD, "handoff_trainer": "Kim", "handoff_since": "yesterday",
                                "handoff_taken_at": True, "handoff_trainer_seen": 5}, True, 7.0)
    assert (v.state, v.trainer, v.since, v.taken_at, v.trainer_seen, v.live) == (HELD, "Kim", None, None, 5.0, True)


def test_trainer_names_and_texts_are_bounded() -> None:
    assert trainer_name(None) == "trainer" and trainer_name("  \u202eKim\n ") == "Kim"
    assert len(trainer_name("x" * 500)) == 60
    assert agent_text("  hello\nthere \x07") == "hello\nthere"
    assert agent_text("") is None and agent_text("   ") is None and agent_text(5) is None
    assert agent_text("x" * 2001) is None


def test_undelivered_are_the_unpushed_handoff_messages_after_the_last_delivery() -> None:
    evs: List[Dict[str, Any]] = [
        {"event": "bot", "timestamp": 1, "text": "bot answer", "metadata": {}},
        {"event": "bot", "timestamp": 2, "text": "joined", "metadata": {"handoff_notice": "utter_handoff_taken",
                                                                         "handoff_pushed": False}},
        {"event": "bot", "timestamp": 3, "text": "pushed", "metadata": {"handoff_agent": "Kim", "handoff_pushed": True}},
        {"event": "bot", "timestamp": 4, "text": "hi", "metadata": {"handoff_agent": "Kim", "handoff_pushed": False}},
    ]
    assert [e["text"] for e in undelivered(evs, None)] == ["joined", "hi"]
    assert [e["text"] for e in undelivered(evs, 2)] == ["hi"]
    assert undelivered(evs, 4) == []


# --- the tables beside the tracker store ------------------------------------------------------------------
def test_messages_settings_and_paused_conversations_in_sqlite(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("create table events (id integer primary key, sender_id text, type_name text)"))
        for sender, kind in [("a", "pause"), ("b", "pause"), ("a", "resume"), ("c", "user"), ("b", "user")]:
            conn.execute(sa.text("insert into events (sender_id, type_name) values (:s, :k)"), {"s": sender, "k": kind})
    store = HandoffStore(engine)
    assert store.paused_conversations() == ["b"]
    store.add_message("r1", "rest:x", "rest", "please call me")
    store.add_message("r2", "web:y", "socketio", "x" * 5000)
    assert store.set_email("r1", "lee@example.org") and not store.set_email("nope", "a@b.co")
    left = store.open_messages()
    assert [(m.ref, m.email) for m in left] == [("r1", "lee@example.org"), ("r2", None)]
    assert len(left[1].message) == 2000
    assert store.mark_done("r1", "Kim") and not store.mark_done("r1", "Kim")
    assert [m.ref for m in store.open_messages()] == ["r2"]
    with engine.connect() as conn:  # done: the message and the address are gone, the count stays
        assert conn.execute(sa.text("select message, email, done_by from handoff_messages where ref='r1'")).one() == \
            ("", None, "Kim")
    assert store.counts() == {"left": 2, "done": 1, "open": 1}
    assert store.claim("rest:x", "12.5", "Kim") == "Kim" and store.claim("rest:x", "12.5", "Bo") == "Kim"
    assert store.claim("rest:x", "99.0", "Bo") == "Bo"  # a new waiting episode
    assert store.setting("on_duty") is None
    store.set_setting("on_duty", "off")
    store.set_setting("on_duty", "on")
    assert HandoffStore(engine).setting("on_duty") == "on"


def test_engine_is_found_through_rasas_wrappers(tmp_path: Path) -> None:
    engine = sa.create_engine("sqlite://")

    class Inner:
        pass

    inner = Inner()
    inner.engine = engine  # type: ignore[attr-defined]
    outer = type("FailSafe", (), {"_tracker_store": type("Awaitable", (), {"_tracker_store": inner})()})()
    assert engine_of(outer) is engine and engine_of(object()) is None


# --- the Live page's reading of events --------------------------------------------------------------------
LIVE_EVENTS: List[Dict[str, Any]] = [
    {"event": "user", "timestamp": 1, "text": "what is the cspo?"},
    {"event": "bot", "timestamp": 2, "text": "CSPO is…", "metadata": {"answer_trace": {"decision": "answer", "fact": "cspo"}}},
    {"event": "user", "timestamp": 3, "text": "can I talk to a person?"},
    {"event": "bot", "timestamp": 4, "text": "asked a trainer", "metadata": {"handoff_notice": "utter_handoff_waiting"}},
    {"event": "slot", "timestamp": 4, "name": "handoff", "value": "waiting"},
    {"event": "slot", "timestamp": 4, "name": "handoff_since", "value": 4.0},
    {"event": "pause", "timestamp": 4},
    {"event": "slot", "timestamp": 5, "name": "handoff", "value": "held"},
    {"event": "slot", "timestamp": 5, "name": "handoff_trainer", "value": "Kim"},
    {"event": "bot", "timestamp": 6, "text": "Hi, Kim here", "metadata": {"handoff_agent": "Kim"}},
]


def test_live_turns_say_who_wrote_each_message() -> None:
    turns = live_turns(LIVE_EVENTS)
    assert [(t.kind, t.who) for t in turns] == [("user", "user"), ("bot", "bot"), ("user", "user"),
                                                ("notice", "bot"), ("agent", "Kim")]


def test_live_state_and_traces() -> None:
    st = live_state(LIVE_EVENTS)
    assert (st.state, st.trainer, st.since, st.paused) == ("held", "Kim", 4.0, True)
    assert live_state(LIVE_EVENTS + [{"event": "resume"}, {"event": "slot", "name": "handoff", "value": None}]) \
        .paused is False
    traces = last_traces(LIVE_EVENTS)
    assert len(traces) == 1 and traces[0][0] == "CSPO is…" and traces[0][1].fact == "cspo"


def test_the_live_script_is_static_and_inserts_text_only() -> None:
    script = (ROOT / "workbench" / "static" / "live.js").read_text()
    assert "innerHTML" not in script and "eval(" not in script and "{{" not in script
    assert "textContent" in script


def test_dashboard_counts_answered_missed_and_waits() -> None:
    from types import SimpleNamespace

    from workbench.handoff_stats import compute

    def slot(value: Any, ts: float) -> Dict[str, Any]:
        return {"event": "slot", "name": "handoff", "value": value, "timestamp": ts}

    convs = [
        SimpleNamespace(events=[slot("waiting", 10), slot("held", 40), slot(None, 100)]),  # answered after 30 s
        SimpleNamespace(events=[slot("waiting", 10), slot("offer_message", 310)]),  # nobody came
        SimpleNamespace(events=[slot("offer_message", 5), slot("await_message", 6), slot(None, 7)]),  # off duty
        SimpleNamespace(events=[slot("waiting", 10), slot("held", 20), slot(None, 30), slot("waiting", 50)]),
        SimpleNamespace(events=[{"event": "user", "text": "hi"}]),
    ]
    s = compute(convs)
    assert (s.requests, s.answered, s.missed, s.waiting_now, s.offered_message) == (4, 2, 1, 1, 2)
    assert s.waits == [30.0, 10.0] and s.wait_median == 20.0 and s.wait_max == 30.0
    assert s.answered_rate == pytest.approx(2 / 3)
    assert compute([]).wait_median is None and compute([]).answered_rate is None
