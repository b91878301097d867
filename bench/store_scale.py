"""The workbench at scale (issue 23): generates N conversations / M events into a tracker store (SQLite or
PostgreSQL), builds the workbench's index (workbench/index.py), starts the workbench on a free port and times
every page over HTTP; and the tracker store's per-message cost with and without its cache.

    python -m bench.store_scale                      # 100,000 conversations / 2,000,000 events, both databases
    python -m bench.store_scale --conversations 5000 --events 100000 --only sqlite

`make bench` calls :func:`run` (bench/run.py) and writes the figures into bench/results.md / results.json; run
alone, it merges its figures into bench/results.json (key `store_scale`) and rewrites results.md's section.
Every server it starts binds to 127.0.0.1 and is stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_LIMIT_S = 1.0
INTENTS = ("greet", "ask_cost", "ask_requirements", "ask_difference", "inform_role", "ask_recommendation",
           "thank", "goodbye", "ask_exam", "ask_renewal")
CHANNELS = ("rest", "web", "slack", "telegram")
DAYS = 30


def say(text: str) -> None:
    print(f"\033[1;34m[store-scale]\033[0m {text}", flush=True)


# --- the generator -----------------------------------------------------------------------------------------
def conversation(i: int, n_events: int, now: float, rng: random.Random) -> Tuple[str, List[Dict[str, Any]]]:
    """One synthetic conversation of exactly `n_events` events (>= 4), shaped like the advisor's: a session
    start, turns of user message / action / answer / listen, some fallbacks and low-confidence messages, some
    recommendation forms, votes and handoffs."""
    channel = CHANNELS[i % len(CHANNELS)]
    cid = f"{channel}:gen{i:07d}"
    t = now - rng.random() * DAYS * 86400
    evs: List[Dict[str, Any]] = [{"event": "action", "name": "action_session_start", "timestamp": t},
                                 {"event": "session_started", "timestamp": t + 0.01},
                                 {"event": "action", "name": "action_listen", "timestamp": t + 0.02}]
    turn = 0
    while len(evs) < n_events:
        t += 5 + rng.random() * 60
        left = n_events - len(evs)
        intent = rng.choice(INTENTS)
        conf = 0.3 + rng.random() * 0.7
        fallback = rng.random() < 0.08
        parse_intent = {"name": "nlu_fallback", "confidence": 0.3} if fallback else {"name": intent, "confidence": conf}
        ranking = [parse_intent] + ([{"name": intent, "confidence": conf}] if fallback else [])
        text = f"{intent.replace('_', ' ')} question {i} {turn}"
        evs.append({"event": "user", "timestamp": t, "text": text, "input_channel": channel,
                    "parse_data": {"text": text, "intent": parse_intent, "entities": [], "intent_ranking": ranking}})
        if left == 1:
            break
        t += 0.2 + rng.random() * 1.5
        extra: List[Dict[str, Any]] = []
        if intent == "ask_recommendation" and left >= 8:
            rec = rng.choice(("csm", "cspo", "both"))
            extra = [{"event": "active_loop", "name": "recommendation_form", "timestamp": t},
                     {"event": "slot", "name": "requested_slot", "value": "current_role", "timestamp": t},
                     {"event": "slot", "name": "current_role", "value": "developer", "timestamp": t},
                     {"event": "slot", "name": "recommendation", "value": rec, "timestamp": t}]
        elif turn == 2 and i % 7 == 0 and left >= 5:
            extra = [{"event": "slot", "name": "answer_feedback", "timestamp": t,
                      "value": {"vote": "down" if i % 2 else "up", "ref": "topic:cost", "question": text,
                                "answer_event": t - 1}}]
        elif turn == 3 and i % 50 == 0 and left >= 5:
            extra = [{"event": "slot", "name": "handoff", "value": "waiting", "timestamp": t}]
        for e in extra[:max(0, left - 4)]:
            evs.append(e)
        left = n_events - len(evs)
        action = "action_answer" if not fallback else "action_handle_fallback"
        for e in ({"event": "action", "name": action, "timestamp": t, "policy": "RulePolicy", "confidence": 1.0},
                  {"event": "bot", "timestamp": t + 0.01, "text": f"answer to {intent}", "data": {}, "metadata": {}},
                  {"event": "action", "name": "action_listen", "timestamp": t + 0.02})[:left]:
            evs.append(e)
        turn += 1
    return cid, evs[:n_events]


def plan(conversations: int, events: int) -> Iterator[int]:
    """Events per conversation: `events` in all, about events/conversations each (at least 4)."""
    base, extra = divmod(events, conversations)
    for i in range(conversations):
        yield max(4, base + (1 if i < extra else 0))


def generate(engine: Any, conversations: int, events: int, seed: int = 23, chunk: int = 20000) -> int:
    """Writes the conversations into the `events` table (as Rasa's SQL store writes them); returns events written."""
    import sqlalchemy as sa

    table = sa.table("events", sa.column("sender_id"), sa.column("type_name"), sa.column("timestamp"),
                     sa.column("intent_name"), sa.column("action_name"), sa.column("data"))
    rng, now, written, rows = random.Random(seed), time.time() - 3600, 0, []
    with engine.begin() as conn:
        for i, n in enumerate(plan(conversations, events)):
            cid, evs = conversation(i, n, now, rng)
            for e in evs:
                rows.append({"sender_id": cid, "type_name": e["event"], "timestamp": e["timestamp"],
                             "intent_name": (e.get("parse_data") or {}).get("intent", {}).get("name"),
                             "action_name": e.get("name"), "data": json.dumps(e)})
            if len(rows) >= chunk:
                conn.execute(table.insert(), rows)
                written += len(rows)
                rows = []
        if rows:
            conn.execute(table.insert(), rows)
            written += len(rows)
    return written


# --- the stores ----------------------------------------------------------------------------------------------
def endpoints_text(db: Dict[str, str]) -> str:
    store = "persistence.tracker_store.AdvisorTrackerStore"
    if db["dialect"] == "sqlite":
        return f"tracker_store:\n  type: {store}\n  dialect: sqlite\n  db: {json.dumps(db['db'])}\n  ttl_seconds: 0\n"
    return (f"tracker_store:\n  type: {store}\n  dialect: postgresql\n  url: {db['host']}\n  port: {db['port']}\n"
            f"  db: {db['db']}\n  username: {db['user']}\n  password: ${{POSTGRES_PASSWORD}}\n  ttl_seconds: 0\n")


def open_store(db: Dict[str, str]) -> Any:
    """The advisor's tracker store on `db` (creates the tables and indexes), as a reader (no sweep)."""
    from rasa.shared.core.domain import Domain

    from persistence.tracker_store import AdvisorTrackerStore

    kw: Dict[str, Any] = {"dialect": db["dialect"], "db": db["db"], "ttl_seconds": 0, "role": "reader"}
    if db["dialect"] != "sqlite":
        kw.update(host=db["host"], port=int(db["port"]), username=db["user"], password=db["password"])
    return AdvisorTrackerStore(Domain.load(str(ROOT / "domain.yml")), **kw)


def bulk_engine(store: Any) -> Any:
    """An engine for the bulk load (PostgreSQL: multi-row INSERTs, far faster than one per row)."""
    import sqlalchemy as sa

    if store.engine.dialect.name == "postgresql":
        return sa.create_engine(store.engine.url, executemany_mode="values_only")
    return store.engine


def project_copy(work: Path) -> Path:
    """What the workbench reads beside the store: the domain, the knowledge (its resource link), the NLU data."""
    root = work / "project"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    for folder in ("data", "knowledge"):
        shutil.copytree(ROOT / folder, root / folder, dirs_exist_ok=True)
    return root


class Workbench:
    """`python -m workbench serve` on a free port against an endpoints file; stopped by :meth:`stop`."""

    def __init__(self, root: Path, endpoints: Path, env: Dict[str, str], log: Path) -> None:
        from tests.support.stack import Server, free_port

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "workbench", "serve", "--root", str(root), "--port", str(port),
               "--endpoints", str(endpoints)]
        full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        full.pop("WORKBENCH_TOKEN", None)
        self.server = Server("workbench (store scale)", cmd, f"{self.url}/health", log, full)
        self.root = root

    def start(self) -> "Workbench":
        self.server.start(timeout=120)
        self.token = (self.root / ".run" / "workbench-token").read_text().strip()
        return self

    def stop(self) -> None:
        self.server.stop()


def pages(ids: List[str], total_pages: int) -> List[Tuple[str, str]]:
    """(label, path) of every workbench page, the listing's first and last page and its filters included."""
    from urllib.parse import quote

    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 10 * 86400))
    return [
        ("conversations, page 1", "/conversations"),
        ("conversations, last page", f"/conversations?page={total_pages}"),
        ("conversations, channel + fallback", "/conversations?channel=slack&fallback=yes"),
        ("conversations, intent + length", "/conversations?intent=ask_cost&min_length=3"),
        ("conversations, recommendation + days", f"/conversations?recommended=csm&from={day}&to={day}"),
        ("one conversation", f"/conversation?id={quote(ids[0], safe='')}"),
        ("inbox, page 1", "/inbox"),
        ("inbox, page 2", "/inbox?page=2"),
        ("feedback", "/feedback"),
        ("dashboard", "/dashboard"),
        ("live", "/live"),
        ("messages", "/messages"),
        ("audit", "/audit"),
        ("checks", "/checks"),
        ("nlu", "/nlu"),
    ]


def time_pages(wb: Workbench, ids: List[str], conversations: int, repeat: int = 3) -> Dict[str, Dict[str, float]]:
    """Seconds per page: the first request and the median of `repeat` (status 200 required)."""
    import requests

    per_page = 50
    out: Dict[str, Dict[str, float]] = {}
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {wb.token}"
        http.get(wb.url + "/conversations", timeout=120)  # the warm-up: the first request opens the store
        for label, path in pages(ids, max(1, -(-conversations // per_page))):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                r = http.get(wb.url + path, timeout=60)
                times.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {r.status_code}")
            out[label] = {"first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3)}
    return out


def scale_run(db: Dict[str, str], conversations: int, events: int, work: Path,
              env: Optional[Dict[str, str]] = None, check: Optional[Any] = None) -> Dict[str, Any]:
    """Generates the store, builds the index, times every page; returns the figures."""
    from workbench.analytics import resource_url_from_knowledge
    from workbench.index import ConversationIndex

    store = open_store(db)
    try:
        t0 = time.perf_counter()
        written = generate(bulk_engine(store), conversations, events)
        gen_s = time.perf_counter() - t0
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE events")
        t0 = time.perf_counter()
        index = ConversationIndex(store.engine, resource_url_from_knowledge())
        index.refresh()
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE conversation_summaries")
                conn.exec_driver_sql("VACUUM ANALYZE conversation_turns")
        else:
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        index_s = time.perf_counter() - t0
        from workbench.store import dashboard_figures

        with store.engine.connect() as conn:  # what the workbench's thread does every minute
            dashboard_s = dashboard_figures(conn)["computed_s"]
        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql(
                "SELECT sender_id FROM conversation_summaries ORDER BY last_ts DESC LIMIT 5")]
    finally:
        store.close()
    endpoints = work / f"endpoints-{db['dialect']}.yml"
    endpoints.write_text(endpoints_text(db))
    wb = Workbench(project_copy(work), endpoints, env or {}, work / f"workbench-{db['dialect']}.log")
    try:
        wb.start()
        timings = time_pages(wb, ids, conversations)
        if check is not None:
            check(wb, ids)
    finally:
        wb.stop()
    return {"conversations": conversations, "events": written, "generate_s": round(gen_s, 1),
            "index_build_s": round(index_s, 1), "dashboard_figures_s": dashboard_s, "pages": timings,
            "slowest_page_s": max(v["median_s"] for v in timings.values()),
            "slowest_first_s": max(v["first_s"] for v in timings.values())}


# --- the message path: the store with and without its cache -------------------------------------------------
def legacy_engine(store: Any) -> None:
    """The store's engine as it was before issue 23 on SQLite: SQLAlchemy 1.4's default for a file (NullPool: a
    connection, and the WAL pragmas, per session)."""
    import sqlalchemy as sa

    from persistence.tracker_store import _sqlite_pragmas

    url = store.engine.url
    store.engine.dispose()
    store.engine = sa.create_engine(url, pool_pre_ping=True, poolclass=sa.pool.NullPool)
    sa.event.listen(store.engine, "connect", _sqlite_pragmas)
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)


async def _turns(store: Any, run: str, turns: int, conversations: int) -> List[float]:
    """`turns` messages' worth of store work, conversations taking turns: seconds each."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    times: List[float] = []
    for k in range(turns):
        cid = f"rest:path-{run}-{k % conversations}"
        t0 = time.perf_counter()
        t = await store.retrieve(cid)
        if t is None:
            t = DialogueStateTracker.from_events(cid, [ActionExecuted("action_listen")], store.domain.slots)
        t.update(UserUttered(f"message {k}", {"name": "greet", "confidence": 0.9}))
        t.update(ActionExecuted("utter_greet"))
        t.update(BotUttered(f"answer {k}"))
        t.update(ActionExecuted("action_listen"))
        await store.save(t)
        times.append(time.perf_counter() - t0)
    return times


def message_path(db: Dict[str, str], turns: int = 400, conversations: int = 20, rounds: int = 3) -> Dict[str, Any]:
    """Per-message cost of the tracker store as Rasa's message path uses it (retrieve, four new events, save),
    conversations taking turns; p50/p95 in ms, without the cache (Rasa's own retrieve and save, as before issue
    23) and with it, `rounds` times alternately (the machine is shared: the figures are medians of the rounds)."""
    variants = [("no cache", 0), ("cache", 500)]
    if db["dialect"] == "sqlite":  # before issue 23, SQLite had a new connection per session too
        variants.insert(0, ("before", 0))
    runs: Dict[str, List[Dict[str, float]]] = {label: [] for label, _ in variants}
    for r in range(rounds):
        for label, size in variants:
            store = open_store(db)
            store.cache_size = size  # open_store opens a reader (no cache, no sweep); the server's cache here
            if label == "before":
                legacy_engine(store)
            try:
                times = asyncio.run(_turns(store, f"{label.replace(' ', '')}{r}{int(time.time())}", turns, conversations))
                warm = sorted(times[conversations:])  # each conversation's first turn creates it
                runs[label].append({"p50_ms": statistics.median(warm) * 1000,
                                    "p95_ms": warm[int(0.95 * (len(warm) - 1))] * 1000,
                                    "hits": store.cache_hits, "misses": store.cache_misses})
            finally:
                store.close()
    out: Dict[str, Any] = {"turns": turns, "conversations": conversations, "rounds": rounds}
    for label, rs in runs.items():
        out[label] = {"p50_ms": round(statistics.median(x["p50_ms"] for x in rs), 2),
                      "p95_ms": round(statistics.median(x["p95_ms"] for x in rs), 2),
                      "hits": int(sum(x["hits"] for x in rs)), "misses": int(sum(x["misses"] for x in rs))}
    return out


# --- PostgreSQL from the Debian package (scripts/services.sh), as the tests start it -----------------------
def start_postgres(work: Path) -> Dict[str, str]:
    from tests.support.stack import free_port

    out = subprocess.run([str(ROOT / "scripts" / "services.sh"), "start", "postgres", "--port", str(free_port()),
                          "--dir", str(work / "postgres")], check=True, capture_output=True, text=True,
                         timeout=300).stdout
    env = dict(item.split("=", 1) for item in out.split())
    return {"dialect": "postgresql", "host": env["POSTGRES_HOST"], "port": env["POSTGRES_PORT"],
            "db": env.get("POSTGRES_DB", "advisor"), "user": env.get("POSTGRES_USER", "advisor"),
            "password": env["POSTGRES_PASSWORD"]}


def stop_postgres(work: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "services.sh"), "stop", "postgres", "--dir", str(work / "postgres")],
                   capture_output=True, timeout=120)


def run(conversations: int = 100_000, events: int = 2_000_000, only: Optional[str] = None) -> Dict[str, Any]:
    """Both databases (or `only` one): the page timings at this size and the message path before/after."""
    results: Dict[str, Any] = {"conversations": conversations, "events": events, "page_limit_s": PAGE_LIMIT_S}
    with tempfile.TemporaryDirectory(prefix="advisor-store-scale-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o711)  # PostgreSQL runs as its own user: it must pass through to its directory
        try:
            from tests.support.processes import REGISTRY

            REGISTRY.add_dir(work)
        except Exception:  # noqa: BLE001 - run alone, outside the bench's registry
            pass
        if only in (None, "sqlite"):
            db = {"dialect": "sqlite", "db": str(work / "scale.db")}
            say(f"SQLite: {conversations} conversations / {events} events")
            results["sqlite"] = scale_run(db, conversations, events, work)
            results["sqlite"]["message_path"] = message_path({"dialect": "sqlite", "db": str(work / "path.db")})
        if only in (None, "postgresql"):
            say("PostgreSQL: starting it (scripts/services.sh)")
            try:
                db = start_postgres(work)
                say(f"PostgreSQL: {conversations} conversations / {events} events")
                results["postgresql"] = scale_run(db, conversations, events, work,
                                                  {"POSTGRES_PASSWORD": db["password"]})
                results["postgresql"]["message_path"] = message_path(db)
            finally:
                stop_postgres(work)
    return results


def markdown(res: Optional[Dict[str, Any]]) -> List[str]:
    """The results.md section of these figures ([] without them)."""
    if not res:
        return []
    dbs = [d for d in ("sqlite", "postgresql") if d in res]
    lines = ["", f"## Workbench at scale: {res['conversations']:,} conversations / {res['events']:,} events", "",
             "Seconds per page over HTTP (first request / median of 3, after one warm-up request that opens the "
             "store), the store generated by `bench/store_scale.py`, the workbench's index built first. The "
             "dashboard shows figures its thread recomputes every minute (their computation: last rows). "
             f"Target: every page < {res['page_limit_s']} s.", "",
             "| page | " + " | ".join(dbs) + " |", "| --- |" + " --- |" * len(dbs)]
    labels = list(res[dbs[0]]["pages"]) if dbs else []
    for label in labels:
        cells = [f"{res[d]['pages'][label]['first_s']} / {res[d]['pages'][label]['median_s']}" for d in dbs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| generating the store (s) | " + " | ".join(str(res[d]["generate_s"]) for d in dbs) + " |")
    lines.append("| building the index from scratch (s) | " + " | ".join(str(res[d]["index_build_s"]) for d in dbs) + " |")
    lines.append("| computing the dashboard's figures (s; the workbench's thread, every minute) | " +
                 " | ".join(str(res[d].get("dashboard_figures_s", "-")) for d in dbs) + " |")
    lines += ["", "Tracker store, per message (retrieve, four new events, save; ms, p50 / p95, median of alternating "
              "rounds): before issue 23 (SQLite: a new connection per session; no cache), pooled connections "
              "without the cache, and with the cache.", "",
              "| database | before | pooled, no cache | pooled + cache |", "| --- | --- | --- | --- |"]
    for d in dbs:
        mp = res[d].get("message_path") or {}
        if mp:
            before = mp.get("before") or mp["no cache"]
            lines.append(f"| {d} | {before['p50_ms']} / {before['p95_ms']} | {mp['no cache']['p50_ms']} / "
                         f"{mp['no cache']['p95_ms']} | {mp['cache']['p50_ms']} / {mp['cache']['p95_ms']} |")
    return lines


SECTION = "<!-- store-scale -->"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--no-write", action="store_true", help="print the figures, leave bench/results.* alone")
    args = ap.parse_args()
    res = run(args.conversations, args.events, args.only)
    print(json.dumps(res, indent=1))
    if args.no_write:
        return 0
    path = ROOT / "bench" / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    old = data.get("store_scale") or {}
    if args.only and old.get("conversations") == res["conversations"] and old.get("events") == res["events"]:
        res = {**old, **res}  # one database re-run: the other's figures stay
    data["store_scale"] = res
    path.write_text(json.dumps(data, indent=2) + "\n")
    md = ROOT / "bench" / "results.md"
    text = md.read_text() if md.exists() else ""
    head = text.split(SECTION)[0].rstrip("\n")
    md.write_text(head + "\n\n" + SECTION + "\n".join(markdown(res)) + "\n")
    say("written into bench/results.json (store_scale) and bench/results.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
