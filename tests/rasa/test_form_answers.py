"""Free-text answers to the recommendation form's questions (tests/form/), through the real NLU model and
the form's own reading (actions.action_recommend.read_reply): answers are read as answers, real
questions asked mid-form as questions. Figures: scripts/score_form_answers.py --show."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest

from scripts.score_form_answers import ANSWERS, load, score
from tests.support.stack import ROOT, model_path

HELD_OUT = ANSWERS.parent / "free_text_answers_heldout.yml"
# Measured with the model of this change: 43/49 (0.878) right on the set the change was made with (the
# other 6 asked back with the right value), 23/32 (0.719) on the held-out set (before: 34/49 and 19/32).
MIN_RIGHT = {ANSWERS.name: 0.85, HELD_OUT.name: 0.65}


def _training_examples() -> set:
    from workbench.nlu_data import examples_by_intent, normalize, plain_text

    files = {p.name: p.read_text() for p in (ROOT / "data" / "nlu").glob("*.yml")}
    return {normalize(plain_text(text)) for found in examples_by_intent(files).values() for text, _, _ in found}


@pytest.mark.parametrize("path", [ANSWERS, HELD_OUT], ids=lambda p: p.name)
def test_no_answer_is_a_training_example(path: Path) -> None:
    from workbench.nlu_data import normalize

    items = load(path)
    assert len(items) >= 30
    copied = {normalize(str(i["text"])) for i in items} & _training_examples()
    assert not copied, copied


@pytest.fixture(scope="module")
def verdicts() -> Dict[str, List[str]]:
    return {p.name: score(str(model_path()), load(p)) for p in (ANSWERS, HELD_OUT)}


@pytest.mark.parametrize("path", [ANSWERS, HELD_OUT], ids=lambda p: p.name)
def test_free_text_answers_are_read_as_answers(verdicts: Dict[str, List[str]], path: Path) -> None:
    items = load(path)
    counts = Counter(verdicts[path.name])
    share = counts["right"] / len(items)
    print(f"{path.name}: read right {counts['right']}/{len(items)} = {share:.3f} {dict(counts)}")
    assert share >= MIN_RIGHT[path.name], dict(counts)


@pytest.mark.parametrize("path", [ANSWERS, HELD_OUT], ids=lambda p: p.name)
def test_every_question_asked_mid_form_is_left_to_be_answered(verdicts: Dict[str, List[str]], path: Path) -> None:
    items = load(path)
    missed = [i["text"] for i, v in zip(items, verdicts[path.name], strict=True) if i["expect"] == "question" and v != "right"]
    assert not missed


def test_no_answer_of_the_tuning_set_gets_a_wrong_value(verdicts: Dict[str, List[str]]) -> None:
    items = load(ANSWERS)
    wrong = [i["text"] for i, v in zip(items, verdicts[ANSWERS.name], strict=True) if v == "wrong"]
    assert not wrong
