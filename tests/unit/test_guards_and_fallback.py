"""Text cleaning, language check, fallback planning (the action-failure guard: test_patches.py)."""
from __future__ import annotations

import pytest

from actions.fallback import consecutive_fallbacks, likely_topics, plan_fallback
from actions.knowledge_base import load_knowledge
from components.text_guard import MAX_MESSAGE_CHARS, clean_text, detect_foreign_language


@pytest.mark.parametrize("raw,expected", [
    ("  hello\tthere \n", "hello there"),
    ("a\x00b\x07c", "a b c"),
    ("zero\u200bwidth", "zero width"),
    # bidi embeddings/overrides/isolates and invisible operators ("Trojan Source" tricks)
    ("a\u202ab\u202bc\u202cd\u202de\u202ef", "a b c d e f"),
    ("x\u2060y\u2061z\u2064w\u2066v\u2067u\u2068t\u2069", "x y z w v u t"),
    ("\u2066\u2069", ""),
    ("", ""),
    (None, ""),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # kept for NLU; never echoed as markup
])
def test_clean_text(raw, expected) -> None:
    assert clean_text(raw) == expected


def test_long_text_is_cut_at_a_word() -> None:
    out = clean_text("word " * 10000)
    assert len(out) <= MAX_MESSAGE_CHARS and out.endswith("word")
    assert len(clean_text("x" * 20000)) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize("text,foreign", [
    ("Quelle est la différence entre CSM et CSPO ?", True),
    ("hola, ¿qué certificación me recomiendas?", True),
    ("Was kostet die Zertifizierung für Scrum Master?", True),
    ("Какая разница между CSM и CSPO", True),
    ("CSMとCSPOの違いは何ですか", True),
    ("what is the difference between csm and cspo", False),
    ("csm vs cspo", False),
    ("i wanna b scrum mastr", False),
    ("how much is the cspo course in euros", False),
    ("prodcut ownr certifcation pls", False),
])
def test_language_check(text: str, foreign: bool) -> None:
    assert (detect_foreign_language(text) is not None) is foreign


def test_consecutive_fallbacks() -> None:
    assert consecutive_fallbacks(["greet", "nlu_fallback"]) == 1
    assert consecutive_fallbacks(["nlu_fallback", "nlu_fallback"]) == 2
    assert consecutive_fallbacks(["nlu_fallback", "ask_cost", "nlu_fallback"]) == 1
    assert consecutive_fallbacks([]) == 0


def test_fallback_offers_likely_topics_with_labels() -> None:
    kb = load_knowledge()
    ranking = [{"name": "nlu_fallback"}, {"name": "ask_cost"}, {"name": "greet"}, {"name": "ask_requirements"},
               {"name": "ask_skills"}, {"name": "ask_benefits"}]
    buttons = likely_topics(kb, ranking)
    assert [b.title for b in buttons] == ["Costs", "Course and exam", "Skills needed"]
    assert [b.payload for b in buttons] == ["/ask_cost", "/ask_requirements", "/ask_skills"]


def test_fallback_always_offers_a_way_forward() -> None:
    kb = load_knowledge()
    buttons = likely_topics(kb, [{"name": "greet"}])
    assert [b.payload for b in buttons] == ["/ask_recommendation", "/compare_certifications"]


def test_second_miss_shows_the_menu() -> None:
    kb = load_knowledge()
    assert plan_fallback(kb, [], ["nlu_fallback"]).response == "utter_fallback_suggest"
    assert plan_fallback(kb, [], ["nlu_fallback", "nlu_fallback"]).response == "utter_fallback_offer_human"


def test_goal_spotter_clauses() -> None:
    import spacy

    from components.goal_spotter import clauses

    doc = spacy.blank("en")("I'm a business analyst and I want to own the backlog, CSM or CSPO?")
    assert [s.text for s in clauses(doc)] == ["I'm a business analyst", "I want to own the backlog", "CSM or CSPO"]
    assert clauses(spacy.blank("en")("hi there")) == []
