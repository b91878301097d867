"""Rasa's SQL tracker store (SQLite for `make run`, PostgreSQL for the cluster) with two additions.

1. **Reconnects by itself.** Rasa wraps every tracker store in `FailSafeTrackerStore`: when a read
   fails it carries on with an *empty* tracker. After a PostgreSQL restart, every pooled connection
   is dead, so without a check the first message of each pooled connection would start the user's
   conversation from scratch. `pool_pre_ping` tests a connection before handing it out and opens a
   new one when the server went away.
2. **Conversations expire.** Every `sweep_seconds`, on a schedule of its own (a thread started with the
   store: never inside a message's save, never on the event loop), the store deletes every conversation
   whose last event is older than `ttl_seconds` (its events and the workbench index's rows of it).
   `ttl_seconds: 0` keeps conversations forever. Several replicas may sweep at once: the delete is idempotent.
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

6. **A cache of the trackers this process serves** (`cache_size` conversations, least recently used out;
   0 turns it off). A retrieve compares the conversation's version in the database (its number of events
   and highest event id: one indexed query) with the cached one and rebuilds the tracker from the cached
   events when they match, else reads the database as Rasa does; a save writes through, skips Rasa's
   count query when the cache is current, and caches the events as the database now holds them (redacted,
   the latest session). Another process's write, an erasure or the sweep changes the version: the next
   retrieve reads the database again. Erasure drops the cached copy at once.
7. **Indexes** for the sweep (events by conversation and time), for the workbench and the Live page (events
   by type and intent): created when missing, so an existing database is upgraded in place at start.

Configured in the endpoints file (`persistence.endpoints` writes it):

    tracker_store:
      type: persistence.tracker_store.AdvisorTrackerStore
      dialect: sqlite            # or postgresql with url/port/db/username/password
      db: /path/to/conversations.db
      ttl_seconds: 2592000
      sweep_seconds: 3600
      workbench_db: /path/to/.workbench/workbench.db   # optional; default: the project's
      cache_size: 500            # optional; trackers kept in memory (0: none)
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from advisor.patches import StoreValueError
from advisor.privacy import redact_event
from persistence import erasure, retention
from persistence.endpoints import DEFAULT_SWEEP_SECONDS, DEFAULT_TTL_SECONDS

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 500  # the conversations active at once in one process: memory stays bounded
# Indexes on Rasa's events table (name, columns): the sweep's max(timestamp) per conversation reads the first
# from the index alone; the Live page's pause/resume scan and the dashboard's counts per intent the second.
EVENT_INDEXES = (("ix_events_sender_ts", ("sender_id", "timestamp")),
                 ("ix_events_type_intent", ("type_name", "intent_name")))
# The workbench's index of conversations (workbench/index.py), deleted with a conversation by the sweep.
INDEX_TABLES = (("conversation_summaries", "sender_id"), ("conversation_turns", "sender_id"))
Version = Tuple[int, int]  # a conversation's number of events and highest event id


@dataclass
class Cached:
    version: Version
    events: List[Event]  # the latest session, as the database holds it


def latest_session(events: List[Event]) -> List[Event]:
    """The events Rasa's SQL store returns for the latest session: those at or after the last SessionStarted's
    timestamp (all of them without one), as its query selects them."""
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    if not starts:
        return list(events)
    cut = max(starts)
    return [e for e in events if e.timestamp >= cut]


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
        cache_size: int = DEFAULT_CACHE_SIZE,
        role: str = "server",
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, dialect, host, port, db, username, password,
                         event_broker, login_db, query, **kwargs)
        old: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = old.url
        old.dispose()
        kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens and closes a SQLite file's connection for every session (NullPool): a
            # connect and the pragmas below on every retrieve and save. Pooled connections are kept instead
            # (a connection is used by one thread at a time; the sweep thread takes its own).
            kwargs.update(poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
                          connect_args={"check_same_thread": False})
        self.engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.ttl_seconds = float(ttl_seconds)
        self.sweep_seconds = float(sweep_seconds)
        # The workbench opens the store as a reader: no sweep, no cache (it reads other processes' writes).
        self.reader = role == "reader"
        self.cache_size = 0 if self.reader else max(0, int(cache_size))
        self._cache: "OrderedDict[str, Cached]" = OrderedDict()
        self.cache_hits = self.cache_misses = 0
        if self.engine.dialect.name == "sqlite" and url.database:
            make_private(Path(url.database))
        self.add_indexes()
        self._stop = threading.Event()
        self._sweeper: Optional[threading.Thread] = None
        if self.ttl_seconds > 0 and not self.reader:
            self._sweeper = threading.Thread(target=self._sweep_loop, name="tracker-store-sweep", daemon=True)
            self._sweeper.start()
        # The trainers' workbench keeps reviews and inbox marks in its own SQLite file; erased with the
        # conversation when it is on this machine (else the workbench drops them at its next read).
        self.workbench_db = Path(workbench_db) if workbench_db else erasure.DEFAULT_WORKBENCH_DB
        # Erasures and expiry sweeps are always logged (counts, never content): Rasa sets only its own
        # loggers' level and leaves the root logger at WARNING once the server runs, which hid them.
        if logger.level == logging.NOTSET:  # an operator's explicit level is kept
            logger.setLevel(logging.INFO)

    # --- indexes -------------------------------------------------------------------------------------------
    def add_indexes(self) -> None:
        """Creates the events table's extra indexes when missing (an existing database is upgraded in place;
        several replicas starting at once may race: a loser's error is harmless)."""
        for name, cols in EVENT_INDEXES:
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({', '.join(cols)})"))
            except sa.exc.SQLAlchemyError as e:
                logger.warning("index %s not created: %s", name, type(e).__name__)

    # --- the expiry sweep, on its own schedule -------------------------------------------------------------
    def _sweep_loop(self) -> None:
        """Sweeps at start, then every `sweep_seconds` (a thread: a sweep over a large store holds up no message)."""
        while not self._stop.is_set():
            self.sweep_now()
            if self._stop.wait(max(self.sweep_seconds, 0.5)):
                break

    def sweep_now(self) -> int:
        try:
            return self.delete_idle(time.time() - self.ttl_seconds)
        except sa.exc.SQLAlchemyError as e:  # a failed sweep must never cost anyone's message
            logger.warning(f"Could not delete expired conversations: {type(e).__name__}")
            return 0

    def close(self) -> None:
        """Stops the sweep thread and closes the connections (tests; Rasa never closes its store)."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=30)
        self.engine.dispose()

    # --- the cache ---------------------------------------------------------------------------------------
    def version(self, session: Any, sender_id: str) -> Version:
        events = self.SQLEvent.__table__
        row = session.execute(sa.select(sa.func.count(), sa.func.max(events.c.id))
                              .where(events.c.sender_id == sender_id)).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def forget_cached(self, sender_id: str) -> None:
        self._cache.pop(sender_id, None)

    def _remember(self, sender_id: str, entry: Cached) -> None:
        if self.cache_size <= 0:
            return
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        check_storable(sender_id)
        if self.cache_size <= 0:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            version = self.version(session, sender_id)
            cached = self._cache.get(sender_id)
            if cached is not None and cached.version == version and version[0] > 0:
                self.cache_hits += 1
                self._cache.move_to_end(sender_id)
                return DialogueStateTracker.from_events(sender_id, list(cached.events),
                                                        self.domain.slots if self.domain else None)
            self.cache_misses += 1
            self._cache.pop(sender_id, None)
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows or not self.domain:
            return None
        # The version was read first: a write in between makes it older than these events, so the next
        # retrieve reads again (never the other way round).
        from rasa.shared.core import events as rasa_events

        evs = rasa_events.deserialise_events([json.loads(r.data) for r in rows])
        self._remember(sender_id, Cached(version, evs))
        return DialogueStateTracker.from_events(sender_id, list(evs), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        check_storable(tracker.sender_id)
        if erasure.forget_requested(tracker.events):
            self.forget_cached(tracker.sender_id)
            try:
                self.erase(tracker.sender_id, reason="the user's request")
            except sa.exc.SQLAlchemyError as e:  # nothing is saved either way; the TTL deletes it later
                logger.error("conversation %s could not be erased: %s", _log_id(tracker.sender_id), type(e).__name__)
            return
        await self._save_redacted(tracker)

    def delete_idle(self, cutoff: float) -> int:
        """Deletes every conversation whose last event is older than `cutoff` (a Unix time)."""
        events = self.SQLEvent.__table__
        idle = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < cutoff))
        with self.engine.begin() as conn:
            senders = [row[0] for row in conn.execute(idle)]
            existing = set(sa.inspect(conn).get_table_names())
            tables = [(t, c) for t, c in INDEX_TABLES if t in existing]
            for i in range(0, len(senders), 500):
                chunk = senders[i:i + 500]
                conn.execute(events.delete().where(events.c.sender_id.in_(chunk)))
                for table, column in tables:
                    conn.execute(sa.table(table, sa.column(column)).delete().where(sa.column(column).in_(chunk)))
        for sender in senders:
            self.forget_cached(sender)
        if senders:
            logger.info(f"Deleted {len(senders)} conversation(s) idle for more than {self.ttl_seconds:.0f} s.")
        return len(senders)

    async def _save_redacted(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` with every event written through advisor.privacy.redact_event;
        the cache written through (the events as the database now holds them)."""
        from rasa.shared.core import events as rasa_events

        await self.stream_events(tracker)
        sid = tracker.sender_id
        with self.session_scope() as session:
            cached = self._cache.get(sid) if self.cache_size > 0 else None
            before = self.version(session, sid) if self.cache_size > 0 else (0, 0)
            current = cached is not None and cached.version == before and \
                len(tracker.events) >= len(cached.events) and \
                all(a is b for a, b in zip(cached.events, tracker.events, strict=False))
            if current:
                assert cached is not None
                new = list(tracker.events)[len(cached.events):]  # Rasa's count query, answered by the cache
            else:
                new = list(self._additional_events(session, tracker))
            rows, stored = [], []
            for event in new:
                data = redact_event(event.as_dict())
                row = self.SQLEvent(
                    sender_id=sid,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
                session.add(row)
                rows.append(row)
                stored.append(data)
            session.flush()
            ids = [int(r.id) for r in rows]  # known after the flush (after the commit, each would be a query)
            session.commit()
            if self.cache_size <= 0:
                return
            if not (current or (cached is None and before[0] == 0)):
                self._cache.pop(sid, None)  # not known to match the database: the next retrieve reads it
                return
            # The database now holds the cached events plus these (as read back: JSON, redacted): a version
            # made of ours only, so a write by anyone else in between shows as a mismatch.
            old = cached.events if cached is not None else []
            evs = old + rasa_events.deserialise_events(json.loads(json.dumps(stored)))
            top = max([before[1]] + ids)
            self._remember(sid, Cached((before[0] + len(rows), top), latest_session(evs)))

    def erase(self, sender_id: str, reason: str) -> Dict[str, int]:
        """Deletes everything kept about one conversation (:func:`erase_conversation`), the cached copy first."""
        self.forget_cached(sender_id)
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
    if isinstance(sql, AdvisorTrackerStore):
        sql.forget_cached(sender_id)
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
