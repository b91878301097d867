"""The audit log: every state-changing action in the workbench (and the commands that act for a trainer), who
did it, when, what, on which conversation — never message text.

Append-only for real: a JSON-lines file (`.workbench/audit.jsonl`, mode 600) that is only ever opened with
O_APPEND (no code path rewrites or truncates it), each line carrying the SHA-256 of the line before it and its
own (a hash chain): an edited, removed, inserted or reordered line breaks the chain at that line, which
`verify()` finds and the Audit page shows. What a chain cannot show on its own is lines cut off the end: the
page shows the newest hash, so a copy of it kept elsewhere (or the log shipped off the machine) covers that.
Writers in several processes (the workbench, `make workbench-user`, erasure commands) take an exclusive lock
on the file while they read the last hash and append.

Which conversation is written as a pseudonym (`c-` and 16 hex digits of an HMAC of its id with a key kept
beside the log, `audit.key`, mode 600), not as the id: sender ids can be personal (a Telegram chat id, a
REST sender), and an append-only file cannot forget one when the conversation is erased. The page shows the
id again while the conversation exists; `conversation_ref()` finds the entries of a known id.

    from workbench import audit
    audit.record("anna", "delete", conversation_id="rest:abc", events=12)
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from workbench.safe import private_dir, visible

LOG_NAME = "audit.jsonl"
KEY_NAME = "audit.key"
GENESIS = "0" * 64
ACTION = re.compile(r"[a-z][a-z0-9 _-]{0,39}")
TRAINER = re.compile(r"[a-z][a-z0-9._-]{0,31}")  # workbench.users.NAME
DETAIL_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_DETAIL_KEYS = 20
MAX_STRING = 160
MAX_LIST = 50
Scalar = (type(None), bool, int, float, str)


class AuditError(ValueError):
    """A record that would not be written (a bad name, a detail that looks like text rather than an id)."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: float
    trainer: Optional[str]
    action: str
    conversation: Optional[str]  # the conversation's pseudonym (see conversation_ref)
    detail: Dict[str, Any] = field(default_factory=dict)
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> Dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "trainer": self.trainer, "action": self.action,
                "conversation": self.conversation, "detail": self.detail, "prev": self.prev}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    head: str  # the newest entry's hash (GENESIS for an empty log)
    broken_at: Optional[int] = None  # 1-based line number of the first line that does not fit the chain
    reason: str = ""


def chain_hash(body: Dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def clean_detail(detail: Dict[str, Any]) -> Dict[str, Any]:
    """Ids, counts, names, commits and flags only: short single-line strings, numbers, booleans, short lists
    of them. A long string is refused rather than cut: it is probably text, which the audit never holds."""
    if len(detail) > MAX_DETAIL_KEYS:
        raise AuditError(f"at most {MAX_DETAIL_KEYS} details")
    out: Dict[str, Any] = {}
    for key, value in detail.items():
        if not DETAIL_KEY.fullmatch(key):
            raise AuditError(f"bad detail name {key[:40]!r}")
        values = value if isinstance(value, (list, tuple)) else None
        if values is not None and len(values) > MAX_LIST:
            raise AuditError(f"detail {key}: at most {MAX_LIST} values")
        cleaned = []
        for v in values if values is not None else [value]:
            if not isinstance(v, Scalar):
                raise AuditError(f"detail {key}: only strings, numbers, booleans and lists of them")
            if isinstance(v, str):
                if len(v) > MAX_STRING:
                    raise AuditError(f"detail {key}: longer than {MAX_STRING} characters (the audit never holds text)")
                v = visible(v)
            cleaned.append(v)
        out[key] = cleaned if values is not None else cleaned[0]
    return out


class AuditLog:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.path = state / LOG_NAME
        self._key: Optional[bytes] = None
        self._verified: Tuple[int, Optional[Verdict]] = (-1, None)

    # --- the conversation's pseudonym ----------------------------------------------------------------------
    def _secret(self) -> bytes:
        if self._key is None:
            private_dir(self.state)
            path = self.state / KEY_NAME
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32) + "\n")
            except FileExistsError:
                pass
            for _ in range(50):  # another process may have created it an instant ago and still be writing
                text = path.read_text().strip()
                if len(text) == 64:
                    break
                time.sleep(0.01)
            self._key = bytes.fromhex(text)
        return self._key

    def conversation_ref(self, conversation_id: str) -> str:
        mac = hmac.new(self._secret(), conversation_id.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return "c-" + mac.hexdigest()[:16]

    # --- writing -------------------------------------------------------------------------------------------
    def record(self, trainer: Optional[str], action: str, conversation_id: Optional[str] = None, **detail: Any) -> Entry:
        """Appends one entry; `trainer` is a workbench user name (None: not a trainer, e.g. the chat user)."""
        if trainer is not None and not TRAINER.fullmatch(trainer):
            raise AuditError(f"bad trainer name {trainer[:40]!r}")
        if not ACTION.fullmatch(action or ""):
            raise AuditError(f"bad action {str(action)[:40]!r}: lower-case words, at most 40 characters")
        details = clean_detail(detail)
        ref = self.conversation_ref(conversation_id) if conversation_id is not None else None
        private_dir(self.state)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            seq, prev = self._last()
            entry = Entry(seq + 1, round(time.time(), 3), trainer, action, ref, details, prev)
            body = entry.body()
            line = json.dumps({**body, "hash": chain_hash(body)}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock
        return Entry(**{**body, "hash": chain_hash(body)})

    def _last(self) -> Tuple[int, str]:
        """(seq, hash) of the last line, (0, GENESIS) for an empty log."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return 0, GENESIS
        if size == 0:
            return 0, GENESIS
        with open(self.path, "rb") as f:
            chunk = b""
            pos = size
            while pos > 0 and chunk.count(b"\n") < 2:
                step = min(4096, pos)
                pos -= step
                f.seek(pos)
                chunk = f.read(step) + chunk
        last = chunk.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        data = json.loads(last)
        return int(data["seq"]), str(data["hash"])

    # --- reading -------------------------------------------------------------------------------------------
    def _lines(self) -> Iterable[bytes]:
        try:
            with open(self.path, "rb") as f:
                yield from f
        except FileNotFoundError:
            return

    def entries(self) -> List[Entry]:
        """Every entry that parses, oldest first (verify() says whether they form an unbroken chain)."""
        out: List[Entry] = []
        for raw in self._lines():
            try:
                data = json.loads(raw)
                out.append(Entry(int(data["seq"]), float(data["at"]), data["trainer"], str(data["action"]),
                                 data["conversation"], dict(data["detail"]), str(data["prev"]), str(data["hash"])))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def verify(self) -> Verdict:
        size = self.path.stat().st_size if self.path.exists() else 0
        if self._verified[0] == size and self._verified[1] is not None:
            return self._verified[1]
        prev, count = GENESIS, 0
        verdict: Optional[Verdict] = None
        for number, raw in enumerate(self._lines(), start=1):
            try:
                data = json.loads(raw)
                given = data.pop("hash")
                fields = {"seq", "at", "trainer", "action", "conversation", "detail", "prev"}
                if set(data) != fields:
                    raise ValueError("unexpected fields")
            except (ValueError, KeyError, TypeError, AttributeError):
                verdict = Verdict(False, count, prev, number, "not an audit entry")
                break
            if data["seq"] != number:
                verdict = Verdict(False, count, prev, number, f"sequence number {data['seq']} where {number} was due")
                break
            if data["prev"] != prev:
                verdict = Verdict(False, count, prev, number, "does not follow the line before it")
                break
            if chain_hash(data) != given:
                verdict = Verdict(False, count, prev, number, "its content does not match its hash (edited)")
                break
            prev, count = given, count + 1
        verdict = verdict or Verdict(True, count, prev)
        self._verified = (size, verdict)
        return verdict

    def page(self, number: int, size: int = 50, trainer: Optional[str] = None) -> Tuple[List[Entry], int]:
        """Newest first: the entries of page `number` (1-based) and how many entries there are in all."""
        every = [e for e in reversed(self.entries()) if trainer is None or e.trainer == trainer]
        start = max(number - 1, 0) * size
        return every[start:start + size], len(every)


_default: Optional[AuditLog] = None


def configure(state: Path) -> AuditLog:
    """Where `record()` writes: the workbench's state folder (the workbench calls this when it starts)."""
    global _default
    _default = AuditLog(state)
    return _default


def default() -> AuditLog:
    """The configured log, else `.workbench/` of the project this code is in (for commands run outside the
    workbench, e.g. `make forget`)."""
    return _default or configure(Path(__file__).resolve().parents[1] / ".workbench")


def record(trainer: Optional[str], action: str, conversation_id: Optional[str] = None, **detail: Any) -> Entry:
    """Appends an entry to the audit log: who (a workbench user name, or None), what, which conversation, and
    details that are ids, counts or names — never message text."""
    return default().record(trainer, action, conversation_id, **detail)


def conversation_ref(conversation_id: str) -> str:
    return default().conversation_ref(conversation_id)
