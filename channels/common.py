"""Pieces shared by the Slack and Telegram channels."""
from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


def disabled_blueprint(name: str, explanation: str) -> Blueprint:
    """The webhook of a channel that is switched off: 404 with a one-line explanation, nothing processed."""
    bp = Blueprint(f"{name}_webhook_disabled", __name__)

    async def off(request: Request, path: str = "") -> HTTPResponse:
        return response.text(explanation, status=HTTPStatus.NOT_FOUND)

    bp.add_route(off, "/", methods=["GET", "POST"])
    bp.add_route(off, "/<path:path>", methods=["GET", "POST"])
    return bp


def split_text(text: str, limit: int) -> List[str]:
    """Splits text into pieces of at most `limit` characters, at paragraph, line or word ends if possible."""
    pieces: List[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


class RecentKeys:
    """A bounded, time-limited memory of keys (event or update ids, long payloads), per process."""

    def __init__(self, max_items: int = 10000, ttl_seconds: float = 3600) -> None:
        self.max_items, self.ttl = max_items, ttl_seconds
        self._items: "OrderedDict[str, Tuple[float, Any]]" = OrderedDict()

    def _expire(self) -> None:
        now = time.time()
        while self._items and (len(self._items) > self.max_items or next(iter(self._items.values()))[0] < now - self.ttl):
            self._items.popitem(last=False)

    def get(self, key: str) -> Any:
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def __contains__(self, key: str) -> bool:
        self._expire()
        return key in self._items

    def any_of(self, keys: Iterable[str]) -> bool:
        return any(key in self for key in keys)

    def put(self, key: str, value: Any = True) -> None:
        self._items[key] = (time.time(), value)
        self._items.move_to_end(key)
        self._expire()

    def put_all(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.put(key)

    def first_time(self, keys: Iterable[str]) -> bool:
        """True when none of `keys` was seen; remembers them all either way."""
        keys = list(keys)
        seen = self.any_of(keys)
        self.put_all(keys)
        return not seen


class SharedRecentKeys(RecentKeys):
    """The same memory in Redis (REDIS_HOST set: more than one process serves the channel, as with
    ADVISOR_WORKERS=2 or the cluster), so a retry that reaches another process is still recognised.
    `SET NX EX` makes the check-and-remember one step. If Redis fails, this process's memory answers."""

    def __init__(self, name: str, ttl_seconds: float, environ: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(ttl_seconds=ttl_seconds)
        import redis

        env = os.environ if environ is None else environ
        self.prefix = f"{env.get('REDIS_KEY_PREFIX', 'advisor')}:seen:{name}:"
        self.redis = redis.Redis(host=env["REDIS_HOST"], port=int(env.get("REDIS_PORT") or 6379),
                                 db=int(env.get("REDIS_DB") or 0), password=env.get("REDIS_PASSWORD") or None,
                                 socket_timeout=1, socket_connect_timeout=1)

    def first_time(self, keys: Iterable[str]) -> bool:
        keys = list(keys)
        local = super().first_time(keys)
        try:
            fresh = [self.redis.set(self.prefix + key, 1, nx=True, ex=int(self.ttl)) for key in keys]
        except Exception as e:  # noqa: BLE001 - Redis down: this process's memory decides
            logger.warning("channel de-duplication: Redis unreachable (%s); using this process's memory",
                           type(e).__name__)
            return local
        return all(fresh)


def recent_keys(name: str, ttl_seconds: float) -> RecentKeys:
    """Shared in Redis when REDIS_HOST is set, else this process's memory."""
    if os.environ.get("REDIS_HOST"):
        return SharedRecentKeys(name, ttl_seconds)
    return RecentKeys(ttl_seconds=ttl_seconds)
