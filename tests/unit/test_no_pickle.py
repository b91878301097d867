"""No pickle anywhere: not in the project's code, not in a trained model (a model file that unpickles can
run any code on the server that loads it). Fails if pickle (or joblib, dill, jsonpickle, np.load with
allow_pickle) comes back."""
from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Iterator, Tuple

import numpy as np
import pytest

from tests.support.stack import ROOT, model_path

CODE_DIRS = ("actions", "advisor", "channels", "components", "scripts", "tests", "web")
FORBIDDEN = re.compile(
    r"\b(import\s+(c?pickle|dill|cloudpickle|joblib|jsonpickle|shelve|marshal)\b"
    r"|from\s+(c?pickle|dill|cloudpickle|joblib|jsonpickle|shelve|marshal)\s+import"
    r"|(pickle|joblib|dill|jsonpickle|marshal)\.(loads?|dumps?)\b|allow_pickle\s*=\s*True|torch\.load\()"
)
# What a serialised pickle starts with: PROTO (0x80) and a protocol number 2-5.
PICKLE_HEADER = re.compile(rb"\A\x80[\x02-\x05]")
JSONPICKLE_TAGS = (b'"py/object"', b'"py/reduce"', b'"py/function"', b'"py/type"', b'"py/repr"')


def project_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".sh", ".yml", ".yaml") and "node_modules" not in path.parts:
                yield path
    yield from ROOT.glob("*.yml")


def test_no_pickle_in_the_code() -> None:
    this = Path(__file__).resolve()
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in project_files() if p.resolve() != this
             for m in [FORBIDDEN.search(p.read_text(errors="replace"))] if m]
    assert not found, found


def looks_pickled(name: str, data: bytes) -> str:
    """Why `data` (a file of a model) may unpickle, or ''."""
    if PICKLE_HEADER.match(data) or name.endswith((".pkl", ".pickle", ".joblib", ".dill")):
        return "pickle"
    if any(tag in data for tag in JSONPICKLE_TAGS):
        return "jsonpickle"
    if name.endswith(".npy"):
        try:
            np.load(io.BytesIO(data), allow_pickle=False)
        except ValueError:
            return "numpy object array (needs allow_pickle)"
    if data[:4] == b"PK\x03\x04":  # zip (e.g. skops, npz): look inside
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for inner in z.namelist():
                why = looks_pickled(inner, z.read(inner))
                if why:
                    return f"{why} inside {inner}"
    return ""


def model_files(archive: Path) -> Iterator[Tuple[str, bytes]]:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile():
                f = tar.extractfile(member)
                if f is not None:
                    yield member.name, f.read()


def test_the_scanner_finds_pickles() -> None:
    import pickle  # noqa: F401 - only to make a sample the scanner must catch

    sample = pickle.dumps({"a": 1})
    assert looks_pickled("x.bin", sample) == "pickle"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.bin", sample)
    assert "inside inner.bin" in looks_pickled("model.skops", buf.getvalue())
    arr = io.BytesIO()
    np.save(arr, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert "allow_pickle" in looks_pickled("a.npy", arr.getvalue())
    assert looks_pickled("a.json", b'{"py/object": "os.system"}') == "jsonpickle"
    assert looks_pickled("a.json", json.dumps({"coef": [[1.0]]}).encode()) == ""


def test_no_pickle_in_the_trained_model() -> None:
    try:
        archive = model_path()
    except RuntimeError:
        pytest.skip("no trained model (make train)")
    names = []
    for name, data in model_files(archive):
        names.append(name)
        why = looks_pickled(name, data)
        assert not why, f"{archive.name}: {name} is {why}"
    assert any("goal_spotter.json" in n for n in names), "the GoalSpotter model is stored as JSON"


def test_goal_spotter_round_trip_without_pickle() -> None:
    from sklearn.linear_model import LogisticRegression

    from components.goal_spotter import model_from_json, model_to_json

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    y = np.array(["goal_a", "goal_b", "none"] * 20)
    model = LogisticRegression(C=5.0, max_iter=1000, class_weight="balanced", random_state=42).fit(x, y)
    text = model_to_json(model)
    assert "py/" not in text and not PICKLE_HEADER.match(text.encode())
    rebuilt = model_from_json(text)
    assert list(rebuilt.classes_) == list(model.classes_)
    assert np.allclose(rebuilt.predict_proba(x), model.predict_proba(x))
    broken = json.loads(text)
    broken["intercept"] = [0.0]
    with pytest.raises(ValueError):
        model_from_json(json.dumps(broken))
