"""Measures whether two messages sent at the same moment to one conversation, through two entry
points (two replicas directly, or the balancer twice), are processed one after the other.

For every pair the conversation's tracker must afterwards hold both user messages, each followed
by its own complete turn (the bot's answer and `action_listen`) before the next one starts, and each
reply must answer its own question. Anything else is counted as a race.

    python -m tests.support.lockrace URL_A URL_B PAIRS [--token T]
"""
from __future__ import annotations

import argparse
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import requests

QUESTIONS = (("what is the CSM certification?", "CSM"), ("what is the CSPO certification?", "CSPO"))


@dataclass
class RaceResult:
    pairs: int = 0
    interleaved: int = 0  # the second turn started before the first had finished
    lost: int = 0  # a user message missing from the tracker
    wrong: int = 0  # a reply that does not answer its own question, or an error / empty reply
    replicas: Dict[str, int] = field(default_factory=dict)  # which replica answered (nginx header)
    examples: List[str] = field(default_factory=list)

    @property
    def races(self) -> int:
        return self.interleaved + self.lost + self.wrong


def turns_in_order(events: List[Dict[str, Any]]) -> bool:
    """Every user message is followed by its turn's end (`action_listen`) before the next one."""
    open_turn = False
    for e in events:
        if e.get("event") == "user":
            if open_turn:
                return False
            open_turn = True
        elif e.get("event") == "action" and e.get("name") == "action_listen":
            open_turn = False
    return True


def _send(url: str, sender: str, i: int, barrier: threading.Barrier, replies: List[Any], params: Dict[str, str]) -> None:
    barrier.wait()
    try:
        r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": QUESTIONS[i][0]},
                          params=params, timeout=120)
        replies[i] = (r.status_code, r.json() if r.ok else None, r.headers.get("X-Advisor-Replica", ""))
    except (requests.RequestException, ValueError) as e:
        replies[i] = (0, None, str(e))


def measure(url_a: str, url_b: str, pairs: int, token: Optional[str] = None,
            tracker: Optional[Callable[[str], Dict[str, Any]]] = None) -> RaceResult:
    """`tracker(sender)` reads a conversation (default: the HTTP API of `url_a` with the sender as its id)."""
    res = RaceResult()
    params = {"token": token} if token else {}
    if tracker is None:
        def tracker(sender: str) -> Dict[str, Any]:
            return requests.get(f"{url_a}/conversations/{sender}/tracker", params=params, timeout=30).json()
    for _ in range(pairs):
        sender = f"race-{uuid.uuid4().hex[:10]}"
        barrier = threading.Barrier(2)
        replies: List[Any] = [None, None]
        threads = [threading.Thread(target=_send, args=(url, sender, i, barrier, replies, params))
                   for i, url in enumerate((url_a, url_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        res.pairs += 1
        for i, (status, body, replica) in enumerate(replies):
            if replica:
                res.replicas[replica] = res.replicas.get(replica, 0) + 1
            text = "\n".join(m.get("text") or "" for m in body or [])
            if status != 200 or QUESTIONS[i][1] not in text[:200]:
                res.wrong += 1
                res.examples.append(f"{sender}: reply {i} {status} {text[:80]!r}")
        events = tracker(sender).get("events") or []
        user_texts = [e.get("text") for e in events if e.get("event") == "user"]
        if sorted(t for t in user_texts if t) != sorted(q for q, _ in QUESTIONS):
            res.lost += 1
            res.examples.append(f"{sender}: user messages in the tracker {user_texts}")
        elif not turns_in_order(events):
            res.interleaved += 1
            res.examples.append(f"{sender}: turns interleaved")
    return res


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url_a")
    ap.add_argument("url_b")
    ap.add_argument("pairs", type=int)
    ap.add_argument("--token")
    args = ap.parse_args(argv)
    res = measure(args.url_a.rstrip("/"), args.url_b.rstrip("/"), args.pairs, args.token)
    print(f"{res.pairs} pairs: {res.races} raced (interleaved {res.interleaved}, lost {res.lost}, wrong {res.wrong}); "
          f"replicas {res.replicas}")
    for line in res.examples[:10]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
