"""Concurrent conversations against a running advisor, over the REST channel, for throughput figures
and for the cluster's lock-race measurement. Reusable: `run_load(base_url, conversations)`.

Every conversation asks about one certification and then follows up without naming it; half ask
about CSM, half about CSPO. A follow-up answered for the wrong certification, or a reply that
belongs to nobody, counts as cross-talk (a conversation that saw another one's context).

    python -m tests.support.load http://127.0.0.1:5005 20 [--token T]
"""
from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import requests

# (question, follow-up) per certification; the follow-up relies on the conversation's context.
SCRIPTS: Dict[str, Tuple[str, str]] = {
    "CSM": ("what is the CSM certification?", "what are its benefits?"),
    "CSPO": ("what is the CSPO certification?", "what are its benefits?"),
}


@dataclass
class LoadResult:
    base_url: str
    conversations: int
    messages: int = 0
    seconds: float = 0.0
    throughput: float = 0.0  # messages answered per second
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    errors: int = 0  # HTTP errors, timeouts, empty replies
    crosstalk: int = 0  # replies about the other conversation's certification
    replicas: Dict[str, int] = field(default_factory=dict)  # X-Advisor-Replica header counts (nginx)

    def line(self) -> str:
        return (f"{self.conversations:>3} conversations: {self.throughput:5.1f} msg/s, p50 {self.p50_ms:5.0f} ms, "
                f"p95 {self.p95_ms:5.0f} ms, errors {self.errors}, cross-talk {self.crosstalk}")


def _names_only(text: str, cert: str) -> bool:
    """The follow-up is about `cert`: it names it and does not lead with the other one."""
    other = "CSPO" if cert == "CSM" else "CSM"
    head = text[:120]
    return cert in head and not (other in head and head.index(other) < head.index(cert))


def run_load(base_url: str, conversations: int, token: Optional[str] = None, timeout: float = 120) -> LoadResult:
    """`conversations` simultaneous conversations of two messages each against `base_url`."""
    result = LoadResult(base_url=base_url, conversations=conversations)
    latencies: List[float] = []
    lock = threading.Lock()
    run_id = uuid.uuid4().hex[:8]
    start_barrier = threading.Barrier(conversations)

    def one(i: int) -> None:
        cert = "CSM" if i % 2 else "CSPO"
        sender = f"load-{run_id}-{i}"
        session = requests.Session()
        try:
            start_barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        for n, text in enumerate(SCRIPTS[cert]):
            t0 = time.perf_counter()
            ok, reply_text, replica = False, "", ""
            try:
                r = session.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 params={"token": token} if token else {}, timeout=timeout)
                replica = r.headers.get("X-Advisor-Replica", "")
                if r.status_code == 200:
                    reply_text = "\n".join(m.get("text") or "" for m in r.json())
                    ok = bool(reply_text)
            except (requests.RequestException, ValueError):
                pass
            elapsed = time.perf_counter() - t0
            with lock:
                result.messages += 1
                latencies.append(elapsed)
                if replica:
                    result.replicas[replica] = result.replicas.get(replica, 0) + 1
                if not ok:
                    result.errors += 1
                elif n == 1 and not _names_only(reply_text, cert):
                    result.crosstalk += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        list(pool.map(one, range(conversations)))
    result.seconds = time.perf_counter() - t0
    result.throughput = result.messages / result.seconds if result.seconds else 0.0
    if latencies:
        ordered = sorted(latencies)
        result.p50_ms = statistics.median(ordered) * 1000
        result.p95_ms = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000
    return result


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base_url")
    ap.add_argument("conversations", type=int, nargs="+")
    ap.add_argument("--token")
    ap.add_argument("--json", action="store_true", help="one JSON object per run instead of a line")
    args = ap.parse_args(argv)
    for n in args.conversations:
        res = run_load(args.base_url.rstrip("/"), n, args.token)
        print(json.dumps(asdict(res)) if args.json else res.line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
