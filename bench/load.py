"""Load generator for the REST channel of a Rasa server: scripted conversations, sequential or many at
once, with latency figures and a cross-talk check. Used by `make bench` (bench/run.py) and reusable on
its own: `python -m bench.load --url http://127.0.0.1:5005 --conversations 20`.

Cross-talk check: every reply must be addressed to the conversation that asked (its `recipient_id`);
after the load, every conversation's tracker is read back through the HTTP API and its user messages
must be exactly the ones sent under that sender, in order; a reply that went to the wrong conversation,
or a message stored in the wrong one, shows up there.

Soak (:func:`run_soak`): conversations started at a steady rate for a long time, p95 and errors per
minute, and the resident memory of the server's processes sampled along the way.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

# The load of issue 9: what a first-time visitor asks.
CONCURRENT_SCRIPT = (
    "I'm a business analyst",
    "hi",
    "what is the difference between csm and cspo?",
    "who is the cspo for?",
    "what does a scrum master do?",
)
# The scripted 8-turn conversation for sequential latency.
SEQUENTIAL_SCRIPT = (
    "hi",
    "what is cspo?",
    "what does a scrum master do?",
    "how much does it cost?",
    "help me choose",
    "I'm a developer",
    "making the team work smoothly",
    "thanks, bye",
)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list; 0.0 for an empty one."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(p / 100.0 * len(ordered) + 0.499999))))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    conversations: int
    messages: int
    seconds: float
    throughput: float  # messages per second
    p50_ms: float
    p95_ms: float
    errors: int  # HTTP errors, time-outs, refused connections
    empty_replies: int  # 200 with no bot message at all
    crosstalk: int  # conversations whose stored user messages differ from what was answered to them
    checked_conversations: int
    foreign_replies: int = 0  # replies addressed to another conversation than the one that asked
    error_samples: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)


async def _conversation(session: aiohttp.ClientSession, url: str, sender: str, script: Sequence[str],
                        latencies: List[float], problems: Dict[str, List[str]], timeout: float,
                        recipient: Optional[str] = None, answered: Optional[List[str]] = None) -> None:
    """Sends `script` as `sender`; a reply addressed to anyone but `recipient` (the conversation id the
    server uses for this sender) is recorded as foreign (cross-talk). `answered` gets each text answered
    with 200 (a refused one, 429 or 503, is not stored: it is an error, not cross-talk)."""
    for text in script:
        start = time.perf_counter()
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                body = await resp.text()
                latencies.append((time.perf_counter() - start) * 1000)
                if resp.status != 200:
                    problems["errors"].append(f"{resp.status}: {body[:120]}")
                    continue
                replies = json.loads(body)
                if answered is not None:
                    answered.append(text)
                if not replies:
                    problems["empty"].append(f"{sender}: {text}")
                if recipient is not None and any(isinstance(m, dict) and m.get("recipient_id") not in (recipient, sender)
                                                 for m in replies):
                    problems.setdefault("foreign", []).append(f"{sender}: a reply to {text!r} addressed elsewhere")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            latencies.append((time.perf_counter() - start) * 1000)
            problems["errors"].append(f"{type(exc).__name__}: {exc}"[:160])


async def _stored_user_texts(session: aiohttp.ClientSession, url: str, conversation_id: str,
                             token: Optional[str]) -> Optional[List[str]]:
    params = {"token": token} if token else {}
    async with session.get(f"{url}/conversations/{conversation_id}/tracker", params=params,
                           timeout=aiohttp.ClientTimeout(total=60)) as resp:
        if resp.status != 200:
            return None
        tracker = await resp.json()
    return [e.get("text") or "" for e in tracker.get("events", []) if e.get("event") == "user"]


async def run_load(url: str, conversations: int, script: Sequence[str] = CONCURRENT_SCRIPT,
                   token: Optional[str] = None, tracker_id: Callable[[str], str] = lambda s: s,
                   timeout: float = 120.0, check_crosstalk: bool = True) -> LoadResult:
    """`conversations` conversations at once, each sending `script` one message after the other."""
    url = url.rstrip("/")
    run = uuid.uuid4().hex[:8]
    senders = [f"bench-{run}-{i}" for i in range(conversations)]
    latencies: List[float] = []
    problems: Dict[str, List[str]] = {"errors": [], "empty": []}
    connector = aiohttp.TCPConnector(limit=0)
    answered: Dict[str, List[str]] = {s: [] for s in senders}
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(_conversation(session, url, s, script, latencies, problems, timeout, tracker_id(s),
                                             answered[s]) for s in senders))
        seconds = time.perf_counter() - start
        crosstalk, checked = 0, 0
        if check_crosstalk:
            for sender in senders:
                stored = await _stored_user_texts(session, url, tracker_id(sender), token)
                if stored is None:
                    problems["errors"].append(f"tracker of {sender} unreadable")
                    continue
                checked += 1
                if stored != answered[sender]:
                    crosstalk += 1
                    if crosstalk <= 2:
                        problems["errors_crosstalk"] = problems.get("errors_crosstalk", []) + [f"{sender}: {stored}"]
    messages = len(senders) * len(script)
    return LoadResult(
        conversations=conversations, messages=messages, seconds=round(seconds, 2),
        throughput=round(messages / seconds, 2) if seconds else 0.0,
        p50_ms=round(percentile(latencies, 50), 1), p95_ms=round(percentile(latencies, 95), 1),
        errors=len(problems["errors"]), empty_replies=len(problems["empty"]), crosstalk=crosstalk,
        checked_conversations=checked, foreign_replies=len(problems.get("foreign", [])),
        error_samples=(problems["errors"] + problems.get("errors_crosstalk", []) + problems.get("foreign", []))[:5],
    )


async def _soak(url: str, rate: float, seconds: float, script: Sequence[str], tracker_id: Callable[[str], str],
                rss: Callable[[], Dict[str, float]], warmup: float, sample_every: float,
                timeout: float) -> Dict[str, object]:
    run = uuid.uuid4().hex[:6]
    idle: "asyncio.Queue[Tuple[str, int]]" = asyncio.Queue()  # (sender, index of its next line)
    started_conversations = 0
    records: List[Tuple[float, float, bool]] = []  # (start s, latency ms, ok)
    problems: Dict[str, List[str]] = {"errors": [], "empty": []}
    samples: List[Dict[str, object]] = []
    at_warmup: Dict[str, float] = {}
    t0 = time.perf_counter()
    pending: set = set()

    async def one(session: aiohttp.ClientSession, sender: str, index: int) -> None:
        start = time.perf_counter()
        before = len(problems["errors"])
        lat: List[float] = []
        await _conversation(session, url, sender, script[index:index + 1], lat, problems, timeout, tracker_id(sender))
        records.append((start - t0, lat[0] if lat else (time.perf_counter() - start) * 1000,
                        len(problems["errors"]) == before))
        if index + 1 < len(script):
            idle.put_nowait((sender, index + 1))

    def sample(label: str) -> Dict[str, float]:
        mem = rss()
        samples.append({"t_s": round(time.perf_counter() - t0, 1), "label": label, "rss_mb": mem})
        return mem

    sample("start")
    next_sample = sample_every
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        k = 0
        while True:
            due = k / rate
            now = time.perf_counter() - t0
            if due >= seconds:
                break
            if not at_warmup and now >= warmup:
                at_warmup = sample("warm-up done")
                next_sample = now + sample_every
            elif now >= next_sample:
                sample("")
                next_sample += sample_every
            if due > now:
                await asyncio.sleep(due - now)
            try:
                sender, index = idle.get_nowait()
            except asyncio.QueueEmpty:
                started_conversations += 1
                sender, index = f"soak-{run}-{started_conversations}", 0
            task = asyncio.ensure_future(one(session, sender, index))
            pending.add(task)
            task.add_done_callback(pending.discard)
            k += 1
        if pending:
            await asyncio.wait(pending, timeout=timeout)
    end_mem = sample("end")
    minutes = []
    for m in range(int(seconds // 60) + (1 if seconds % 60 else 0)):
        rows = [r for r in records if m * 60 <= r[0] < (m + 1) * 60]
        minutes.append({"minute": m + 1, "messages": len(rows), "errors": sum(1 for r in rows if not r[2]),
                        "p95_ms": round(percentile([r[1] for r in rows], 95), 1)})
    growth = {name: round(100.0 * (end_mem.get(name, 0.0) - mb) / mb, 1) for name, mb in at_warmup.items() if mb}
    return {"seconds": round(time.perf_counter() - t0, 1), "rate_msg_s": round(rate, 2), "messages": len(records),
            "conversations": started_conversations, "errors": len(problems["errors"]),
            "empty_replies": len(problems["empty"]), "foreign_replies": len(problems.get("foreign", [])),
            "p95_ms": round(percentile([r[1] for r in records], 95), 1), "warmup_s": warmup,
            "rss_mb_after_warmup": at_warmup, "rss_mb_end": end_mem, "rss_growth_pct": growth,
            "rss_growth_max_pct": max(growth.values()) if growth else None, "per_minute": minutes,
            "rss_samples": samples, "error_samples": problems["errors"][:5]}


def run_soak(url: str, rate: float, seconds: float, rss: Callable[[], Dict[str, float]],
             script: Sequence[str] = CONCURRENT_SCRIPT, tracker_id: Callable[[str], str] = lambda s: s,
             warmup: Optional[float] = None, sample_every: float = 10.0, timeout: float = 120.0) -> Dict[str, object]:
    """`rate` messages a second for `seconds` s: each message is the next line of a waiting conversation
    (one whose previous message was answered), or the first of a new one when none waits. `rss()` gives
    the resident memory (MB) of each process to watch; sampled at the start, after `warmup` s (default:
    a fifth of the run, at most 60 s), every `sample_every` s and at the end. Returns messages, errors,
    p95 per minute and the RSS growth of each process after the warm-up, in %."""
    warm = warmup if warmup is not None else min(60.0, seconds / 5)
    return asyncio.run(_soak(url, rate, seconds, script, tracker_id, rss, warm, sample_every, timeout))


def run_sequential(url: str, script: Sequence[str] = SEQUENTIAL_SCRIPT, repeats: int = 10,
                   timeout: float = 120.0) -> Dict[str, float]:
    """`repeats` conversations one after the other; per-message latency p50/p95 (first message of the
    first conversation excluded as warm-up)."""
    async def go() -> List[float]:
        latencies: List[float] = []
        problems: Dict[str, List[str]] = {"errors": [], "empty": []}
        async with aiohttp.ClientSession() as session:
            await _conversation(session, url, f"warmup-{uuid.uuid4().hex[:6]}", script[:1], [], problems, timeout)
            for _ in range(repeats):
                await _conversation(session, url, f"seq-{uuid.uuid4().hex[:8]}", script, latencies, problems, timeout)
        if problems["errors"]:
            raise RuntimeError(f"sequential run failed: {problems['errors'][:3]}")
        return latencies

    latencies = asyncio.run(go())
    return {"messages": len(latencies), "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1), "mean_ms": round(statistics.mean(latencies), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Scripted conversations against a Rasa REST channel.")
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--token", default=None, help="API token, for reading trackers back")
    parser.add_argument("--prefix", default="", help="conversation-id prefix of the REST channel, e.g. 'rest:'")
    args = parser.parse_args()
    result = asyncio.run(run_load(args.url, args.conversations, token=args.token,
                                  tracker_id=lambda s: args.prefix + s))
    print(json.dumps(result.as_dict(), indent=2))


if __name__ == "__main__":
    main()
