"""The workbench's own small SQLite file (git-ignored): conversations marked reviewed, notes, and the inbox
messages already annotated or dismissed. It never writes to the tracker store."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Dict, Optional, Set, Tuple

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
