"""GoalSpotter: finds a career goal stated inside a longer message.

"I'm a business analyst and I want to own the backlog, CSM or CSPO?" is classified as a request for a
recommendation; its middle clause also says what the user wants (to own the product). This component
learns the goal intents (`goal_*`) from the training data with a small logistic regression over spaCy
word vectors, then looks at each clause of a message on its own and, when one clause clearly states
a goal, adds a `goal_hint` to the parse result ({"intent", "confidence", "clause"}). The recommendation
form uses it to skip a question it already has the answer to.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MODEL_FILE = "goal_spotter.json"  # plain JSON: no pickle, so a model file can never run code

GOAL_HINT = "goal_hint"
NONE_LABEL = "none"
CLAUSE_BREAKS = frozenset({",", ";", ".", "?", "!", "and", "but", "so", "because", "though", "although", "-"})


def clauses(doc: Any, min_tokens: int = 3) -> List[Any]:
    """Spans of a spaCy doc between punctuation and coordinating words."""
    spans, start = [], 0
    for i, token in enumerate(doc):
        if token.lower_ in CLAUSE_BREAKS:
            if i - start >= min_tokens:
                spans.append(doc[start:i])
            start = i + 1
    if len(doc) - start >= min_tokens:
        spans.append(doc[start:])
    return spans


def model_to_json(model: Any) -> str:
    """The fitted logistic regression as JSON: its parameters and learned arrays, nothing executable."""
    return json.dumps({
        "params": {k: model.get_params()[k] for k in ("C", "class_weight", "max_iter", "random_state")},
        "classes": [str(c) for c in model.classes_],
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
    })


def model_from_json(text: str) -> Any:
    """Rebuilds the classifier written by :func:`model_to_json` (same predictions, no unpickling)."""
    from sklearn.linear_model import LogisticRegression

    data = json.loads(text)
    model = LogisticRegression(**data["params"])
    model.classes_ = np.array(data["classes"], dtype=object)
    model.coef_ = np.array(data["coef"], dtype=float)
    model.intercept_ = np.array(data["intercept"], dtype=float)
    if model.coef_.ndim != 2 or model.intercept_.shape != (model.coef_.shape[0],):
        raise ValueError("goal spotter model: inconsistent array shapes")
    model.n_features_in_ = model.coef_.shape[1]
    return model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class GoalSpotter(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"goal_prefix": "goal_", "threshold": 0.6, "min_clause_tokens": 3, "only_for_intents": None}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "GoalSpotter":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GoalSpotter":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = model_from_json((directory / MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError, FileNotFoundError):
            pass
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        x, y = [], []
        prefix = self.config["goal_prefix"]
        for message in training_data.intent_examples:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None or not doc.has_vector or not doc.vector_norm:
                continue
            intent = message.get(INTENT) or ""
            x.append(doc.vector / doc.vector_norm)
            y.append(intent if intent.startswith(prefix) else NONE_LABEL)
        if len(set(y)) < 2:
            return self._resource  # nothing to learn: the component stays silent
        model = LogisticRegression(C=5.0, max_iter=1000, class_weight="balanced", random_state=42)
        model.fit(np.array(x), np.array(y))
        self._model = model
        with self._storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(model_to_json(model), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        allowed = self.config.get("only_for_intents")
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if allowed and intent not in allowed:
                continue
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            best: Optional[Dict[str, Any]] = None
            for span in clauses(doc, int(self.config["min_clause_tokens"])):
                if not span.vector_norm:
                    continue
                probabilities = self._model.predict_proba([span.vector / span.vector_norm])[0]
                for label, p in zip(self._model.classes_, probabilities, strict=True):
                    if label != NONE_LABEL and p >= float(self.config["threshold"]) and (best is None or p > best["confidence"]):
                        best = {"intent": str(label), "confidence": float(p), "clause": span.text}
            if best:
                message.set(GOAL_HINT, best, add_to_output=True)
        return messages
