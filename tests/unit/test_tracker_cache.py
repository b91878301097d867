"""The tracker store's cache (issue 23): a hit rebuilds exactly what the database holds, another process's write
is seen, two processes writing one conversation lose no event, erasure and redaction hold."""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.tracker_store import AdvisorTrackerStore

ROOT = Path(__file__).resolve().parents[2]


def _store(db: Path, **kw: object) -> AdvisorTrackerStore:
    return AdvisorTrackerStore(Domain.load(str(ROOT / "domain.yml")), db=str(db), ttl_seconds=0, **kw)  # type: ignore[arg-type]


def _dicts(tracker: DialogueStateTracker) -> List[dict]:
    return [e.as_dict() for e in tracker.events]


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"re: {text}"))
    tracker.update(ActionExecuted("action_listen"))


def test_a_hit_rebuilds_what_the_database_holds(tmp_path: Path) -> None:
    store, reader = _store(tmp_path / "c.db"), _store(tmp_path / "c.db", role="reader")
    try:
        tracker = DialogueStateTracker.from_events("rest:a", [ActionExecuted("action_listen")])
        _turn(tracker, "hello")
        asyncio.run(store.save(tracker))
        for text in ("one", "two"):
            t = asyncio.run(store.retrieve("rest:a"))
            assert t is not None
            _turn(t, text)
            asyncio.run(store.save(t))
        assert store.cache_hits == 2 and store.cache_misses == 0
        cached = asyncio.run(store.retrieve("rest:a"))
        from_db = asyncio.run(reader.retrieve("rest:a"))
        assert cached is not None and from_db is not None
        assert _dicts(cached) == _dicts(from_db) and len(cached.events) == 13
        assert cached.current_state() == from_db.current_state()
    finally:
        store.close()
        reader.close()


def test_the_cache_holds_the_latest_session_as_the_database_returns_it(tmp_path: Path) -> None:
    store, reader = _store(tmp_path / "c.db"), _store(tmp_path / "c.db", role="reader")
    try:
        t0 = time.time() - 100
        tracker = DialogueStateTracker.from_events("rest:s", [
            ActionExecuted("action_session_start", timestamp=t0), SessionStarted(timestamp=t0 + 0.1),
            ActionExecuted("action_listen", timestamp=t0 + 0.2)])
        _turn(tracker, "first session")
        asyncio.run(store.save(tracker))
        t = asyncio.run(store.retrieve("rest:s"))
        assert t is not None
        for e in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
            t.update(e)
        _turn(t, "second session")
        asyncio.run(store.save(t))
        cached, from_db = asyncio.run(store.retrieve("rest:s")), asyncio.run(reader.retrieve("rest:s"))
        assert store.cache_hits == 2
        assert cached is not None and from_db is not None and _dicts(cached) == _dicts(from_db)
        assert "first session" not in json.dumps(_dicts(cached))
    finally:
        store.close()
        reader.close()


def test_another_processs_write_is_seen(tmp_path: Path) -> None:
    """Another store on the same database stands for another process (its own cache)."""
    a, b = _store(tmp_path / "c.db"), _store(tmp_path / "c.db")
    try:
        tracker = DialogueStateTracker.from_events("rest:x", [ActionExecuted("action_listen")])
        asyncio.run(a.save(tracker))
        assert asyncio.run(a.retrieve("rest:x")) is not None  # cached in a
        t = asyncio.run(b.retrieve("rest:x"))
        assert t is not None
        _turn(t, "written by b")
        asyncio.run(b.save(t))
        seen = asyncio.run(a.retrieve("rest:x"))
        assert seen is not None and "written by b" in json.dumps(_dicts(seen))
        assert a.cache_misses >= 1
        # and a's next write lands after b's events, not over them
        _turn(seen, "written by a")
        asyncio.run(a.save(seen))
        texts = [e.get("text") for e in _dicts(asyncio.run(b.retrieve("rest:x")))  # type: ignore[arg-type]
                 if e.get("event") == "user"]
        assert texts == ["written by b", "written by a"]
    finally:
        a.close()
        b.close()


def test_two_processes_writing_one_conversation_lose_no_event(tmp_path: Path) -> None:
    """Two processes (tests/support/cache_writer.py), each with its cache, take turns on one conversation under
    a file lock (the lock store's part): every turn of both is stored once, and each read the other's writes."""
    db, lock, rounds = tmp_path / "c.db", tmp_path / "lock", 30
    _store(db, cache_size=0).close()  # the tables exist before both start
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.support.cache_writer", str(db), str(lock), n, str(rounds)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for n in ("p1", "p2")]
    try:
        outs = [p.communicate(timeout=240)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    stats = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    with sqlite3.connect(db) as conn:
        users = [json.loads(r[0])["text"] for r in conn.execute(
            "SELECT data FROM events WHERE sender_id = 'rest:shared' AND type_name = 'user' ORDER BY id")]
        total = conn.execute("SELECT count(*) FROM events WHERE sender_id = 'rest:shared'").fetchone()[0]
    expected = {f"{n}-{i}{turn}" for n in ("p1", "p2") for i in range(rounds) for turn in "ab"}
    assert sorted(users) == sorted(expected), "an event was lost or written twice"
    assert total == 1 + 4 * 4 * rounds
    # each lock's second message finds the first in the cache; each process's first read, and any read after
    # the other wrote, is a miss (how the two interleave is the scheduler's: strict turns leave no other hit)
    for s in stats:
        assert s["hits"] >= rounds and s["misses"] >= 1 and s["hits"] + s["misses"] == 2 * rounds, stats
    hits, misses = sum(s["hits"] for s in stats), sum(s["misses"] for s in stats)
    print(f"\ntwo processes, {4 * rounds} turns on one conversation: {hits} cache hits, {misses} misses, 0 lost")


def test_erasure_clears_the_cache(tmp_path: Path) -> None:
    store = _store(tmp_path / "c.db")
    try:
        tracker = DialogueStateTracker.from_events("rest:e", [ActionExecuted("action_listen")])
        _turn(tracker, "erase me")
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("rest:e")) is not None and "rest:e" in store._cache
        store.erase("rest:e", reason="a test")
        assert "rest:e" not in store._cache
        assert asyncio.run(store.retrieve("rest:e")) is None
        # "forget me", confirmed in the chat: the save erases instead, and the cached copy goes too
        tracker = DialogueStateTracker.from_events("rest:f", [ActionExecuted("action_listen")])
        _turn(tracker, "hello")
        asyncio.run(store.save(tracker))
        t = asyncio.run(store.retrieve("rest:f"))
        assert t is not None and "rest:f" in store._cache
        t.update(SlotSet("forget_confirmed", True))
        asyncio.run(store.save(t))
        assert "rest:f" not in store._cache and asyncio.run(store.retrieve("rest:f")) is None
    finally:
        store.close()


def test_an_erasure_by_another_process_is_seen(tmp_path: Path) -> None:
    """The workbench or `make forget` erase from another process: the server's cache must not bring it back."""
    from persistence.tracker_store import erase_conversation

    store, other = _store(tmp_path / "c.db"), _store(tmp_path / "c.db", role="reader")
    try:
        tracker = DialogueStateTracker.from_events("rest:w", [ActionExecuted("action_listen")])
        _turn(tracker, "hello")
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("rest:w")) is not None
        erase_conversation(other, "rest:w", "a test", None)
        assert asyncio.run(store.retrieve("rest:w")) is None
    finally:
        store.close()
        other.close()


def test_cached_events_are_the_redacted_ones(tmp_path: Path) -> None:
    """Events reaching the store unredacted (the HTTP API) are cached as they are stored: redacted."""
    store = _store(tmp_path / "c.db")
    try:
        tracker = DialogueStateTracker.from_events("rest:r", [ActionExecuted("action_listen")])
        tracker.update(UserUttered("mail me at anna.schmidt@example.com", {"name": "greet", "confidence": 0.9}))
        asyncio.run(store.save(tracker))
        cached = asyncio.run(store.retrieve("rest:r"))
        assert cached is not None and store.cache_hits == 1
        assert "anna.schmidt" not in json.dumps(_dicts(cached))
    finally:
        store.close()


def test_an_existing_database_gets_the_indexes_in_place(tmp_path: Path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    db = tmp_path / "old.db"
    old = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    asyncio.run(old.save(DialogueStateTracker.from_events("rest:old", [ActionExecuted("action_listen")])))
    old.engine.dispose()
    with sqlite3.connect(db) as conn:
        assert not {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} & {
            "ix_events_sender_ts", "ix_events_type_intent"}
    store = _store(db)
    try:
        indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("events")}
        assert {"ix_events_sender_ts", "ix_events_type_intent"} <= indexes, indexes
        assert asyncio.run(store.retrieve("rest:old")) is not None
        with store.engine.connect() as conn:
            plan = " ".join(str(r) for r in conn.execute(sa.text(
                "EXPLAIN QUERY PLAN SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < 1")))
        assert "ix_events_sender_ts" in plan, plan
    finally:
        store.close()
