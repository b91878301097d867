"""Session-wide hooks: Rasa's slow checks start in the background as soon as the tests are collected
(tests/support/background.py), so they run while the other tests do."""
from __future__ import annotations

from typing import Any

from tests.support import background


def pytest_collection_finish(session: Any) -> None:
    if any("tests/rasa/test_rasa_checks.py" in item.nodeid for item in session.items):
        background.start_all()


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    background.stop_all()
