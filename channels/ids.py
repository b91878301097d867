"""Conversation ids, namespaced by channel (../shared/contract.md): ``rest:<sender>``,
``web:<server-issued id>``, ``slack:<team>:<user>``, ``telegram:<chat id>``. Every channel builds its ids
here, so one channel can never address another's conversation.

Web ids are issued by the server: ``<32 random hex digits>.<HMAC-SHA256 of them, 32 hex digits>``. The
key is WEB_SESSION_SECRET when set, otherwise derived from the HTTP API token (RASA_AUTH_TOKEN or the
token file; both always exist under `make run`), so ids stay valid across restarts; without either, a
random key per process. A client can keep an id it was given but cannot make one up.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from typing import Optional

REST, WEB, SLACK, TELEGRAM = "rest", "web", "slack", "telegram"
NAMESPACES = (REST, WEB, SLACK, TELEGRAM)
MAX_SENDER_CHARS = 128
WEB_SECRET_ENV = "WEB_SESSION_SECRET"
_WEB_ID = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")


def rest_id(sender: str) -> str:
    return f"{REST}:{sender}"


def slack_id(team: str, user: str) -> str:
    return f"{SLACK}:{team}:{user}"


def telegram_id(chat_id: object) -> str:
    return f"{TELEGRAM}:{chat_id}"


def web_id(session: str) -> str:
    return f"{WEB}:{session}"


def local_part(conversation_id: str, namespace: str) -> str:
    """The channel's own id inside a namespaced conversation id ("telegram:42" -> "42")."""
    prefix = namespace + ":"
    return conversation_id[len(prefix):] if conversation_id.startswith(prefix) else conversation_id


@lru_cache(maxsize=1)
def _web_key() -> bytes:
    secret = (os.environ.get(WEB_SECRET_ENV) or "").strip()
    if not secret:
        try:
            from advisor.api_token import TokenProblem, load_token

            try:
                token = load_token()
            except TokenProblem:
                token = ""
        except ImportError:  # pragma: no cover - the advisor package is always there
            token = ""
        if token:
            return hmac.new(token.encode(), b"advisor web session ids", hashlib.sha256).digest()
        return secrets.token_bytes(32)
    return hashlib.sha256(secret.encode()).digest()


def _signature(nonce: str) -> str:
    return hmac.new(_web_key(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def new_web_session() -> str:
    """A fresh, unguessable web session id, as handed to the browser."""
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_signature(nonce)}"


def valid_web_session(value: object) -> Optional[str]:
    """`value` when it is a session id this server issued, else None."""
    if not isinstance(value, str) or not _WEB_ID.fullmatch(value):
        return None
    nonce, signature = value.split(".")
    return value if hmac.compare_digest(signature, _signature(nonce)) else None
