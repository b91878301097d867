"""components/entity_heads.py: a role phrase with no synonym of its own takes its head words' value."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from components.entity_heads import EntityHeadMapper, head_value, synonyms_by_entity

NLU = """
version: "3.1"
nlu:
- intent: inform_role
  examples: |
    - i'm an [engineer](role)
    - i'm a [ux designer]{"entity": "role", "value": "other"}
    - i'm a [designer]{"entity": "role", "value": "other"}
    - [software engineer](role) here
- intent: ask_cost
  examples: |
    - how much is the [csm course](certification)
- synonym: developer
  examples: |
    - engineer
    - software engineer
- synonym: CSM
  examples: |
    - csm course
"""


def test_head_value_takes_the_longest_ending_that_is_a_synonym() -> None:
    table = {"engineer": "developer", "software engineer": "developer", "team lead": "team_lead", "lead": "x"}
    assert head_value("ops engineer", table) == "developer"
    assert head_value("Senior Software Engineer", table) == "developer"
    assert head_value("engineering team lead", table) == "team_lead"  # "team lead" before "lead"
    assert head_value("data scientist", table) is None
    assert head_value("engineer", table) is None  # the exact words are the synonym mapper's business


def test_tables_hold_only_the_values_the_entity_takes() -> None:
    data = RasaYAMLReader().reads(NLU)
    tables = synonyms_by_entity(data, ["role"])
    assert tables["role"]["engineer"] == "developer" and tables["role"]["designer"] == "other"
    assert "csm course" not in tables["role"]  # a certification synonym never becomes a role


def test_process_maps_unknown_role_values_and_leaves_the_rest() -> None:
    mapper = EntityHeadMapper({"entities": ["role"]}, None, None,  # type: ignore[arg-type]
                              {"role": {"engineer": "developer", "designer": "other"}})
    entities: List[Dict[str, Any]] = [
        {"entity": "role", "value": "ops engineer"}, {"entity": "role", "value": "graphic designer"},
        {"entity": "role", "value": "developer"}, {"entity": "role", "value": "astronaut"},
        {"entity": "certification", "value": "lead engineer"},
    ]
    message = Message(data={"text": "x", "entities": entities})
    mapper.process([message])
    assert [e["value"] for e in message.get("entities")] == ["developer", "other", "developer", "astronaut", "lead engineer"]
    assert message.get("entities")[0]["processors"] == ["EntityHeadMapper"]
