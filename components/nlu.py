"""Two small NLU components:
- MessageCleaner (first in the pipeline): cleans and length-limits the text before anything reads it.
- LanguageGuard (after the intent classifier): a message confidently in another language becomes
  `out_of_scope` with a `language` property, so the advisor can say it speaks English."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.text_guard import MAX_MESSAGE_CHARS, clean_text, detect_foreign_language

LANGUAGE = "language"


class _Stateless(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "_Stateless":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageCleaner(_Stateless):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, clean_text(text, int(self.config["max_chars"])))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageGuard(_Stateless):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "out_of_scope", "min_words": 4, "min_probability": 0.95, "max_english_share": 0.15}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language: Optional[str] = detect_foreign_language(
                text, int(self.config["min_words"]), float(self.config["min_probability"]),
                float(self.config["max_english_share"]),
            )
            if language:
                message.set(LANGUAGE, language, add_to_output=True)
                intent = {"name": self.config["intent"], "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
