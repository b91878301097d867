"""Who may use the workbench: a token on every address (loopback included), one-time login links, sessions
with their own CSRF secret, and the Host / Origin allow-list that stops DNS rebinding and cross-site posts.

The token is WORKBENCH_TOKEN, else one generated once into `.run/workbench-token` (mode 600), read with the
same checks as the API token (advisor/api_token.py). It is never logged and never put in a URL: the browser
signs in through a one-time link printed on the terminal (or a login form), which sets a session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from advisor.api_token import MIN_LENGTH, TokenProblem, ensure_token_file, read_token_file

ENV_TOKEN = "WORKBENCH_TOKEN"
ENV_HOSTS = "WORKBENCH_HOSTS"
TOKEN_FILE = Path(".run") / "workbench-token"
CODE_SECONDS = 10 * 60
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 1000
MAX_CODES = 100
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

__all__ = ["Access", "Session", "TokenProblem", "allowed_hosts", "is_loopback", "load_token"]


def load_token(root: Path, environ: Mapping[str, str]) -> str:
    """WORKBENCH_TOKEN (16+ characters), else the token in <root>/.run/workbench-token, generated once."""
    token = (environ.get(ENV_TOKEN) or "").strip()
    if token:
        if len(token) < MIN_LENGTH:
            raise TokenProblem(f"{ENV_TOKEN} is shorter than {MIN_LENGTH} characters: use a long random secret")
        return token
    path = ensure_token_file(root / TOKEN_FILE, "workbench token")
    return read_token_file(path, "workbench token")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _with_port(host: str, port: int) -> str:
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            host = f"[{host.strip('[]')}]"
    except ValueError:
        pass
    return f"{host}:{port}"


def allowed_hosts(port: int, extra: str = "", bind: str = "127.0.0.1") -> FrozenSet[str]:
    """The `Host` header values the workbench answers: loopback names on its port, the address it is bound to
    (unless a wildcard), and WORKBENCH_HOSTS (space-separated host[:port], e.g. a TLS proxy's name)."""
    hosts = {_with_port(h, port) for h in ("127.0.0.1", "localhost", "::1")}
    if bind and bind not in ("0.0.0.0", "::", "*"):
        hosts.add(_with_port(bind, port))
    if port == 80:
        hosts |= {h.rsplit(":", 1)[0] for h in hosts}
    hosts |= {h for h in extra.split() if h}
    return frozenset(h.lower() for h in hosts)


def _digest(secret: str) -> str:
    """Codes and session ids are kept hashed: a lookup then reveals nothing about a secret through timing."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(given: Optional[str], expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode("utf-8", "surrogatepass"), expected.encode())


@dataclass
class Session:
    id: str
    csrf: str
    expires: float
    message: Optional[str] = None  # a server-made message (an error) shown once after a redirect


class Access:
    def __init__(self, token: str, hosts: Iterable[str], clock: Callable[[], float] = time.time) -> None:
        self._token = token
        self.hosts = frozenset(h.lower() for h in hosts)
        self.origins = frozenset(f"{scheme}://{h}" for h in self.hosts for scheme in ("http", "https"))
        self._clock = clock
        self._codes: Dict[str, float] = {}
        self._sessions: Dict[str, Session] = {}

    # --- where the request is addressed and where it comes from --------------------------------------------
    def host_ok(self, host: Optional[str]) -> bool:
        return bool(host) and str(host).lower() in self.hosts

    def origin_ok(self, origin: Optional[str], referer: Optional[str]) -> bool:
        """For a state-changing request: the Origin must be one of ours (`null` never is); without an Origin
        the Referer, when there is one, must be."""
        if origin is not None:
            return origin.lower() in self.origins
        if not referer:
            return True
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() in self.origins

    # --- signing in ----------------------------------------------------------------------------------------
    def bearer_ok(self, authorization: Optional[str]) -> bool:
        scheme, _, given = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and same(given.strip(), self._token)

    def token_ok(self, given: Optional[str]) -> bool:
        return same((given or "").strip(), self._token)

    def new_code(self) -> str:
        """A one-time login code, valid CODE_SECONDS."""
        now = self._clock()
        self._codes = {k: t for k, t in self._codes.items() if t > now}
        while len(self._codes) >= MAX_CODES:
            self._codes.pop(next(iter(self._codes)))
        code = secrets.token_urlsafe(24)
        self._codes[_digest(code)] = now + CODE_SECONDS
        return code

    def redeem(self, code: Optional[str]) -> bool:
        """True once for a valid, unexpired code; the code is spent either way."""
        if not code:
            return False
        expires = self._codes.pop(_digest(code), None)
        return expires is not None and expires > self._clock()

    def new_session(self) -> Session:
        now = self._clock()
        self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.pop(next(iter(self._sessions)))
        sid = secrets.token_urlsafe(32)
        session = Session(sid, secrets.token_urlsafe(32), now + SESSION_SECONDS)
        self._sessions[_digest(sid)] = session
        return session

    def session(self, sid: Optional[str]) -> Optional[Session]:
        if not sid:
            return None
        found = self._sessions.get(_digest(sid))
        if found is None or found.expires <= self._clock():
            self._sessions.pop(_digest(sid), None)
            return None
        return found

    def end(self, session: Session) -> None:
        self._sessions.pop(_digest(session.id), None)
