"""advisor/handoff_api.conversation_lock: Rasa's lock store may fail to give a conversation's lock when trainers
ask for it at once (a LockError, which reached the trainer as a 500): it is asked for again, then a 503."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, List

import pytest
from rasa.core.lock_store import LockError

from advisor import handoff_api
from advisor.handoff_api import Refused, conversation_lock


class FlakyLocks:
    def __init__(self, failures: int) -> None:
        self.failures, self.asked, self.held = failures, 0, 0

    @asynccontextmanager
    async def lock(self, conversation_id: str) -> AsyncIterator[None]:
        self.asked += 1
        if self.asked <= self.failures:
            raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
        self.held += 1
        yield


def _run(locks: FlakyLocks, body: Any = None) -> List[str]:
    done: List[str] = []

    async def go() -> None:
        async with conversation_lock(locks, "rest:x"):
            if body is not None:
                body()
            done.append("ran")

    asyncio.run(go())
    return done


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff_api, "LOCK_RETRY_SECONDS", 0.0)


def test_a_lock_not_given_is_asked_for_again() -> None:
    locks = FlakyLocks(failures=2)
    assert _run(locks) == ["ran"] and (locks.asked, locks.held) == (3, 1)


def test_a_lock_never_given_is_a_503_to_retry_not_a_500() -> None:
    locks = FlakyLocks(failures=5)
    with pytest.raises(Refused) as refused:
        _run(locks)
    assert refused.value.status == 503 and locks.asked == handoff_api.LOCK_ATTEMPTS


def test_what_the_operation_raises_is_not_retried() -> None:
    locks = FlakyLocks(failures=0)

    def fail() -> None:
        raise Refused(409, "A has taken it already")

    with pytest.raises(Refused) as refused:
        _run(locks, fail)
    assert refused.value.status == 409 and locks.asked == 1
