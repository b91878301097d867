"""`make check` and the Checks page: the knowledge schema, `rasa data validate`, the lint, and the test stories
with each failure shown as expected vs what the bot did, with file and line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from workbench import gitbranch, lint

_PREDICTED = re.compile(r"^(\s*)- (action|intent):\s*(\S+)\s*# predicted:\s*(.+?)\s*$")
_STORY = re.compile(r"^\s*- story:\s*(.+?)\s*$")


@dataclass
class StoryFailure:
    story: str
    file: str
    line: int
    expected: str
    actual: str


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    output: str = ""
    findings: List[Dict[str, Any]] = field(default_factory=list)
    failures: List[Dict[str, Any]] = field(default_factory=list)


def _run(cmd: List[str], cwd: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def story_locations(files: Mapping[str, str]) -> Dict[str, tuple[str, int]]:
    out: Dict[str, tuple[str, int]] = {}
    for name, text in files.items():
        for no, line in enumerate(text.splitlines(), 1):
            m = _STORY.match(line)
            if m:
                out[m.group(1).strip("'\"")] = (name, no)
    return out


def _locate(story: str, where: Mapping[str, tuple[str, int]], sources: Mapping[str, str]) -> tuple[str, int]:
    """Rasa names a failed story `name (path/to/file.yml)`: find the story's file and line."""
    if story in where:
        return where[story]
    m = re.match(r"^(.*) \((.+)\)$", story)
    if m:
        name, hint = m.group(1), m.group(2).lstrip("./")
        if name in where:
            return where[name]
        for file in sources:
            if file.endswith(hint) or hint.endswith(file) or Path(file).name == Path(hint).name:
                return file, 0
    return "tests/stories", 0


def parse_failed_stories(failed_yaml: str, sources: Mapping[str, str]) -> List[StoryFailure]:
    """Failures from Rasa's failed_test_stories.yml, located in the source files (story line, then the k-th
    occurrence of the failing step inside that story)."""
    where = story_locations(sources)
    out: List[StoryFailure] = []
    story, seen = "", {}  # type: ignore[var-annotated]
    for line in failed_yaml.splitlines():
        m = _STORY.match(line)
        if m:
            story, seen = m.group(1).strip("'\""), {}
            continue
        step = re.match(r"^\s*- (action|intent):\s*(\S+)", line)
        if step:
            key = (step.group(1), step.group(2))
            seen[key] = seen.get(key, 0) + 1
        p = _PREDICTED.match(line)
        if not p:
            continue
        kind, expected, actual = p.group(2), p.group(3), p.group(4)
        file, start = _locate(story, where, sources)
        line_no = start
        if file in sources:
            count = 0
            for no, src in enumerate(sources[file].splitlines()[start:], start + 1):
                if re.match(rf"^\s*(- )?{kind}:\s*{re.escape(expected)}\s*$", src):
                    count += 1
                    if count == seen.get((kind, expected), 1):
                        line_no = no
                        break
        out.append(StoryFailure(story, file, line_no, f"{kind} {expected}", actual))
    return out


def latest_model(root: Path) -> Optional[Path]:
    import os

    env = os.environ.get("ADVISOR_MODEL")
    if env and Path(env).is_file():
        return Path(env)
    models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def run_stories(root: Path, from_branch: bool = False, model: Optional[Path] = None) -> Step:
    """Rasa's test stories (the checkout's, or the annotations branch's) against the trained model."""
    start = time.time()
    model = model or latest_model(root)
    if model is None:
        return Step("test stories", False, 0.0, "no trained model in models/: run `make train` first")
    rasa = str(Path(sys.executable).parent / "rasa")
    with tempfile.TemporaryDirectory() as tmp:
        if from_branch:
            names = [n for n in gitbranch.list_files(root, "tests/stories") if n.endswith((".yml", ".yaml"))]
            sources = {n: gitbranch.read_file(root, n) or "" for n in names}
            story_dir = Path(tmp) / "stories"
            for n, text in sources.items():
                (story_dir / Path(n).name).parent.mkdir(parents=True, exist_ok=True)
                (story_dir / Path(n).name).write_text(text)
        else:
            story_dir = root / "tests/stories"
            sources = {str(p.relative_to(root)): p.read_text() for p in sorted(story_dir.rglob("*.y*ml"))}
        out = Path(tmp) / "out"
        proc = _run(
            [
                rasa,
                "test",
                "core",
                "--stories",
                str(story_dir),
                "--model",
                str(model),
                "--out",
                str(out),
                "--fail-on-prediction-errors",
            ],
            root,
        )
        failed = out / "failed_test_stories.yml"
        failures = parse_failed_stories(failed.read_text(), sources) if failed.exists() else []
    ok = proc.returncode == 0 and not failures
    detail = "" if ok else (proc.stdout[-2000:] + proc.stderr[-2000:])
    return Step(
        "test stories" + (" (workbench/annotations)" if from_branch else ""),
        ok,
        time.time() - start,
        detail,
        failures=[asdict(f) for f in failures],
    )


def run_all(root: Path, stories: bool = True, from_branch: bool = False, progress: bool = True) -> List[Step]:
    py = sys.executable
    rasa = str(Path(py).parent / "rasa")
    steps: List[Step] = []

    def say(msg: str) -> None:
        if progress:
            print(f"[check] {msg}", flush=True)

    say("1/4 knowledge base schema")
    t = time.time()
    p = _run([py, "-m", "actions.knowledge_base"], root)
    steps.append(Step("knowledge base", p.returncode == 0, time.time() - t, (p.stdout + p.stderr)[-3000:]))
    say("2/4 rasa data validate (about a minute)")
    t = time.time()
    p = _run([rasa, "data", "validate", "--fail-on-warning"], root)
    steps.append(
        Step("rasa data validate", p.returncode == 0, time.time() - t, "" if p.returncode == 0 else (p.stdout + p.stderr)[-3000:])
    )
    say("3/4 lint")
    t = time.time()
    findings = lint.lint(lint.Project.load(root))
    steps.append(
        Step("lint", not any(f.severity == "error" for f in findings), time.time() - t, findings=[asdict(f) for f in findings])
    )
    if stories:
        say("4/4 test stories (a minute or two: loads the model)")
        steps.append(run_stories(root, from_branch))
    for s in steps:
        say(f"{'ok  ' if s.ok else 'FAIL'} {s.name} ({s.seconds:.0f} s)")
        for f in s.findings:
            print("   ", lint.Finding(**f).format().replace("\n", "\n    "))
        for f in s.failures:
            print(f"    {f['file']}:{f['line']}: story '{f['story']}': expected {f['expected']}, the bot did {f['actual']}")
        if not s.ok and s.output:
            print("   ", s.output.strip().replace("\n", "\n    ")[-1500:])
    return steps


def save(steps: List[Step], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"finished": time.strftime("%Y-%m-%d %H:%M:%S"), "steps": [asdict(s) for s in steps]}, indent=1))


def load(path: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
