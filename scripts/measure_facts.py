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


def parse_all(model: str, texts: List[str], batch: int = 64) -> List[Dict[str, Any]]:
    """What ``Agent.parse_message`` returns for each text, parsed ``batch`` texts at a time.

    The NLU graph's components each take a list of messages (as in training), so one run of the graph
    over 64 messages does what 64 runs over one do, at about 1.7 times the speed (10,631 texts of the
    independent sets: 42 s against 70 s); tests/rasa/test_batch_parse.py holds the two equal."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

    processor = _agent(model).processor
    target = processor.model_metadata.nlu_target
    tracker = DialogueStateTracker.from_events("parse_all", [])
    parses: List[Dict[str, Any]] = []
    for start in range(0, len(texts), batch):
        messages = [UserMessage(t) for t in texts[start:start + batch]]
        results = processor.graph_runner.run(inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker},
                                             targets=[target])[target]
        for parsed in results:
            # as MessageProcessor._parse_message_with_graph and parse_message build it
            data: Dict[str, Any] = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
            data.update(parsed.as_dict(only_output_properties=True))
            processor._update_full_retrieval_intent(data)
            parses.append(data)
    return parses


def parse_one_at_a_time(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Rasa's own path, one message at a time: what parse_all must equal."""
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
