"""Profile the Rasa server's message path under load (docs/developers.md, "Performance").

Starts the advisor (action server + Rasa server, free local ports), runs py-spy (from PyPI, pinned in
requirements-test.lock, which `make test` installs and `make run` does not) on the Rasa server process
while N concurrent conversations run, and prints the functions with the largest share of samples
(inclusive: a function counts when it is anywhere on the stack). The raw collapsed stacks are kept in
reports/profile/ for flame-graph tools.

    .venv/bin/python bench/profile.py [--conversations 50] [--rounds 3] [--model models/x.tar.gz]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import run_load  # noqa: E402
from tests.support.stack import Stack  # noqa: E402

# Functions worth naming in a summary: where Rasa's message path spends its time.
WATCH = (
    "_validate_action_result", "validate", "check_schema", "predict_action_probabilities", "_predict",
    "TEDPolicy", "RulePolicy", "MemoizationPolicy", "parse_message", "__call__ (spacy", "process",
    "_run_action", "run (rasa/core/actions/action.py", "get_or_create_tracker", "save", "handle_message",
    "_call_tensorflow", "featurize", "encode_state", "LogisticRegression", "CRFEntityExtractor",
)


def shares(raw: Path, top: int) -> Tuple[int, List[Tuple[str, float]]]:
    """Inclusive share of samples per frame from py-spy's raw (collapsed) output."""
    counts: Dict[str, int] = collections.Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        samples = int(n)
        total += samples
        for frame in set(stack.split(";")):
            counts[frame] += samples
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return total, [(frame, count / total) for frame, count in ranked[:top]] if total else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", help="trained model (default: the newest in models/)")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()
    if args.model:
        os.environ["ADVISOR_MODEL"] = args.model
    out = ROOT / "reports" / "profile"
    out.mkdir(parents=True, exist_ok=True)
    from channels.guard import DEFAULT_PER_ADDRESS, DEFAULT_PER_CONVERSATION  # make run's limits, not the tests'

    # The suite's per-address limit (1200/min) refused most of a third round of 50 conversations.
    stack = Stack(out / "run", env={"ADVISOR_RATE_PER_ADDRESS": DEFAULT_PER_ADDRESS,
                                    "ADVISOR_RATE_PER_CONVERSATION": DEFAULT_PER_CONVERSATION})
    stack.start()
    try:
        assert stack.rasa.proc
        asyncio.run(run_load(stack.rasa_url, 5, check_crosstalk=False))  # warm-up
        raw = out / "rasa-server.txt"
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(stack.rasa.proc.pid),
                                "-f", "raw", "-o", str(raw), "-r", "200", "--nonblocking", "-d", "600"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        results = [asyncio.run(run_load(stack.rasa_url, args.conversations, check_crosstalk=False))
                   for _ in range(args.rounds)]
        spy.send_signal(2)  # py-spy writes its file on SIGINT
        spy.wait(timeout=60)
    finally:
        stack.stop()
    for r in results:
        print(f"load: {r.conversations} conversations, {r.throughput} msg/s, p50 {r.p50_ms} ms, p95 {r.p95_ms} ms, "
              f"errors {r.errors}" + (f" (first: {r.error_samples[:2]})" if r.errors else ""))
    total, ranked = shares(raw, 400)
    print(f"\n{total} samples; inclusive share of the functions on the message path (raw stacks: {raw}):")
    shown = 0
    for frame, share in ranked:
        if share < 0.01 or shown >= args.top:
            break
        if any(w in frame for w in WATCH) or share > 0.05:
            print(f"  {share * 100:5.1f}%  {frame[:150]}")
            shown += 1


if __name__ == "__main__":
    main()
