"""Conversation ids namespaced per channel, checked at the channel, and web credentials that are not
conversation ids (channels.ids, ../shared/contract.md)."""
from __future__ import annotations

import re
from typing import Iterator

import pytest

from channels import ids


@pytest.fixture(autouse=True)
def fresh_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WEB_SESSION_SECRET", "a test secret")
    ids._web_key.cache_clear()
    yield
    ids._web_key.cache_clear()


def test_each_channel_has_its_namespace() -> None:
    assert ids.rest_id("me") == "rest:me"
    assert ids.slack_id("T1", "U1") == "slack:T1:U1"
    assert ids.telegram_id(42) == "telegram:42"
    assert ids.telegram_id(-10042) == "telegram:-10042"
    # a REST sender that looks like another channel's id stays a REST conversation
    for other in ("telegram:42", "web:abc", "slack:T1:U1"):
        assert ids.rest_id(other).startswith("rest:")
    assert ids.local_part("telegram:42", ids.TELEGRAM) == "42"


@pytest.mark.parametrize("bad", [
    "\ud800", "a\x00b", "a\nb", "a b", "a\u202eb", "ü", "", " x", "-x", "x" * 200, None, True, 1.5, [], {"a": 1},
    "a/b", "a\\b", "a'b", 'a"b', "a<b", "a;b", "a%b", "a\tb",
])
def test_ids_that_no_store_log_or_file_name_should_see_are_refused(bad: object) -> None:
    with pytest.raises(ids.IdProblem):
        ids.rest_id(bad)
    with pytest.raises(ids.IdProblem):
        ids.slack_id("T1", bad)
    with pytest.raises(ids.IdProblem):
        ids.telegram_id(bad)
    if isinstance(bad, str):
        assert not ids.storable(f"rest:{bad}")


@pytest.mark.parametrize("good", ["me", "test-1a2b", "user@example.org", "a.b_c+d=e:f", "42", "x" * 112])
def test_ordinary_ids_pass(good: str) -> None:
    assert ids.rest_id(good) == f"rest:{good}"
    assert ids.storable(f"rest:{good}")


def test_web_credentials_are_random_signed_and_checked() -> None:
    issued = {ids.new_web_credential() for _ in range(200)}
    assert len(issued) == 200
    for credential in issued:
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{32}", credential)
        assert ids.valid_web_credential(credential) == credential
    credential = next(iter(issued))
    nonce, issued_at, signature = credential.split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for forged in (f"{nonce}.{issued_at}.{flipped}", f"{nonce}.{int(issued_at) + 1}.{signature}", nonce, "", None,
                   42, {"a": 1}, credential.upper(), credential + "0", f"{'0' * 32}.0.{'0' * 32}", " " + credential,
                   f"{nonce}.{signature}"):  # the old two-part format
        assert ids.valid_web_credential(forged) is None, forged


def test_a_credential_expires_with_the_conversation_ttl() -> None:
    credential = ids.new_web_credential(now=1_000_000)
    assert ids.valid_web_credential(credential, now=1_000_000 + 3600, ttl=7200) == credential
    assert ids.valid_web_credential(credential, now=1_000_000 + 7201, ttl=7200) is None
    assert ids.valid_web_credential(credential, now=1_000_000 - 3600, ttl=7200) is None  # issued in the future
    assert ids.valid_web_credential(credential, now=1_000_000 + 10**9, ttl=0) == credential  # TTL 0: no limit


def test_the_conversation_id_is_derived_and_does_not_reveal_the_credential() -> None:
    credential = ids.new_web_credential()
    conversation = ids.web_conversation_id(credential)
    assert re.fullmatch(r"web:[0-9a-f]{32}", conversation)
    nonce, _, signature = credential.split(".")
    assert nonce not in conversation and signature not in conversation
    assert ids.web_conversation_id(credential) == conversation  # stable
    assert ids.web_conversation_id(ids.new_web_credential()) != conversation
    assert ids.storable(conversation)


def test_log_ids_are_short_hashes() -> None:
    line = ids.log_id("rest:my-secret-sender")
    assert line.startswith("rest:#") and "my-secret-sender" not in line
    assert ids.log_id("\ud800\n") .startswith("?:#")


@pytest.mark.parametrize("env", [{"WEB_SESSION_SECRET": "s1"}, {"RASA_AUTH_TOKEN": "a-long-api-token-123"}])
def test_credential_key_comes_from_a_secret_so_sessions_survive_restarts(env: dict,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_SESSION_SECRET", "RASA_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ids._web_key.cache_clear()
    credential = ids.new_web_credential()
    conversation = ids.web_conversation_id(credential)
    ids._web_key.cache_clear()  # "restart"
    assert ids.valid_web_credential(credential) == credential
    assert ids.web_conversation_id(credential) == conversation
    monkeypatch.setenv("WEB_SESSION_SECRET", "another secret")
    ids._web_key.cache_clear()
    assert ids.valid_web_credential(credential) is None
