"""The recommender, table-driven: profiles through the real rules from the knowledge base."""
from __future__ import annotations

import pytest

from actions.knowledge_base import load_knowledge
from actions.recommender import Profile, Rules, recommend, rules_from_knowledge


@pytest.fixture(scope="module")
def rules() -> Rules:
    return rules_from_knowledge(load_knowledge())


# role, focus, leads transformation, focus unsure -> expected. A stated focus decides ("Choose CSM if /
# CSPO if"); without one, leading a transformation gives both ("Consider both"); without either, the
# role's "Who should consider" list; without any of them, no recommendation (None).
PROFILES = [
    ("scrum_master", "team_process", False, False, "csm"),
    ("product_owner", "product_value", False, False, "cspo"),
    ("business_analyst", "product_value", False, False, "cspo"),
    ("developer", "product_value", False, False, "cspo"),  # a stated focus outweighs the job title
    ("developer", "team_process", False, False, "csm"),
    ("business_analyst", "team_process", False, False, "csm"),  # conflicting: focus wins
    ("project_manager", "team_process", False, False, "csm"),
    ("product_manager", "product_value", False, False, "cspo"),
    ("entrepreneur", "team_process", False, False, "csm"),
    ("manager", "team_process", False, False, "csm"),
    ("manager", "product_value", False, False, "cspo"),
    ("manager", "both", False, False, "both"),
    ("manager", "both", False, True, None),  # the article places no certification for managers
    ("other", "both", False, True, None),  # nothing stated points anywhere: no guess
    ("team_lead", "both", False, True, None),
    (None, None, None, False, None),
    ("other", "both", False, False, "both"),  # "a bit of both" was said
    ("scrum_master", "team_process", True, False, "csm"),  # a clear focus is not outweighed by a transformation
    ("product_owner", "product_value", True, False, "cspo"),
    ("business_analyst", "both", True, False, "both"),
    ("scrum_master", "both", True, True, "both"),  # unsure focus: leading a transformation decides
    ("other", "both", True, True, "both"),
    ("scrum_master", "both", False, True, "csm"),  # unsure focus, no transformation: the role decides
    ("business_analyst", "both", False, True, "cspo"),
    ("tester", "both", False, True, "csm"),
    ("entrepreneur", "both", None, True, "cspo"),
    ("product_manager", "team_process", None, False, "csm"),
    (None, "product_value", False, False, "cspo"),
]


@pytest.mark.parametrize("role,focus,leads,unsure,expected", PROFILES)
def test_profiles(rules: Rules, role, focus, leads, unsure, expected) -> None:
    rec = recommend(Profile(role=role, focus=focus, leads_transformation=leads, focus_unsure=unsure), rules)
    assert rec.result == expected, rec.decided_by
    assert (1 <= len(rec.reasons) <= 3) if expected else rec.reasons == ()


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
    rec = recommend(Profile("scrum_master", "both", True, {"leads_transformation": "yes I'm leading it"}, True), rules)
    assert rec.result == "both"
    assert any('"yes I\'m leading it"' in r and "transformation" in r for r in rec.reasons)
    rec = recommend(Profile("scrum_master", "team_process", True, {"leads_transformation": "yes"}), rules)
    assert rec.result == "csm" and any("place to start" in r for r in rec.reasons)


def test_unsure_focus_reason(rules: Rules) -> None:
    rec = recommend(Profile("business_analyst", "both", False, {}, focus_unsure=True), rules)
    assert any("weren't sure" in r for r in rec.reasons)


def test_empty_profile_gives_no_recommendation(rules: Rules) -> None:
    assert recommend(Profile(), rules).result is None


def test_every_rule_names_its_basis_in_the_article(rules: Rules) -> None:
    for role in rules.role_leaning:
        assert rules.basis[f"role.{role}"]
    for focus in rules.focus_leaning:
        assert rules.basis[f"focus.{focus}"]
    assert rules.basis["transformation"] and all(rules.basis[f"decide_by.{s}"] for s in rules.decide_by)
    # no rule without a basis: managers and "no signal" lean nowhere
    assert rules.role_leaning["manager"] == "none" and "both" not in rules.role_leaning.values()


def test_rules_errors_name_the_entry() -> None:
    from dataclasses import replace

    from actions.knowledge_base import KnowledgeError

    kb = load_knowledge()
    broken = dict(kb.extra)
    broken["recommender"] = dict(kb.extra["recommender"], role_leaning={"developer": {"option": "psm", "basis": "x"}})
    with pytest.raises(KnowledgeError, match=r"recommender\.role\.developer: expected \{option"):
        rules_from_knowledge(replace(kb, extra=broken))
    broken["recommender"] = dict(kb.extra["recommender"], role_leaning={"developer": {"option": "csm"}})
    with pytest.raises(KnowledgeError, match=r"recommender\.role\.developer\.basis: is missing"):
        rules_from_knowledge(replace(kb, extra=broken))
