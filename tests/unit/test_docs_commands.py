"""Every shell command in the README and docs/*.md either runs, or says why it cannot run here.

Each ```bash / ```sh / ```shell / ```console block must have one marker on the line before it:

    <!-- run -->                  run in the checkout (fast and harmless: help texts, checks, listings)
    <!-- run: scratch … -->       run, in document order, in a temporary directory of its own that holds a
                                  small var/conversations.db (backups and restores)
    <!-- not-run: why -->         not run here; `why` says what it needs (a live service, minutes of training…)

Every block, run or not, is parsed with `bash -n`, and every command in it must exist: `make` targets in
the Makefile, scripts and Python modules in the project or the venv, programs on the PATH; the long
options given to the project's Python tools must be in their --help. So a typo fails this test.
Links between the docs (README.md, docs/*.md, SECURITY.md) must reach an existing file and heading.
"""
from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from tests.support.stack import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^\s*(`{3,})\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(run|run:\s*scratch\b[^>]*|not-run:\s*(?P<why>[^>]*?))\s*-->\s*$")
RUN_TIMEOUT_S = 25

# Shell words that are not programs: bash's builtins and keywords.
BUILTINS = set(subprocess.run(["bash", "-c", "compgen -b; compgen -k"], capture_output=True, text=True,
                              check=True).stdout.split())
# Programs a doc may name that a machine can lack without the doc being wrong: they come from the
# Debian packages scripts/setup.sh --test installs (PostgreSQL client, SQLite) or from the test extras.
# docker: docs/containers.md shows the Docker commands for machines with a registry (this one has podman).
# podman, podman-compose, buildah: installed by `make test-containers` (scripts/test-containers.sh), not by
# `make test`: a fresh machine's `make test` has none of them.
OPTIONAL_PROGRAMS = {"pg_dump", "pg_restore", "psql", "sqlite3", "docker", "podman", "podman-compose", "buildah"}


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # of the opening fence, 1-based
    language: str
    marker: Optional[str]  # "run", "scratch", "not-run" or None
    why: str
    script: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks_of(doc: Path) -> List[Block]:
    lines = doc.read_text().splitlines()
    out: List[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        ticks, language = opening.group(1), opening.group(2).lower()
        end = i + 1
        while end < len(lines) and not re.match(rf"^\s*{ticks}`*\s*$", lines[end]):
            end += 1
        if language in SHELL_LANGUAGES:
            body = lines[i + 1:end]
            if language == "console":  # commands are the lines with a prompt; the rest is output
                body = [ln.split("$ ", 1)[1] for ln in body if ln.lstrip().startswith("$ ")]
            previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marker, why = None, ""
            found = MARKER.match(previous)
            if found:
                kind = found.group(1)
                marker = "run" if kind == "run" else "scratch" if kind.startswith("run:") else "not-run"
                why = (found.group("why") or "").strip()
            out.append(Block(doc, i + 1, language, marker, why, "\n".join(body) + "\n"))
        i = end + 1
    return out


ALL_BLOCKS = [b for doc in DOCS for b in blocks_of(doc)]


def test_the_docs_have_shell_blocks_and_every_one_is_marked() -> None:
    assert len(ALL_BLOCKS) >= 10, f"only {len(ALL_BLOCKS)} shell blocks found: is the parser still right?"
    unmarked = [b.where for b in ALL_BLOCKS if b.marker is None]
    assert not unmarked, ("shell blocks without <!-- run -->, <!-- run: scratch … --> or <!-- not-run: why --> "
                          f"on the line before: {unmarked}")
    vague = [b.where for b in ALL_BLOCKS if b.marker == "not-run" and len(b.why) < 15]
    assert not vague, f"a not-run marker must say why the block cannot run here: {vague}"
    assert any(b.marker == "run" for b in ALL_BLOCKS) and any(b.marker == "scratch" for b in ALL_BLOCKS)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda b: b.where)
def test_every_block_is_valid_bash(block: Block) -> None:
    check = subprocess.run(["bash", "-n"], input=block.script, capture_output=True, text=True, timeout=10)
    assert check.returncode == 0, f"{block.where}: bash -n says {check.stderr.strip()}\n{block.script}"


# --- what every command names must exist -----------------------------------------------------------
def _substitutions(script: str) -> Tuple[str, List[str]]:
    """The script with each $(…) replaced by a word, and the inner scripts (checked as commands too)."""
    inner: List[str] = []
    out, i = [], 0
    while i < len(script):
        if script.startswith("$(", i):
            depth, j = 1, i + 2
            while j < len(script) and depth:
                depth += {"(": 1, ")": -1}.get(script[j], 0)
                j += 1
            body = script[i + 2:j - 1]
            rest, nested = _substitutions(body)
            inner += [rest, *nested]
            out.append("SUBST")
            i = j
        else:
            out.append(script[i])
            i += 1
    return "".join(out), inner


def simple_commands(script: str) -> Iterator[List[str]]:
    """Each simple command of a script as its words (assignments in front dropped), comments removed."""
    text, inner = _substitutions(script.replace("\\\n", " "))
    for line in [ln for source in [text, *inner] for ln in source.splitlines()]:  # a newline ends a command
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>()")
        lexer.commenters = "#"
        lexer.wordchars += "$:@%+,{}^[]!"
        words: List[str] = []
        for token in [*lexer, ";"]:
            if token in {";", "&&", "||", "|", "&", "(", ")", ";;"}:
                while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                    words.pop(0)
                if words:
                    yield words
                words = []
            else:
                words.append(token)


@functools.lru_cache(maxsize=None)
def make_targets() -> frozenset:
    targets: set = set()
    for line in (ROOT / "Makefile").read_text().splitlines():
        found = re.match(r"^([A-Za-z0-9_. -]+):(?!=)", line)
        if found:
            targets.update(found.group(1).split())
    return frozenset(targets)


def module_exists(name: str) -> bool:
    base = ROOT / name.replace(".", "/")
    if base.with_suffix(".py").exists() or (base / "__init__.py").exists() or (base / "__main__.py").exists():
        return True
    return find_spec(name.split(".")[0]) is not None


@functools.lru_cache(maxsize=None)
def help_text(*command: str) -> str:
    done = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, f"{' '.join(command)} --help failed: {done.stderr[-500:]}"
    return done.stdout


def shell_functions(script: str) -> frozenset:
    """Functions the project's shell files that a script sources define (e.g. model_path of scripts/common.sh)."""
    names = set()
    for sourced in re.findall(r"(?:^|[;&|]\s*|\s)(?:source|\.)\s+(\S+)", script):
        path = ROOT / sourced
        if path.is_file():
            names.update(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{", path.read_text(), re.MULTILINE))
    return frozenset(names)


def problems_with(words: List[str], functions: frozenset = frozenset()) -> List[str]:
    """What is wrong with one simple command (empty when every name in it exists)."""
    name, args = words[0], words[1:]
    if name in {"source", "."}:
        return [] if args and (ROOT / args[0]).exists() else [f"{name}: no file {args[:1]}"]
    if name in BUILTINS or name in functions:
        return []
    if name == "make":
        targets = [a for a in args if not a.startswith("-") and "=" not in a]
        return [f"make: no target {t!r} in the Makefile" for t in targets if t not in make_targets()]
    if "/" in name:
        if not (ROOT / name).exists() and not Path(name).is_absolute():
            return [f"no such file: {name}"]
    elif shutil.which(name) is None and name not in OPTIONAL_PROGRAMS:
        return [f"program not found: {name}"]
    if Path(name).name.startswith("python"):
        return python_problems(name, args)
    return []


def python_problems(python: str, args: List[str]) -> List[str]:
    if not args or args[0] == "-c":
        return []
    if args[0] == "-m":
        if len(args) < 2 or not module_exists(args[1]):
            return [f"no Python module {args[1:2]}"]
        tool, options = (args[1],), args[2:]
        if args[1] == "pytest":
            return []
        command: Tuple[str, ...] = (sys.executable, "-m", *tool)
    else:
        script = args[0]
        if not (ROOT / script).exists():
            return [f"no such script: {script}"]
        options = args[1:]
        command = (sys.executable, script)
    long_options = {o.split("=")[0] for o in options if o.startswith("--") and o != "--help"}
    if not long_options:
        return []
    known = help_text(*command)
    return [f"{' '.join(command[1:])}: no option {o} in its --help" for o in sorted(long_options)
            if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", known)]


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda b: b.where)
def test_every_command_names_something_that_exists(block: Block) -> None:
    functions = shell_functions(block.script)
    problems = [p for words in simple_commands(block.script) for p in problems_with(words, functions)]
    assert not problems, f"{block.where}: {problems}\n{block.script}"


def test_the_command_check_catches_typos() -> None:
    """The checks above are not vacuous: misspelt targets, scripts, modules, options and programs fail."""
    def bad(script: str) -> List[str]:
        return [p for words in simple_commands(script) for p in problems_with(words)]

    assert bad("make hlep") and bad("make run-clutser") and not bad("make help && make run-cluster")
    assert bad("scripts/clustr.sh roll") and not bad("scripts/cluster.sh roll")
    assert bad(".venv/bin/python -m advisr patches") and not bad(".venv/bin/python -m advisor patches")
    assert bad(".venv/bin/python -m bench.load --conversation 20")
    assert not bad(".venv/bin/python -m bench.load --conversations 20")
    assert bad("sqlite4 var/x.db") and bad("echo $(cta .run/api-token)") and not bad("echo $(cat .run/api-token)")
    assert bad("X=1 curll -s http://127.0.0.1") and not bad("X=1 curl -s http://127.0.0.1  # a comment")
    assert bad("export M=$(model_pth)") and bad("source scripts/comon.sh") and bad("umsk 077")
    assert not bad("umask 077 && cd var && export X=1")
    sourced = "source scripts/common.sh && export M=$(model_path)"
    assert not [p for w in simple_commands(sourced) for p in problems_with(w, shell_functions(sourced))]


# --- running the runnable ones -------------------------------------------------------------------------
def _run(block: Block, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MAKEFLAGS", None)
    script = f"set -e\n{block.script}"
    try:
        return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{block.where} took more than {RUN_TIMEOUT_S} s: mark it not-run or make it faster")


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.marker == "run"], ids=lambda b: b.where)
def test_runnable_blocks_run(block: Block) -> None:
    started = time.monotonic()
    done = _run(block, ROOT)
    assert done.returncode == 0, f"{block.where} failed ({done.returncode}):\n{block.script}\n{done.stdout[-1500:]}" \
                                 f"\n{done.stderr[-1500:]}"
    assert done.stdout.strip(), f"{block.where} printed nothing"
    assert time.monotonic() - started < RUN_TIMEOUT_S


def _sample_store(root: Path) -> None:
    """A small tracker store shaped like Rasa's (the `events` table of SQLTrackerStore)."""
    (root / "var").mkdir(mode=0o700)
    with sqlite3.connect(root / "var" / "conversations.db") as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                   "action_name VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                       [("rest:a", "user", 1.0, "{}"), ("rest:a", "bot", 2.0, "{}"), ("web:b", "user", 3.0, "{}")])


@pytest.mark.parametrize("doc", [d for d in DOCS if any(b.marker == "scratch" for b in blocks_of(d))],
                         ids=lambda d: str(d.relative_to(ROOT)))
def test_scratch_blocks_run_in_order(doc: Path, tmp_path: Path) -> None:
    if shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 program is not installed (apt-get install sqlite3)")
    _sample_store(tmp_path)
    outputs: Dict[str, str] = {}
    for block in [b for b in blocks_of(doc) if b.marker == "scratch"]:
        done = _run(block, tmp_path)
        assert done.returncode == 0, f"{block.where} failed ({done.returncode}):\n{block.script}\n{done.stderr[-1500:]}"
        outputs[block.where] = done.stdout
    # what the backup and restore blocks of docs/operators.md must have done to the sample store
    if doc.name == "operators.md":
        assert "ok" in "".join(outputs.values()), outputs
        with sqlite3.connect(tmp_path / "var" / "conversations.db") as db:
            assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
        assert (tmp_path / "backup.db").stat().st_mode & 0o077 == 0, "the backup must be private"


# --- links between the docs ------------------------------------------------------------------------------
def _slugs(doc: Path) -> set:
    """GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces to dashes)."""
    slugs: set = set()
    in_code = False
    for line in doc.read_text().splitlines():
        if FENCE.match(line):
            in_code = not in_code
        heading = None if in_code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            base, n = slug, 1
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
    return slugs


def test_links_between_the_docs_resolve() -> None:
    broken = []
    for doc in [*DOCS, ROOT / "SECURITY.md"]:
        text = re.sub(r"^\s*```.*?^\s*```", "", doc.read_text(), flags=re.DOTALL | re.MULTILINE)  # code blocks
        text = re.sub(r"(`+).*?\1", "", text)  # inline code
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                broken.append(f"{doc.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _slugs(file):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert not broken, broken
