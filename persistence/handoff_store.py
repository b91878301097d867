"""What the handoff keeps beside the tracker store, in the same database (SQLite or PostgreSQL, through the
same SQLAlchemy engine): the messages users leave when nobody is on duty (with an e-mail address only when they
said yes to giving one) and the workbench's on-duty switch. Kept apart from the conversations on purpose: a
message and its address are deleted when a trainer marks it done, whatever happens to the conversation.

Also here: which conversations are paused for a person (from the tracker store's own `events` table).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

METADATA = sa.MetaData()
MESSAGES = sa.Table(
    "handoff_messages", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ref", sa.String(32), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("email", sa.String(254)),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("done_at", sa.Float),
    sa.Column("done_by", sa.String(60)),
)
SETTINGS = sa.Table(
    "handoff_settings", METADATA,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
# Who took a waiting conversation: one row per (conversation, waiting episode), the primary key makes the first
# trainer's claim the only one, across processes and replicas (Rasa's Redis lock store issues its tickets with a
# read-then-write, which two replicas can interleave).
CLAIMS = sa.Table(
    "handoff_claims", METADATA,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("episode", sa.String(64), primary_key=True),
    sa.Column("trainer", sa.String(60), nullable=False),
    sa.Column("claimed", sa.Float, nullable=False),
)
MAX_MESSAGE = 2000
ON_DUTY_KEY = "on_duty"


@dataclass(frozen=True)
class LeftMessage:
    ref: str
    conversation_id: str
    channel: str
    message: str
    email: Optional[str]
    created: float


def sqlite_engine(path: str) -> sa.engine.Engine:
    """A private SQLite database for the handoff tables when the tracker store is not SQL (tests' in-memory store)."""
    from pathlib import Path

    from persistence.tracker_store import make_private

    make_private(Path(path))
    return sa.create_engine(f"sqlite:///{path}")


def create_tables(engine: sa.engine.Engine, attempts: int = 3) -> None:
    """The handoff tables, if missing. Two replicas starting at once on a fresh PostgreSQL both see a table
    missing and both create it: the second CREATE fails (a unique violation in pg_type) and stopped that
    replica at its start (seen in the failure-under-load runs). The loser tries again and then finds it."""
    for attempt in range(attempts):
        try:
            METADATA.create_all(engine, checkfirst=True)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


class HandoffStore:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        create_tables(engine)

    # --- messages left when nobody is on duty ---------------------------------------------------------
    def add_message(self, ref: str, conversation_id: str, channel: str, message: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(MESSAGES.insert().values(ref=ref, conversation_id=conversation_id, channel=channel[:32],
                                                  message=message[:MAX_MESSAGE], created=time.time()))

    def set_email(self, ref: str, email: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(MESSAGES.update().where(MESSAGES.c.ref == ref).where(MESSAGES.c.done_at.is_(None))
                                  .values(email=email[:254]))
            return bool(result.rowcount)

    def open_messages(self, limit: int = 500) -> List[LeftMessage]:
        query = (sa.select(MESSAGES.c.ref, MESSAGES.c.conversation_id, MESSAGES.c.channel, MESSAGES.c.message,
                           MESSAGES.c.email, MESSAGES.c.created)
                 .where(MESSAGES.c.done_at.is_(None)).order_by(MESSAGES.c.created).limit(limit))
        with self.engine.connect() as conn:
            return [LeftMessage(*row) for row in conn.execute(query)]

    def mark_done(self, ref: str, trainer: str) -> bool:
        """Done: the message and the address are erased (kept: when, by whom, for the counts)."""
        with self.engine.begin() as conn:
            result = conn.execute(MESSAGES.update().where(MESSAGES.c.ref == ref).where(MESSAGES.c.done_at.is_(None))
                                  .values(done_at=time.time(), done_by=trainer[:60], message="", email=None))
            return bool(result.rowcount)

    def counts(self) -> Dict[str, int]:
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(MESSAGES)).scalar() or 0
            done = conn.execute(sa.select(sa.func.count()).select_from(MESSAGES)
                                .where(MESSAGES.c.done_at.is_not(None))).scalar() or 0
        return {"left": int(total), "done": int(done), "open": int(total - done)}

    # --- who takes a waiting conversation -------------------------------------------------------------
    def claim(self, conversation_id: str, episode: str, trainer: str) -> str:
        """The trainer who holds this waiting episode: `trainer` if they are the first to claim it."""
        try:
            with self.engine.begin() as conn:
                conn.execute(CLAIMS.insert().values(conversation_id=conversation_id, episode=episode[:64],
                                                    trainer=trainer[:60], claimed=time.time()))
            return trainer[:60]
        except sa.exc.IntegrityError:
            with self.engine.connect() as conn:
                holder = conn.execute(sa.select(CLAIMS.c.trainer).where(CLAIMS.c.conversation_id == conversation_id)
                                      .where(CLAIMS.c.episode == episode[:64])).scalar()
            return str(holder or "")

    # --- the on-duty switch ---------------------------------------------------------------------------
    def setting(self, key: str) -> Optional[str]:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(SETTINGS.c.value).where(SETTINGS.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(SETTINGS.update().where(SETTINGS.c.key == key)
                                   .values(value=value, updated=time.time())).rowcount
            if not updated:
                conn.execute(SETTINGS.insert().values(key=key, value=value, updated=time.time()))

    # --- paused conversations, from the tracker store's events table ----------------------------------
    def paused_conversations(self) -> List[str]:
        """Conversations whose latest pause/resume event is a pause (oldest first); [] without an events table."""
        if not sa.inspect(self.engine).has_table("events"):
            return []
        events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"))
        # Sorted here, not in SQL: ORDER BY id would lead SQLite to walk the whole table in id order instead of
        # the index on (type_name, ...) (persistence/tracker_store.py adds it): 0.6 s at 2 million events.
        query = sa.select(events.c.id, events.c.sender_id, events.c.type_name).where(
            events.c.type_name.in_(("pause", "resume")))
        latest: Dict[str, str] = {}
        with self.engine.connect() as conn:
            for _, sender, kind in sorted(conn.execute(query)):
                latest.pop(sender, None)
                latest[sender] = kind
        return [sender for sender, kind in latest.items() if kind == "pause"]


def engine_of(tracker_store: Any) -> Optional[sa.engine.Engine]:
    """The SQLAlchemy engine of a SQL tracker store, through Rasa's wrappers (FailSafeTrackerStore,
    AwaitableTrackerStore keep the store in `_tracker_store`), else None."""
    inner = tracker_store
    for _ in range(5):
        engine = getattr(inner, "engine", None)
        if isinstance(engine, sa.engine.Engine):
            return engine
        inner = getattr(inner, "_tracker_store", None) or getattr(inner, "tracker_store", None)
        if inner is None:
            return None
    return None
