"""Who may use the workbench: a token on every address (loopback included), one-time login links, sessions
with their own CSRF secret, and the Host / Origin allow-list that stops DNS rebinding and cross-site posts.

Every workbench user has a name and their own tokens (workbench/users.py: hashed in `.workbench/access.db`,
revocable; `make workbench-user NAME=…`). On a first start with no trainer, a token is generated once into
`.run/workbench-token` (mode 600) as the first trainer's (the login name, or `admin`), so `make workbench`
still prints a login link; WORKBENCH_TOKEN is the token of the service user `service`, for scripts. Tokens
are never logged and never put in a URL: the browser signs in through a one-time link (or the login form),
which sets a session cookie. A session carries its trainer's name (`session.trainer`) and its token's id,
checked on every request, so revoking a token ends its sessions at once, in whichever process.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from advisor.api_token import MIN_LENGTH, TokenProblem, ensure_token_file, read_token_file
from workbench.users import SERVICE, SERVICE_KIND, Identity, UserProblem, Users, name_from_login

ENV_TOKEN = "WORKBENCH_TOKEN"
ENV_HOSTS = "WORKBENCH_HOSTS"
TOKEN_FILE = Path(".run") / "workbench-token"
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 1000
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

__all__ = ["Access", "Session", "TokenProblem", "allowed_hosts", "bootstrap", "env_token", "is_loopback"]


def env_token(environ: Mapping[str, str]) -> Optional[str]:
    token = (environ.get(ENV_TOKEN) or "").strip()
    if token and len(token) < MIN_LENGTH:
        raise TokenProblem(f"{ENV_TOKEN} is shorter than {MIN_LENGTH} characters: use a long random secret")
    return token or None


def _replace_token_file(path: Path) -> None:
    """A new random token in `path` (mode 600), replacing one that no longer works."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32) + "\n")
    os.replace(tmp, path)


def bootstrap(root: Path, environ: Mapping[str, str], users: Users) -> Optional[Identity]:
    """What `make workbench` does with tokens when it starts; returns the identity a login link is printed for
    (the holder of `.run/workbench-token`), None when that file's token is not a live trainer's.

    - WORKBENCH_TOKEN set: it becomes the one live token of the service user (a token revoked with
      `make workbench-user NAME=service REVOKE=1` is refused: the workbench does not start); unset: the
      service user's tokens stop working.
    - No live trainer yet (first run, or every trainer revoked): a token is generated into
      `.run/workbench-token` (mode 600; replaced if the one there no longer works) and registered as the
      first trainer's: the operator's login name, or `admin`.
    """
    token = env_token(environ)
    if token is not None:
        if users.token_state(token) == "revoked":
            raise TokenProblem(f"{ENV_TOKEN} was revoked: set a new one (and update the scripts that use it)")
        users.add(SERVICE, kind=SERVICE_KIND)
        try:
            users.register(SERVICE, token, replace=True, reason="replaced")
        except UserProblem as problem:
            raise TokenProblem(f"{ENV_TOKEN}: {problem}") from None
    elif any(u.name == SERVICE for u in users.list()):
        users.revoke(SERVICE, reason="unset")
    path = root / TOKEN_FILE
    if not users.has_active_trainer():
        ensure_token_file(path, "workbench token")
        first = read_token_file(path, "workbench token")
        if users.token_state(first) not in (None, "active"):
            _replace_token_file(path)
            first = read_token_file(path, "workbench token")
        name = name_from_login(environ.get("USER") or environ.get("LOGNAME"))
        users.add(name)
        users.register(name, first, replace=False)
    if not path.exists():
        return None
    identity = users.by_token(read_token_file(path, "workbench token"))
    return identity if identity is not None and identity.kind != SERVICE_KIND else None


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
    trainer: Optional[str] = None  # the signed-in user's name (a Bearer request's too)
    token_id: int = 0
    email: Optional[str] = None
    bearer: bool = False  # made for one request signed with `Authorization: Bearer` (no cookie, no form secret)

    @property
    def identity(self) -> Identity:
        return Identity(self.trainer or "", self.token_id, email=self.email)


class Access:
    def __init__(self, users: Users, hosts: Iterable[str], clock: Callable[[], float] = time.time) -> None:
        self.users = users
        self.hosts = frozenset(h.lower() for h in hosts)
        self.origins = frozenset(f"{scheme}://{h}" for h in self.hosts for scheme in ("http", "https"))
        self._clock = clock
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
    def bearer(self, authorization: Optional[str]) -> Optional[Session]:
        """A one-request session for `Authorization: Bearer <a live token>`, else None."""
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        identity = self.users.by_token(given.strip())
        if identity is None:
            return None
        return Session("", "", self._clock(), None, identity.name, identity.token_id, identity.email, bearer=True)

    def token_ok(self, given: Optional[str]) -> Optional[Identity]:
        """The user a token typed into the login form belongs to (a live token), else None."""
        return self.users.by_token((given or "").strip())

    def new_code(self, identity: Identity) -> str:
        """A one-time login code for the identity's token (kept hashed in the shared store)."""
        return self.users.new_code(identity)

    def redeem(self, code: Optional[str]) -> Optional[Identity]:
        """The identity of a valid, unexpired code of a live token, once; the code is spent either way."""
        return self.users.redeem(code)

    def new_session(self, identity: Identity) -> Session:
        now = self._clock()
        self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.pop(next(iter(self._sessions)))
        sid = secrets.token_urlsafe(32)
        session = Session(sid, secrets.token_urlsafe(32), now + SESSION_SECONDS, None, identity.name,
                          identity.token_id, identity.email)
        self._sessions[_digest(sid)] = session
        return session

    def session(self, sid: Optional[str]) -> Optional[Session]:
        """The live session of a cookie: unexpired, and its token not revoked (asked of the store each time)."""
        if not sid:
            return None
        found = self._sessions.get(_digest(sid))
        if found is None or found.expires <= self._clock() or self.users.active(found.token_id) is None:
            self._sessions.pop(_digest(sid), None)
            return None
        return found

    def end(self, session: Session) -> None:
        self._sessions.pop(_digest(session.id), None)
