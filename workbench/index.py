"""The workbench's index of the tracker store: one row per conversation (`conversation_summaries`) and one per
user message (`conversation_turns`), in the tracker store's own database (SQLite or PostgreSQL), so that every
page is a few SQL queries (newest first, paged, filtered in the database) instead of reading every tracker.

Kept up to date by catching up on Rasa's `events` table in id order (:meth:`ConversationIndex.refresh`): any
writer works (the advisor's store, a stock Rasa SQL store, the HTTP API), and the message path pays nothing.
Each conversation's row keeps the small state of a fold over its events (:func:`fold`), so new events are folded
in without reading the conversation again. Derived data only: the texts stay in `events`; erasure
(persistence/retention.yml lists both tables) and the expiry sweep (persistence/tracker_store.py) delete a
conversation's rows with its events.

PostgreSQL hands out ids before commit, so an event may commit after one with a higher id: each refresh looks
back LOOKBACK ids and folds what it had not seen (per conversation, by its last folded event id; the events of one
conversation are written under its lock, in order). One workbench process refreshes a store at a time.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Set, Tuple

import sqlalchemy as sa

from advisor.handoff_state import HELD, MESSAGE_STATES, WAITING
from workbench.analytics import ASK_INTENT, RECOMMEND_ACTION
from workbench.conversations import (
    FALLBACK_ACTIONS,
    FALLBACK_INTENT,
    FORM_NAME,
    FORM_SLOTS,
    ID_PREFIXES,
    RECOMMENDATION_SLOT,
    channel_of,
    intent_of,
)
from workbench.inbox import message_key

logger = logging.getLogger(__name__)

SUMMARIES, TURNS, META = "conversation_summaries", "conversation_turns", "conversation_index_meta"
LOOKBACK = 2000  # ids re-read at each refresh (events committed out of id order on PostgreSQL)
BATCH = 20000  # events folded per transaction
MAX_INTENTS_CHARS = 2000
DAY = 86400

metadata = sa.MetaData()
summaries = sa.Table(
    SUMMARIES, metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("channel", sa.String(64), nullable=False, default="unknown"),
    sa.Column("first_ts", sa.Float, nullable=False, default=0.0),
    sa.Column("last_ts", sa.Float, nullable=False, default=0.0),
    sa.Column("first_day", sa.Integer, nullable=False, default=0),  # days since 1970-01-01 (UTC) of first_ts
    sa.Column("n_events", sa.Integer, nullable=False, default=0),
    sa.Column("last_event_id", sa.Integer, nullable=False, default=0),
    sa.Column("user_messages", sa.Integer, nullable=False, default=0),
    sa.Column("bot_messages", sa.Integer, nullable=False, default=0),
    sa.Column("pre_bot", sa.Integer, nullable=False, default=0),  # bot messages before the first user message
    sa.Column("fallback_messages", sa.Integer, nullable=False, default=0),
    sa.Column("had_fallback", sa.Integer, nullable=False, default=0),
    sa.Column("intents", sa.Text, nullable=False, default=","),  # ",greet,ask_cost," in order of first use
    sa.Column("recommendation", sa.String(64)),  # the last one
    sa.Column("recs", sa.Text, nullable=False, default=","),  # ",csm,both,"
    sa.Column("rec_csm", sa.Integer, nullable=False, default=0),
    sa.Column("rec_cspo", sa.Integer, nullable=False, default=0),
    sa.Column("rec_both", sa.Integer, nullable=False, default=0),
    *[sa.Column(f"stage_{i}", sa.Integer, nullable=False, default=0) for i in range(6)],  # analytics.STAGES
    sa.Column("drop_off", sa.String(120)),
    sa.Column("votes", sa.Integer, nullable=False, default=0),
    sa.Column("ho_requests", sa.Integer, nullable=False, default=0),
    sa.Column("ho_answered", sa.Integer, nullable=False, default=0),
    sa.Column("ho_missed", sa.Integer, nullable=False, default=0),
    sa.Column("ho_waiting", sa.Integer, nullable=False, default=0),
    sa.Column("ho_offered", sa.Integer, nullable=False, default=0),
    sa.Column("ho_waits", sa.Text, nullable=False, default="[]"),
    sa.Column("state", sa.Text, nullable=False, default="{}"),
    sa.Index("ix_conversation_summaries_last_ts", "last_ts"),
    sa.Index("ix_conversation_summaries_votes", "votes"),
    sa.Index("ix_conversation_summaries_first_day", "first_day"),
)
turns = sa.Table(
    TURNS, metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),  # events.id of the user message
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("day", sa.Integer, nullable=False),
    sa.Column("msg_key", sa.String(20), nullable=False, index=True),  # workbench.inbox.message_key
    sa.Column("intent", sa.String(255), nullable=False, default=""),
    sa.Column("confidence", sa.Float, nullable=False, default=0.0),
    sa.Column("fell_back", sa.Integer, nullable=False, default=0),
    sa.Column("inbox", sa.Integer, nullable=False, default=0),  # text to understand (not empty, not a /payload)
    sa.Column("bot_replies", sa.Integer, nullable=False, default=0),
    sa.Column("latency", sa.Float),  # seconds to the first bot message after it; NULL while unanswered
    sa.Index("ix_conversation_turns_ts", "ts"),
    sa.Index("ix_conversation_turns_latency", "latency"),
    sa.Index("ix_conversation_turns_intent", "intent"),
)
meta = sa.Table(META, metadata, sa.Column("name", sa.String(40), primary_key=True), sa.Column("value", sa.Float))

events = sa.table("events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
                  sa.column("type_name", sa.String), sa.column("timestamp", sa.Float), sa.column("data", sa.Text),
                  sa.column("intent_name", sa.String))


# --- the fold (pure) -----------------------------------------------------------------------------------------
def new_state(conversation_id: str) -> Dict[str, Any]:
    return {"f": None, "l": 0.0, "n": 0, "id": 0, "u": 0, "b": 0, "pre": 0, "fb": 0, "hf": False, "int": [],
            "recs": {}, "rec": None, "asked": False, "ans": [], "pend": None, "recd": False, "recg": False,
            "link": False, "ut": None, "turn": None, "votes": 0, "ho": [0, 0, 0, 0], "ask": None, "waits": [],
            "ch": ID_PREFIXES.get(conversation_id.split(":", 1)[0]) if ":" in conversation_id else None}


@dataclass
class TurnRow:
    event_id: int
    ts: float
    key: str
    intent: str
    confidence: float
    fell_back: bool
    inbox: bool


@dataclass
class FoldOut:
    new_turns: List[TurnRow]
    replies: Dict[int, int]  # turn event id -> bot replies added
    latencies: Dict[int, float]  # turn event id -> latency, when its first reply came


def fold(conversation_id: str, state: Dict[str, Any], new_events: Iterable[Tuple[int, Mapping[str, Any]]],
         resource_url: str = "") -> FoldOut:
    """Folds (event id, event dict) pairs into a conversation's state (in place): the same figures as
    conversations.summarize, analytics.funnel_stages, handoff_stats.conversation_stats and the inbox's rules."""
    out = FoldOut([], {}, {})
    s = state
    for event_id, e in new_events:
        s["n"] += 1
        s["id"] = max(s["id"], int(event_id))
        kind = e.get("event")
        ts = float(e.get("timestamp") or 0)
        if e.get("timestamp"):
            s["f"] = ts if s["f"] is None else min(s["f"], ts)
            s["l"] = max(s["l"], ts)
        if kind == "user":
            s["u"] += 1
            name, conf = intent_of(e)
            fell_back = name == FALLBACK_INTENT
            if s["ch"] is None and e.get("input_channel"):
                s["ch"] = channel_of(conversation_id, [e])
            if fell_back:
                s["fb"] += 1
                s["hf"] = True
            if name not in s["int"] and sum(len(i) + 1 for i in s["int"]) < MAX_INTENTS_CHARS:
                s["int"].append(name)
            if name == ASK_INTENT:
                s["asked"] = True
            text = str(e.get("text") or "")
            out.new_turns.append(TurnRow(int(event_id), ts, message_key(conversation_id, ts, text), name, conf,
                                         fell_back, bool(text.strip()) and not text.startswith("/")))
            s["turn"], s["ut"] = int(event_id), ts
        elif kind == "bot":
            s["b"] += 1
            if s["turn"] is None:
                s["pre"] += 1
            else:
                out.replies[s["turn"]] = out.replies.get(s["turn"], 0) + 1
            if s["ut"] is not None:
                out.latencies[s["turn"]] = max(0.0, ts - s["ut"])
                s["ut"] = None
            if s["recg"] and resource_url and resource_url in str(e.get("text") or ""):
                s["link"] = True
        elif kind == "action":
            if e.get("name") in FALLBACK_ACTIONS:
                s["hf"] = True
            if e.get("name") == RECOMMEND_ACTION:
                s["recg"] = True
        elif kind == "active_loop" and e.get("name") == FORM_NAME:
            s["asked"] = True
        elif kind == "slot":
            _slot(s, e, ts)
    return out


def _slot(s: Dict[str, Any], e: Mapping[str, Any], ts: float) -> None:
    name, value = e.get("name"), e.get("value")
    if name in FORM_SLOTS and value not in (None, ""):
        if name not in s["ans"]:
            s["ans"].append(name)
    elif name == "requested_slot" and value:
        s["pend"] = value
    elif name == RECOMMENDATION_SLOT and value not in (None, ""):
        s["recd"] = True
        s["rec"] = str(value)
        s["recs"][str(value)] = s["recs"].get(str(value), 0) + 1
    elif name == "answer_feedback" and isinstance(value, Mapping) and value.get("vote") in ("up", "down"):
        s["votes"] += 1
    elif name == "handoff":
        ho = s["ho"]
        if value == WAITING:
            ho[0] += 1
            s["ask"] = ts
        elif value == HELD and s["ask"] is not None:
            ho[1] += 1
            s["waits"].append(max(0.0, ts - s["ask"]))
            s["waits"] = s["waits"][-50:]
            s["ask"] = None
        elif s["ask"] is not None:
            ho[2] += 1
            s["ask"] = None
        if value == MESSAGE_STATES[0]:
            ho[3] += 1


def columns(conversation_id: str, s: Mapping[str, Any]) -> Dict[str, Any]:
    """The summary row of a fold state."""
    first = float(s["f"] or 0.0)
    stages = [s["asked"]] + [s["asked"] and slot in s["ans"] for slot in FORM_SLOTS] + \
        [s["asked"] and s["recd"], s["asked"] and s["recd"] and s["link"]]
    drop = None
    if s["asked"] and not s["recd"]:
        drop = f"at the {s['pend']} question" if s["pend"] else "before the first question"
    recs = s["recs"]
    return {
        "sender_id": conversation_id, "channel": str(s["ch"] or "unknown")[:64], "first_ts": first,
        "last_ts": float(s["l"]), "first_day": int(first // DAY), "n_events": s["n"], "last_event_id": s["id"],
        "user_messages": s["u"], "bot_messages": s["b"], "pre_bot": s["pre"], "fallback_messages": s["fb"],
        "had_fallback": int(s["hf"]), "intents": "," + "".join(f"{i}," for i in s["int"]),
        "recommendation": (s["rec"] or None) and str(s["rec"])[:64], "recs": "," + "".join(f"{r}," for r in recs),
        "rec_csm": recs.get("csm", 0), "rec_cspo": recs.get("cspo", 0), "rec_both": recs.get("both", 0),
        **{f"stage_{i}": int(bool(v)) for i, v in enumerate(stages)},
        "drop_off": drop, "votes": s["votes"], "ho_requests": s["ho"][0], "ho_answered": s["ho"][1],
        "ho_missed": s["ho"][2], "ho_waiting": int(s["ask"] is not None), "ho_offered": s["ho"][3],
        "ho_waits": json.dumps(s["waits"]), "state": json.dumps(s, separators=(",", ":")),
    }


# --- keeping it up to date -------------------------------------------------------------------------------------
class ConversationIndex:
    def __init__(self, engine: sa.engine.Engine, resource_url: str = "") -> None:
        self.engine = engine
        self.resource_url = resource_url
        self._ready = False
        self.refreshed_at = 0.0

    def ensure(self) -> None:
        """Creates the tables (and their indexes) when missing: an existing store gets them in place."""
        if not self._ready:
            metadata.create_all(self.engine, checkfirst=True)
            for table in (summaries, turns):  # an index added in a later version, on tables made before it
                for ix in table.indexes:
                    ix.create(self.engine, checkfirst=True)
            self._ready = True

    def watermark(self, conn: Any) -> int:
        row = conn.execute(sa.select(meta.c.value).where(meta.c.name == "watermark")).fetchone()
        return int(row[0]) if row else 0

    def pending(self) -> int:
        """Events written since the last refresh (about: a page says so while the first build runs)."""
        self.ensure()
        with self.engine.connect() as conn:
            top = conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
            return max(0, int(top) - self.watermark(conn))

    def refresh(self, budget_s: float = float("inf")) -> int:
        """Folds the events written since the last refresh; returns how many. Stops after `budget_s` seconds
        (between batches), to go on at the next call."""
        self.ensure()
        started, total = time.monotonic(), 0
        while True:
            n, more = self._batch()
            total += n
            if not more or time.monotonic() - started > budget_s:
                break
        self.refreshed_at = time.time()
        return total

    def _batch(self) -> Tuple[int, bool]:
        with self.engine.begin() as conn:
            mark = self.watermark(conn)
            rows = conn.execute(sa.select(events.c.id, events.c.sender_id, events.c.data)
                                .where(events.c.id > max(0, mark - LOOKBACK))
                                .order_by(events.c.id).limit(BATCH + LOOKBACK)).fetchall()
            if not rows:
                return 0, False
            senders = sorted({r[1] for r in rows})
            states: Dict[str, Dict[str, Any]] = {}
            for i in range(0, len(senders), 500):
                for sid, state in conn.execute(sa.select(summaries.c.sender_id, summaries.c.state)
                                               .where(summaries.c.sender_id.in_(senders[i:i + 500]))):
                    states[sid] = json.loads(state)
            folded = {sid: st["id"] for sid, st in states.items()}
            todo = [(eid, sid, raw) for eid, sid, raw in rows if eid > folded.get(sid, 0)]
            top = max(mark, rows[-1][0])
            if not todo:
                self._set_mark(conn, top)
                return 0, len(rows) >= BATCH + LOOKBACK
            by_sender: Dict[str, List[Tuple[int, Mapping[str, Any]]]] = {}
            for eid, sid, raw in todo:
                try:
                    ev = json.loads(raw or "{}")
                except ValueError:
                    ev = {}
                by_sender.setdefault(sid, []).append((eid, ev if isinstance(ev, dict) else {}))
            inserts: List[Dict[str, Any]] = []
            updates: List[Dict[str, Any]] = []
            new_turns: List[Dict[str, Any]] = []
            replies: Dict[int, int] = {}  # turns of earlier batches: bot replies added
            late: List[Tuple[int, float]] = []  # turns of earlier batches: their first reply's latency
            for sid, evs in by_sender.items():
                known = sid in states
                state = states[sid] if known else new_state(sid)
                res = fold(sid, state, evs, self.resource_url)
                (updates if known else inserts).append(columns(sid, state))
                for t in res.new_turns:
                    new_turns.append({"event_id": t.event_id, "sender_id": sid, "ts": t.ts, "day": int(t.ts // DAY),
                                      "msg_key": t.key, "intent": t.intent[:255], "confidence": t.confidence,
                                      "fell_back": int(t.fell_back), "inbox": int(t.inbox),
                                      "bot_replies": res.replies.pop(t.event_id, 0),
                                      "latency": res.latencies.pop(t.event_id, None)})
                for k, n in res.replies.items():
                    replies[k] = replies.get(k, 0) + n
                late += list(res.latencies.items())
            if inserts:
                conn.execute(summaries.insert(), inserts)
            if updates:
                stmt = summaries.update().where(summaries.c.sender_id == sa.bindparam("b_sender"))
                conn.execute(stmt.values({c: sa.bindparam(c) for c in updates[0] if c != "sender_id"}),
                             [{**r, "b_sender": r["sender_id"]} for r in updates])
            if new_turns:
                conn.execute(turns.insert(), new_turns)
            if replies:
                conn.execute(turns.update().where(turns.c.event_id == sa.bindparam("b_id"))
                             .values(bot_replies=turns.c.bot_replies + sa.bindparam("b_n")),
                             [{"b_id": k, "b_n": v} for k, v in replies.items()])
            if late:
                conn.execute(turns.update().where(turns.c.event_id == sa.bindparam("b_id"))
                             .values(latency=sa.bindparam("b_lat")), [{"b_id": k, "b_lat": v} for k, v in late])
            # a conversation erased while this batch was read: no row of it may come back
            still = self._existing(conn, list(by_sender))
            gone = [sid for sid in by_sender if sid not in still]
            if gone:
                conn.execute(summaries.delete().where(summaries.c.sender_id.in_(gone)))
                conn.execute(turns.delete().where(turns.c.sender_id.in_(gone)))
            self._set_mark(conn, top)
            return len(todo), len(rows) >= BATCH + LOOKBACK

    @staticmethod
    def _existing(conn: Any, senders: Sequence[str]) -> Set[str]:
        found: Set[str] = set()
        for i in range(0, len(senders), 500):
            found |= {r[0] for r in conn.execute(sa.select(events.c.sender_id).distinct()
                                                 .where(events.c.sender_id.in_(senders[i:i + 500])))}
        return found

    @staticmethod
    def _set_mark(conn: Any, value: int) -> None:
        done = conn.execute(meta.update().where(meta.c.name == "watermark").values(value=float(value))).rowcount
        if not done:
            conn.execute(meta.insert().values(name="watermark", value=float(value)))
