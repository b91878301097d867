"""Rasa's SQL tracker store (SQLite for `make run`, PostgreSQL for the cluster) with two additions.

1. **Reconnects by itself.** Rasa wraps every tracker store in `FailSafeTrackerStore`: when a read
   fails it carries on with an *empty* tracker. After a PostgreSQL restart, every pooled connection
   is dead, so without a check the first message of each pooled connection would start the user's
   conversation from scratch. `pool_pre_ping` tests a connection before handing it out and opens a
   new one when the server went away.
2. **Conversations expire.** Every `sweep_seconds` (at most; checked when a tracker is saved), the
   store deletes every conversation whose last event is older than `ttl_seconds`. `ttl_seconds: 0`
   keeps conversations forever. Several replicas may sweep at once: the delete is idempotent.

Configured in the endpoints file (`persistence.endpoints` writes it):

    tracker_store:
      type: persistence.tracker_store.AdvisorTrackerStore
      dialect: sqlite            # or postgresql with url/port/db/username/password
      db: /path/to/conversations.db
      ttl_seconds: 2592000
      sweep_seconds: 3600
"""
from __future__ import annotations

import logging
import time
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

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

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        due = self._last_sweep is None or time.monotonic() - self._last_sweep >= self.sweep_seconds
        if self.ttl_seconds > 0 and due:
            self._last_sweep = time.monotonic()
            try:
                self.delete_idle(time.time() - self.ttl_seconds)
            except sa.exc.SQLAlchemyError as e:  # a failed sweep must never cost the user's message
                logger.warning(f"Could not delete expired conversations: {e}")

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
