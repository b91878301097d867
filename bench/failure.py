"""Failure under load: many conversations talk to `make run-cluster` while one part of it fails.

Used by `make bench` (bench/run.py: 50 conversations, four faults) and by the short e2e test
(tests/e2e/test_failure_under_load.py). One run of :func:`run_fault`:

1. ``conversations`` conversations talk at once through nginx, each sending the lines of
   ``SCRIPT`` in turn (one message at a time, as a person does: the next after the reply) for
   ``before + fault + after`` seconds;
2. ``before`` seconds in, the fault is injected (a blocking callable, in a thread: kill a replica,
   restart PostgreSQL, …); it returns when the fault is over (the service is back);
3. a message refused with a retryable status (429, 502, 503, 504) is sent again after its Retry-After
   (or 1 s), at most ``RETRIES`` times, as a client would, with the same ``message_id`` (so a message the
   server had stored before the error is answered from the store, not handled twice); anything else is
   final;
4. afterwards every conversation's events are read from the tracker store (PostgreSQL) and compared
   with what was sent and answered: see :func:`check_conversation`.

Figures per fault (:class:`FaultResult`): messages sent, answered (of which with the action-failed
apology), refused with a retryable error (and which), other failures (200 with no reply, 500,
time-outs: a client cannot tell that it should retry), events lost (an answered message not stored
exactly once, or a reply the user got that is not stored), duplicate bot replies, and the seconds from
the end of the fault until throughput is back to half the rate before the fault with no error since
(:func:`recovery_seconds`).
"""
from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

# What a first-time visitor asks; consecutive lines differ, so a stored duplicate shows as a repeat.
SCRIPT = (
    "I'm a business analyst",
    "hi",
    "what is the difference between csm and cspo?",
    "who is the cspo for?",
    "what does a scrum master do?",
    "how much does it cost?",
)
RETRYABLE = {429, 502, 503, 504}
RETRIES = 3
APOLOGY_START = "Sorry, something went wrong on my side"  # domain.yml: utter_action_failed


@dataclass
class Attempt:
    status: int  # HTTP status; 0 for a time-out or a broken connection
    kind: str  # answered | apology | retryable <status> | empty reply | http <status> | <exception name>
    started: float  # seconds since the run began
    ended: float
    replies: List[str] = field(default_factory=list)
    detail: str = ""  # a broken connection's error message (which socket call failed, and how)


@dataclass
class Message:
    sender: str
    text: str
    attempts: List[Attempt] = field(default_factory=list)

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def answered(self) -> bool:
        return self.final.kind in ("answered", "apology")


@dataclass
class FaultResult:
    fault: str
    conversations: int
    messages: int  # messages sent (a retry is not a new message)
    answered: int  # answered in the end (retries included)
    apologies: int  # of those, answered with the action-failed apology (utter_action_failed)
    refused_retryable: Dict[str, int]  # attempts refused with a retryable status, by status
    retried_then_answered: int
    failed: Dict[str, int]  # messages that got no answer in the end, by what they got last
    unclear_errors: int  # of those, what a client cannot know to retry (200 with no reply, 500, time-out…)
    events_lost: int  # answered user messages not stored exactly once + replies the user got that are not stored
    user_messages_stored_twice: int
    duplicate_replies: int  # a turn whose bot replies are stored (or sent) twice
    stored_after_error: int  # refused messages that are in the store all the same (not lost; shown once)
    unexpected_stored: int  # stored user messages this run never sent to that conversation (cross-talk)
    recovery_s: Optional[float]  # from the end of the fault until throughput recovered (None: not within the run)
    errors_until_s: Optional[float]  # from the end of the fault to the last failed or apologising attempt
    longest_wait_s: float  # the longest time one attempt waited for its answer (a stuck conversation shows here)
    fault_seconds: float  # how long the fault itself took (its injection to the service back)
    baseline_msg_s: float  # answered messages a second before the fault
    p95_ms: float
    timeline: List[int] = field(default_factory=list)  # messages answered in each second of the run
    samples: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @property
    def clean(self) -> bool:
        """The targets: no event lost, no duplicate, nothing unclear."""
        return self.events_lost == 0 and self.duplicate_replies == 0 and self.user_messages_stored_twice == 0 \
            and self.unclear_errors == 0 and self.unexpected_stored == 0


def _classify(status: int, body: str) -> Tuple[str, List[str]]:
    if status == 200:
        try:
            messages = json.loads(body)
        except ValueError:
            return "http 200 not JSON", []
        texts = [str(m.get("text") or "") for m in messages if isinstance(m, dict)]
        if not messages:
            return "empty reply", []
        if any(t.startswith(APOLOGY_START) for t in texts):
            return "apology", texts
        return "answered", texts
    if status in RETRYABLE:
        return f"retryable {status}", []
    return f"http {status}", []


def _retry_after(headers: Any) -> float:
    try:
        return min(10.0, max(0.2, float(headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0


async def _talk(session: aiohttp.ClientSession, url: str, sender: str, t0: float, state: Dict[str, float],
                log: List[Message], timeout: float, pause: float = 0.0) -> None:
    """One conversation: the script's lines in turn until `state["until"]` (seconds since t0), each after
    a random pause of up to `pause` s (a person reading the reply; the connection sits idle meanwhile)."""
    i = 0
    rand = random.Random(sender)
    while time.perf_counter() - t0 < state["until"]:
        if pause and i:
            await asyncio.sleep(rand.uniform(0, pause))
        msg = Message(sender, SCRIPT[i % len(SCRIPT)])
        log.append(msg)
        i += 1
        for attempt in range(RETRIES + 1):
            start = time.perf_counter() - t0
            wait = 0.0
            try:
                payload = {"sender": sender, "message": msg.text, "message_id": f"{sender}-m{i}"}  # the same on a retry
                async with session.post(f"{url}/webhooks/rest/webhook", json=payload,
                                        timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                    body = await resp.text()
                    kind, texts = _classify(resp.status, body)
                    msg.attempts.append(Attempt(resp.status, kind, start, time.perf_counter() - t0, texts))
                    wait = _retry_after(resp.headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                msg.attempts.append(Attempt(0, type(exc).__name__, start, time.perf_counter() - t0, detail=str(exc)[:160]))
            if not msg.final.kind.startswith("retryable") or attempt == RETRIES:
                break
            await asyncio.sleep(wait)


def check_conversation(messages: Sequence[Message], stored: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Compares what one conversation sent (in order) with its stored events (Rasa's event dicts, in order).

    The stored user texts are walked alongside the messages sent: an answered message must be the next
    stored user text, exactly once (else it is lost, or stored twice); a refused one may be there (the
    server stored it before the error reached the client) or not. The bot texts stored after an answered
    message must include the replies the client got (else those are lost), and a turn's stored bot texts
    must not be one block repeated (a duplicate reply). A new session (the turn cap, advisor/patches.py)
    starts before the message that opened it is stored: the bot texts of its start ("This conversation has
    grown long ...") belong to that message's turn."""
    turns: List[Tuple[str, List[str]]] = []  # (user text, bot texts after it)
    opening: Optional[List[str]] = None  # bot texts of a session start, until its first user message
    for event in stored:
        kind = event.get("event")
        if kind == "session_started":
            opening = []
        elif kind == "user":
            turns.append((str(event.get("text") or ""), opening or []))
            opening = None
        elif kind == "bot" and opening is not None:
            opening.append(str(event.get("text") or ""))
        elif kind == "bot" and turns:
            turns[-1][1].append(str(event.get("text") or ""))
    out: Counter = Counter()
    samples: List[str] = []
    j = 0
    for msg in messages:
        here = j < len(turns) and turns[j][0] == msg.text
        if msg.answered:
            if not here:
                out["lost"] += 1
                samples.append(f"{msg.sender}: answered {msg.text!r} not stored (stored next: "
                               f"{turns[j][0] if j < len(turns) else None!r})")
                continue
            # compared paragraph by paragraph: Rasa's collecting output channel sends a text without buttons as one
            # message per paragraph ("\n\n"), while the bot event keeps it whole
            received = _paragraphs(msg.final.replies)
            bots = _paragraphs(turns[j][1])
            if [t for t in bots if t in received] != [t for t in received if t in bots] or not set(received) <= set(bots):
                out["replies_lost"] += 1
                samples.append(f"{msg.sender}: replies to {msg.text!r} (message {len(turns[:j]) + 1} stored, "
                               f"{len(msg.attempts)} attempt(s): {[a.kind for a in msg.attempts]}) not stored as sent: "
                               f"got {[t[:30] for t in received]}, stored {[t[:30] for t in bots]}")
            if _repeated(bots) or _repeated(received):
                out["duplicate_replies"] += 1
                samples.append(f"{msg.sender}: reply to {msg.text!r} twice")
            j += 1
        elif here:
            out["stored_after_error"] += 1
            j += 1
        while j < len(turns) and turns[j][0] == msg.text:  # the same message stored again
            out["stored_twice"] += 1
            out["duplicate_replies"] += 1 if turns[j][1] else 0
            samples.append(f"{msg.sender}: {msg.text!r} stored twice")
            j += 1
    if j < len(turns):
        out["unexpected"] += len(turns) - j
        samples.append(f"{messages[0].sender if messages else '?'}: {len(turns) - j} stored messages never sent "
                       f"({turns[j][0]!r}…)")
    return {**out, "samples": samples}


def _paragraphs(texts: Sequence[str]) -> List[str]:
    return [part for text in texts for part in text.strip().split("\n\n")]


def _degraded(a: Attempt) -> bool:
    return a.kind != "answered" and a.kind != "retryable 429"


def _repeated(texts: Sequence[str]) -> bool:
    n = len(texts)
    return n >= 2 and n % 2 == 0 and list(texts[: n // 2]) == list(texts[n // 2:])


def recovery_seconds(messages: Sequence[Message], fault_end: float, end: float, baseline: float) -> Optional[float]:
    """Seconds from `fault_end` to the first moment after which (a) no request fails or gets the apology any
    more (a 429 of the rate limits is not a failure) and (b) the answered rate over every 3-s window up to
    `end` (when the conversations stop sending; the drain after it is not counted) is at least half of
    `baseline`. None when not within the run."""
    failures = [a.ended for m in messages for a in m.attempts if _degraded(a)]
    last_failure = max([f for f in failures if f >= fault_end] or [fault_end])
    done = sorted(m.final.ended for m in messages if m.answered)
    t = last_failure
    while t + 3 <= end:
        windows_ok = all(sum(1 for d in done if s <= d < s + 3) / 3 >= 0.5 * baseline
                         for s in _frange(t, end - 3, 1.0))
        if windows_ok:
            return round(max(0.0, t - fault_end), 1)
        t += 0.5
    return None


def _frange(a: float, b: float, step: float) -> List[float]:
    out, x = [], a
    while x <= b:
        out.append(x)
        x += step
    return out


StoreReader = Callable[[List[str]], Dict[str, List[Dict[str, Any]]]]  # conversation ids -> their stored events


def run_fault(url: str, fault_name: str, inject: Callable[[], None], stored_events: StoreReader,
              conversations: int = 50, before: float = 5.0, after: float = 15.0, timeout: float = 60.0,
              pause: float = 0.0) -> FaultResult:
    """Load through `url`, `inject()` after `before` s (blocking; returns once the fault is over), then
    `after` more seconds of load; then the store check. `stored_events(conversation ids)` reads the store.
    `pause`: each conversation waits up to that many seconds before its next message (see :func:`_talk`)."""
    from bench.load import percentile

    run = uuid.uuid4().hex[:6]
    senders = [f"fault-{run}-{i}" for i in range(conversations)]
    log: List[Message] = []
    fault: Dict[str, float] = {}

    async def go() -> float:
        t0 = time.perf_counter()
        state = {"until": 1e9}

        def injector() -> None:
            time.sleep(before)
            fault["start"] = time.perf_counter() - t0
            try:
                inject()
            finally:
                fault["end"] = time.perf_counter() - t0
                state["until"] = fault["end"] + after

        thread = threading.Thread(target=injector, daemon=True)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            thread.start()
            await asyncio.gather(*(_talk(session, url, s, t0, state, log, timeout, pause) for s in senders))
            await asyncio.get_running_loop().run_in_executor(None, thread.join)
        return time.perf_counter() - t0

    end = asyncio.run(go())
    by_sender: Dict[str, List[Message]] = {}
    for m in log:
        by_sender.setdefault(m.sender, []).append(m)
    stored = stored_events([f"rest:{s}" for s in senders])
    totals: Counter = Counter()
    samples: List[str] = []
    for sender in senders:
        got = check_conversation(by_sender.get(sender, []), stored.get(f"rest:{sender}", []))
        samples += got.pop("samples")
        totals.update(got)
    answered_before = [m for m in log if m.answered and m.final.ended < fault["start"]]
    baseline = len(answered_before) / fault["start"] if fault["start"] else 0.0
    attempts = [a for m in log for a in m.attempts]
    refused = Counter(a.kind.split()[1] for a in attempts if a.kind.startswith("retryable"))
    failed = Counter(m.final.kind for m in log if not m.answered)
    unclear = sum(n for k, n in failed.items() if not k.startswith("retryable"))
    latencies = [(a.ended - a.started) * 1000 for a in attempts]
    examples = [f"{m.sender}: {m.final.kind}" + (f" ({m.final.detail})" if m.final.detail else "")
                for m in log if not m.answered][:3]
    late = [a.ended for a in attempts if _degraded(a) and a.ended >= fault["end"]]
    return FaultResult(
        fault=fault_name, conversations=conversations, messages=len(log), answered=sum(m.answered for m in log),
        apologies=sum(m.final.kind == "apology" for m in log), refused_retryable=dict(refused),
        retried_then_answered=sum(1 for m in log if m.answered and len(m.attempts) > 1), failed=dict(failed),
        unclear_errors=unclear, events_lost=totals["lost"] + totals["replies_lost"],
        user_messages_stored_twice=totals["stored_twice"], duplicate_replies=totals["duplicate_replies"],
        stored_after_error=totals["stored_after_error"], unexpected_stored=totals["unexpected"],
        recovery_s=recovery_seconds(log, fault["end"], fault["end"] + after, baseline),
        errors_until_s=round(max(late) - fault["end"], 1) if late else None,
        longest_wait_s=round(max((a.ended - a.started for a in attempts), default=0.0), 1),
        timeline=[sum(1 for m in log if m.answered and int(m.final.ended) == s) for s in range(int(end) + 1)],
        fault_seconds=round(fault["end"] - fault["start"], 1), baseline_msg_s=round(baseline, 1),
        p95_ms=round(percentile(latencies, 95), 1), samples=(samples + examples)[:8],
    )


# --- the faults, on a cluster started as tests/e2e/test_cluster.py starts it -----------------------------
def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    start = time.time()
    while True:
        try:
            if condition():
                return time.time() - start
        except Exception:  # noqa: BLE001 - not yet
            pass
        if time.time() - start > seconds:
            raise TimeoutError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.25)


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def cluster_ready(cluster: Any, seconds: float = 300) -> float:
    """Waits until every replica is ready (/ready: model, PostgreSQL, Redis) and the action server answers."""
    urls = [f"{cluster.replica(i).rasa_url}/ready" for i in (1, 2)]
    urls.append(f"http://127.0.0.1:{cluster.env['ACTION_PORT']}/health")
    return wait_until(lambda: all(_answers(u) for u in urls), seconds, "every replica ready, the action server up")


def kill_replica(cluster: Any, i: int = 1) -> Callable[[], None]:
    """SIGKILL to replica i's Rasa server (its supervisor restarts it; nginx sends its conversations to the other)."""
    import os
    import signal
    import socket

    def inject() -> None:
        os.kill(cluster.replica_pid(i), signal.SIGKILL)
        port = cluster.replica_base + i - 1

        def refused() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return False
            except OSError:
                return True
        wait_until(refused, 10, f"replica {i} gone")
    return inject


def restart_postgres(cluster: Any) -> Callable[[], None]:
    """PostgreSQL stopped (fast shutdown: every connection cut) and started again at once."""
    def inject() -> None:
        cluster.postgres("stop")
        cluster.postgres("start")
    return inject


def stop_redis(cluster: Any, seconds: float = 10.0) -> Callable[[], None]:
    """Redis (the lock store and the channels' de-duplication) stopped for `seconds`, then started again."""
    import subprocess

    from tests.e2e.test_cluster import SERVICES

    def inject() -> None:
        redis_dir = str(cluster.dir / "redis")
        subprocess.run([str(SERVICES), "stop", "redis", "--dir", redis_dir], check=True, capture_output=True, timeout=60)
        time.sleep(seconds)
        subprocess.run([str(SERVICES), "start", "redis", "--port", cluster.env["CLUSTER_REDIS_PORT"], "--dir", redis_dir],
                       check=True, capture_output=True, timeout=60)
    return inject


def restart_action_server(cluster: Any) -> Callable[[], None]:
    """The action server stopped (SIGTERM to its process group); its supervisor starts it again. Over
    when it answers /health again."""
    import os
    import signal

    health = f"http://127.0.0.1:{cluster.env['ACTION_PORT']}/health"

    def inject() -> None:
        pid = int((cluster.dir / "pids" / "actions.server").read_text())
        os.killpg(pid, signal.SIGTERM)
        wait_until(lambda: not _answers(health), 20, "the action server stopped")
        wait_until(lambda: _answers(health), 120, "the action server answers again")
    return inject


def reload_nginx(cluster: Any, times: int = 40, every: float = 0.25) -> Callable[[], None]:
    """nginx reloaded `times` times, `every` s apart: what scripts/cluster.sh does each time a replica's
    /ready changes (it is taken out of rotation or put back). A graceful reload closes the old workers'
    idle kept-alive connections; a client that sends on one of them at that moment sees it reset."""
    import subprocess

    from tests.e2e.test_cluster import SERVICES

    def inject() -> None:
        for _ in range(times):
            subprocess.run([str(SERVICES), "start", "nginx", "--conf", str(cluster.dir / "nginx.conf"),
                            "--dir", str(cluster.dir / "nginx")], check=True, capture_output=True, timeout=60)
            time.sleep(every)
    return inject


def postgres_events(cluster: Any) -> StoreReader:
    """Reads the conversations' events (all sessions, in order) from the cluster's PostgreSQL."""
    def read(ids: List[str]) -> Dict[str, List[Dict[str, Any]]]:
        import psycopg2  # the driver Rasa's SQL tracker store uses

        conn = psycopg2.connect(host="127.0.0.1", port=int(cluster.env["CLUSTER_PG_PORT"]), dbname="advisor",
                                user="advisor", password=(cluster.dir / "postgres" / "password").read_text().strip())
        out: Dict[str, List[Dict[str, Any]]] = {}
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT sender_id, data FROM events WHERE sender_id = ANY(%s) ORDER BY id", (ids,))
                for sender, data in cur.fetchall():
                    out.setdefault(sender, []).append(json.loads(data))
        finally:
            conn.close()
        return out
    return read


FAULTS = {
    "replica killed": kill_replica,
    "PostgreSQL restarted": restart_postgres,
    "Redis stopped 10 s": stop_redis,
    "action server restarted": restart_action_server,
    "nginx reloaded": reload_nginx,
}


def run_faults(cluster: Any, names: Sequence[str], conversations: int, before: float, after: float,
               say: Callable[[str], None] = print) -> List[FaultResult]:
    """Each fault in turn on a running cluster, waiting for it to be whole again between two."""
    results = []
    for name in names:
        cluster_ready(cluster)
        say(f"failure under load: {name}, {conversations} conversations")
        result = run_fault(cluster.balancer.rasa_url, name, FAULTS[name](cluster), postgres_events(cluster),
                           conversations=conversations, before=before, after=after)
        say(f"  {json.dumps({k: v for k, v in result.as_dict().items() if k != 'samples'})}")
        results.append(result)
    return results
