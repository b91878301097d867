"""THIRD_PARTY_NOTICES.md says what is installed: regenerated in memory and compared, licence reading checked."""
from __future__ import annotations

import importlib.util
import json
import sys
from email.message import Message
from pathlib import Path
from types import ModuleType
from typing import List, Tuple

import pytest

from tests.support.stack import ROOT

NOTICES = ROOT / "THIRD_PARTY_NOTICES.md"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("third_party_notices", ROOT / "scripts" / "third_party_notices.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is created
    spec.loader.exec_module(module)
    return module


notices = _load()


def _project_venv() -> Tuple[bool, str]:
    """Whether this interpreter is the project's .venv (the notices describe that one and no other)."""
    venv = (ROOT / ".venv").resolve()
    prefix = Path(sys.prefix).resolve()
    if prefix != venv:
        return False, f"THIRD_PARTY_NOTICES.md describes {venv}; this interpreter's environment is {prefix}"
    return True, ""


def _meta(**fields: object) -> Message:
    m = Message()
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            m[key.replace("_", "-")] = str(v)
    return m


def test_the_file_matches_what_is_installed() -> None:
    ok, why = _project_venv()
    if not ok:
        pytest.skip(why)
    assert NOTICES.exists(), "THIRD_PARTY_NOTICES.md is missing: run .venv/bin/python scripts/third_party_notices.py"
    expected = notices.generate()
    current = NOTICES.read_text()
    if current != expected:
        old, new = set(current.splitlines()), set(expected.splitlines())
        gone = sorted(old - new)[:10]
        added = sorted(new - old)[:10]
        pytest.fail("THIRD_PARTY_NOTICES.md does not match what is installed; regenerate it with "
                    ".venv/bin/python scripts/third_party_notices.py\n"
                    f"lines only in the file: {gone}\nlines only in what is installed: {added}")


def test_every_installed_distribution_and_npm_package_is_listed() -> None:
    """Independent of the renderer: each installed distribution's name and version, each locked npm package."""
    ok, why = _project_venv()
    if not ok:
        pytest.skip(why)
    text = NOTICES.read_text()
    import importlib.metadata as metadata

    missing = [f"{d.metadata['Name']} {d.version}" for d in metadata.distributions()
               if f"| {d.metadata['Name']} | {d.version} |" not in text]
    assert not missing, f"installed but not in THIRD_PARTY_NOTICES.md: {missing}"
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    for path, entry in lock["packages"].items():
        if path:
            name = path.split("node_modules/")[-1]
            assert f"| {name} | {entry['version']} |" in text, f"npm {name}@{entry['version']} is not listed"
    for must in ("Llama 2 Community License", "l2_supercat_256.safetensors", "en_core_web_md", "Apache License 2.0"):
        assert must in text, must


def test_licence_is_read_from_expression_field_or_classifiers() -> None:
    read = notices.python_licence
    assert read(_meta(License_Expression="MIT OR Apache-2.0", License="whatever")) == ("MIT OR Apache-2.0", "License-Expression")
    assert read(_meta(License="BSD-3-Clause")) == ("BSD-3-Clause", "License field")
    assert read(_meta(License="UNKNOWN", Classifier=["License :: OSI Approved :: BSD License"])) == ("BSD", "classifier")
    # a whole licence text in the field: the classifier names it
    long_text = "Copyright (c) 2015, someone\nAll rights reserved.\n" + "x" * 100
    assert read(_meta(License=long_text, Classifier=["License :: OSI Approved :: MIT License"])) == ("MIT", "classifier")
    assert read(_meta(License=long_text))[0].startswith("see its licence text (Copyright (c) 2015")
    # nothing stated: flagged, not guessed
    assert read(_meta(License="UNKNOWN", Classifier=["License :: OSI Approved"]))[0] == notices.UNKNOWN
    assert read(_meta(Name="x"))[0] == notices.UNKNOWN


def test_unknown_licences_are_flagged(tmp_path: Path) -> None:
    class Dist:
        def __init__(self, name: str, **fields: object) -> None:
            self.metadata = _meta(Name=name, **fields)
            self.version = "1.0"
            self.files: List[str] = []

    rows = notices.python_rows([Dist("known", License="MIT"), Dist("mystery")])
    assert [(r.name, r.licence, bool(r.flag)) for r in rows] == [("known", "MIT", False), ("mystery", "UNKNOWN", True)]
    lock = tmp_path / "package-lock.json"
    lock.write_text(json.dumps({"packages": {"": {"name": "x"},
                                             "node_modules/a": {"version": "1.0.0", "license": "ISC"},
                                             "node_modules/b": {"version": "2.0.0", "dev": True}}}))
    npm = notices.npm_rows(lock)
    assert [(r.name, r.licence, dev, bool(r.flag)) for r, dev in npm] == [("a", "ISC", False, False),
                                                                         ("b", "UNKNOWN", True, True)]
    text = notices.render(rows, npm, {}, ("", ""))
    assert "1 with no stated licence: mystery" in text and "b@2.0.0" in text and "**Not installed**" in text


def test_reviewed_npm_licences_match_node_modules() -> None:
    """The hand-read licences (packages whose lock entry has none) say what their package.json says."""
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    checked = 0
    for key, licence in notices.REVIEWED_NPM.items():
        name, version = key.rsplit("@", 1)
        paths = [p for p, e in lock["packages"].items()
                 if p.split("node_modules/")[-1] == name and e.get("version") == version]
        assert paths, f"{key} is no longer in web/package-lock.json: drop it from REVIEWED_NPM"
        for path in paths:
            package_json = ROOT / "web" / path / "package.json"
            if not package_json.exists():
                continue  # not installed here (make run installs no test-only package)
            stated = json.loads(package_json.read_text())
            types = [stated["license"]] if stated.get("license") else [x.get("type") for x in stated.get("licenses", [])]
            assert types == [licence], f"{key}: package.json says {types}, REVIEWED_NPM says {licence}"
            checked += 1
    if not checked:
        pytest.skip("web/node_modules holds none of the reviewed packages (run make setup)")


def test_the_project_licence_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    assert json.loads((ROOT / "web" / "package.json").read_text())["license"] == "Apache-2.0"


def test_lock_licences_match_what_is_in_node_modules() -> None:
    """The licence the lock records is the one the installed package states (web/node_modules)."""
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    checked, differ = 0, []
    for path, entry in lock["packages"].items():
        package_json = ROOT / "web" / path / "package.json"
        if not path or not entry.get("license") or not package_json.exists():
            continue
        stated = json.loads(package_json.read_text())
        if stated.get("version") != entry.get("version"):
            differ.append(f"{path}: node_modules has {stated.get('version')}, the lock {entry.get('version')}")
        elif stated.get("license") != entry["license"]:
            differ.append(f"{path}: package.json says {stated.get('license')}, the lock {entry['license']}")
        checked += 1
    if not checked:
        pytest.skip("web/node_modules is not installed (make setup)")
    assert not differ, differ
