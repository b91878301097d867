"""EntityHeadMapper: gives an entity whose exact words are no synonym the value of its head words.

The NLU data maps "engineer" to the role `developer` and "designer" to `other` (data/nlu/synonyms.yml),
but a user answering the role question says "ops engineer", "graphic designer", "software testing":
the CRF finds the role, Rasa's EntitySynonymMapper knows only exact texts, and the advisor would get a
value outside the contract (taken as `other`). In English the last words of such a phrase name what it
is, so the longest ending of the entity text that is a synonym gives the value ("ops engineer" ->
"engineer" -> developer). The table is learned from the training data's synonyms (data, not code) and
stored as JSON; only the configured entities (default `role`) are mapped. Place it after
EntitySynonymMapper.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MODEL_FILE = "entity_heads.json"  # plain JSON: no pickle


def head_value(text: str, synonyms: Mapping[str, str]) -> Optional[str]:
    """The value of the longest proper ending of ``text`` that is a synonym ("ops engineer" -> "engineer")."""
    words = text.lower().split()
    for start in range(1, len(words)):
        value = synonyms.get(" ".join(words[start:]))
        if value is not None:
            return value
    return None


def synonyms_by_entity(training_data: TrainingData, entities: List[str]) -> Dict[str, Dict[str, str]]:
    """For each entity type, the training synonyms (text -> value) whose value that entity takes."""
    synonyms = {str(k).lower(): str(v) for k, v in training_data.entity_synonyms.items()}
    tables: Dict[str, Dict[str, str]] = {}
    for name in entities:
        values = set()
        for example in training_data.entity_examples:
            for entity in example.get(ENTITIES) or []:
                if entity.get(ENTITY_ATTRIBUTE_TYPE) == name and entity.get(ENTITY_ATTRIBUTE_VALUE) is not None:
                    raw = str(entity[ENTITY_ATTRIBUTE_VALUE])
                    values.add(synonyms.get(raw.lower(), raw))
        tables[name] = {text: value for text, value in synonyms.items() if value in values}
    return tables


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityHeadMapper(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entities": ["role"]}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 tables: Optional[Dict[str, Dict[str, str]]] = None) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self._tables = tables or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EntityHeadMapper":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EntityHeadMapper":
        tables: Dict[str, Dict[str, str]] = {}
        try:
            with model_storage.read_from(resource) as directory:
                raw = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
            tables = {str(e): {str(k): str(v) for k, v in t.items()} for e, t in raw.items() if isinstance(t, dict)}
        except (ValueError, KeyError, TypeError, AttributeError, FileNotFoundError):
            pass
        return cls(config, model_storage, resource, tables)

    def train(self, training_data: TrainingData) -> Resource:
        self._tables = synonyms_by_entity(training_data, [str(e) for e in self.config["entities"]])
        with self._storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(json.dumps(self._tables, sort_keys=True), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            for entity in message.get(ENTITIES) or []:
                table = self._tables.get(str(entity.get(ENTITY_ATTRIBUTE_TYPE)))
                value = entity.get(ENTITY_ATTRIBUTE_VALUE)
                if not table or not isinstance(value, str) or value in table.values():
                    continue
                mapped = head_value(value, table)
                if mapped is not None:
                    entity[ENTITY_ATTRIBUTE_VALUE] = mapped
                    entity.setdefault("processors", []).append(self.__class__.__name__)
        return messages
