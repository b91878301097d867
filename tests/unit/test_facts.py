"""The single facts: schema checks, retrieval, the direct-answer reply (no NLU model needed)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from actions.facts import FactIndex, Normaliser, facts_from_knowledge
from actions.knowledge_base import Knowledge, KnowledgeError, load_knowledge
from actions.render import Renderer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def index(kb: Knowledge) -> FactIndex:
    return FactIndex(facts_from_knowledge(kb))


def msg(text: str, intent: str = "ask_requirements", **extra: Any) -> Dict[str, Any]:
    return {"text": text, "intent": {"name": intent}, "entities": [], **extra}


def test_every_fact_is_sourced_and_short(kb: Knowledge) -> None:
    book = facts_from_knowledge(kb)
    assert len(book.facts) >= 25
    for fact in book.facts.values():
        assert fact.sources and all(s.title for s in fact.sources), fact.id
        assert len(fact.answer) <= 400 and fact.answer.count(". ") <= 2, fact.id  # one or two sentences
        assert len(fact.questions) >= 3, fact.id


def test_held_out_questions_are_not_in_the_data(kb: Knowledge) -> None:
    held = {q["text"].lower().strip(" ?") for q in yaml.safe_load((ROOT / "tests/facts/heldout.yml").read_text())["questions"]}
    book = facts_from_knowledge(kb)
    known = {q.lower().strip(" ?") for f in book.facts.values() for q in f.questions}
    known |= {q.lower().strip(" ?") for qs in book.broad_questions.values() for q in qs}
    nlu = (ROOT / "data").rglob("*.yml")
    training = {line.strip()[2:].lower().strip(" ?")
                for p in nlu for line in p.read_text().splitlines() if line.strip().startswith("- ")}
    assert len(held) >= 60
    assert not held & known, held & known
    assert not held & training, held & training


def test_normaliser_names_certifications_without_touching_advanced_ones(index: FactIndex) -> None:
    text, named = index.normalise("Is the Scrum Master exam harder than the CSPO?")
    assert named == ("CSM", "CSPO") and "certname" in text and "scrum" not in text
    assert index.normalise("what is the A-CSM")[1] == ()
    assert Normaliser({}, frozenset())("Hello there") == ("hello there", ())


def test_the_named_certification_picks_the_fact(index: FactIndex) -> None:
    assert index.find("how much does the CSPO cost?").fact.id == "cspo_price"  # type: ignore[union-attr]
    assert index.find("how much does the CSM cost?").fact.id == "csm_price"  # type: ignore[union-attr]
    # no name: the certification of the conversation
    assert index.find("how much does it cost?", context="CSPO").fact.id == "cspo_price"  # type: ignore[union-attr]


def test_broad_and_unrelated_questions_get_no_fact(index: FactIndex) -> None:
    assert index.find("tell me about the CSPO").fact is None
    assert index.find("what's the weather in Paris tomorrow").fact is None


def _plan(text: str, intent: str, entities: tuple = (), unsure: bool = False, context: object = None) -> object:
    from actions.compose import get_planner
    from actions.decision import Context, Turn

    return get_planner().plan(Turn(text, intent, 0.9, entities, unsure), context or Context())


def test_a_fact_answer_is_the_fact_its_source_and_a_more_button(kb: Knowledge) -> None:
    from actions.compose import planned_reply

    decision = _plan("is the CSM test open book?", "ask_requirements")
    assert decision.fact is not None and decision.fact.id == "csm_open_book"  # type: ignore[attr-defined]
    reply = planned_reply(Renderer("rest"), decision)[0]  # type: ignore[arg-type]
    assert reply.text.startswith("Yes. The CSM test is open book")  # ("Yes." from the fact's assertions)
    assert "Source: [Scrum Alliance support" in reply.text and len(reply.text) < 400
    assert [b.payload for b in reply.buttons] == ["/ask_requirements"] and reply.buttons[0].title.startswith("More")


def test_payloads_follow_ups_and_broad_questions_keep_the_topic_answer(kb: Knowledge) -> None:
    from actions.decision import FORM, TOPIC, Context, accepted

    assert _plan("/ask_cost", "ask_cost").kind == TOPIC  # type: ignore[attr-defined]
    follow = ({"entity": "certification", "value": "CSPO", "start": 8, "end": 12},)
    d = _plan("and the CSPO?", "ask_cost", follow, context=Context(certification="CSM", topic="cost"))
    assert (d.kind, d.topic, d.certifications) == (TOPIC, "cost", ("CSPO",))  # type: ignore[attr-defined]
    assert _plan("tell me about the CSPO", "ask_certification_info").kind == TOPIC  # type: ignore[attr-defined]
    assert not accepted(FORM, _plan("which one should I take?", "ask_recommendation"))  # type: ignore[arg-type]


def test_unsure_intent_needs_a_clearer_match(kb: Knowledge) -> None:
    from actions.decision import FACT, FALLBACK, accepted

    assert _plan("is the exam open book", "ask_requirements", unsure=True).kind == FACT  # type: ignore[attr-defined]
    assert not accepted(FALLBACK, _plan("what about the thing", "ask_requirements", unsure=True))  # type: ignore[arg-type]


def test_bad_fact_data_names_the_entry(tmp_path: Path) -> None:
    import shutil

    for f in (ROOT / "knowledge").glob("*.yml"):
        shutil.copy(f, tmp_path / f.name)
    facts = yaml.safe_load((tmp_path / "facts.yml").read_text())
    facts["facts"][0]["source"] = "nowhere"
    (tmp_path / "facts.yml").write_text(yaml.safe_dump(facts))
    with pytest.raises(KnowledgeError, match=r"facts\.csm_path\.source: unknown source 'nowhere'"):
        facts_from_knowledge(load_knowledge(tmp_path))


@pytest.mark.parametrize("key,value,message", [
    ("topic_margin", "high", r"fact_retrieval\.topic_margin: expected a number between 0 and 1, found 'high'"),
    ("max_unexplained_concepts", 0.5, r"fact_retrieval\.max_unexplained_concepts: expected a whole number"),
    ("form_opening_facts", ["no_such_fact"], r"fact_retrieval\.form_opening_facts: unknown fact 'no_such_fact'"),
    ("unfiltered_topics", ["weather"], r"fact_retrieval\.unfiltered_topics: unknown topic 'weather'"),
])
def test_bad_retrieval_settings_name_the_setting(tmp_path: Path, key: str, value: object, message: str) -> None:
    import shutil

    for f in (ROOT / "knowledge").glob("*.yml"):
        shutil.copy(f, tmp_path / f.name)
    facts = yaml.safe_load((tmp_path / "facts.yml").read_text())
    facts["fact_retrieval"][key] = value
    (tmp_path / "facts.yml").write_text(yaml.safe_dump(facts))
    with pytest.raises(KnowledgeError, match=message):
        facts_from_knowledge(load_knowledge(tmp_path))


def test_a_narrower_fact_is_about_one_certification_of_the_broader_one() -> None:
    import copy
    from dataclasses import replace

    from actions.knowledge_base import get_knowledge

    kb = get_knowledge()
    broken = copy.deepcopy(kb.extra["facts"])
    pages = next(f for f in broken if f["id"] == "official_pages")
    pages["per_certification"] = {"CSPO": "csm_official_page"}
    with pytest.raises(KnowledgeError, match="per_certification"):
        facts_from_knowledge(replace(kb, extra={**kb.extra, "facts": broken}))


def test_per_neighbour_needs_a_fact_only_with_that_neighbour() -> None:
    import copy

    from actions.knowledge_base import get_knowledge

    kb = get_knowledge()
    book = facts_from_knowledge(kb)
    assert book.facts["advanced_course"].per_neighbour == {"A-CSM": "acsm_course", "A-CSPO": "acspo_course"}
    broken = copy.deepcopy(kb)
    for entry in broken.extra["facts"]:
        if entry["id"] == "advanced_course":
            entry["per_neighbour"] = {"A-CSM": "acspo_course"}  # the A-CSPO's fact for the A-CSM
    with pytest.raises(KnowledgeError, match="per_neighbour"):
        facts_from_knowledge(broken)


def test_no_fact_answer_says_yes_or_no_itself() -> None:
    """"is the product vision the scrum master's job?" got "Yes: the Scrum Master coaches the team ...": a "Yes"
    written into an answer is said to every question that fact is found for. Yes or no comes from the planner
    (`yes_no`, `lists`, `threshold`, `same_for_both`), for the question asked."""
    from actions.compose import get_planner

    said = [f.id for f in get_planner().index.book.facts.values()
            if re.match(r"\W*(yes|no|yep|nope)\b", f.answer, re.IGNORECASE)]
    assert not said, said
