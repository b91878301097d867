"""The workbench's index of the tracker store (workbench/index.py, issue 23): its SQL answers are the pure
functions' answers (conversations.summarize, Filters, analytics.compute, the inbox), built at once or bit by bit,
with events committed out of id order, and nothing of a conversation outlives its erasure or expiry."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa

from tests.support.workbench_fixture import RESOURCE_URL, conversations, fill_store, voted_conversation, write_endpoints
from workbench import inbox
from workbench.conversations import Filters, newest_first, summarize
from workbench.index import ConversationIndex
from workbench.store import ConversationSource
from workbench.web import dashboard_context

ROOT = Path(__file__).resolve().parents[2]


def _fixture() -> Dict[str, List[Dict[str, Any]]]:
    convs = conversations()
    convs["web:voter"] = voted_conversation(time.time() - 3600)
    return convs


def _source(tmp_path: Path, convs: Dict[str, List[Dict[str, Any]]]) -> ConversationSource:
    db = tmp_path / "t.db"
    tmp_path.mkdir(parents=True, exist_ok=True)
    fill_store(db, convs)
    src = ConversationSource(write_endpoints(tmp_path / "e.yml", db), ROOT / "domain.yml", ROOT, RESOURCE_URL)
    src.refresh(wait=True)
    assert src.error is None
    return src


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Tuple[ConversationSource, List[Any]]:
    convs = _fixture()
    src = _source(tmp_path_factory.mktemp("index"), convs)
    return src, [summarize(cid, evs) for cid, evs in convs.items()]


FILTERS = [Filters(), Filters(channel="slack"), Filters(fallback="yes"), Filters(fallback="no", recommended="yes"),
           Filters(recommended="no"), Filters(recommended="csm"), Filters(recommended="both"),
           Filters(intent="ask_requirements", min_length=5), Filters(intent="nlu_fallback"), Filters(intent="ask_%"),
           Filters(max_length=2), Filters(day_from="2026-11-22", day_to="2026-11-24"), Filters(day_from="2026-11-25"),
           Filters(channel="web", day_to="2026-11-21")]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in vars(f).items() if v) or "all")
def test_the_listing_is_the_pure_filter_newest_first_and_paged(built: Tuple[ConversationSource, List[Any]],
                                                               f: Filters) -> None:
    src, convs = built
    expected = [c.id for c in newest_first(convs) if f.accepts(c)]
    got: List[str] = []
    number = 1
    while True:
        page = asyncio.run(src.list_page(f, number, size=4))
        assert page.total == len(expected) and page.pages == max(1, -(-len(expected) // 4))
        got += [r.id for r in page.rows]
        if number >= page.pages:
            break
        number += 1
    assert got == expected


def test_rows_carry_the_summary(built: Tuple[ConversationSource, List[Any]]) -> None:
    src, convs = built
    rows = {r.id: r for r in asyncio.run(src.list_page(Filters(), 1, size=100)).rows}
    for c in convs:
        r = rows[c.id]
        assert (r.channel, r.end, r.user_messages, r.had_fallback, r.recommendation) == \
            (c.channel, c.end, c.user_messages, c.had_fallback, c.recommendation)
        assert r.intents == list(dict.fromkeys(c.intents))


def test_the_dashboard_is_the_pure_computation(built: Tuple[ConversationSource, List[Any]]) -> None:
    src, convs = built
    new, old = asyncio.run(src.dashboard()), dashboard_context(convs, RESOURCE_URL)
    a, b = new["a"], old["a"]
    for name in ("conversations", "messages", "user_messages", "fallback_messages", "per_channel",
                 "recommendations", "funnel"):
        assert getattr(a, name) == getattr(b, name), name
    assert dict(a.drop_off) == dict(b.drop_off) and dict(a.intents) == dict(b.intents)  # ties: in any order
    assert [n for _, n in a.intents] == sorted((n for _, n in a.intents), reverse=True)
    assert dict(a.per_day) == dict(b.per_day) and dict(a.fallback_by_day) == dict(b.fallback_by_day)
    assert new["lat"] == pytest.approx(old["lat"]) and new["latency_buckets"] == old["latency_buckets"]
    assert vars(new["handoff"]) == vars(old["handoff"])


def test_the_inbox_is_the_pure_one(built: Tuple[ConversationSource, List[Any]]) -> None:
    src, convs = built
    for threshold in (0.6, 0.95):
        expected = inbox.misunderstood(convs, threshold)
        handled = {expected[0].key}
        msgs, page = asyncio.run(src.inbox_page(threshold, handled, 1, size=1000))
        assert page.total == len(expected) - 1
        assert sorted((m.key, m.text, m.intent, m.fell_back) for m in msgs) == \
            sorted((m.key, m.text, m.intent, m.fell_back) for m in expected if m.key not in handled)
        assert [m.timestamp for m in msgs] == sorted((m.timestamp for m in msgs), reverse=True)
    first, page = asyncio.run(src.inbox_page(0.6, set(), 1, size=5))
    second, _ = asyncio.run(src.inbox_page(0.6, set(), 2, size=5))
    assert page.pages >= 2 and not {m.key for m in first} & {m.key for m in second}


def test_votes_page_reads_only_conversations_with_votes(built: Tuple[ConversationSource, List[Any]]) -> None:
    src, _ = built
    convs, page = asyncio.run(src.voted_page(1))
    assert [c.id for c in convs] == ["web:voter"] and page.total == 1


def test_built_bit_by_bit_equals_built_at_once(tmp_path: Path) -> None:
    """New conversations, and new events of known ones, folded in at later refreshes."""
    convs = _fixture()
    ids = sorted(convs)
    half = {cid: convs[cid][: len(convs[cid]) // 2] for cid in ids[:15]}
    src = _source(tmp_path / "a", half)
    rest = {cid: convs[cid] for cid in ids}
    db = tmp_path / "a" / "t.db"
    fill_store(db, rest)  # Rasa's store appends what each tracker has beyond what is stored
    src.refresh(wait=True)
    once = _source(tmp_path / "b", convs)
    q = "SELECT * FROM conversation_summaries ORDER BY sender_id"
    with src.engine().connect() as a, once.engine().connect() as b:
        rows_a = [dict(r._mapping) for r in a.execute(sa.text(q))]
        rows_b = [dict(r._mapping) for r in b.execute(sa.text(q))]
        for r in rows_a + rows_b:
            r.pop("state")
            r.pop("last_event_id")  # ids differ between the two databases
        assert rows_a == rows_b
        t = "SELECT sender_id, ts, msg_key, intent, confidence, fell_back, inbox, bot_replies, latency " \
            "FROM conversation_turns ORDER BY sender_id, ts"
        assert [tuple(r) for r in a.execute(sa.text(t))] == [tuple(r) for r in b.execute(sa.text(t))]


def test_an_event_committed_out_of_id_order_is_folded(tmp_path: Path) -> None:
    """PostgreSQL hands out ids before commit: an event with a lower id may appear after the refresh passed it."""
    fixture = conversations()
    db = tmp_path / "t.db"
    fill_store(db, {"rest:late": fixture["rest:user4"][:6]})
    insert = sa.text("INSERT INTO events (id, sender_id, type_name, timestamp, data) VALUES (:id, :s, 'user', :ts, :d)")

    def user(text: str, intent: str) -> Dict[str, Any]:
        return {"event": "user", "timestamp": time.time(), "text": text,
                "parse_data": {"intent": {"name": intent, "confidence": 0.3}, "intent_ranking": []}}
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        top = conn.execute(sa.text("SELECT max(id) FROM events")).scalar()
        # committed first, with the higher id
        conn.execute(insert, {"id": top + 5, "s": "rest:other", "ts": time.time(), "d": json.dumps(user("hi", "greet"))})
    idx = ConversationIndex(engine)
    idx.refresh()
    users = sum(1 for e in fixture["rest:user4"][:6] if e["event"] == "user")
    with engine.begin() as conn:  # committed later, with an id the refresh has already passed
        conn.execute(insert, {"id": top + 2, "s": "rest:late", "ts": time.time(),
                              "d": json.dumps(user("a late one", "nlu_fallback"))})
    idx.refresh()
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT sender_id, user_messages FROM conversation_summaries")).fetchall())
        fell_back = conn.execute(sa.text("SELECT had_fallback FROM conversation_summaries WHERE sender_id = 'rest:late'"))
        assert fell_back.scalar() == 1
    assert rows == {"rest:late": users + 1, "rest:other": 1}
    engine.dispose()


def test_erasure_and_expiry_take_the_index_rows(tmp_path: Path) -> None:
    from rasa.shared.core.domain import Domain

    from persistence.tracker_store import AdvisorTrackerStore

    convs = _fixture()
    src = _source(tmp_path, convs)
    asyncio.run(src.forget("rest:user4", None, reason="a test"))
    store = AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"), ttl_seconds=0)
    try:
        assert store.delete_idle(time.time() - 3 * 3600) >= 20  # all but the voter's conversation are older
    finally:
        store.close()
    src.refresh(wait=True)
    with src.engine().connect() as conn:
        left = {r[0] for r in conn.execute(sa.text("SELECT sender_id FROM conversation_summaries"))}
        left_turns = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT sender_id FROM conversation_turns"))}
    assert left == {"web:voter"} and left_turns <= {"web:voter"}


def test_an_index_of_an_existing_store_is_built_in_place(tmp_path: Path) -> None:
    """A store written before the index existed (events only) gets its tables and every conversation."""
    db = tmp_path / "t.db"
    fill_store(db)
    engine = sa.create_engine(f"sqlite:///{db}")
    idx = ConversationIndex(engine)
    assert idx.pending() > 0
    idx.refresh()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM conversation_summaries")).scalar() == len(conversations())
        plan = " ".join(str(r) for r in conn.execute(sa.text(
            "EXPLAIN QUERY PLAN SELECT sender_id FROM conversation_summaries ORDER BY last_ts DESC LIMIT 50")))
    assert "ix_conversation_summaries_last_ts" in plan
    assert idx.pending() == 0
    engine.dispose()


@pytest.mark.parametrize("cid, channel", [("foo:bar", "socketio"), ("plainid", "slack"), ("web:abc", "rest"),
                                          ("nochannel", None)])
def test_the_fold_names_the_channel_as_summarize_does(cid: str, channel: Any) -> None:
    from workbench.index import columns, fold, new_state

    events = [{"event": "action", "name": "action_listen", "timestamp": 1.0},
              {"event": "user", "text": "hi", "timestamp": 2.0, "input_channel": channel,
               "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}}]
    state = new_state(cid)
    fold(cid, state, enumerate(events, start=1))
    assert columns(cid, state)["channel"] == summarize(cid, events).channel


def test_marks_of_conversations_gone_are_pruned(tmp_path: Path) -> None:
    from workbench.reviews import Reviews
    from workbench.web import prune_marks

    convs = _fixture()
    src = _source(tmp_path, convs)
    reviews = Reviews(tmp_path / "wb" / "workbench.db")
    kept = inbox.misunderstood([summarize("rest:alice", convs["rest:alice"])], 2.0)[0].key
    gone = inbox.misunderstood([summarize("rest:user4", convs["rest:user4"])], 2.0)[0].key
    reviews.set("rest:alice", True, "kept")
    reviews.set("rest:user4", True, "goes")
    reviews.mark(kept, "dismissed")
    reviews.mark(gone, "dismissed")
    assert prune_marks(reviews, src) == 0
    from persistence.tracker_store import erase_conversation

    erase_conversation(src.tracker_store(), "rest:user4", "a test", None)  # not the workbench's file: marks stay
    src.refresh(wait=True)
    assert prune_marks(reviews, src) == 2
    assert reviews.marked() == ({"rest:alice"}, {kept})
