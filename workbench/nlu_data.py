"""Training examples: which `data/nlu/` file holds an intent, and appending a new example in the project's
YAML style (a line `    - text` at the end of the intent's `examples: |` block), validated, without
duplicates, never into the held-out test set (`tests/nlu/`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from actions import yamlload
from workbench import gitbranch

NLU_DIR = "data/nlu"
HELD_OUT_DIR = "tests/nlu"
MAX_EXAMPLE_CHARS = 500
_INTENT_LINE = re.compile(r"^- intent:\s*(\S+)\s*$")
_EXAMPLE_LINE = re.compile(r"^\s+- (.*)$")


class AnnotationError(ValueError):
    """A trainer's annotation that cannot be added (the message says why and what to do)."""


def plain_text(example: str) -> str:
    """The text of an annotated example without its entity markup."""
    from rasa.shared.nlu.training_data.entities_parser import replace_entities

    return replace_entities(example)


def normalize(text: str) -> str:
    """Lower case, punctuation and spacing ignored (a text of symbols only is kept as it is)."""
    words = " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())
    return words or " ".join(text.split())


def examples_by_intent(files: Mapping[str, str]) -> Dict[str, List[Tuple[str, str, int]]]:
    """intent -> [(example, file, line)] from NLU YAML texts (file name -> content)."""
    out: Dict[str, List[Tuple[str, str, int]]] = {}
    for name, text in files.items():
        current: Optional[str] = None
        in_examples = False
        for no, line in enumerate(text.splitlines(), 1):
            m = _INTENT_LINE.match(line)
            if m:
                current, in_examples = m.group(1), False
                continue
            if line.startswith("- "):
                current, in_examples = None, False
                continue
            if current and line.strip().startswith("examples:"):
                in_examples = True
                continue
            if current and in_examples:
                em = _EXAMPLE_LINE.match(line)
                if em and line.startswith("    - "):
                    out.setdefault(current, []).append((em.group(1).strip(), name, no))
                elif line.strip() and not line.startswith("    "):
                    in_examples = False
    return out


@dataclass
class Annotation:
    intent: str
    example: str  # with Rasa entity markup, e.g. "i'm a [tester](role)"


def validate(
    annotation: Annotation,
    known_intents: Set[str],
    known_entities: Set[str],
    training: Mapping[str, str],
    held_out: Mapping[str, str],
) -> str:
    """Checks an annotation; returns the file it belongs in. Raises AnnotationError with a helpful message."""
    from rasa.shared.nlu.training_data.entities_parser import find_entities_in_training_example

    example = " ".join(annotation.example.split())
    if not example:
        raise AnnotationError("the example is empty")
    if len(example) > MAX_EXAMPLE_CHARS:
        raise AnnotationError(f"the example is longer than {MAX_EXAMPLE_CHARS} characters")
    if annotation.intent not in known_intents:
        raise AnnotationError(f"'{annotation.intent}' is not an intent of domain.yml")
    try:
        entities = find_entities_in_training_example(example)
    except Exception as exc:  # noqa: BLE001 - Rasa raises several kinds for bad markup
        raise AnnotationError(f"the entity markup is not valid: {exc}") from exc
    for ent in entities:
        if ent["entity"] not in known_entities:
            raise AnnotationError(
                f"'{ent['entity']}' is not an entity of domain.yml (known: {', '.join(sorted(known_entities))})"
            )
    if "[" in plain_text(example) or "](" in example and not entities:
        raise AnnotationError("unbalanced entity markup: write [words](entity)")
    key = normalize(plain_text(example))
    for intent, rows in examples_by_intent(training).items():
        for text, name, line in rows:
            if normalize(plain_text(text)) == key:
                raise AnnotationError(f"already a training example of '{intent}' ({name}:{line})")
    for _intent, rows in examples_by_intent(held_out).items():
        for text, name, line in rows:
            if normalize(plain_text(text)) == key:
                raise AnnotationError(f"this is in the held-out test set ({name}:{line}): it must not be trained on")
    return file_for_intent(annotation.intent, training)


def file_for_intent(intent: str, training: Mapping[str, str]) -> str:
    """The file that already holds the intent's examples (the one with most), else a new data/nlu/<intent>.yml."""
    counts = {name: len(rows) for name, rows in _by_file(training, intent).items()}
    if counts:
        return max(sorted(counts), key=lambda n: counts[n])
    return f"{NLU_DIR}/{intent}.yml"


def _by_file(training: Mapping[str, str], intent: str) -> Dict[str, List[Tuple[str, str, int]]]:
    out: Dict[str, List[Tuple[str, str, int]]] = {}
    for text, name, line in examples_by_intent(training).get(intent, []):
        out.setdefault(name, []).append((text, name, line))
    return out


def append_example(content: Optional[str], intent: str, example: str) -> str:
    """The file's text with `example` added at the end of the intent's examples (or a new intent block)."""
    example = " ".join(example.split())
    if not content:
        return f'version: "3.1"\n\nnlu:\n- intent: {intent}\n  examples: |\n    - {example}\n'
    lines = content.splitlines()
    last: Optional[int] = None
    for rows_intent, rows in examples_by_intent({"f": content}).items():
        if rows_intent == intent:
            last = rows[-1][2]
    if last is None:
        tail = "" if content.endswith("\n") else "\n"
        return content + tail + f"- intent: {intent}\n  examples: |\n    - {example}\n"
    lines.insert(last, f"    - {example}")
    return "\n".join(lines) + "\n"


def check_yaml(content: str) -> None:
    """The new file still reads as Rasa NLU data."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    try:
        yamlload.safe_load(content)
        RasaYAMLReader().reads(content)
    except Exception as exc:  # noqa: BLE001
        raise AnnotationError(f"the file would not be valid Rasa YAML any more: {exc}") from exc


def read_tree(root: Path, folder: str, use_branch: bool) -> Dict[str, str]:
    """YAML files of a folder: from the annotations branch when the project is a git repository, else the disk."""
    if use_branch:
        names = [n for n in gitbranch.list_files(root, folder) if n.endswith((".yml", ".yaml"))]
        return {n: gitbranch.read_file(root, n) or "" for n in names}
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted((root / folder).rglob("*.y*ml"))}


def add_example(
    root: Path,
    annotation: Annotation,
    known_intents: Set[str],
    known_entities: Set[str],
    author: Optional[gitbranch.Author] = None,
) -> Tuple[str, str]:
    """Validates and commits one example on the annotations branch; returns (file, commit)."""
    training = read_tree(root, NLU_DIR, True)
    held_out = read_tree(root, HELD_OUT_DIR, True)
    target = validate(annotation, known_intents, known_entities, training, held_out)
    if target.startswith(HELD_OUT_DIR):  # pragma: no cover - file_for_intent only picks data/nlu files
        raise AnnotationError("the held-out test set is never written to")
    new = append_example(training.get(target), annotation.intent, annotation.example)
    check_yaml(new)
    commit = gitbranch.commit_files(
        root, {target: new}, f"Workbench: '{plain_text(annotation.example)[:60]}' as {annotation.intent}", author=author
    )
    return target, commit


def domain_names(domain_text: str) -> Tuple[Set[str], Set[str], Set[str], Set[str]]:
    """intents, entities, actions, responses named in a domain file."""
    d = yamlload.safe_load(domain_text) or {}

    def names(items: Any) -> Set[str]:
        out: Set[str] = set()
        for it in items or []:
            out.update(it.keys() if isinstance(it, dict) else [str(it)])
        return out

    return (
        names(d.get("intents")),
        names(d.get("entities")),
        names(d.get("actions")) | set(d.get("forms") or {}),
        set(d.get("responses") or {}),
    )
