"""Which certification and topic a question is about, and the answers built from the knowledge base."""
from __future__ import annotations

import pytest

from actions.answers import answer
from actions.context import is_elliptical, trusted_entities
from actions.knowledge_base import Knowledge, load_knowledge
from actions.render import Renderer, quote_user_text


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def ent(text: str, word: str, entity: str, value: str) -> dict:
    start = text.lower().index(word.lower())
    return {"entity": entity, "value": value, "start": start, "end": start + len(word)}


def msg(text: str, *entities: dict) -> dict:
    return {"text": text, "entities": list(entities)}


def plan(text: str, intent: str, *entities: dict, certification: object = None, topic: object = None) -> object:
    from actions.compose import get_planner
    from actions.decision import Context, Turn

    return get_planner().plan(Turn.from_message({"text": text, "intent": {"name": intent, "confidence": 0.9},
                                                 "entities": list(entities)}),
                              Context(certification=certification, topic=topic))  # type: ignore[arg-type]


def test_named_certification_wins(kb: Knowledge) -> None:
    text = "benefits of cspo?"
    d = plan(text, "ask_benefits", ent(text, "cspo", "certification", "CSPO"), certification="CSM", topic="cost")
    assert (d.topic, d.certifications, d.from_context) == ("benefits", ("CSPO",), False)  # type: ignore[attr-defined]


def test_follow_up_uses_context(kb: Knowledge) -> None:
    d = plan("what are its benefits?", "ask_benefits", certification="CSPO", topic="overview")
    assert d.certifications == ("CSPO",) and d.from_context  # type: ignore[attr-defined]


def test_no_certification_no_context_gives_both(kb: Knowledge) -> None:
    d = plan("which skills?", "ask_skills")
    assert d.certifications == ("CSM", "CSPO")  # type: ignore[attr-defined]


def test_elliptical_follow_up_keeps_the_topic(kb: Knowledge) -> None:
    text = "and the scrum master?"
    d = plan(text, "ask_certification_info", ent(text, "scrum master", "role", "scrum_master"),
             certification="CSPO", topic="responsibilities")
    assert (d.topic, d.certifications, d.rule) == ("responsibilities", ("CSM",), "followup_topic")  # type: ignore[attr-defined]


@pytest.mark.parametrize("text,word,elliptical", [
    ("what about CSPO?", "CSPO", True),
    ("and for the PO one?", "PO", True),
    ("and for my PO?", "PO", True),  # a manager's follow-up: the person's certification
    ("and if I go for the PO one instead?", "PO", True),  # the same question for the one chosen instead
    ("what about our product owner?", "product owner", True),
    ("and my salary as a PO?", "PO", False),
    ("what is CSPO?", "CSPO", False),
    ("tell me about CSPO", "CSPO", False),
    ("how much is the CSPO", "CSPO", False),
])
def test_is_elliptical(kb: Knowledge, text: str, word: str, elliptical: bool) -> None:
    assert is_elliptical(kb, text, [ent(text, word, "certification", "CSPO")]) is elliptical


def test_role_entity_points_to_its_certification(kb: Knowledge) -> None:
    text = "tell me about the product owner"
    d = plan(text, "ask_certification_info", ent(text, "product owner", "role", "product_owner"))
    assert d.certifications == ("CSPO",)  # type: ignore[attr-defined]


def test_typed_payload_entities_are_ignored(kb: Knowledge) -> None:
    m = {"text": '/ask_cost{"certification": "CSM"}', "entities": [{"entity": "certification", "value": "CSM"}]}
    assert trusted_entities(m) == []
    d = plan('/ask_cost{"certification": "CSM"}', "ask_cost", {"entity": "certification", "value": "CSM"})
    assert d.certifications == ("CSM", "CSPO")  # type: ignore[attr-defined]


def test_not_a_knowledge_intent(kb: Knowledge) -> None:
    from actions.decision import FORM, KNOWLEDGE, NO_ANSWER, accepted

    assert plan("hi", "greet").kind == NO_ANSWER  # type: ignore[attr-defined]
    assert not accepted(KNOWLEDGE, plan("hi", "greet"))  # type: ignore[arg-type]
    assert not accepted(FORM, plan("which one?", "ask_recommendation"))  # type: ignore[arg-type]


@pytest.mark.parametrize("topic", ["overview", "responsibilities", "benefits", "audience", "skills",
                                   "requirements", "cost", "continuous_learning", "resources"])
def test_every_topic_answers_with_source_and_suggestions(kb: Knowledge, topic: str) -> None:
    from actions.context import Question

    replies = answer(kb, Renderer("socketio"), Question(topic, ("CSM", "CSPO"), False, False))
    text = replies[0].text
    assert "CSM" in text and "CSPO" in text
    assert ("Source: " in text) if topic != "resources" else ("https://" in text)
    assert replies[0].buttons and all(b.payload.startswith("/") for b in replies[0].buttons)


def test_comparison_has_every_aspect(kb: Knowledge) -> None:
    from actions.context import Question

    text = answer(kb, Renderer("socketio"), Question("comparison", ("CSM", "CSPO"), False, False))[0].text
    for aspect in ("Focus", "Primary role", "Key skills", "Main goal", "Target audience"):
        assert f"**{aspect}**" in text
    assert "facilitation" in text and "stakeholder management" in text


def test_exam_facts(kb: Knowledge) -> None:
    from actions.context import Question

    text = answer(kb, Renderer("rest"), Question("requirements", ("CSM",), False, False))[0].text
    assert "50 multiple-choice questions" in text and "74%" in text and "16 hours" in text


def test_links_per_channel() -> None:
    assert Renderer("socketio").link("Guide", "https://x.test") == "[Guide](https://x.test)"
    assert Renderer("slack").link("Guide", "https://x.test") == "<https://x.test|Guide>"
    assert Renderer("telegram").link("Guide", "https://x.test") == "Guide: https://x.test"


def test_context_hint_when_answer_came_from_context(kb: Knowledge) -> None:
    from actions.context import Question

    text = answer(kb, Renderer("rest"), Question("cost", ("CSPO",), True, False))[0].text
    assert 'and CSM?' in text


@pytest.mark.parametrize("raw,expected", [
    ("<script>alert(1)</script>", "scriptalert1/script"),
    ("deciding   what\nwe build", "deciding what we build"),
    ("[click](http://evil)", "clickhttp://evil"),
    ("x" * 200, "x" * 59 + "…"),
])
def test_quote_user_text_is_markup_free(raw: str, expected: str) -> None:
    assert quote_user_text(raw) == expected
