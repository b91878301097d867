"""Rasa's SQL tracker store (SQLite for `make run`, PostgreSQL for the cluster) with two additions.

1. **Reconnects by itself.** Rasa wraps every tracker store in `FailSafeTrackerStore`: when a read
   fails it carries on with an *empty* tracker. After a PostgreSQL restart, every pooled connection
   is dead, so without a check the first message of each pooled connection would start the user's
   conversation from scratch. `pool_pre_ping` tests a connection before handing it out and opens a
   new one when the server went away.
2. **Conversations expire.** Every `sweep_seconds` (at most; checked when a tracker is saved), the
   store deletes every conversation whose last event is older than `ttl_seconds`, in a worker thread
   (never on the event loop). `ttl_seconds: 0` keeps conversations forever. Several replicas may sweep
   at once: the delete is idempotent.
3. **Private and strict.** A SQLite database (and its -wal/-shm files) is made readable by its owner
   only at start; a conversation id no database can hold is refused with an ordinary error.
4. **No personal data written.** Every event is written redacted (advisor.privacy.redact_event: a user
   event's text, parse data and entities, a slot's strings): the second layer behind the UserMessage patch,
   for events that reach the store some other way (the HTTP API's `POST /conversations/<id>/tracker/events`).
5. **Erasure.** A tracker carrying the `forget_confirmed` slot (action_forget_me, after the user confirmed
   "forget me") is not saved: the conversation is erased instead (:meth:`AdvisorTrackerStore.erase`: its rows
   in every table of persistence/retention.yml, and the workbench's reviews and inbox marks of it when the
   workbench's database is on this machine), and the erasure is logged without content. Rasa saves the
   tracker after the action ran, so this is where the deletion must happen: anywhere earlier, the save
   would write the conversation back.

Configured in the endpoints file (`persistence.endpoints` writes it):

    tracker_store:
      type: persistence.tracker_store.AdvisorTrackerStore
      dialect: sqlite            # or postgresql with url/port/db/username/password
      db: /path/to/conversations.db
      ttl_seconds: 2592000
      sweep_seconds: 3600
      workbench_db: /path/to/.workbench/workbench.db   # optional; default: the project's
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from advisor.patches import StoreValueError
from advisor.privacy import redact_event
from persistence import erasure, retention
from persistence.endpoints import DEFAULT_SWEEP_SECONDS, DEFAULT_TTL_SECONDS

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead log: a commit is one append instead of a rewritten journal and several fsyncs.
    `synchronous=NORMAL` with WAL survives a crash of the Rasa process (a power cut may lose the
    last turns, never corrupt the file)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_private(db: Path) -> None:
    """The SQLite database, its write-ahead log and shared-memory file readable by their owner only
    (conversations are personal data; an older run may have created them with the default umask)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(db.parent, 0o700)
    if not db.exists():  # created now with mode 600, whatever the process's umask
        os.close(os.open(db, os.O_CREAT | os.O_WRONLY, 0o600))
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            os.chmod(path, 0o600)


def check_storable(sender_id: object) -> None:
    """Refuses a conversation id no database can hold (text that is not UTF-8 encodable, a NUL, or too
    long): the channels refuse such ids with a 400 before; this is the store's own check."""
    if not isinstance(sender_id, str) or len(sender_id) > 255 or "\x00" in sender_id:
        raise StoreValueError("a conversation id the tracker store cannot hold")
    try:
        sender_id.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreValueError("a conversation id the tracker store cannot hold") from None


class AdvisorTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: str = "sqlite",
        host: Optional[str] = None,
        port: Optional[int] = None,
        db: str = "rasa.db",
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        login_db: Optional[str] = None,
        query: Optional[dict] = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        sweep_seconds: float = DEFAULT_SWEEP_SECONDS,
        workbench_db: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, dialect, host, port, db, username, password,
                         event_broker, login_db, query, **kwargs)
        old: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = old.url
        old.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.ttl_seconds = float(ttl_seconds)
        self.sweep_seconds = float(sweep_seconds)
        self._last_sweep: Optional[float] = None  # the first save after a start sweeps
        self._sweep: Optional[asyncio.Future] = None
        if self.engine.dialect.name == "sqlite" and url.database:
            make_private(Path(url.database))
        # The trainers' workbench keeps reviews and inbox marks in its own SQLite file; erased with the
        # conversation when it is on this machine (else the workbench drops them at its next read).
        self.workbench_db = Path(workbench_db) if workbench_db else erasure.DEFAULT_WORKBENCH_DB
        # Erasures and expiry sweeps are always logged (counts, never content): Rasa sets only its own
        # loggers' level and leaves the root logger at WARNING once the server runs, which hid them.
        if logger.level == logging.NOTSET:  # an operator's explicit level is kept
            logger.setLevel(logging.INFO)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        check_storable(sender_id)
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        check_storable(tracker.sender_id)
        if erasure.forget_requested(tracker.events):
            try:
                self.erase(tracker.sender_id, reason="the user's request")
            except sa.exc.SQLAlchemyError as e:  # nothing is saved either way; the TTL deletes it later
                logger.error("conversation %s could not be erased: %s", _log_id(tracker.sender_id), type(e).__name__)
            return
        await self._save_redacted(tracker)
        due = self._last_sweep is None or time.monotonic() - self._last_sweep >= self.sweep_seconds
        if self.ttl_seconds > 0 and due and (self._sweep is None or self._sweep.done()):
            # Off the event loop: a sweep over a large store must not hold up anyone's message.
            self._last_sweep = time.monotonic()
            loop = asyncio.get_running_loop()
            self._sweep = loop.run_in_executor(None, self._sweep_now, time.time() - self.ttl_seconds)

    def _sweep_now(self, cutoff: float) -> int:
        try:
            return self.delete_idle(cutoff)
        except sa.exc.SQLAlchemyError as e:  # a failed sweep must never cost the user's message
            logger.warning(f"Could not delete expired conversations: {type(e).__name__}")
            return 0

    def delete_idle(self, cutoff: float) -> int:
        """Deletes every conversation whose last event is older than `cutoff` (a Unix time)."""
        events = self.SQLEvent.__table__
        idle = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < cutoff))
        with self.engine.begin() as conn:
            senders = [row[0] for row in conn.execute(idle)]
            for i in range(0, len(senders), 500):
                conn.execute(events.delete().where(events.c.sender_id.in_(senders[i:i + 500])))
        if senders:
            logger.info(f"Deleted {len(senders)} conversation(s) idle for more than {self.ttl_seconds:.0f} s.")
        return len(senders)

    async def _save_redacted(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` with every event written through advisor.privacy.redact_event."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = redact_event(event.as_dict())
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            session.commit()

    def erase(self, sender_id: str, reason: str) -> Dict[str, int]:
        """Deletes everything kept about one conversation (:func:`erase_conversation`)."""
        return erase_conversation(self, sender_id, reason, self.workbench_db)

    def conversation_events(self, sender_id: str) -> List[Dict[str, Any]]:
        """Every stored event of one conversation, all sessions, in order (for an export)."""
        return conversation_events(self, sender_id)


def sql_store(store: Any) -> SQLTrackerStore:
    """The SQL tracker store inside Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore)."""
    seen = 0
    while not isinstance(store, SQLTrackerStore) and seen < 5:
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
        seen += 1
    if not isinstance(store, SQLTrackerStore):
        raise TypeError("erasure and export need an SQL tracker store (SQLite or PostgreSQL)")
    return store


def erase_conversation(store: Any, sender_id: str, reason: str, workbench_db: Optional[Path]) -> Dict[str, int]:
    """Deletes everything kept about one conversation from an SQL tracker store: its rows in every table of
    persistence/retention.yml that exists, and the workbench's reviews and inbox marks of it (`workbench_db`,
    when that file exists). Returns the rows deleted per place; logs the counts, never content."""
    check_storable(sender_id)
    sql = sql_store(store)
    events = sql.SQLEvent.__table__
    with sql.engine.begin() as conn:
        user_rows = conn.execute(sa.select(events.c.data).where(
            events.c.sender_id == sender_id, events.c.type_name == "user")).fetchall()
        counts = erasure.delete_rows(conn, sender_id, retention.load().conversation_tables)
    counts["workbench"] = erasure.erase_from_workbench(
        workbench_db, sender_id, erasure.user_messages([row[0] for row in user_rows]))
    logger.info("conversation %s erased on %s: %s", _log_id(sender_id), reason,
                ", ".join(f"{n} {where}" for where, n in counts.items()))
    return counts


def conversation_events(store: Any, sender_id: str) -> List[Dict[str, Any]]:
    """Every stored event of one conversation in an SQL tracker store, all sessions, in order."""
    check_storable(sender_id)
    sql = sql_store(store)
    events = sql.SQLEvent.__table__
    with sql.engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.data).where(events.c.sender_id == sender_id)
                            .order_by(events.c.id)).fetchall()
    return [json.loads(row[0]) for row in rows]


def _log_id(conversation_id: Any) -> str:
    from channels.ids import log_id

    return log_id(conversation_id)
