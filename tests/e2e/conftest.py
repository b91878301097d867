"""End-to-end fixtures: one running stack shared by the whole session.

The action server, the Rasa server (with the Slack and Telegram channels on, pointed at local
stand-ins of their APIs) and the web page start once; the HTTP, security, channel and browser tests
all talk to it, each in conversations of its own. Tests that need a server configured differently
(a failing action server, conversations that expire, a cluster, `make run` itself) start their own.
"""
from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.support.fakes import Fakes, start_fakes
from tests.support.stack import ROOT, Stack, free_port

# The page in tests/e2e/test_web.py that embeds the stock rasa-webchat widget is served on this port;
# its origin is allowed on the shared stack's socket.io channel.
WEBCHAT_PORT = free_port()


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    f = start_fakes()
    try:
        yield f
    finally:
        f.stop()


@pytest.fixture(scope="session")
def stack(fakes: Fakes, request: pytest.FixtureRequest) -> Iterator[Stack]:
    shard = request.config.getoption("--shard").partition("/")[0]  # shards running at once: a stack each
    s = Stack(ROOT / "reports" / "e2e" / (f"main-{shard}" if shard else "main"), env=fakes.env)
    s.env["SOCKETIO_CORS_ORIGINS"] += f" http://127.0.0.1:{WEBCHAT_PORT}"
    try:
        s.start(web=True)
        yield s
    finally:
        s.stop()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
