"""The recommender, table-driven: profiles through the real rules from the knowledge base."""
from __future__ import annotations

import pytest

from actions.knowledge_base import load_knowledge
from actions.recommender import Profile, Rules, recommend, rules_from_knowledge


@pytest.fixture(scope="module")
def rules() -> Rules:
    return rules_from_knowledge(load_knowledge())


# role, focus, leads transformation, focus unsure -> expected
PROFILES = [
    ("scrum_master", "team_process", False, False, "csm"),
    ("product_owner", "product_value", False, False, "cspo"),
    ("business_analyst", "product_value", False, False, "cspo"),
    ("developer", "product_value", False, False, "cspo"),  # a stated focus outweighs the job title
    ("developer", "team_process", False, False, "csm"),
    ("business_analyst", "team_process", False, False, "csm"),  # conflicting: focus wins
    ("project_manager", "team_process", False, False, "csm"),
    ("product_manager", "product_value", False, False, "cspo"),
    ("entrepreneur", "product_value", False, False, "cspo"),
    ("entrepreneur", "team_process", False, False, "csm"),
    ("manager", "team_process", False, False, "csm"),
    ("manager", "product_value", False, False, "cspo"),
    ("manager", "both", False, False, "both"),
    ("other", "team_process", False, False, "csm"),
    ("other", "product_value", False, False, "cspo"),
    ("other", "both", False, False, "both"),
    ("other", "both", False, True, "both"),  # knows nothing yet: the rounded view
    ("scrum_master", "team_process", True, False, "both"),  # tie with both: leading a transformation decides
    ("product_owner", "product_value", True, False, "both"),
    ("developer", "product_value", True, False, "both"),
    ("business_analyst", "both", True, False, "both"),
    ("tester", "team_process", False, False, "csm"),
    ("team_lead", "team_process", False, False, "csm"),
    ("team_lead", "product_value", False, False, "cspo"),
    ("scrum_master", "product_value", False, False, "cspo"),
    ("product_owner", "team_process", False, False, "csm"),
    ("scrum_master", "both", False, True, "csm"),  # unsure focus, no transformation: the role decides the tie
    ("business_analyst", "both", False, True, "cspo"),
    ("developer", "both", False, False, "csm"),
    ("other", "team_process", True, False, "both"),
    (None, "product_value", False, False, "cspo"),
    ("tester", "product_value", True, False, "both"),
    ("project_manager", "both", True, False, "both"),
    ("manager", "team_process", True, False, "both"),
    ("product_manager", "team_process", None, False, "csm"),
]


@pytest.mark.parametrize("role,focus,leads,unsure,expected", PROFILES)
def test_profiles(rules: Rules, role, focus, leads, unsure, expected) -> None:
    rec = recommend(Profile(role=role, focus=focus, leads_transformation=leads, focus_unsure=unsure), rules)
    assert rec.result == expected, rec.scores
    assert 1 <= len(rec.reasons) <= 3


def test_reasons_quote_the_user(rules: Rules) -> None:
    profile = Profile(
        role="developer", focus="product_value", leads_transformation=False,
        quotes={"current_role": "I code in a fintech", "preferred_focus": "deciding what we build"},
    )
    rec = recommend(profile, rules)
    assert rec.result == "cspo"
    joined = " ".join(rec.reasons)
    assert '"deciding what we build"' in joined
    assert "developer" in joined and "weighs more" in joined  # the conflicting title is explained


def test_transformation_reason(rules: Rules) -> None:
    rec = recommend(Profile("scrum_master", "team_process", True, {"leads_transformation": "yes I'm leading it"}), rules)
    assert rec.result == "both"
    assert any('"yes I\'m leading it"' in r and "transformation" in r for r in rec.reasons)


def test_unsure_focus_reason(rules: Rules) -> None:
    rec = recommend(Profile("business_analyst", "both", False, {}, focus_unsure=True), rules)
    assert any("weren't sure" in r for r in rec.reasons)


def test_empty_profile_gives_both(rules: Rules) -> None:
    assert recommend(Profile(), rules).result == "both"


def test_rules_errors_name_the_entry() -> None:
    from dataclasses import replace

    from actions.knowledge_base import KnowledgeError

    kb = load_knowledge()
    broken = dict(kb.extra)
    broken["recommender"] = dict(kb.extra["recommender"], role_leaning={"developer": "psm"})
    with pytest.raises(KnowledgeError, match=r"recommender\.role_leaning\.developer: must be one of"):
        rules_from_knowledge(replace(kb, extra=broken))
