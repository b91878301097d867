"""Reads conversations from the SQL tracker store (SQLite, PostgreSQL) an endpoints file configures, opened
through Rasa's own `TrackerStore.create`. Lists, counts and figures come from SQL queries on the workbench's
index beside Rasa's events (workbench/index.py): newest first, paged, filtered in the database, never capped
silently. One conversation is read whole (`retrieve_full_tracker`) only for its own page. The one write to
conversations is an erasure on request (:meth:`ConversationSource.forget`: PRIVACY.md); the index's own tables
are kept up to date by :meth:`ConversationSource.refresh`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import sqlalchemy as sa

from workbench.analytics import dashboard_view
from workbench.conversations import Conversation, Filters, summarize
from workbench.index import DAY, ConversationIndex, events, summaries, turns

DEFAULT_ENDPOINTS = ("endpoints.yml",)
PAGE_SIZE = 50  # conversations per page
INBOX_PAGE = 200  # misunderstood messages per page (grouped on the page)
FEEDBACK_PAGE = 100  # conversations with votes per page
REFRESH_SECONDS = 5.0  # how often the workbench's thread refreshes the index (pages catch up themselves too)
PAGE_REFRESH_BUDGET = 0.3  # seconds a page may spend folding new events (the rest is the background's)


class StoreError(RuntimeError):
    pass


def read_tracker_store_config(endpoints: Path) -> Any:
    """The endpoints file's `tracker_store` section, with Rasa's ${VAR} expansion applied to that section
    only: the workbench reads conversations and never calls the action server, so it neither needs nor
    reads the action server's secret (`${ACTION_SERVER_SECRET}` in the same file)."""
    import yaml
    from rasa.shared.utils.io import read_yaml
    from rasa.utils.endpoints import EndpointConfig

    section = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store")
    if section is None:
        return None
    return EndpointConfig.from_dict(read_yaml(yaml.safe_dump(section)))


def endpoint_config(endpoints: Path) -> Any:

    if not endpoints.is_file():
        raise StoreError(f"endpoints file {endpoints} not found (give one with --endpoints)")
    cfg = read_tracker_store_config(endpoints)
    if cfg is None:
        raise StoreError(
            f"{endpoints} configures no tracker_store: Rasa keeps conversations in memory only, so there "
            "is nothing to read. Use the SQLite store `make run` writes (type: SQL, dialect: sqlite)."
        )
    return cfg


@dataclass
class Row:
    """A conversation as the list shows it (a row of conversation_summaries)."""

    id: str
    channel: str
    start: float
    end: float
    user_messages: int
    intents: List[str]
    had_fallback: bool
    recommendation: Optional[str]


@dataclass
class Page:
    rows: List[Any]
    total: int  # rows matching, all pages
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def epoch_day(text: str) -> Optional[int]:
    try:
        return int(dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp() // DAY)
    except ValueError:
        return None


def day_text(day: int) -> str:
    return dt.datetime.fromtimestamp(day * DAY, tz=dt.timezone.utc).strftime("%Y-%m-%d")


def _like(value: str) -> str:
    """`,value,` as a LIKE pattern matching itself only."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%,{escaped},%"


def where_of(f: Filters) -> List[Any]:
    """The list's filters as SQL conditions on conversation_summaries."""
    c = summaries.c
    out: List[Any] = []
    if f.channel:
        out.append(c.channel == f.channel)
    start, end = epoch_day(f.day_from) if f.day_from else None, epoch_day(f.day_to) if f.day_to else None
    if start is not None:
        out.append(c.first_day >= start)
    if end is not None:
        out.append(c.first_day <= end)
    if f.intent:
        out.append(c.intents.like(_like(f.intent), escape="\\"))
    if f.fallback in ("yes", "no"):
        out.append(c.had_fallback == (1 if f.fallback == "yes" else 0))
    if f.recommended == "yes":
        out.append(c.recs != ",")
    elif f.recommended == "no":
        out.append(c.recs == ",")
    elif f.recommended in ("csm", "cspo", "both"):
        out.append(c.recs.like(_like(f.recommended), escape="\\"))
    if f.min_length:
        out.append(c.user_messages >= f.min_length)
    if f.max_length:
        out.append(c.user_messages <= f.max_length)
    return out


class ConversationSource:
    """Conversations of an SQL tracker store, through the workbench's index."""

    def __init__(self, endpoints: Path, domain_file: Path, project_root: Optional[Path] = None,
                 resource_url: str = "") -> None:
        self.endpoints = endpoints
        self.domain_file = domain_file
        self.root = project_root or endpoints.parent
        self.resource_url = resource_url
        self._store: Any = None
        self._index: Optional[ConversationIndex] = None
        self._refreshing = threading.Lock()
        self._opening = threading.Lock()
        self._dashboard: Optional[Dict[str, Any]] = None
        self._dashboard_seconds = 0.0  # how long the last computation of the dashboard took
        self.error: Optional[str] = None
        self.behind = 0  # events not yet in the index (shown while a large store is read the first time)
        # Called after a refresh, at most every PRUNE_SECONDS: the workbench drops its marks of conversations
        # erased or expired since (Reviews.prune_missing).
        self.on_refresh: Optional[Callable[["ConversationSource"], object]] = None
        self._pruned_at = 0.0

    def dashboard_sync(self) -> Dict[str, Any]:
        """The dashboard's figures after a full refresh (`make analytics`)."""
        self.refresh(wait=True)
        if self.error:
            raise StoreError(self.error)
        with self.engine().connect() as conn:
            return dashboard_figures(conn)

    def _open(self) -> Any:
        with self._opening:
            return self._open_locked()

    def _open_locked(self) -> Any:
        if self._store is None:
            import os

            from rasa.core.tracker_store import TrackerStore
            from rasa.shared.core.domain import Domain

            cfg = endpoint_config(self.endpoints)
            # A relative SQLite file is relative to the project (where `make run` starts Rasa).
            if (
                str(cfg.kwargs.get("dialect", "")).startswith("sqlite")
                and cfg.kwargs.get("db")
                and not os.path.isabs(str(cfg.kwargs["db"]))
            ):
                cfg.kwargs["db"] = str(self.root / str(cfg.kwargs["db"]))
                if not Path(cfg.kwargs["db"]).exists():
                    raise StoreError(f"the SQLite tracker store {cfg.kwargs['db']} does not exist yet: chat with the bot first")
            if str(cfg.type or "").endswith("AdvisorTrackerStore"):
                cfg.kwargs["role"] = "reader"  # the workbench's copy neither sweeps nor caches
            self._store = TrackerStore.create(cfg, Domain.load(str(self.domain_file)))
        return self._store

    def tracker_store(self) -> Any:
        """Rasa's tracker store itself (the Live page reads single conversations and the tables beside it)."""
        return self._open()

    def engine(self) -> sa.engine.Engine:
        from persistence.handoff_store import engine_of

        engine = engine_of(self._open())
        if engine is None:
            raise StoreError("the workbench needs an SQL tracker store (SQLite or PostgreSQL)")
        return engine

    def index(self) -> ConversationIndex:
        if self._index is None:
            self._index = ConversationIndex(self.engine(), self.resource_url)
        return self._index

    # --- keeping the index current -----------------------------------------------------------------------------
    def refresh(self, budget_s: float = float("inf"), wait: float | bool = False) -> int:
        """Folds new events into the index (one refresher at a time: a page waits at most `wait` seconds for
        the background's refresh, never for its long first read). Errors are kept for the page to show."""
        got = self._refreshing.acquire(timeout=-1 if wait is True else float(wait)) if wait else \
            self._refreshing.acquire(blocking=False)
        if not got:
            return 0
        try:
            idx = self.index()
            n = idx.refresh(budget_s)
            self.error = None
            if (budget_s == float("inf") and self.on_refresh is not None
                    and time.time() - self._pruned_at > PRUNE_SECONDS):
                self._pruned_at = time.time()
                self.on_refresh(self)
            return n
        except StoreError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the page says what is wrong instead of crashing
            self.error = f"cannot read the tracker store: {type(exc).__name__}: {str(exc)[:200]}"
            self._store, self._index = None, None
        finally:
            self._refreshing.release()
        return 0

    async def fresh(self) -> None:
        """Called by each page: a short catch-up when events were written since the last refresh."""
        def catch_up() -> None:
            idx = self.index()
            if idx.pending() > 0:  # a page shows what is stored now (two indexed one-row queries to know)
                self.refresh(PAGE_REFRESH_BUDGET, wait=PAGE_REFRESH_BUDGET)
            self.behind = idx.pending() if self.error is None else 0  # e.g. while the first build runs

        try:
            await asyncio.to_thread(catch_up)
        except Exception as exc:  # noqa: BLE001 - the page says what is wrong instead of crashing
            self.error = f"cannot read the tracker store: {type(exc).__name__}: {str(exc)[:200]}"

    async def _q(self, fn: Callable[[Any], Any]) -> Any:
        """Runs `fn(connection)` in a thread (the event loop keeps serving)."""
        def run() -> Any:
            with self.engine().connect() as conn:
                return fn(conn)
        return await asyncio.to_thread(run)

    # --- pages ------------------------------------------------------------------------------------------------
    async def list_page(self, f: Filters, number: int, size: int = PAGE_SIZE) -> Page:
        await self.fresh()
        cond = where_of(f)
        c = summaries.c

        def q(conn: Any) -> Page:
            total = conn.execute(sa.select(sa.func.count()).select_from(summaries).where(*cond)).scalar() or 0
            pages = max(1, math.ceil(total / size))
            n = min(max(1, number), pages)
            rows = conn.execute(
                sa.select(c.sender_id, c.channel, c.first_ts, c.last_ts, c.user_messages, c.intents, c.had_fallback,
                          c.recommendation).where(*cond).order_by(c.last_ts.desc(), c.sender_id)
                .limit(size).offset((n - 1) * size)).fetchall()
            return Page([Row(r[0], r[1], r[2], r[3], r[4], [i for i in r[5].split(",") if i], bool(r[6]), r[7])
                         for r in rows], int(total), n, size)
        return await self._q(q)

    async def channels(self) -> List[str]:
        return await self._q(lambda conn: sorted(r[0] for r in conn.execute(sa.select(summaries.c.channel).distinct())))

    async def count(self) -> int:
        return await self._q(lambda conn: int(conn.execute(sa.select(sa.func.count()).select_from(summaries)).scalar() or 0))

    async def get(self, conversation_id: str) -> Optional[Conversation]:
        """One conversation, all sessions, read whole (its own page, an export)."""
        from persistence.tracker_store import check_storable

        try:
            check_storable(conversation_id)
        except ValueError:
            return None
        tracker = await self._open().retrieve_full_tracker(conversation_id)
        if tracker is None or not tracker.events:
            return None
        return summarize(conversation_id, [e.as_dict() for e in tracker.events])

    async def inbox_page(self, threshold: float, handled: Set[str], number: int,
                         size: int = INBOX_PAGE) -> Tuple[List[Any], Page]:
        """The misunderstood messages not yet handled, newest first: one page of them (inbox.Message)."""
        from workbench import inbox

        await self.fresh()
        t = turns.c

        def q(conn: Any) -> Tuple[List[Any], Page]:
            wanted = sa.and_(t.inbox == 1, sa.or_(t.fell_back == 1, t.confidence < threshold))
            total = conn.execute(sa.select(sa.func.count()).select_from(turns).where(wanted)).scalar() or 0
            keys = list(handled)
            done = 0
            for i in range(0, len(keys), 500):  # the handled ones among the candidates (a trainer's marks: few)
                done += conn.execute(sa.select(sa.func.count()).select_from(turns)
                                     .where(wanted, t.msg_key.in_(keys[i:i + 500]))).scalar() or 0
            page = Page([], int(total) - int(done), 1, size)
            page.number = min(max(1, number), page.pages)
            # newest first, skipping the handled ones, in chunks: the first pages read little
            ids: List[int] = []
            skip, offset, chunk = (page.number - 1) * size, 0, max(4 * size, 1000)
            while len(ids) < size:
                rows = conn.execute(sa.select(t.event_id, t.msg_key).where(wanted)
                                    .order_by(t.ts.desc(), t.event_id.desc()).limit(chunk).offset(offset)).fetchall()
                for eid, key in rows:
                    if key in handled:
                        continue
                    if skip:
                        skip -= 1
                        continue
                    ids.append(eid)
                    if len(ids) >= size:
                        break
                if len(rows) < chunk:
                    break
                offset += chunk
            found: Dict[int, Any] = {}
            for i in range(0, len(ids), 500):
                for eid, sid, raw in conn.execute(sa.select(events.c.id, events.c.sender_id, events.c.data)
                                                  .where(events.c.id.in_(ids[i:i + 500]))):
                    try:
                        found[eid] = inbox.message_of(sid, json.loads(raw), threshold)
                    except ValueError:
                        continue
            return [found[i] for i in ids if found.get(i) is not None], page
        return await self._q(q)

    async def conversations_of(self, keys: Sequence[str]) -> Dict[str, int]:
        """conversation id -> how many of the inbox message keys are in it (for the audit log)."""
        def q(conn: Any) -> Dict[str, int]:
            out: Dict[str, int] = {}
            for i in range(0, len(keys), 500):
                for sid, n in conn.execute(sa.select(turns.c.sender_id, sa.func.count()).where(
                        turns.c.msg_key.in_(list(keys[i:i + 500]))).group_by(turns.c.sender_id)):
                    out[sid] = out.get(sid, 0) + int(n)
            return out
        return await self._q(q)

    async def voted_page(self, number: int, size: int = FEEDBACK_PAGE) -> Tuple[List[Conversation], Page]:
        """The conversations with votes (👍/👎), newest first: one page of them, read whole."""
        await self.fresh()
        c = summaries.c

        def q(conn: Any) -> Tuple[List[str], Page]:
            total = conn.execute(sa.select(sa.func.count()).select_from(summaries).where(c.votes > 0)).scalar() or 0
            page = Page([], int(total), 1, size)
            page.number = min(max(1, number), page.pages)
            ids = [r[0] for r in conn.execute(sa.select(c.sender_id).where(c.votes > 0)
                                              .order_by(c.last_ts.desc(), c.sender_id)
                                              .limit(size).offset((page.number - 1) * size))]
            return ids, page
        ids, page = await self._q(q)

        def read(conn: Any) -> List[Conversation]:
            by_id: Dict[str, List[Dict[str, Any]]] = {cid: [] for cid in ids}
            for i in range(0, len(ids), 200):
                for sid, raw in conn.execute(sa.select(events.c.sender_id, events.c.data)
                                             .where(events.c.sender_id.in_(ids[i:i + 200])).order_by(events.c.id)):
                    try:
                        by_id[sid].append(json.loads(raw))
                    except ValueError:
                        continue
            return [summarize(cid, evs) for cid, evs in by_id.items() if evs]
        return await self._q(read), page

    async def ids(self) -> List[str]:
        """Every conversation id in the index (the audit page links its pseudonyms back to them)."""
        return await self._q(lambda conn: [r[0] for r in conn.execute(sa.select(summaries.c.sender_id))])

    def existing_sync(self, conversation_ids: Iterable[str], message_keys: Iterable[str]) -> Tuple[Set[str], Set[str]]:
        """Which of these conversations and user-message keys the store still holds (per the index)."""
        cids, keys = list(conversation_ids), list(message_keys)
        found_ids: Set[str] = set()
        found_keys: Set[str] = set()
        with self.engine().connect() as conn:
            for i in range(0, len(cids), 500):
                found_ids |= {r[0] for r in conn.execute(sa.select(summaries.c.sender_id)
                                                         .where(summaries.c.sender_id.in_(cids[i:i + 500])))}
            for i in range(0, len(keys), 500):
                found_keys |= {r[0] for r in conn.execute(sa.select(turns.c.msg_key)
                                                          .where(turns.c.msg_key.in_(keys[i:i + 500])))}
        return found_ids, found_keys

    async def dashboard(self) -> Dict[str, Any]:
        """The dashboard's figures (workbench.analytics.Analytics and the handoff counts), from SQL aggregates:
        at most DASHBOARD_SECONDS old (the workbench's thread recomputes them; a page computes them only when
        there are none yet)."""
        cached = self._dashboard
        if cached is not None and time.time() - cached["as_of"] < DASHBOARD_SECONDS \
                and self._dashboard_seconds > DASHBOARD_LIVE_SECONDS:
            return cached  # a large store: the figures of the last minute (computing them takes long)
        await self.fresh()  # a small one: computed now, so a page shows what was just stored
        return await asyncio.to_thread(self.recompute_dashboard)

    def recompute_dashboard(self, older_than: float = 0.0) -> Dict[str, Any]:
        """Computes the dashboard's figures (when the kept ones are older than `older_than` seconds)."""
        cached = self._dashboard
        if cached is not None and time.time() - cached["as_of"] < older_than:
            return cached
        started = time.perf_counter()
        with self.engine().connect() as conn:
            self._dashboard = dashboard_figures(conn)
        self._dashboard_seconds = time.perf_counter() - started
        return self._dashboard

    async def forget(self, conversation_id: str, workbench_db: Optional[Path], reason: str) -> Dict[str, int]:
        """Erases one conversation from the tracker store (its events and the index's rows of it: persistence/
        retention.yml) and the workbench's marks of it (persistence.tracker_store.erase_conversation)."""
        from persistence.tracker_store import erase_conversation

        return erase_conversation(self._open(), conversation_id, reason, workbench_db)


PRUNE_SECONDS = 60.0
DASHBOARD_SECONDS = 60.0  # how old the dashboard's figures may be (recomputed by the workbench's thread)
DASHBOARD_LIVE_SECONDS = 0.25  # a store whose figures take less than this to compute gets them computed per view
LATENCY_EDGES = (0.5, 1.0, 2.0, 5.0)


def _percentile_sql(conn: Any, n: int, q: float) -> float:
    """The q-quantile of the turns' reply latencies (linear between the two neighbours, like analytics)."""
    if n == 0:
        return 0.0
    k = (n - 1) * q
    lo = int(k)
    vals = [r[0] for r in conn.execute(sa.select(turns.c.latency).where(turns.c.latency.isnot(None))
                                       .order_by(turns.c.latency).limit(2).offset(lo))]
    if not vals:
        return 0.0
    hi = vals[1] if len(vals) > 1 else vals[0]
    return float(vals[0] + (hi - vals[0]) * (k - lo))


def dashboard_figures(conn: Any) -> Dict[str, Any]:
    """The dashboard's figures in two grouped scans (the summaries, the turns), two latency look-ups in the
    latency index, and the handoff waits of the conversations a trainer answered."""
    from collections import OrderedDict

    from workbench.analytics import STAGES, Analytics
    from workbench.handoff_stats import HandoffStats

    c, t = summaries.c, turns.c
    started = time.perf_counter()
    sums = [c.user_messages, c.bot_messages, c.fallback_messages, c.pre_bot, c.rec_csm, c.rec_cspo, c.rec_both,
            c.ho_requests, c.ho_answered, c.ho_missed, c.ho_waiting, c.ho_offered,
            *[getattr(c, f"stage_{i}") for i in range(len(STAGES))]]
    total = [0] * (1 + len(sums))
    per_day_c: Dict[int, Tuple[int, int]] = {}
    channels: Dict[str, int] = {}
    drops: Dict[str, int] = {}
    for row in conn.execute(sa.select(c.first_day, c.channel, c.drop_off, sa.func.count(),
                                      *[sa.func.sum(col) for col in sums]).group_by(c.first_day, c.channel, c.drop_off)):
        day, channel, drop, n, values = row[0], row[1], row[2], int(row[3]), [int(v or 0) for v in row[4:]]
        total = [a + b for a, b in zip(total, [n, *values], strict=True)]
        conv, pre = per_day_c.get(day, (0, 0))
        per_day_c[day] = (conv + n, pre + values[3])
        channels[channel] = channels.get(channel, 0) + n
        if drop is not None:
            drops[drop] = drops.get(drop, 0) + n
    count, user, bot, fb, _, csm, cspo, both, ho_req, ho_ans, ho_miss, ho_wait, ho_off = total[:13]
    stages = total[13:]
    a = Analytics(conversations=count, messages=user + bot, user_messages=user, fallback_messages=fb)
    per_day_t: Dict[int, List[int]] = {}
    intents: Dict[str, int] = {}
    n_lat, lat_max, below = 0, 0.0, [0] * len(LATENCY_EDGES)
    for row in conn.execute(sa.select(
            t.day, t.intent, t.fell_back, sa.func.count(), sa.func.sum(t.bot_replies), sa.func.count(t.latency),
            sa.func.max(t.latency), *[sa.func.sum(sa.case((t.latency < edge, 1), else_=0)) for edge in LATENCY_EDGES])
            .group_by(t.day, t.intent, t.fell_back)):
        day, intent, fell_back, n, replies, lats, top = row[0], row[1], int(row[2]), int(row[3]), int(row[4] or 0), \
            int(row[5] or 0), float(row[6] or 0.0)
        d = per_day_t.setdefault(day, [0, 0, 0])
        d[0], d[1], d[2] = d[0] + n, d[1] + replies, d[2] + (n if fell_back else 0)
        if not fell_back:
            intents[intent] = intents.get(intent, 0) + n
        n_lat, lat_max = n_lat + lats, max(lat_max, top)
        below = [x + int(v or 0) for x, v in zip(below, row[7:], strict=True)]
    a.per_day, a.fallback_by_day = OrderedDict(), OrderedDict()
    for day in sorted(set(per_day_c) | set(per_day_t)):
        n_conv, pre = per_day_c.get(day, (0, 0))
        n_user, replies, fbs = per_day_t.get(day, [0, 0, 0])
        a.per_day[day_text(day)] = (n_conv, n_user + replies + pre)
        a.fallback_by_day[day_text(day)] = (fbs, n_user)
    a.per_channel = dict(sorted(channels.items(), key=lambda kv: (-kv[1], kv[0])))
    a.intents = sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))
    a.recommendations = {"csm": csm, "cspo": cspo, "both": both}
    a.funnel = list(zip(STAGES, stages, strict=True))
    a.drop_off = sorted(drops.items(), key=lambda kv: (-kv[1], kv[0]))
    labels = ("< 0.5 s", "0.5–1 s", "1–2 s", "2–5 s", "≥ 5 s")
    counts = [below[0]] + [below[i] - below[i - 1] for i in range(1, len(below))] + [n_lat - below[-1]]
    a.fixed_latency = {"median": _percentile_sql(conn, n_lat, 0.5), "p90": _percentile_sql(conn, n_lat, 0.9),
                       "max": lat_max}
    ho = HandoffStats(requests=ho_req, answered=ho_ans, missed=ho_miss, waiting_now=ho_wait, offered_message=ho_off)
    for (raw,) in conn.execute(sa.select(c.ho_waits).where(c.ho_answered > 0)):
        ho.waits += [float(w) for w in json.loads(raw or "[]")]
    return {**dashboard_view(a, list(zip(labels, counts, strict=True)), ho),
            "as_of": time.time(), "computed_s": round(time.perf_counter() - started, 3)}
