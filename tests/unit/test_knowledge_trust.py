"""Every claim traceable, nothing validated and unused, one list of the knowledge intents."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Set

import pytest
import yaml

from actions.facts import facts_from_knowledge
from actions.knowledge_base import Knowledge, KnowledgeError, load_knowledge
from actions.profile import NOT_AN_ANSWER

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def knowledge_intents(kb: Knowledge) -> Set[str]:
    """The one list: the intents of the topics in knowledge/dialogue.yml, except the recommendation."""
    return {t.intent for t in kb.topics.values() if t.key != "recommendation"}


def test_every_fact_and_comparison_row_has_its_own_source(kb: Knowledge) -> None:
    for cert in kb.certifications.values():
        for topic, fact in cert.topics.items():
            assert fact.source.title, f"{cert.key}.{topic}"
    for fact in facts_from_knowledge(kb).facts.values():
        assert fact.sources, fact.id
    for row in kb.comparison.rows:
        assert row.sources, row.aspect
    exam = next(r for r in kb.comparison.rows if r.aspect == "Exam")
    assert {s.key for s in exam.sources} == {"csm_test", "cspo_official"}


def test_the_article_and_the_resource_link_are_separate_sources(kb: Knowledge) -> None:
    assert kb.sources["article"].url is None and "CSM vs CSPO" in kb.sources["article"].title
    assert kb.resource_link.source.key == "resource_link" and kb.sources["resource_link"].url == kb.resource_link.url
    cited = [f.source.key for c in kb.certifications.values() for f in c.topics.values()]
    cited += [s.key for f in facts_from_knowledge(kb).facts.values() for s in f.sources]
    cited += [s.key for r in kb.comparison.rows for s in r.sources]
    assert "resource_link" not in cited  # the link is handed out, never cited for a claim


def test_the_csm_test_source_is_the_support_article(kb: Knowledge) -> None:
    src = kb.sources["csm_test"]
    assert "What can I expect from the Certified ScrumMaster (CSM) test?" in src.title
    assert src.url and src.url.rstrip("/") != "https://support.scrumalliance.org"
    assert kb.certifications["CSM"].topics["requirements"].source.key == "csm_test"


def test_no_unsupported_lines() -> None:
    text = "\n".join(p.read_text() for p in (ROOT / "knowledge").glob("*.yml")).lower()
    for phrase in ("two-day", "two days", "usually two"):
        assert phrase not in text, phrase


def test_every_phrase_is_used(kb: Knowledge) -> None:
    unused = [k for k in kb.phrases if not re.search(r"phrases\[['\"]%s['\"]\]" % re.escape(k), ACTIONS)]
    assert not unused, f"phrases validated but never shown: {unused}"


def test_every_knowledge_section_is_read(kb: Knowledge) -> None:
    assert set(kb.extra) == {"recommender", "facts", "broad_questions", "fact_retrieval", "neighbours", "neighbour_reply",
                             "concepts", "asks", "strong_asks", "not_known", "unknowns", "guide_facts",
                             "described_by_neighbours", "polarity_generic_words", "common_words", "weak_concepts", "feedback",
                             "then_questions", "swap_questions", "rest_questions", "why_questions", "depth_requests",
                             "sure_questions", "both_questions",
                             "other_one", "role_words",
                             "source_questions",
                             "source_concepts",
                             "page_concepts",
                             "point_concepts",
                             "small_talk_replies", "definition_words", "claim_frames", "pleasantries",
                             "requirement_words", "requirement_fillers", "shorthand", "role_cues", "role_moves",
                             "stages", "next_step_questions", "sides", "works_out", "course_skipped", "course_facts"}
    assert "kb.guidance[" in ACTIONS and "kb.continuous_learning" in ACTIONS and "guidance_source" in ACTIONS


def _rule_intents(path: Path, rule_name: str) -> Set[str]:
    rules = yaml.safe_load(path.read_text())["rules"]
    rule = next(r for r in rules if r["rule"] == rule_name)
    ors: List[dict] = next(s["or"] for s in rule["steps"] if "or" in s)
    return {step["intent"] for step in ors}


def test_one_list_of_knowledge_intents(kb: Knowledge) -> None:
    intents = knowledge_intents(kb)
    domain = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    assert intents <= domain, intents - domain
    assert _rule_intents(ROOT / "data/rules/knowledge.yml", "answer a knowledge question") == intents
    assert _rule_intents(ROOT / "data/rules/recommendation.yml",
                         "answer a knowledge question in the middle of the form, then go back to it") == intents
    assert _rule_intents(ROOT / "data/rules/feedback.yml",
                         "a knowledge question given as the comment is stored, then answered") == intents
    assert intents <= NOT_AN_ANSWER
    nlu = set(re.findall(r"^- intent: (\w+)", "\n".join(p.read_text() for p in (ROOT / "data/nlu").glob("*.yml")), re.M))
    assert intents <= nlu
    # every topic the facts point to exists, and every knowledge topic has facts or a summary per certification
    for fact in facts_from_knowledge(kb).facts.values():
        assert fact.topic in kb.topics


def test_a_bare_yaml_boolean_in_a_word_list_is_refused() -> None:
    """`on`, `off`, `yes`, `no`, `true` unquoted are booleans in YAML: "and on the cspo?" was no follow-up while
    the word "on" of followup_words was read as True."""
    from dataclasses import replace

    from actions.knowledge_base import get_knowledge
    from actions.lexicon import lexicon_from_knowledge

    kb = get_knowledge()
    broken = replace(kb, extra={**kb.extra, "common_words": ["yes", True]})
    with pytest.raises(KnowledgeError, match="in quotes"):
        lexicon_from_knowledge(broken)
    assert {"on", "n"} <= kb.followup_words and "on" in lexicon_from_knowledge(kb).common_words
