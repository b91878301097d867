"""The workbench's own small SQLite file (git-ignored): conversations marked reviewed, notes, and the inbox
messages already annotated or dismissed. It never writes to the tracker store."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Dict, Iterable, Optional, Sequence, Set, Tuple

from workbench.safe import private_dir, private_file

MAX_NOTE_CHARS = 5000
SCHEMA = """
create table if not exists reviews (conversation_id text primary key, reviewed integer not null default 0,
                                    note text not null default '', updated real not null);
create table if not exists inbox (message_key text primary key, status text not null, detail text not null default '',
                                  updated real not null);
"""


class Reviews:
    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path.parent)
        private_file(path)  # a database made before this version was world-readable
        with self._db() as db:
            db.executescript(SCHEMA)
        private_file(path)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def get(self, conversation_id: str) -> Tuple[bool, str]:
        with self._db() as db:
            row = db.execute("select reviewed, note from reviews where conversation_id = ?", (conversation_id,)).fetchone()
        return (bool(row[0]), row[1]) if row else (False, "")

    def all(self) -> Dict[str, Tuple[bool, str]]:
        with self._db() as db:
            return {r[0]: (bool(r[1]), r[2]) for r in db.execute("select conversation_id, reviewed, note from reviews")}

    def of(self, conversation_ids: Iterable[str]) -> Dict[str, Tuple[bool, str]]:
        """The reviews of these conversations (those that have one)."""
        ids = list(conversation_ids)
        out: Dict[str, Tuple[bool, str]] = {}
        with self._db() as db:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                out.update({r[0]: (bool(r[1]), r[2]) for r in db.execute(
                    f"select conversation_id, reviewed, note from reviews where conversation_id in ({marks})", chunk)})
        return out

    def set(self, conversation_id: str, reviewed: bool, note: str) -> None:
        with self._db() as db:
            db.execute(
                "insert into reviews values (?, ?, ?, ?) on conflict(conversation_id) do update set "
                "reviewed = excluded.reviewed, note = excluded.note, updated = excluded.updated",
                (conversation_id, int(reviewed), note[:MAX_NOTE_CHARS], time.time()),
            )

    def handled(self) -> Set[str]:
        with self._db() as db:
            return {r[0] for r in db.execute("select message_key from inbox")}

    def mark(self, message_key: str, status: str, detail: str = "") -> None:
        with self._db() as db:
            db.execute("insert or replace into inbox values (?, ?, ?, ?)", (message_key, status, detail, time.time()))

    def status(self, message_key: str) -> Optional[str]:
        with self._db() as db:
            row = db.execute("select status from inbox where message_key = ?", (message_key,)).fetchone()
        return row[0] if row else None

    def forget(self, conversation_id: str, messages: Sequence[Tuple[float, str]]) -> int:
        """Deletes the review of a conversation and the inbox marks of its user messages ((timestamp,
        text) as stored); rows deleted (erasure on request, PRIVACY.md)."""
        from workbench.inbox import message_key

        keys = [message_key(conversation_id, ts, text) for ts, text in messages]
        with self._db() as db:
            deleted = db.execute("delete from reviews where conversation_id = ?", (conversation_id,)).rowcount
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                deleted += db.execute(f"delete from inbox where message_key in ({','.join('?' * len(chunk))})",
                                      chunk).rowcount
        return deleted

    def prune(self, conversation_ids: Iterable[str], message_keys: Iterable[str]) -> int:
        """Deletes the reviews and inbox marks of conversations the tracker store no longer holds (erased,
        or expired after the TTL): given every conversation id and user-message key the store holds now."""
        ids, keys = set(conversation_ids), set(message_keys)
        with self._db() as db:
            gone_reviews = [r[0] for r in db.execute("select conversation_id from reviews") if r[0] not in ids]
            gone_marks = [r[0] for r in db.execute("select message_key from inbox") if r[0] not in keys]
            for cid in gone_reviews:
                db.execute("delete from reviews where conversation_id = ?", (cid,))
            for key in gone_marks:
                db.execute("delete from inbox where message_key = ?", (key,))
        return len(gone_reviews) + len(gone_marks)

    def marked(self) -> Tuple[Set[str], Set[str]]:
        """The conversation ids with a review and the message keys with an inbox mark."""
        with self._db() as db:
            return ({r[0] for r in db.execute("select conversation_id from reviews")},
                    {r[0] for r in db.execute("select message_key from inbox")})

    def drop(self, conversation_ids: Iterable[str], message_keys: Iterable[str]) -> int:
        """Deletes the reviews of these conversations and these inbox marks; rows deleted."""
        n = 0
        with self._db() as db:
            for cid in conversation_ids:
                n += db.execute("delete from reviews where conversation_id = ?", (cid,)).rowcount
            for key in message_keys:
                n += db.execute("delete from inbox where message_key = ?", (key,)).rowcount
        return n
