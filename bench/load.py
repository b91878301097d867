"""Load generator for the REST channel of a Rasa server: scripted conversations, sequential or many at
once, with latency figures and a cross-talk check. Used by `make bench` (bench/run.py) and reusable on
its own: `python -m bench.load --url http://127.0.0.1:5005 --conversations 20`.

Cross-talk check: after the load, every conversation's tracker is read back through the HTTP API and
its user messages must be exactly the ones sent under that sender, in order; a reply that went to the
wrong conversation, or a message stored in the wrong one, shows up there.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

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
    crosstalk: int  # conversations whose stored user messages differ from what was sent to them
    checked_conversations: int
    error_samples: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)


async def _conversation(session: aiohttp.ClientSession, url: str, sender: str, script: Sequence[str],
                        latencies: List[float], problems: Dict[str, List[str]], timeout: float) -> None:
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
                if not json.loads(body):
                    problems["empty"].append(f"{sender}: {text}")
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
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(_conversation(session, url, s, script, latencies, problems, timeout) for s in senders))
        seconds = time.perf_counter() - start
        crosstalk, checked = 0, 0
        if check_crosstalk:
            for sender in senders:
                stored = await _stored_user_texts(session, url, tracker_id(sender), token)
                if stored is None:
                    problems["errors"].append(f"tracker of {sender} unreadable")
                    continue
                checked += 1
                if stored != list(script):
                    crosstalk += 1
                    if crosstalk <= 2:
                        problems["errors_crosstalk"] = problems.get("errors_crosstalk", []) + [f"{sender}: {stored}"]
    messages = len(senders) * len(script)
    return LoadResult(
        conversations=conversations, messages=messages, seconds=round(seconds, 2),
        throughput=round(messages / seconds, 2) if seconds else 0.0,
        p50_ms=round(percentile(latencies, 50), 1), p95_ms=round(percentile(latencies, 95), 1),
        errors=len(problems["errors"]), empty_replies=len(problems["empty"]), crosstalk=crosstalk,
        checked_conversations=checked, error_samples=(problems["errors"] + problems.get("errors_crosstalk", []))[:5],
    )


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
