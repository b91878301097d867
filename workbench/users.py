"""Workbench users by name: each has their own tokens, kept only as SHA-256 digests in a private SQLite file
(`.workbench/access.db`, mode 600), and the one-time login codes, kept the same way, so a link printed by
`make workbench-user` in one process signs in on the workbench running in another.

Why a plain SHA-256 and not a slow password hash: every token the workbench issues is 256 random bits
(`secrets.token_urlsafe(32)`), which no brute force reaches whatever the hash's speed; a slow hash protects
guessable passwords. A digest is looked up by equality in an index, so no comparison of the secret runs in
Python. WORKBENCH_TOKEN (chosen by the operator, 16+ characters) is the one token not made here: it is the
token of the service user `service`, for scripts.

A revoked token is refused at once by every process: the running workbench asks this file on each request
(a Bearer token, a session's token, a login code), so sessions signed in with a revoked token end too.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional

from workbench.safe import private_dir, private_file

FILE_NAME = "access.db"
SERVICE = "service"  # the user WORKBENCH_TOKEN signs in as
NAME = re.compile(r"[a-z][a-z0-9._-]{0,31}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
CODE_SECONDS = 10 * 60
MAX_CODES = 100  # pending login codes per token: older ones are dropped
TRAINER, SERVICE_KIND = "trainer", "service"
SCHEMA = """
create table if not exists users (name text primary key, kind text not null, email text, created real not null);
create table if not exists tokens (id integer primary key autoincrement, user text not null references users(name),
                                   digest text not null unique, created real not null, revoked real,
                                   reason text);
create table if not exists codes (digest text primary key, token integer not null references tokens(id),
                                  expires real not null);
create index if not exists tokens_user on tokens(user);
"""


class UserProblem(ValueError):
    """A name, an e-mail or a request that cannot be done (the message says why, with no secret in it)."""


@dataclass(frozen=True)
class Identity:
    """Who a token, a code or a session belongs to."""

    name: str
    token_id: int
    kind: str = TRAINER
    email: Optional[str] = None

    @property
    def git_email(self) -> str:
        return self.email or f"{self.name}@workbench.invalid"


@dataclass(frozen=True)
class UserInfo:
    name: str
    kind: str
    email: Optional[str]
    created: float
    active_tokens: int
    revoked_tokens: int


def digest(secret: str) -> str:
    """What is stored of a token or a code: its SHA-256, with a prefix that keeps it apart from other hashes."""
    return hashlib.sha256(b"advisor-workbench:" + secret.encode("utf-8", "surrogatepass")).hexdigest()


def valid_name(name: str) -> str:
    """A user name: lower-case letters, digits, `.`, `_`, `-`, starting with a letter, at most 32 characters.
    It ends up in git author names and the audit log, so nothing else is allowed."""
    name = name or ""
    if not NAME.fullmatch(name):
        raise UserProblem(
            f"'{name[:40]}' is not a user name: use 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter"
        )
    return name


def valid_email(email: Optional[str]) -> Optional[str]:
    if email is None or not email.strip():
        return None
    email = email.strip()
    if not EMAIL.fullmatch(email):
        raise UserProblem("that is not an e-mail address git would accept (name@domain.tld)")
    return email


def name_from_login(environ_user: Optional[str]) -> str:
    """The first trainer's name: the operator's login name when it makes a valid user name, else `admin`."""
    candidate = re.sub(r"[^a-z0-9._-]", "", (environ_user or "").lower())[:32]
    return candidate if NAME.fullmatch(candidate) and candidate != SERVICE else "admin"


class Users:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        private_dir(path.parent)
        if not path.exists():  # created private whatever the umask
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        private_file(path)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.executescript(SCHEMA)
        finally:
            db.close()

    @contextmanager
    def _db(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; a writing one takes the write lock at once (no lost update between processes)."""
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("pragma foreign_keys = on")
            db.execute("begin immediate" if write else "begin")
            try:
                yield db
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")
        finally:
            db.close()

    # --- users and tokens ----------------------------------------------------------------------------------
    def add(self, name: str, kind: str = TRAINER, email: Optional[str] = None) -> bool:
        """Creates the user unless it exists (then its e-mail is updated when one is given); True if created."""
        name, email = valid_name(name), valid_email(email)
        if (name == SERVICE) != (kind == SERVICE_KIND):
            raise UserProblem(f"'{SERVICE}' is the name of the WORKBENCH_TOKEN user, for scripts: choose another name")
        with self._db() as db:
            created = db.execute(
                "insert into users values (?, ?, ?, ?) on conflict(name) do nothing", (name, kind, email, self._clock())
            ).rowcount
            if email is not None:
                db.execute("update users set email = ? where name = ?", (email, name))
        return bool(created)

    def issue(self, name: str, replace: bool = True) -> str:
        """A new token for an existing user; with `replace` their older tokens are revoked (and their sessions
        end). The token is returned once: only its digest is kept."""
        name = valid_name(name)
        token = secrets.token_urlsafe(32)
        self.register(name, token, replace=replace)
        return token

    def register(self, name: str, token: str, replace: bool = True, reason: str = "replaced") -> Identity:
        """Records `token` (by digest) as the user's; a digest revoked before is refused for good."""
        d = digest(token)
        with self._db() as db:
            user = db.execute("select kind, email from users where name = ?", (name,)).fetchone()
            if user is None:
                raise UserProblem(f"there is no user '{name}'")
            row = db.execute("select id, user, revoked, reason from tokens where digest = ?", (d,)).fetchone()
            if row is not None and (row[1] != name or row[3] == "revoked"):
                raise UserProblem("that token was revoked (or is another user's): choose a new one")
            if replace:
                db.execute(
                    "update tokens set revoked = ?, reason = ? where user = ? and revoked is null and digest != ?",
                    (self._clock(), reason, name, d),
                )
                db.execute("delete from codes where token in (select id from tokens where revoked is not null)")
            if row is None:
                token_id = db.execute(
                    "insert into tokens (user, digest, created) values (?, ?, ?)", (name, d, self._clock())
                ).lastrowid
            else:
                token_id = row[0]
                db.execute("update tokens set revoked = null, reason = null where id = ?", (token_id,))
        return Identity(name, int(token_id or 0), user[0], user[1])

    def revoke(self, name: str, reason: str = "revoked") -> int:
        """Revokes every token of the user (their sessions and pending login links die with them); returns how many."""
        name = valid_name(name)
        with self._db() as db:
            if db.execute("select 1 from users where name = ?", (name,)).fetchone() is None:
                raise UserProblem(f"there is no user '{name}'")
            n = db.execute(
                "update tokens set revoked = ?, reason = ? where user = ? and revoked is null", (self._clock(), reason, name)
            ).rowcount
            db.execute("delete from codes where token in (select id from tokens where user = ?)", (name,))
        return n

    def _identity(self, db: sqlite3.Connection, where: str, arg: object) -> Optional[Identity]:
        row = db.execute(
            "select t.id, u.name, u.kind, u.email from tokens t join users u on u.name = t.user "
            f"where {where} and t.revoked is null",
            (arg,),
        ).fetchone()
        return Identity(row[1], int(row[0]), row[2], row[3]) if row else None

    def by_token(self, token: Optional[str]) -> Optional[Identity]:
        """The user of a live token, else None."""
        if not token:
            return None
        with self._db(write=False) as db:
            return self._identity(db, "t.digest = ?", digest(token))

    def active(self, token_id: int) -> Optional[Identity]:
        """The user of a token id that is still live (a session's), else None."""
        with self._db(write=False) as db:
            return self._identity(db, "t.id = ?", token_id)

    def token_state(self, token: str) -> Optional[str]:
        """'active', the reason it stopped working ('revoked', 'replaced', …), or None for an unknown token."""
        with self._db(write=False) as db:
            row = db.execute("select revoked, reason from tokens where digest = ?", (digest(token),)).fetchone()
        if row is None:
            return None
        return "active" if row[0] is None else str(row[1] or "revoked")

    def latest(self, name: str) -> Optional[Identity]:
        """The user's newest live token (for a login link without a new token)."""
        with self._db(write=False) as db:
            row = db.execute(
                "select t.id, u.name, u.kind, u.email from tokens t join users u on u.name = t.user "
                "where u.name = ? and t.revoked is null order by t.id desc limit 1",
                (valid_name(name),),
            ).fetchone()
        return Identity(row[1], int(row[0]), row[2], row[3]) if row else None

    def has_active_trainer(self) -> bool:
        with self._db(write=False) as db:
            row = db.execute(
                "select 1 from tokens t join users u on u.name = t.user where u.kind = ? and t.revoked is null limit 1",
                (TRAINER,),
            ).fetchone()
        return row is not None

    def list(self) -> List[UserInfo]:
        with self._db(write=False) as db:
            rows = db.execute(
                "select u.name, u.kind, u.email, u.created, "
                "sum(case when t.id is not null and t.revoked is null then 1 else 0 end), "
                "sum(case when t.revoked is not null then 1 else 0 end) "
                "from users u left join tokens t on t.user = u.name group by u.name order by u.name"
            ).fetchall()
        return [UserInfo(r[0], r[1], r[2], r[3], int(r[4] or 0), int(r[5] or 0)) for r in rows]

    # --- one-time login codes --------------------------------------------------------------------------------
    def new_code(self, identity: Identity) -> str:
        """A one-time login code for the identity's token, valid CODE_SECONDS, spent on first use."""
        code = secrets.token_urlsafe(24)
        now = self._clock()
        with self._db() as db:
            db.execute("delete from codes where expires <= ?", (now,))
            db.execute(
                "delete from codes where token = ? and digest not in "
                "(select digest from codes where token = ? order by expires desc limit ?)",
                (identity.token_id, identity.token_id, MAX_CODES - 1),
            )
            db.execute("insert into codes values (?, ?, ?)", (digest(code), identity.token_id, now + CODE_SECONDS))
        return code

    def redeem(self, code: Optional[str]) -> Optional[Identity]:
        """The identity of a valid, unexpired code whose token is live; the code is spent either way."""
        if not code:
            return None
        with self._db() as db:
            row = db.execute("delete from codes where digest = ? returning token, expires", (digest(code),)).fetchone()
            if row is None or row[1] <= self._clock():
                return None
            return self._identity(db, "t.id = ?", row[0])
