"""CRFEntityExtractor that stores only what its features read.

Rasa 3.6's ``CRFEntityExtractor`` does not save the trained CRF: it saves its whole training set
(``crf_dataset.json``) and trains the CRF again every time the model is loaded. Each stored token
carries the message's dense features (here spaCy's 300-dimensional word vector, written as text),
whether or not the CRF's feature windows use ``text_dense_features``. For the advisor's data that file
was 60 MB, and reading it back raised the Rasa server's peak memory by about 230 MB and its start-up
by several seconds.

This subclass drops the dense features from the stored tokens when no feature window names
``text_dense_features`` (the default features don't), so the CRF trained at load time is the same
and the file is a few MB. Everything else is Rasa's. In config.yml:
``- name: components.crf_lean.CRFEntityExtractor``.
"""
from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor as RasaCRFEntityExtractor
from rasa.nlu.extractors.crf_entity_extractor import CRFToken

DENSE = "text_dense_features"


def uses_dense_features(config: Dict[str, Any]) -> bool:
    """Whether any of the CRF's feature windows reads the dense features."""
    return any(DENSE in window for window in config.get("features") or [])


def without_dense_features(dataset: List[List[CRFToken]]) -> List[List[CRFToken]]:
    """The same tokens with an empty dense-feature vector (the rest untouched)."""
    empty = np.zeros(0)
    return [
        [CRFToken(t.text, t.pos_tag, t.pattern, empty, t.entity_tag, t.entity_role_tag, t.entity_group_tag)
         for t in sentence]
        for sentence in dataset
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CRFEntityExtractor(RasaCRFEntityExtractor):
    """Rasa's CRF entity extractor without unused dense features in its stored training set."""

    def persist(self, dataset: List[List[CRFToken]]) -> None:
        if not uses_dense_features(self.component_config):
            dataset = without_dense_features(dataset)
        super().persist(dataset)
