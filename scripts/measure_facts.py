"""Measures the fact retrieval on the held-out questions (tests/facts/heldout.yml) with the real NLU model.

    PYTHONPATH=. .venv/bin/python scripts/measure_facts.py [MODEL]        (about a minute)

Prints how many held-out questions get the right fact (or, for broad questions, the right topic)
first through the advisor's routing and planner, and the misses. The planner's options are compared
on the independent sets by scripts/measure_planner.py.
"""
from __future__ import annotations

import asyncio
import functools
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
HELD_OUT = ROOT / "tests" / "facts" / "heldout.yml"


def held_out() -> List[Dict[str, Any]]:
    return list(yaml.safe_load(HELD_OUT.read_text())["questions"])


@functools.lru_cache(maxsize=1)
def _agent(model: str) -> Any:
    """The trained model, loaded once per process (the test modules that parse share it)."""
    import logging

    from rasa.core.agent import Agent

    logging.disable(logging.WARNING)
    return Agent.load(model)


def parse_all(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    agent = _agent(model)

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(run())


def right(q: Dict[str, Any], fact: Any, topic: Any) -> bool:
    """A fact question wants its fact first; a broad question wants its topic summary (no fact)."""
    return (fact is not None and fact.id == q["fact"]) if "fact" in q else (fact is None and topic == q["topic"])


def advisor_accuracy(questions: List[Dict[str, Any]], parses: List[Dict[str, Any]]) -> Tuple[int, List[str]]:
    """How many questions the advisor answers right, as its actions do (the planner, fallback and out of
    scope included; scripts/measure_planner.py's routing), and the misses. A neighbour's description
    counts for a fact it states (``answers_facts``); the same fact narrowed to the one certification or
    neighbour asked (``per_certification``, ``per_neighbour``: "will I earn more with a CSM?" -> csm_salary)
    counts for it."""
    from measure_planner import decide

    from actions.compose import get_planner
    from actions.decision import NEIGHBOUR, TOPIC, Context

    planner = get_planner()
    ok, misses = 0, []
    for q, p in zip(questions, parses, strict=True):
        decision, text = decide(planner, p, Context())
        if decision is None:
            got = text
            good = False
        elif "fact" in q:
            stated = {f for k in decision.neighbours for f in planner.neighbours.entries[k].answers_facts}
            wanted = planner.index.book.facts.get(q["fact"])
            narrower = wanted.narrower() if wanted else ()
            good = (decision.fact is not None and (decision.fact.id == q["fact"] or decision.fact.id in narrower)) or (
                decision.kind == NEIGHBOUR and q["fact"] in stated)
            got = decision.fact.id if decision.fact else f"{decision.kind}:{decision.rule}"
        else:
            good = decision.kind == TOPIC and decision.topic == q["topic"]
            got = f"{decision.kind}:{decision.topic}"
        if good:
            ok += 1
        else:
            misses.append(f"  {q['text']!r}: wanted {q.get('fact') or q.get('topic')}, got {got}")
    return ok, misses


def main() -> int:
    model = sys.argv[1] if len(sys.argv) > 1 else None
    if model is None:
        import subprocess

        model = subprocess.run(["bash", "-c", "source scripts/common.sh && model_path"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    questions = held_out()
    parses = parse_all(model, [q["text"] for q in questions])
    ok, misses = advisor_accuracy(questions, parses)
    print(f"held-out questions answered right (fact first, or the topic for broad ones): {ok}/{len(questions)}")
    print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
