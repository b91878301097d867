"""CRFEntityExtractor that stores only what its features read.

Rasa 3.6's ``CRFEntityExtractor`` does not save the trained CRF: it saves its whole training set
(``crf_dataset.json``) and trains the CRF again every time the model is loaded. Each stored token
carries the message's dense features (here spaCy's 300-dimensional word vector, written as text),
whether or not the CRF's feature windows use ``text_dense_features``. For the advisor's data that file
was 60 MB, and reading it back raised the Rasa server's peak memory by about 230 MB and its start-up
by several seconds.

This subclass drops the dense features from the stored tokens when no feature window names
``text_dense_features`` (the default features don't), so the file is a few MB. It also stores each
trained CRF in CRFsuite's own binary model format (``crf_<tag>.crfsuite``, the file sklearn-crfsuite
trains into; not a pickle) and opens it at load time instead of training again: that training was
1.7 s of the Rasa server's start (12.5 s on 2 cores), paid again by every replica a supervisor
restarts. A model without these files is loaded Rasa's way. Everything else is Rasa's. In config.yml:
``- name: components.crf_lean.CRFEntityExtractor``.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor as RasaCRFEntityExtractor
from rasa.nlu.extractors.crf_entity_extractor import CRFToken

DENSE = "text_dense_features"
logger = logging.getLogger(__name__)


def model_file(model_dir: Path, tag_name: str) -> Path:
    return model_dir / f"crf_{tag_name}.crfsuite"


def opened_tagger(data: bytes) -> Any:
    """A sklearn-crfsuite CRF whose tagger is the stored CRFsuite model (read into memory: Rasa removes
    the unpacked model directory once the model is loaded)."""
    import pycrfsuite
    import sklearn_crfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(data)  # CRFsuite reads the model where it lies: `data` must outlive the tagger
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", all_possible_transitions=True)
    crf._tagger = tagger  # what CRF.tagger_ opens from its model file; predict_marginals_single reads it
    crf.advisor_model_data = data
    return crf


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
        with self._model_storage.write_to(self._resource) as model_dir:
            for tag_name, crf in (self.entity_taggers or {}).items():
                model_file(model_dir, tag_name).write_bytes(Path(crf.modelfile.name).read_bytes())

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "CRFEntityExtractor":
        import rasa.shared.utils.io

        stored: Optional[Dict[str, bytes]] = None
        try:
            with model_storage.read_from(resource) as model_dir:
                order = rasa.shared.utils.io.read_json_file(model_dir / "crf_order.json")
                if all(model_file(model_dir, tag).exists() for tag in order):
                    stored = {tag: model_file(model_dir, tag).read_bytes() for tag in order}
        except ValueError:  # no such resource: Rasa's load says so
            pass
        if stored is None:
            return super().load(config, model_storage, resource, execution_context, **kwargs)
        taggers = OrderedDict((tag, opened_tagger(data)) for tag, data in stored.items())
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = list(stored)
        return extractor
