"""The held-out fact questions (tests/facts/heldout.yml, never trained on) through the real NLU model
and the advisor's own answer logic: at least 90 % must get the right fact first (broad questions: the
topic summary)."""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from scripts.measure_facts import advisor_accuracy, held_out, parse_all
from tests.support.stack import model_path

MIN_ACCURACY = 0.90


@pytest.fixture(scope="module")
def parsed() -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    questions = held_out()
    return questions, parse_all(str(model_path()), [q["text"] for q in questions])


def test_fact_questions_get_the_right_fact_first(parsed: Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]) -> None:
    questions, parses = parsed
    facts = [(q, p) for q, p in zip(questions, parses, strict=True) if "fact" in q]
    assert len(facts) >= 60
    ok, misses = advisor_accuracy([q for q, _ in facts], [p for _, p in facts])
    accuracy = ok / len(facts)
    print(f"fact questions answered with the right fact first: {ok}/{len(facts)} = {accuracy:.3f}")
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)


def test_broad_questions_get_the_topic_summary(parsed: Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]) -> None:
    questions, parses = parsed
    broad = [(q, p) for q, p in zip(questions, parses, strict=True) if "topic" in q]
    ok, misses = advisor_accuracy([q for q, _ in broad], [p for _, p in broad])
    assert ok >= len(broad) - 1, "\n".join(misses)
