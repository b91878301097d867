"""Openers that state only a role, only a goal, or nothing, through the real NLU model and the form's
own answer logic (actions.profile): which questions the advisor still asks, and that no slot is filled
from words that do not state it. An inferred goal may only come back as a yes/no question."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from actions.profile import FOCUS, FORM_SLOTS, LEADS, ROLE, Parsed, decide, extract
from actions.recommender import get_rules
from scripts.measure_facts import parse_all
from tests.support.stack import model_path

FORM_STARTERS = {"ask_recommendation", "inform_role", "goal_facilitate_teams", "goal_own_product", "goal_lead_transformation"}

# (opener, role it states or None, focus it states or None, whether it states leading a transformation)
ONLY_ROLE: List[Tuple[str, str]] = [
    ("I work as a product owner, no certificate yet. what would you suggest?", "product_owner"),
    ("I'm a business analyst, which certification should I get?", "business_analyst"),
    ("I'm a developer. which one would you recommend for me?", "developer"),
    ("as a project manager, what do you recommend?", "project_manager"),
    ("I manage a team of developers, which cert is right for me?", "manager"),
    ("I'm a tester, help me choose a certification", "tester"),
    ("I am a scrum master, which certification should I take?", "scrum_master"),
    ("product manager here, which certification fits me?", "product_manager"),
    ("I'm an entrepreneur, what should I take?", "entrepreneur"),
]
ONLY_GOAL: List[Tuple[str, Optional[str], bool]] = [
    ("I want to own the product backlog, which certification should I take?", "product_value", False),
    ("I love helping my team get rid of blockers, what should I get?", "team_process", False),
    ("I want to decide what gets built, help me choose", "product_value", False),
    ("coaching teams is my thing, which certification suits me?", "team_process", False),
    ("I'm leading our agile transformation, which certification do you recommend?", None, True),
]
NOTHING: List[str] = [
    "which certification should I take?",
    "help me choose",
    "what do you recommend for me?",
    "I need advice on picking a scrum certification",
    "hi, can you help me pick a certification?",
    "which one is better for my career?",
    "I have no certificate yet, what would you suggest?",
]


@pytest.fixture(scope="module")
def parses() -> Dict[str, Dict[str, Any]]:
    texts = [t for t, _ in ONLY_ROLE] + [t for t, _, _ in ONLY_GOAL] + NOTHING
    return dict(zip(texts, parse_all(str(model_path()), texts), strict=True))


def opening(parse: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[str]]:
    """Slots the form takes from the opener, and the focus it would ask back as yes/no."""
    rules = get_rules()
    parsed = Parsed.from_message(parse)
    ex = extract(parsed, None, rules.role_names.keys(), rules.secondary_goal_confidence, rules.certain_confidence)
    return decide(ex, parsed, None, 0).slots, ex.focus_guess


def test_there_are_enough_openers() -> None:
    assert len(ONLY_ROLE) + len(ONLY_GOAL) + len(NOTHING) >= 20


@pytest.mark.parametrize("text,role", ONLY_ROLE)
def test_only_a_role(parses: Dict[str, Dict[str, Any]], text: str, role: str) -> None:
    parse = parses[text]
    assert parse["intent"]["name"] in FORM_STARTERS, parse["intent"]
    slots, guess = opening(parse)
    assert slots == {ROLE: role}, f"{text!r} -> {slots}"  # the focus and transformation are still asked
    assert guess is None, f"{text!r}: a focus guessed from a role ({guess})"


@pytest.mark.parametrize("text,focus,leads", ONLY_GOAL)
def test_only_a_goal(parses: Dict[str, Dict[str, Any]], text: str, focus: Optional[str], leads: bool) -> None:
    parse = parses[text]
    assert parse["intent"]["name"] in FORM_STARTERS, parse["intent"]
    slots, guess = opening(parse)
    assert ROLE not in slots, f"{text!r}: a role from nothing ({slots})"
    if focus:
        # stated: taken when the NLU is near-certain, otherwise asked back; never another value
        assert slots.get(FOCUS, guess) == focus, f"{text!r} -> {slots}, guess {guess}"
        assert LEADS not in slots
    else:
        assert FOCUS not in slots and guess is None, f"{text!r}: one clause filled two slots ({slots})"
        assert slots.get(LEADS) in (True, None)


@pytest.mark.parametrize("text", NOTHING)
def test_nothing_stated_asks_everything(parses: Dict[str, Dict[str, Any]], text: str) -> None:
    parse = parses[text]
    assert parse["intent"]["name"] in FORM_STARTERS, parse["intent"]
    slots, guess = opening(parse)
    assert not (set(slots) & set(FORM_SLOTS)) and guess is None, f"{text!r} -> {slots}, guess {guess}"
