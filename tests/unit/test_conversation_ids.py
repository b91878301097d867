"""Conversation ids namespaced per channel (channels.ids, ../shared/contract.md)."""
from __future__ import annotations

import re

import pytest

from channels import ids


def test_each_channel_has_its_namespace() -> None:
    assert ids.rest_id("me") == "rest:me"
    assert ids.slack_id("T1", "U1") == "slack:T1:U1"
    assert ids.telegram_id(42) == "telegram:42"
    assert ids.web_id("abc") == "web:abc"
    # a REST sender that looks like another channel's id stays a REST conversation
    for other in ("telegram:42", "web:abc", "slack:T1:U1"):
        assert ids.rest_id(other).startswith("rest:")
    assert ids.local_part("telegram:42", ids.TELEGRAM) == "42"


def test_web_sessions_are_random_signed_and_checked() -> None:
    issued = {ids.new_web_session() for _ in range(200)}
    assert len(issued) == 200
    for session in issued:
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session)
        assert ids.valid_web_session(session) == session
    session = next(iter(issued))
    nonce, signature = session.split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for forged in (f"{nonce}.{flipped}", nonce, "", None, 42, {"a": 1}, session.upper(), session + "0",
                   f"{'0' * 32}.{'0' * 32}", " " + session):
        assert ids.valid_web_session(forged) is None, forged


@pytest.mark.parametrize("env", [{"WEB_SESSION_SECRET": "s1"}, {"RASA_AUTH_TOKEN": "a-long-api-token-123"}])
def test_session_key_comes_from_a_secret_so_ids_survive_restarts(env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_SESSION_SECRET", "RASA_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ids._web_key.cache_clear()
    try:
        session = ids.new_web_session()
        ids._web_key.cache_clear()  # "restart"
        assert ids.valid_web_session(session) == session
        monkeypatch.setenv("WEB_SESSION_SECRET", "another secret")
        ids._web_key.cache_clear()
        assert ids.valid_web_session(session) is None
    finally:
        ids._web_key.cache_clear()
