"""The Rasa server with `make run`'s tracker store (SQLite): idle conversations expire, and many
fresh conversations do not make the server's memory grow."""
from __future__ import annotations

import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.support.stack import NO_RATE_LIMITS, ROOT, Stack

WORKDIR = ROOT / "reports" / "e2e" / "store"
DB = WORKDIR / "conversations.db"
TTL = 6
WARM_UP, CONVERSATIONS = 200, 1500
RSS_GROWTH_LIMIT_MB = 20  # about 14 kB per conversation


@pytest.fixture(scope="module")
def store_stack() -> Iterator[Stack]:
    DB.unlink(missing_ok=True)
    s = Stack(WORKDIR, env=NO_RATE_LIMITS, tracker_env={"ADVISOR_TRACKER_DB": str(DB), "CONVERSATION_TTL_SECONDS": str(TTL),
                                    "CONVERSATION_SWEEP_SECONDS": "1"})
    try:
        yield s.start()
    finally:
        s.stop()


def _stored(sender: str) -> int:
    with sqlite3.connect(DB) as conn:
        return conn.execute("SELECT count(*) FROM events WHERE sender_id LIKE ?", (f"%{sender}",)).fetchone()[0]


def test_idle_conversations_expire(store_stack: Stack) -> None:
    idle, active = f"idle-{uuid.uuid4().hex[:8]}", f"active-{uuid.uuid4().hex[:8]}"
    store_stack.say(idle, "hi")
    assert _stored(idle) > 0
    time.sleep(TTL + 1.5)
    store_stack.say(active, "what is CSPO?")  # the sweep runs every second on its own
    assert _stored(idle) == 0, "a conversation idle for longer than CONVERSATION_TTL_SECONDS is still stored"
    assert _stored(active) > 0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _conversations(stack: Stack, count: int) -> int:
    run = uuid.uuid4().hex[:6]

    def one(i: int) -> bool:
        r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                          json={"sender": f"mem-{run}-{i}", "message": "what is CSPO?"}, timeout=60)
        return r.status_code == 200 and bool(r.json())

    with ThreadPoolExecutor(8) as pool:
        return sum(pool.map(one, range(count)))


def test_many_fresh_conversations_keep_memory_bounded(store_stack: Stack) -> None:
    assert store_stack.rasa.proc is not None
    pid = store_stack.rasa.proc.pid
    assert _conversations(store_stack, WARM_UP) == WARM_UP
    before = _rss_mb(pid)
    assert _conversations(store_stack, CONVERSATIONS) == CONVERSATIONS
    after = _rss_mb(pid)
    print(f"\nRSS after {WARM_UP} conversations: {before:.0f} MB; after {CONVERSATIONS} more: {after:.0f} MB")
    assert after - before < RSS_GROWTH_LIMIT_MB, f"RSS grew by {after - before:.0f} MB over {CONVERSATIONS} conversations"
