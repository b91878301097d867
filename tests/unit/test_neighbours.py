"""Neighbouring certifications: recognised, described from the reference facts, related to CSM/CSPO."""
from __future__ import annotations

import pytest

from actions.knowledge_base import Knowledge, load_knowledge
from actions.neighbours import Neighbours, neighbour_reply, neighbours_from_knowledge
from actions.render import Renderer
from tests.unit.test_actions import run, tracker


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def book(kb: Knowledge) -> Neighbours:
    return neighbours_from_knowledge(kb)


def test_all_neighbours_are_described_and_sourced(book: Neighbours) -> None:
    assert set(book.entries) == {"PSM", "PSPO", "PMP", "SAFe_POPM", "A-CSM", "A-CSPO", "CSP"}
    for n in book.entries.values():
        assert n.what and n.relation and n.source.url


@pytest.mark.parametrize("text,expected", [
    ("what's the difference between CSM and PSM?", ["PSM"]),
    ("is SAFe POPM better than CSPO?", ["SAFe_POPM"]),
    ("should I get PMP or CSM?", ["PMP"]),
    ("what is the A-CSM", ["A-CSM"]),
    ("what is the CSM", []),  # the CSM itself is not a neighbour
    ("/compare_certifications", []),
])
def test_named_by_aliases(book: Neighbours, text: str, expected: list) -> None:
    assert book.named(text) == expected


def test_named_by_the_nlu_entity(book: Neighbours) -> None:
    assert book.named("that scrum.org one", [{"entity": "other_certification", "value": "PSM"}]) == ["PSM"]


def test_reply_names_it_relates_it_and_states_the_scope(kb: Knowledge, book: Neighbours) -> None:
    text = neighbour_reply(kb, book, Renderer("rest"), ["PSM"]).text
    assert text.startswith("**PSM I (Professional Scrum Master I)**: Scrum.org's (not Scrum Alliance's) counterpart of the CSM")
    assert "80 questions" in text and "Scrum Master" in text and "I cover the CSM and the CSPO only" in text
    assert "Source: [Scrum.org" in text


def test_actions_answer_neighbours_instead_of_the_table() -> None:
    from actions.action_answer import ActionAnswerQuestion
    from actions.action_fallback import ActionOutOfScope

    msgs, _ = run(ActionAnswerQuestion(), tracker("what's the difference between CSM and PSM?", "compare_certifications"))
    assert "PSM I" in msgs[0]["text"] and "CSM vs CSPO" not in msgs[0]["text"]
    msgs, _ = run(ActionOutOfScope(), tracker("should I get PMP or CSM?", "out_of_scope"))
    assert "PMP (Project Management Professional)" in msgs[0]["text"] and "not a Scrum certification" in msgs[0]["text"]


def test_fallback_names_a_neighbour() -> None:
    from actions.action_fallback import ActionHandleFallback

    msgs, _ = run(ActionHandleFallback(), tracker("pspo?", "nlu_fallback", ranking=[{"name": "nlu_fallback"}]))
    assert "PSPO I" in msgs[0]["text"] and "counterpart of the CSPO" in msgs[0]["text"]
