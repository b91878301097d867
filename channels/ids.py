"""Conversation ids, namespaced by channel (../shared/contract.md): ``rest:<sender>``,
``web:<id derived from the session credential>``, ``slack:<team>:<user>``, ``telegram:<chat id>``. Every
channel builds its ids here, so one channel can never address another's conversation, and every id is
checked here before it reaches a store: a strict character set and length (:class:`IdProblem`, which the
channels answer with a clear 400).

Web sessions: the server issues a *credential* ``<nonce>.<issued>.<signature>`` (128 random bits, the
issue time in Unix seconds, an HMAC-SHA256 of both). The credential is a bearer secret: whoever holds it
talks in that conversation. So it is never the conversation id: the conversation is stored under
``web:<keyed hash of the nonce>`` (:func:`web_conversation_id`), and only that derived id is seen by the
store, the workbench, logs and git. A credential older than the conversation TTL is refused.

The key is WEB_SESSION_SECRET when set, otherwise derived from the HTTP API token (RASA_AUTH_TOKEN or the
token file; both always exist under `make run`), so credentials stay valid across restarts; without
either, a random key per process. A client can keep a credential it was given but cannot make one up.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from functools import lru_cache
from typing import Optional

REST, WEB, SLACK, TELEGRAM = "rest", "web", "slack", "telegram"
NAMESPACES = (REST, WEB, SLACK, TELEGRAM)
MAX_ID_CHARS = 128  # a whole conversation id
WEB_SECRET_ENV = "WEB_SESSION_SECRET"
TTL_ENV = "CONVERSATION_TTL_SECONDS"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
# The characters a channel's own id may have: letters, digits and a few separators. No white space,
# control, bidi or non-ASCII characters, nothing a database driver, a log line or a file name trips on.
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=:-]*")
_CREDENTIAL = re.compile(r"([0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{32})")


class IdProblem(ValueError):
    """An id a channel received cannot be used as (part of) a conversation id."""


def check_local(value: object, what: str = "sender") -> str:
    """`value` as a channel-local id, or :class:`IdProblem` saying what is wrong with it."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise IdProblem(f'"{what}" must be a string')
    text = str(value)
    if not text:
        raise IdProblem(f'"{what}" must not be empty')
    if len(text) > MAX_ID_CHARS - 16:
        raise IdProblem(f'"{what}" must be at most {MAX_ID_CHARS - 16} characters')
    if not _LOCAL.fullmatch(text):
        raise IdProblem(f'"{what}" may only contain letters, digits and . _ @ + = : - (and start with a letter '
                        'or digit)')
    return text


def rest_id(sender: object) -> str:
    return f"{REST}:{check_local(sender, 'sender')}"


def slack_id(team: object, user: object) -> str:
    return f"{SLACK}:{check_local(team, 'team')}:{check_local(user, 'user')}"


def telegram_id(chat_id: object) -> str:
    """Telegram chat ids are integers (negative for groups)."""
    text = str(chat_id) if isinstance(chat_id, (int, str)) and not isinstance(chat_id, bool) else ""
    if not re.fullmatch(r"-?[0-9]{1,20}", text):
        raise IdProblem('"chat id" must be an integer')
    return f"{TELEGRAM}:{text}"


def local_part(conversation_id: str, namespace: str) -> str:
    """The channel's own id inside a namespaced conversation id ("telegram:42" -> "42")."""
    prefix = namespace + ":"
    return conversation_id[len(prefix):] if conversation_id.startswith(prefix) else conversation_id


def storable(conversation_id: object) -> bool:
    """True when `conversation_id` is a namespaced id every store can hold (checked again by the store)."""
    if not isinstance(conversation_id, str) or len(conversation_id) > MAX_ID_CHARS:
        return False
    namespace, _, rest = conversation_id.partition(":")
    return namespace in NAMESPACES and bool(_LOCAL.fullmatch(rest) or re.fullmatch(r"-[0-9]{1,20}", rest))


# --- web sessions ------------------------------------------------------------------------------------
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
    return web_key_from_secret(secret)


def web_key_from_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _mac(label: str, text: str, key: Optional[bytes] = None) -> str:
    return hmac.new(key or _web_key(), f"{label}:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def credential_ttl() -> float:
    """Seconds a web credential stays valid: the conversation TTL (0: no limit)."""
    try:
        value = float(os.environ.get(TTL_ENV, "") or DEFAULT_TTL_SECONDS)
    except ValueError:
        value = DEFAULT_TTL_SECONDS
    return max(value, 0.0)


def new_web_credential(now: Optional[float] = None) -> str:
    """A fresh, unguessable web session credential, as handed to the browser."""
    nonce, issued = secrets.token_hex(16), str(int(time.time() if now is None else now))
    return f"{nonce}.{issued}.{_mac('credential', f'{nonce}.{issued}')}"


def valid_web_credential(value: object, now: Optional[float] = None, ttl: Optional[float] = None) -> Optional[str]:
    """`value` when it is a credential this server issued and it has not expired, else None."""
    if not isinstance(value, str):
        return None
    match = _CREDENTIAL.fullmatch(value)
    if not match:
        return None
    nonce, issued, signature = match.groups()
    if not hmac.compare_digest(signature, _mac("credential", f"{nonce}.{issued}")):
        return None
    age = (time.time() if now is None else now) - int(issued)
    limit = credential_ttl() if ttl is None else ttl
    if age < -300 or (limit > 0 and age > limit):  # issued in the future (clock skew > 5 min) or expired
        return None
    return value


def web_conversation_id(credential: str, key: Optional[bytes] = None) -> str:
    """The conversation id of a (valid) web credential: a keyed hash, from which the credential cannot be
    recovered. (`key`: another key than this process's, for tests that talk to a server.)"""
    nonce = credential.split(".", 1)[0]
    return f"{WEB}:{_mac('conversation', nonce, key)}"


def web_socket_conversation_id(socket_id: str) -> str:
    """The conversation id of a socket without session persistence (one conversation per connection)."""
    return f"{WEB}:{_mac('socket', socket_id)}"


def log_id(conversation_id: object) -> str:
    """What log lines show of a conversation id: the namespace and a short hash (a REST sender is a
    bearer secret, and ids may carry whatever a client sent)."""
    text = str(conversation_id)
    namespace = text.split(":", 1)[0] if text.split(":", 1)[0] in NAMESPACES else "?"
    return f"{namespace}:#{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:10]}"
