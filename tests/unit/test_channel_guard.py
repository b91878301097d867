"""What every channel applies before a message is stored: allow-listed small metadata, the client's
address behind a local proxy, and rate limits (channels.guard)."""
from __future__ import annotations

import json

import pytest

from channels import guard


def test_metadata_keeps_only_small_allow_listed_keys() -> None:
    sent = {"out_channel": "C1", "thread_id": "123.4", "users": ["U1", "U2"], "locale": "en",
            "page": "x" * 100, "evil": "y" * 60_000, "nested": {"a": {"b": [1, 2]}}}
    kept = guard.reduce_metadata(sent)
    assert kept == {"out_channel": "C1", "thread_id": "123.4", "users": ["U1", "U2"], "locale": "en", "page": "x" * 100}


@pytest.mark.parametrize("value", ["x" * 5000, "\ud800", "a\x00b", {"a": 1}, ["a"] * 50, [{"a": 1}], 10**30, "a\nb"])
def test_large_nested_or_unencodable_values_are_dropped(value: object) -> None:
    assert guard.reduce_metadata({"page": value}) == {}


@pytest.mark.parametrize("metadata", [None, "text", 42, ["a"], {}])
def test_anything_but_an_object_becomes_empty(metadata: object) -> None:
    assert guard.reduce_metadata(metadata) == {}


def test_metadata_is_at_most_one_kib() -> None:
    sent = {key: "v" * guard.MAX_VALUE_CHARS for key in guard.METADATA_KEYS}
    kept = guard.reduce_metadata(sent)
    assert len(json.dumps(kept)) <= guard.MAX_METADATA_BYTES
    assert kept  # the first keys fit


def test_client_address_trusts_forwarded_for_only_from_a_local_proxy() -> None:
    assert guard.client_address("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    # the proxy appends the real peer: earlier entries are the client's own claims
    assert guard.client_address("127.0.0.1", "127.0.0.1, 198.51.100.7") == "198.51.100.7"
    assert guard.client_address("203.0.113.9", "127.0.0.1") == "203.0.113.9"  # not from a local proxy
    assert guard.client_address("127.0.0.1", "not an address") == "127.0.0.1"
    assert guard.client_address(None, None) == "unknown"


def test_rate_parsing() -> None:
    assert guard.Rate.parse("30/min") == guard.Rate(30, 15)
    assert guard.Rate.parse("2/s,burst=4") == guard.Rate(120, 4)
    for bad in ("0/min", "x/min", "5/week", "-1/min"):
        with pytest.raises((ValueError, KeyError)):
            guard.Rate.parse(bad)


def test_a_bucket_refuses_past_its_burst_and_refills() -> None:
    limiter = guard.RateLimiter(guard.Rate(per_minute=60, burst=3))
    assert [limiter.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") >= 1
    assert limiter.allow("b", now=0)  # keys are independent
    assert limiter.allow("a", now=1.0)  # one per second comes back
    assert not limiter.allow("a", now=1.0)


def test_the_number_of_keys_is_bounded() -> None:
    limiter = guard.RateLimiter(guard.Rate(per_minute=60, burst=1), max_keys=100)
    for i in range(1000):
        limiter.allow(f"k{i}", now=0)
    assert len(limiter._buckets) == 100


def test_limits_check_the_address_then_the_conversation() -> None:
    limits = guard.Limits({guard.PER_ADDRESS_ENV: "60/min,burst=2", guard.PER_CONVERSATION_ENV: "60/min,burst=1"})
    assert limits.refused("1.2.3.4", "rest:a") is None
    refused = limits.refused("1.2.3.4", "rest:a")
    assert refused is not None and refused[0] == "conversation"
    assert limits.refused("1.2.3.4", "rest:b") is not None and limits.refused("1.2.3.4", "rest:b")[0] == "address"
    assert limits.refused(None, "rest:c") is None  # Slack/Telegram: no address limit
