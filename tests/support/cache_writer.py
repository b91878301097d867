"""One process of tests/unit/test_tracker_cache.py's two-writer test: `rounds` turns on one conversation of a
SQLite tracker store, each two messages under an exclusive file lock (what the lock store does for Rasa); prints its cache
hits and misses as JSON.

    python -m tests.support.cache_writer DB LOCKFILE NAME ROUNDS
"""
from __future__ import annotations

import asyncio
import fcntl
import json
import sys
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.tracker_store import AdvisorTrackerStore

ROOT = Path(__file__).resolve().parents[2]
CONVERSATION = "rest:shared"


def main(db: str, lock: str, name: str, rounds: int) -> None:
    store = AdvisorTrackerStore(Domain.load(str(ROOT / "domain.yml")), db=db, ttl_seconds=0)
    try:
        for i in range(rounds):
            with open(lock, "w") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                for turn in ("a", "b"):  # two messages in a row: the second finds the first in the cache
                    t = asyncio.run(store.retrieve(CONVERSATION)) or DialogueStateTracker.from_events(
                        CONVERSATION, [ActionExecuted("action_listen")])
                    t.update(UserUttered(f"{name}-{i}{turn}", {"name": "greet", "confidence": 0.9}))
                    t.update(ActionExecuted("utter_greet"))
                    t.update(BotUttered(f"re: {name}-{i}{turn}"))
                    t.update(ActionExecuted("action_listen"))
                    asyncio.run(store.save(t))
                fcntl.flock(f, fcntl.LOCK_UN)
        print(json.dumps({"name": name, "hits": store.cache_hits, "misses": store.cache_misses}))
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
