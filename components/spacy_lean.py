"""SpacyNLP that runs only the spaCy pipes the advisor's pipeline reads.

Rasa 3.6's ``SpacyNLP`` loads the model with only the parser disabled, so every message also runs
the named-entity recogniser, which nothing in this pipeline reads (entities come from the CRF;
tokens, lemmas and word vectors are what ``SpacyTokenizer``, ``SpacyFeaturizer``, the count
vectors and ``GoalSpotter`` use). Measured here on en_core_web_md: 3.6 ms per message with NER,
1.7 ms without.

The class keeps the name ``SpacyNLP`` on purpose: Rasa's recipe finds the component that provides
the spaCy model to ``SpacyTokenizer``/``SpacyFeaturizer`` by the class *name* ("SpacyNLP"), and the
tokenizer's ``required_components`` check accepts a subclass. In config.yml:

    - name: components.spacy_lean.SpacyNLP
      model: <path to the model folder>
      exclude: [parser, ner]

``exclude`` names spaCy pipes not to load at all (``spacy.load(..., exclude=...)``). Keep the tagger,
attribute ruler and lemmatizer: the count-vector featurizers read lemmas (``use_lemma``), and the
rule lemmatizer needs the tagger's part-of-speech tags.

Rasa also builds this component twice in a trained model's graph (a `provide_…` node that hands the
spaCy model to the others and a `run_…` node that processes messages with the model it is handed),
and each of Rasa's instances loads the spaCy model: the second copy (about 300 MB here) is never
used. Here one loaded model per (model, excluded pipes) is shared within the process.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP

logger = logging.getLogger(__name__)

DEFAULT_EXCLUDE = ["parser", "ner"]


def load_lean(model_name: Text, exclude: List[Text]) -> SpacyModel:
    """A spaCy model without the pipes in `exclude` (unknown names are ignored), loaded once per process."""
    return _load(model_name, tuple(sorted(set(exclude))))


@lru_cache(maxsize=4)
def _load(model_name: Text, exclude: Tuple[Text, ...]) -> SpacyModel:
    import spacy

    if not model_name:
        raise InvalidModelError("SpacyNLP needs `model:` in config.yml (the spaCy model's name or folder).")
    try:
        language = spacy.load(model_name, exclude=list(exclude))
    except OSError as exc:
        raise InvalidModelError(f"Cannot load the spaCy model {model_name!r}: {exc}. Run `make setup`.") from exc
    logger.info(f"spaCy model {model_name!r} loaded with pipes {language.pipe_names} (excluded: {list(exclude)})")
    return SpacyModel(model=language, model_name=model_name)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(RasaSpacyNLP):
    """Rasa's SpacyNLP with a configurable list of spaCy pipes that are never loaded."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**RasaSpacyNLP.get_default_config(), "exclude": list(DEFAULT_EXCLUDE)}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyNLP":
        merged = {**cls.get_default_config(), **config}
        model = load_lean(str(merged.get("model") or ""), list(merged.get("exclude") or []))
        cls.ensure_proper_language_model(model.model)
        return cls(model, merged)
