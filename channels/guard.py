"""What every channel applies to what a client sends, before anything is stored: the metadata a message
may carry, and how often one client or one conversation may send. Pure and tested on its own
(tests/unit/test_channel_guard.py); the channels and advisor.patches use it.
"""
from __future__ import annotations

import ipaddress
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

# --- metadata: an allow-list of small keys -----------------------------------------------------------
# The keys a message's metadata may keep: the Slack channel's own routing keys (it builds them itself from
# the signed request) and two a web page may send. Everything else a client sends is dropped.
METADATA_KEYS = ("out_channel", "thread_id", "users", "locale", "page")
MAX_METADATA_BYTES = 1024
MAX_VALUE_CHARS = 200
MAX_LIST_ITEMS = 5


def _small(value: Any) -> Optional[Any]:
    """`value` if it is a short string, number, bool or a short list of short strings, else None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value if abs(value) < 1e15 else None
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_CHARS and value.isprintable() and _encodable(value) else None
    if isinstance(value, list) and len(value) <= MAX_LIST_ITEMS:
        items = [_small(v) for v in value]
        return items if all(isinstance(i, str) for i in items) else None
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def reduce_metadata(metadata: Any) -> Dict[str, Any]:
    """The allow-listed keys of `metadata` with small values, at most MAX_METADATA_BYTES as JSON."""
    if not isinstance(metadata, Mapping):
        return {}
    kept: Dict[str, Any] = {}
    size = 2
    for key in METADATA_KEYS:
        if key not in metadata:
            continue
        value = _small(metadata[key])
        if value is None and metadata[key] is not None:
            continue
        item = len(json.dumps({key: value})) - 1
        if size + item > MAX_METADATA_BYTES:
            break
        kept[key] = value
        size += item
    return kept


# --- who is sending ------------------------------------------------------------------------------------
def client_address(peer: Optional[str], forwarded_for: Optional[str]) -> str:
    """The client's address: the peer's, or, when the peer is a proxy on this machine (nginx in the
    cluster), the last address in X-Forwarded-For (the one that proxy added; earlier ones are the
    client's own claims)."""
    peer = (peer or "").strip()
    if forwarded_for and is_loopback(peer):
        last = forwarded_for.split(",")[-1].strip()
        if _address(last):
            return last
    return peer or "unknown"


def _address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


# --- rate limits --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    per_minute: float
    burst: float

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """"30/min" or "30/min,burst=10" (burst defaults to half a minute's worth, at least 5)."""
        head, _, extra = text.replace(" ", "").partition(",")
        count, _, unit = head.partition("/")
        per_minute = float(count) * {"s": 60, "sec": 60, "min": 1, "m": 1, "h": 1 / 60, "hour": 1 / 60}[unit or "min"]
        burst = float(extra.split("=", 1)[1]) if extra.startswith("burst=") else max(per_minute / 2, 5)
        if per_minute <= 0 or burst < 1:
            raise ValueError(text)
        return cls(per_minute, burst)


class RateLimiter:
    """Token buckets per key (an address, a conversation), in one process, with a bounded number of keys
    (the least recently seen are forgotten, which only ever lets a forgotten key start with a full bucket)."""

    def __init__(self, rate: Rate, max_keys: int = 50_000) -> None:
        self.rate, self.max_keys = rate, max_keys
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()

    def allow(self, key: str, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.rate.burst, now))
        tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_minute / 60)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        tokens, _ = self._buckets.get(key, (self.rate.burst, 0.0))
        return max(1, int((1 - tokens) * 60 / self.rate.per_minute + 0.999))


# Defaults: a person types far slower than one message a second; a script that floods one conversation
# gets 429s. An address may carry many people (an office, a trusted back end, a load test): its limit is
# above what one server process answers (about 70 messages a second at 20 conversations, 80 at 200 in
# `make bench` on 1e8d5ee; 30 a second, the limit before, refused 11 % of a soak at half capacity), so
# only a flood reaches it.
PER_ADDRESS_ENV, PER_CONVERSATION_ENV = "ADVISOR_RATE_PER_ADDRESS", "ADVISOR_RATE_PER_CONVERSATION"
DEFAULT_PER_ADDRESS = "6000/min,burst=1000"
DEFAULT_PER_CONVERSATION = "60/min,burst=30"


class Limits:
    """The two limits every chat channel applies: per client address and per conversation."""

    def __init__(self, environ: Optional[Mapping[str, str]] = None) -> None:
        env = os.environ if environ is None else environ
        self.address = RateLimiter(Rate.parse(env.get(PER_ADDRESS_ENV) or DEFAULT_PER_ADDRESS))
        self.conversation = RateLimiter(Rate.parse(env.get(PER_CONVERSATION_ENV) or DEFAULT_PER_CONVERSATION))

    def refused(self, address: Optional[str], conversation: Optional[str]) -> Optional[Tuple[str, int]]:
        """None when allowed, else (what was exceeded, seconds to wait)."""
        if address and not self.address.allow(address):
            return "address", self.address.retry_after(address)
        if conversation and not self.conversation.allow(conversation):
            return "conversation", self.conversation.retry_after(conversation)
        return None


TOO_MANY = ("You are sending messages faster than I can answer. Please wait {seconds} s and send your "
            "message again.")


def too_many_text(seconds: int) -> str:
    return TOO_MANY.format(seconds=seconds)


_LIMITS: Dict[int, Limits] = {}


def limits() -> Limits:
    """The process's limits (created on first use, from the environment)."""
    return _LIMITS.setdefault(os.getpid(), Limits())
