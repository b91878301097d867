"""End-to-end fixtures: one running stack (action server + Rasa server) shared by the HTTP tests."""
from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.support.stack import ROOT, Stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    s = Stack(ROOT / "reports" / "e2e" / "main")
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
