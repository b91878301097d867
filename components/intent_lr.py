"""Rasa's logistic-regression intent classifier, with each featurizer's features weighted and scaled.

Rasa 3.6's ``LogisticRegressionClassifier`` puts every featurizer's sentence features side by side
as they come: raw word counts, raw character n-gram counts (a 40-character message has about 150)
and dense vectors of whatever scale, and it fits them with a fixed ``C = 1``. The character counts
then outweigh everything else, and the solver does not converge within 1,000 iterations on the
advisor's data. This subclass changes only how the matrix is built and the regularisation:

- sparse features (count vectors, regex): 1 + log(count), times the feature's inverse document
  frequency in the training data (as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``), then
  scaled to unit length, one block per featurizer;
- dense features (spaCy, WordLlama): scaled to unit length, one block per featurizer;
- ``C`` is configurable (default 10).

Measured on ``data/nlu`` (5-fold cross-validation, docs/developers.md "NLU figures").
The block layout, the inverse document frequencies and the fitted classifier are stored as JSON and
``.npy``: no pickle, and no skops file (whose trusted-type check has known bypasses, SECURITY.md; a
model trained before is refused with a message to train again).
In config.yml: ``- name: components.intent_lr.LogisticRegressionClassifier`` with ``C:``.
"""
from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier as RasaLogisticRegressionClassifier,
)
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

CLASSIFIER_FILE = "lr_params.json"
FITTED = ("coef_", "intercept_", "classes_", "n_iter_")  # what predict_proba reads, and n_iter_ for reports
LAYOUT_FILE = "feature_layout.json"

# One featurizer's sentence features: (origin, "sparse" | "dense", width).
Block = Tuple[str, str, int]


def sentence_features(message: Message) -> Dict[str, Any]:
    """The message's text sentence features by featurizer (origin): a sparse matrix or a dense array.

    Rasa's ``SpacyFeaturizer`` labels its features with its ``alias`` setting, ``None`` by default, so
    two featurizers can share an origin: the second one seen becomes ``<origin>#2`` (the pipeline adds
    features in its own fixed order, so the names are the same in training and at run time)."""
    found: Dict[str, Any] = {}
    for f in message.features:
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE:
            key, n = str(f.origin), 1
            while key in found:
                n += 1
                key = f"{f.origin}#{n}"
            found[key] = f.features
    return found


def layout_of(messages: List[Message]) -> List[Block]:
    """Every featurizer seen in the training messages, sorted by name, with its kind and width."""
    blocks: Dict[str, Block] = {}
    for message in messages:
        for origin, matrix in sentence_features(message).items():
            kind = "sparse" if scipy.sparse.issparse(matrix) else "dense"
            blocks.setdefault(origin, (origin, kind, int(matrix.shape[-1])))
    return [blocks[o] for o in sorted(blocks)]


def unit_rows(matrix: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """Each row scaled to unit length, in place on the CSR data (all-zero rows stay zero)."""
    counts = np.diff(matrix.indptr)
    squares = np.zeros(matrix.shape[0])
    nonempty = counts > 0
    if matrix.nnz:
        squares[nonempty] = np.add.reduceat(matrix.data ** 2, matrix.indptr[:-1][nonempty])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, counts)
    return matrix


def unit_dense_rows(array: np.ndarray) -> np.ndarray:
    """Each row of a dense array scaled to unit length (all-zero rows stay zero)."""
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return array / norms


def sublinear(matrix: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """1 + log(count) for every non-zero count (a float copy, canonical CSR)."""
    out = scipy.sparse.csr_matrix(matrix, dtype=np.float64, copy=True)
    out.sum_duplicates()
    out.data = 1.0 + np.log(np.maximum(out.data, 1e-12))
    return out


def stack_sparse(raws: List[Optional[Any]], width: int) -> scipy.sparse.csr_matrix:
    """One featurizer's sparse rows for all messages as one CSR matrix (zeros where a message has none)."""
    return scipy.sparse.vstack(
        [scipy.sparse.csr_matrix(r) if r is not None else scipy.sparse.csr_matrix((1, width)) for r in raws],
        format="csr",
    )


def inverse_document_frequency(matrix: scipy.sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf per column: ln((1 + n) / (1 + df)) + 1, as scikit-learn computes it."""
    n = matrix.shape[0]
    df = np.bincount(matrix.tocsr().indices, minlength=matrix.shape[1]) if matrix.nnz else np.zeros(matrix.shape[1])
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def classifier_arrays(clf: Any) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
    """A fitted LogisticRegression as JSON parameters and plain arrays (what predict_proba reads)."""
    params = {**clf.get_params(), "n_features_in_": int(clf.n_features_in_)}
    return params, {name: np.asarray(getattr(clf, name)) for name in FITTED}


def classifier_from_arrays(params: Dict[str, Any], fitted: Dict[str, np.ndarray]) -> Any:
    """The LogisticRegression that :func:`classifier_arrays` described: the same predictions."""
    from sklearn.linear_model import LogisticRegression

    params = dict(params)
    n_features = int(params.pop("n_features_in_"))
    clf = LogisticRegression(**params)
    for name in FITTED:
        setattr(clf, name, fitted[name])
    clf.n_features_in_ = n_features
    return clf


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LogisticRegressionClassifier(RasaLogisticRegressionClassifier):
    """Logistic regression over per-featurizer scaled blocks (see the module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**RasaLogisticRegressionClassifier.get_default_config(), "C": 10.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.C = float(self.config["C"])
        self.layout: List[Block] = []
        self.idf: Dict[str, np.ndarray] = {}

    def _block(self, raws: List[Optional[Any]], origin: str, kind: str, width: int) -> scipy.sparse.csr_matrix:
        """One featurizer's features for all messages (zeros where a message has none), scaled. Works on
        the arrays directly: scipy's general products cost about 10 ms per message at run time."""
        if not raws:
            return scipy.sparse.csr_matrix((0, width))
        if kind == "dense":
            rows = [np.asarray(r, dtype=np.float64).reshape(1, -1) if r is not None else np.zeros((1, width))
                    for r in raws]
            dense = np.vstack(rows)
            if dense.shape[1] != width:  # a featurizer's width is fixed when the model is trained
                raise ValueError(f"{origin}: {dense.shape[1]} features, the classifier was trained on {width}")
            return scipy.sparse.csr_matrix(unit_dense_rows(dense))
        matrix = stack_sparse(raws, width)
        if matrix.shape[1] != width:
            raise ValueError(f"{origin}: {matrix.shape[1]} features, the classifier was trained on {width}")
        matrix = sublinear(matrix)
        if origin in self.idf:
            matrix.data *= self.idf[origin][matrix.indices]
        return unit_rows(matrix)

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        found = [sentence_features(m) for m in messages]
        blocks = [self._block([f.get(origin) for f in found], origin, kind, width) for origin, kind, width in self.layout]
        return scipy.sparse.hstack(blocks, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get("intent") and e.get("text")]
        self.layout = layout_of(examples)
        self.idf = {}
        for origin, kind, width in self.layout:
            if kind == "sparse":
                counts = stack_sparse([sentence_features(e).get(origin) for e in examples], width)
                self.idf[origin] = inverse_document_frequency(counts)
        resource = super().train(training_data)
        self._fast_coefficients()
        return resource

    @classmethod
    def _load_arrays(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                     execution_context: ExecutionContext) -> Optional["LogisticRegressionClassifier"]:
        """The classifier from the arrays `persist` wrote (no skops, no pickle); None when there are none."""
        with contextlib.ExitStack() as stack:
            try:
                model_dir = stack.enter_context(model_storage.read_from(resource))
            except ValueError:  # no such resource
                return None
            if not (model_dir / CLASSIFIER_FILE).exists():
                # Never Rasa's skops file: its trusted-type check has known bypasses (SECURITY.md)
                raise RasaException(f"{resource.name}: the intent classifier has no {CLASSIFIER_FILE}: the model "
                                    "was trained by an older version of the advisor; train it again (make train)")
            params = json.loads((model_dir / CLASSIFIER_FILE).read_text())
            fitted = {name: np.load(model_dir / f"lr_{name}.npy", allow_pickle=False) for name in FITTED}
        component = cls(config, execution_context.node_name, model_storage, resource)
        component.clf = classifier_from_arrays(params, fitted)
        return component

    def _fast_coefficients(self) -> None:
        """Keep the coefficients in Fortran order: scikit-learn multiplies by ``coef_.T``, which is then
        C-contiguous, so scipy does not copy the whole (intents x features) matrix for every message
        (about 3 ms per message here). Same values, same predictions."""
        if hasattr(self.clf, "coef_"):
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)

    def persist(self) -> None:
        # The fitted classifier as plain arrays and its parameters as JSON (Rasa writes a skops file:
        # importing skops in the running server costs about 4 s of its 12 s start, because skops names
        # every scipy/numpy ufunc by scanning all loaded modules, TensorFlow's included).
        with self._model_storage.write_to(self._resource) as model_dir:
            if hasattr(self.clf, "coef_"):
                params, fitted = classifier_arrays(self.clf)
                (model_dir / CLASSIFIER_FILE).write_text(json.dumps(params))
                for name, value in fitted.items():
                    np.save(model_dir / f"lr_{name}.npy", value, allow_pickle=False)
            (model_dir / LAYOUT_FILE).write_text(json.dumps([list(b) for b in self.layout]))
            for index, (origin, _kind, _) in enumerate(self.layout):
                if origin in self.idf:
                    np.save(model_dir / f"idf_{index}.npy", self.idf[origin], allow_pickle=False)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LogisticRegressionClassifier":
        component = cls._load_arrays(config, model_storage, resource, execution_context)
        if component is None:  # no resource (Rasa's own answer: an untrained classifier)
            return cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as model_dir:
                layout = json.loads((model_dir / LAYOUT_FILE).read_text())
                component.layout = [(str(o), str(k), int(w)) for o, k, w in layout]
                component.idf = {
                    origin: np.load(model_dir / f"idf_{i}.npy", allow_pickle=False)
                    for i, (origin, _, _) in enumerate(component.layout)
                    if (model_dir / f"idf_{i}.npy").exists()
                }
        except ValueError:
            logger.debug(f"{cls.__name__}: no trained classifier in '{resource.name}'.")
        component._fast_coefficients()
        return component
