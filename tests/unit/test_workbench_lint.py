"""Every lint rule of `make lint` (workbench/lint.py) with a failing and a passing fixture, and its file/line."""

from __future__ import annotations

from typing import Dict, Optional

from workbench import lint

DOMAIN = """version: "3.1"
intents:
  - greet
  - ask_cost
entities:
  - certification
forms:
  recommendation_form:
    required_slots:
      - current_role
actions:
  - action_answer_question
responses:
  utter_greet:
    - text: hi
  utter_ask_current_role:
    - text: your role?
  utter_default:
    - text: sorry
"""
SYNONYMS = """version: "3.1"
nlu:
- synonym: CSM
  examples: |
    - csm
    - scrum master cert
"""
STORY = """version: "3.1"
stories:
  - story: s
    steps:
      - intent: greet
      - action: utter_greet
"""


def examples(intent: str, n: int, start: int = 0, extra: str = "") -> str:
    lines = "".join(f"    - {intent} example number {i}\n" for i in range(start, start + n))
    return f"- intent: {intent}\n  examples: |\n{lines}{extra}"


def project(
    nlu: Optional[Dict[str, str]] = None,
    stories: Optional[Dict[str, str]] = None,
    domain: str = DOMAIN,
    code: Optional[Dict[str, str]] = None,
) -> lint.Project:
    base = {
        "data/nlu/a.yml": 'version: "3.1"\nnlu:\n' + examples("greet", 10) + examples("ask_cost", 10),
        "data/nlu/synonyms.yml": SYNONYMS,
    }
    return lint.Project(
        domain=domain,
        nlu=base if nlu is None else {**base, **nlu},
        stories={"data/stories/s.yml": STORY} if stories is None else stories,
        code=code or {},
    )


def rules(p: lint.Project, rule: str) -> list:
    return [f for f in lint.lint(p) if f.rule == rule]


def test_a_clean_project_has_no_findings() -> None:
    assert lint.lint(project()) == []


def test_duplicate_example_across_intents() -> None:
    text = 'version: "3.1"\nnlu:\n' + examples("greet", 10) + examples("ask_cost", 10, extra="    - Greet example number 3!\n")
    found = rules(project({"data/nlu/a.yml": text}), "duplicate-example")
    assert len(found) == 1
    f = found[0]
    assert (f.file, f.line, f.severity) == ("data/nlu/a.yml", 27, "error")
    assert "'greet'" in f.message and "data/nlu/a.yml:8" in f.message and "delete" in f.hint
    assert rules(project(), "duplicate-example") == []


def test_repeated_example_in_one_intent() -> None:
    text = 'version: "3.1"\nnlu:\n' + examples("greet", 10, extra="    - greet example number 0\n") + examples("ask_cost", 10)
    found = rules(project({"data/nlu/a.yml": text}), "repeated-example")
    assert [(f.file, f.line) for f in found] == [("data/nlu/a.yml", 15)]
    assert rules(project(), "repeated-example") == []


def test_intent_with_too_few_examples() -> None:
    text = 'version: "3.1"\nnlu:\n' + examples("greet", 10) + examples("ask_cost", 3)
    found = rules(project({"data/nlu/a.yml": text}), "few-examples")
    assert len(found) == 1 and "'ask_cost' has 3" in found[0].message and found[0].file == "data/nlu/a.yml"
    # an intent with no example at all points at the domain
    text = 'version: "3.1"\nnlu:\n' + examples("greet", 10)
    found = rules(project({"data/nlu/a.yml": text}), "few-examples")
    assert [(f.file, f.line) for f in found] == [("domain.yml", 4)]
    assert rules(project(), "few-examples") == []


def test_entity_value_without_synonym() -> None:
    bad = examples("ask_cost", 10, extra="    - price of the [scrum mastr crt](certification)\n")
    found = rules(project({"data/nlu/b.yml": 'version: "3.1"\nnlu:\n' + bad}), "entity-no-synonym")
    assert len(found) == 1 and found[0].line == 15 and "synonyms.yml" in found[0].hint
    good = examples(
        "ask_cost",
        10,
        extra="    - price of the [scrum master cert](certification)\n"
        "    - price of the [CSM](certification)\n"
        '    - price of the [sm thing]{"entity": "certification", "value": "CSM"}\n',
    )
    assert rules(project({"data/nlu/b.yml": 'version: "3.1"\nnlu:\n' + good}), "entity-no-synonym") == []


def test_story_naming_unknown_intent_or_action() -> None:
    story = STORY + "      - intent: greeet\n      - action: utter_greett\n      - active_loop: other_form\n"
    found = rules(project(stories={"tests/stories/t.yml": story}), "unknown-name")
    assert [(f.file, f.line) for f in found] == [
        ("tests/stories/t.yml", 7),
        ("tests/stories/t.yml", 8),
        ("tests/stories/t.yml", 9),
    ]
    assert "greeet" in found[0].message and "utter_greett" in found[1].message
    ok = (
        STORY + "      - action: action_answer_question\n      - active_loop: recommendation_form\n      - active_loop: null\n"
        "      - intent: nlu_fallback\n      - action: action_listen\n"
    )
    assert rules(project(stories={"tests/stories/t.yml": ok}), "unknown-name") == []


def test_response_never_used() -> None:
    domain = DOMAIN + "  utter_lonely:\n    - text: nobody says me\n"
    found = rules(project(domain=domain), "unused-response")
    assert [(f.file, f.line, f.message) for f in found] == [
        ("domain.yml", 20, "response 'utter_lonely' is used by no story, rule, form or action")
    ]
    # used by an action (literally or through an f-string prefix), or by a story: no finding
    assert (
        rules(
            project(domain=domain, code={"actions/a.py": 'dispatcher.utter_message(response="utter_lonely")'}), "unused-response"
        )
        == []
    )
    assert rules(project(domain=domain, code={"actions/a.py": 'response=f"utter_lon{x}"'}), "unused-response") == []
