"""The intent classifier's features (issue 10, NLU that generalises): WordLlama's sub-word embeddings
(components/wordllama.py) and the per-featurizer scaled logistic regression (components/intent_lr.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.model import InvalidModelError
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfTransformer

from components import intent_lr, wordllama

ROOT = Path(__file__).resolve().parents[2]


def wordllama_path() -> str:
    step = next(s for s in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                if s["name"] == "components.wordllama.WordLlamaFeaturizer")
    return str(ROOT / step["path"])


@pytest.fixture(scope="module")
def embedder() -> wordllama.SubwordEmbedder:
    return wordllama.load_embedder(wordllama_path())


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_setup_installs_the_embedding_files_config_points_at() -> None:
    for name in (wordllama.WEIGHTS_FILE, wordllama.TOKENIZER_FILE):
        assert (Path(wordllama_path()) / name).is_file(), f"{name}: run `make setup`"


def test_missing_files_say_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(InvalidModelError, match="make setup"):
        wordllama.load_embedder(str(tmp_path))


def test_a_word_spacy_has_no_vector_for_still_means_something(embedder: wordllama.SubwordEmbedder) -> None:
    bye, cya, price = embedder.embed("goodbye"), embedder.embed("cya later"), embedder.embed("how much is the exam fee")
    assert cosine(cya, bye) > cosine(cya, price)
    cost = embedder.embed("what does the certification cost")
    assert cosine(cost, price) > cosine(cost, bye)


def test_one_row_per_token_and_empty_input(embedder: wordllama.SubwordEmbedder) -> None:
    rows = embedder.embed_tokens(["I", "want", "the", "cspo"])
    assert rows.shape == (4, embedder.dim) and embedder.dim == 256
    assert not np.allclose(rows[0], rows[3])
    assert embedder.embed_tokens([]).shape == (0, embedder.dim)
    assert embedder.embed("").shape == (embedder.dim,)  # the start token alone


def test_the_featurizer_adds_features_aligned_with_rasa_tokens() -> None:
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = wordllama.WordLlamaFeaturizer({**wordllama.WordLlamaFeaturizer.get_default_config(),
                                                "path": wordllama_path()}, "wl")
    message = Message({TEXT: "which cert should a tester take"})
    tokenizer.process([message])
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence.features.shape == (6, 256) and sentence.features.shape == (1, 256)
    assert {f.origin for f in message.features} == {"wl"}  # never None, so the classifier tells it from spaCy's
    empty = Message({TEXT: ""})
    featurizer.process([empty])  # no text, no tokens: nothing added, no crash
    assert empty.features == []


def test_idf_and_sublinear_counts_are_scikit_learns() -> None:
    counts = scipy.sparse.csr_matrix(np.array([[3, 0, 1], [0, 0, 2], [1, 1, 0], [0, 0, 0]], dtype=float))
    ours = intent_lr.unit_rows(intent_lr.sublinear(counts) @ scipy.sparse.diags(intent_lr.inverse_document_frequency(counts)))
    sklearn = TfidfTransformer(sublinear_tf=True, smooth_idf=True).fit_transform(counts)
    assert np.allclose(ours.toarray(), sklearn.toarray())


def test_two_featurizers_named_none_stay_apart() -> None:
    message = Message({TEXT: "hi"})
    message.add_features(Features(np.ones((1, 3)), FEATURE_TYPE_SENTENCE, TEXT, None))
    message.add_features(Features(np.ones((1, 2)), FEATURE_TYPE_SENTENCE, TEXT, None))
    message.add_features(Features(np.ones((1, 2)), FEATURE_TYPE_SEQUENCE, TEXT, "x"))
    assert intent_lr.layout_of([message]) == [("None", "dense", 3), ("None#2", "dense", 2)]


def labelled(text: str, intent: str, words: np.ndarray, vector: np.ndarray) -> Message:
    message = Message({TEXT: text, "intent": intent})
    message.add_features(Features(scipy.sparse.coo_matrix(words), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    message.add_features(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "vectors"))
    return message


def test_trains_persists_and_loads_the_same_classifier(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = [labelled(f"m{i}", "a" if i % 2 else "b", rng.poisson(1.0, (1, 20)) + (i % 2) * np.eye(1, 20, 3) * 4,
                     rng.normal(size=(1, 5)) * 50 + (i % 2)) for i in range(40)]
    storage, resource = LocalModelStorage(tmp_path), Resource("lr")
    context = ExecutionContext(GraphSchema({}), "lr")
    config = {**intent_lr.LogisticRegressionClassifier.get_default_config(), "C": 5.0}
    trained = intent_lr.LogisticRegressionClassifier.create(config, storage, resource, context)
    trained.train(TrainingData(data))
    assert trained.clf.C == 5.0 and [b[0] for b in trained.layout] == ["counts", "vectors"]
    X = trained._create_X(data)
    assert np.allclose(np.sqrt(X[:, :20].multiply(X[:, :20]).sum(axis=1)), 1.0)  # each block has unit length
    assert np.allclose(np.sqrt(X[:, 20:].multiply(X[:, 20:]).sum(axis=1)), 1.0)
    loaded = intent_lr.LogisticRegressionClassifier.load(config, storage, resource, context)
    assert loaded.layout == trained.layout and np.allclose(loaded.idf["counts"], trained.idf["counts"])
    fresh = [labelled("new", "a", np.eye(1, 20, 3) * 4, np.ones((1, 5))),
             labelled("other", "b", np.zeros((1, 20)), np.ones((1, 5)))]
    assert [m.get("intent")["name"] for m in trained.process([Message(m.data, features=m.features) for m in fresh])] == \
           [m.get("intent")["name"] for m in loaded.process(fresh)]
    assert fresh[0].get("intent")["name"] == "a"
