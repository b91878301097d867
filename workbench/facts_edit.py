"""From "Answers marked wrong" to the knowledge base: a user's question added to a fact's example questions, or a
new fact, in `knowledge/facts.yml`, committed on the annotations branch like every workbench edit (gitbranch).

The file is edited as text (its comments and layout stay as the trainers wrote them): a line
`      - "<question>"` at the end of the fact's `questions:` list, or a new entry at the end of `facts:`.
Every new text is a JSON string, which YAML reads as the same string. Before a commit the new file must load
with the rest of the knowledge folder (actions.knowledge_base and actions.facts, as the action server would),
and a question is refused when a fact already has it or when it is one of the held-out questions of
`tests/facts/` (those measure the retriever; copying them into the data would make the figures lie).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from actions import yamlload
from workbench import gitbranch
from workbench.nlu_data import AnnotationError, normalize, read_tree

FACTS_FILE = "knowledge/facts.yml"
KNOWLEDGE_DIR = "knowledge"
HELD_OUT_DIR = "tests/facts"
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 1000
FACT_ID = re.compile(r"[a-z][a-z0-9_]{2,59}")
_ENTRY = re.compile(r"^(\s*)- id:\s*['\"]?([A-Za-z0-9_.-]+)['\"]?\s*$")


@dataclass(frozen=True)
class Choices:
    """What a new fact may name: the keys of the knowledge folder as it is on the branch."""

    facts: Tuple[str, ...]
    certifications: Tuple[str, ...]
    topics: Tuple[str, ...]
    sources: Tuple[str, ...]


@dataclass(frozen=True)
class NewFact:
    id: str
    certifications: Tuple[str, ...]
    topic: str
    answer: str
    questions: Tuple[str, ...]
    source: str


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def clean_question(text: str) -> str:
    question = " ".join(str(text or "").split())
    if not question:
        raise AnnotationError("the question is empty")
    if question.startswith("/"):
        raise AnnotationError("that is a button payload, not a question a user typed")
    if len(question) > MAX_QUESTION_CHARS:
        raise AnnotationError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    return question


def choices(files: Mapping[str, str]) -> Choices:
    """Fact ids, certifications, topics and sources from the knowledge files (path -> YAML text)."""
    sections: Dict[str, Any] = {}
    for text in files.values():
        try:
            data = yamlload.safe_load(text) or {}
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            sections.update(data)

    def keys(section: str) -> Tuple[str, ...]:
        value = sections.get(section)
        return tuple(str(k) for k in value) if isinstance(value, dict) else ()

    facts = sections.get("facts")
    return Choices(
        facts=tuple(str(f["id"]) for f in (facts if isinstance(facts, list) else []) if isinstance(f, dict) and f.get("id")),
        certifications=keys("certifications"),
        topics=tuple(t for t in keys("topics") if t != "recommendation"),
        sources=keys("sources"),
    )


def known_questions(facts_text: str) -> Dict[str, str]:
    """normalised question -> the fact (or broad topic) that already has it."""
    data = yamlload.safe_load(facts_text) or {}
    out: Dict[str, str] = {}
    for fact in data.get("facts") or []:
        if isinstance(fact, dict):
            for q in fact.get("questions") or []:
                out.setdefault(normalize(str(q)), f"fact {fact.get('id')}")
    for topic, questions in (data.get("broad_questions") or {}).items():
        for q in questions or []:
            out.setdefault(normalize(str(q)), f"the broad questions of {topic}")
    return out


def held_out_questions(files: Mapping[str, str]) -> Dict[str, str]:
    """normalised question -> file, for every `text` of the question lists in tests/facts/."""
    out: Dict[str, str] = {}
    for name, text in files.items():
        for question in _question_texts(text):
            out.setdefault(question, name)
    return out


@lru_cache(maxsize=128)
def _question_texts(text: str) -> Tuple[str, ...]:
    """The normalised `text` of every question of one question list (parsed once per content: the sets are
    several MB together and every edit reads them; libyaml's safe loader when present, ~10x faster)."""
    found: List[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(normalize(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    try:
        walk(yamlload.safe_load(text))
    except yaml.YAMLError:
        return ()
    return tuple(found)


def check_question(question: str, facts_text: str, held_out: Mapping[str, str]) -> None:
    key = normalize(question)
    where = known_questions(facts_text).get(key)
    if where:
        raise AnnotationError(f"already an example question of {where}")
    if key in held_out:
        raise AnnotationError(f"this is a held-out test question ({held_out[key]}): it must not be copied into the data")


def _fact_lines(lines: Sequence[str], fact_id: str) -> Tuple[int, int, str]:
    """(first line, line after the last, indent of "- id") of the fact's entry."""
    start, indent = -1, ""
    for i, line in enumerate(lines):
        m = _ENTRY.match(line)
        if m and m.group(2) == fact_id:
            start, indent = i, m.group(1)
            break
    if start < 0:
        raise AnnotationError(f"there is no fact '{fact_id}' in {FACTS_FILE}")
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= len(indent):
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end, indent


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def add_question(facts_text: str, fact_id: str, question: str) -> str:
    """The file's text with `question` at the end of the fact's `questions:` list."""
    lines = facts_text.splitlines()
    start, end, _ = _fact_lines(lines, fact_id)
    key = next((i for i in range(start, end) if re.match(r"^\s*questions:\s*$", lines[i])), -1)
    if key < 0:
        raise AnnotationError(f"the fact '{fact_id}' has no `questions:` list to add to")
    key_indent = _indent(lines[key])
    at, item_indent = key + 1, " " * (key_indent + 2)
    for i in range(key + 1, end):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _indent(line) < key_indent or (_indent(line) == key_indent and not line.lstrip().startswith("- ")):
            break  # the fact's next key
        if line.lstrip().startswith("- ") and _indent(line) <= key_indent + 2:
            item_indent = line[: _indent(line)]
        at = i + 1
    lines.insert(at, f"{item_indent}- {_quoted(question)}")
    return "\n".join(lines) + "\n"


def new_fact_entry(fact: NewFact, indent: str = "  ") -> List[str]:
    sub = indent + "  "
    out = [f"{indent}- id: {fact.id}",
           f"{sub}certifications: [{', '.join(fact.certifications)}]",
           f"{sub}topic: {fact.topic}",
           f"{sub}answer: {_quoted(fact.answer)}",
           f"{sub}questions:"]
    out += [f"{sub}  - {_quoted(q)}" for q in fact.questions]
    out.append(f"{sub}source: {fact.source}")
    return out


def add_fact(facts_text: str, fact: NewFact) -> str:
    """The file's text with the new fact at the end of the `facts:` list (before the next top-level section)."""
    lines = facts_text.splitlines()
    top = next((i for i, line in enumerate(lines) if re.match(r"^facts:\s*$", line)), -1)
    if top < 0:
        raise AnnotationError(f"{FACTS_FILE} has no top-level `facts:` list")
    indent = next((m.group(1) for line in lines[top + 1:] if (m := _ENTRY.match(line))), "  ")
    end = top + 1
    while end < len(lines) and not re.match(r"^[A-Za-z_]", lines[end]):
        end += 1
    while end > top + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # the comments above the next section stay with it
    lines[end:end] = new_fact_entry(fact, indent)
    return "\n".join(lines) + "\n"


def validate_new_fact(raw: Mapping[str, Any], c: Choices) -> NewFact:
    fid = str(raw.get("id") or "").strip()
    if not FACT_ID.fullmatch(fid):
        raise AnnotationError("the id is 3 to 60 characters: lower-case letters, digits and _, starting with a letter")
    if fid in c.facts:
        raise AnnotationError(f"there is already a fact '{fid}'")
    certs = tuple(x for x in c.certifications if x in set(raw.get("certifications") or ()))
    if not certs:
        raise AnnotationError(f"pick the certification(s) it is about ({', '.join(c.certifications)})")
    topic = str(raw.get("topic") or "")
    if topic not in c.topics:
        raise AnnotationError(f"pick its topic ({', '.join(c.topics)})")
    source = str(raw.get("source") or "")
    if source not in c.sources:
        raise AnnotationError(f"pick its source ({', '.join(c.sources)}); a new source goes into knowledge/sources.yml")
    answer = " ".join(str(raw.get("answer") or "").split())
    if not answer:
        raise AnnotationError("write the answer: one or two sentences, the fact first")
    if len(answer) > MAX_ANSWER_CHARS:
        raise AnnotationError(f"the answer is longer than {MAX_ANSWER_CHARS} characters")
    questions = tuple(dict.fromkeys(clean_question(q) for q in raw.get("questions") or () if str(q).strip()))
    if not questions:
        raise AnnotationError("give at least one question it answers")
    return NewFact(fid, certs, topic, answer, questions, source)


def check_loads(knowledge: Mapping[str, str], facts_text: str) -> None:
    """The knowledge folder, with the new facts file, loads as the action server would load it."""
    from actions.facts import facts_from_knowledge
    from actions.knowledge_base import KnowledgeError, load_knowledge

    try:
        data = yamlload.safe_load(facts_text)
    except yaml.YAMLError as exc:
        raise AnnotationError(f"{FACTS_FILE} would not be valid YAML any more: {exc}") from exc
    if not isinstance(data, dict):
        raise AnnotationError(f"{FACTS_FILE} would not be a mapping any more")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / KNOWLEDGE_DIR
        folder.mkdir()
        for path, text in knowledge.items():
            name = Path(path).name
            if "/" in path[len(KNOWLEDGE_DIR) + 1:] or not name.endswith((".yml", ".yaml")):
                continue  # the loader reads the folder's own YAML files only
            (folder / name).write_text(facts_text if path == FACTS_FILE else text, encoding="utf-8")
        try:
            facts_from_knowledge(load_knowledge(folder))
        except KnowledgeError as exc:
            raise AnnotationError(f"the knowledge base would not load: {exc}".replace(str(folder), KNOWLEDGE_DIR)) from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Branch:
    """The knowledge folder and the held-out fact questions as they are on the annotations branch."""

    knowledge: Mapping[str, str]
    held_out: Mapping[str, str]

    @property
    def facts_text(self) -> str:
        text = self.knowledge.get(FACTS_FILE)
        if text is None:
            raise AnnotationError(f"{FACTS_FILE} is missing")
        return text

    @property
    def choices(self) -> Choices:
        return choices(self.knowledge)


def read_branch(root: Path) -> Branch:
    return Branch(read_tree(root, KNOWLEDGE_DIR, True), held_out_questions(read_tree(root, HELD_OUT_DIR, True)))


def commit_question(root: Path, fact_id: str, question: str, author: Optional[gitbranch.Author] = None) -> str:
    """Adds the question to the fact on the annotations branch; returns the commit."""
    question = clean_question(question)
    branch = read_branch(root)
    if fact_id not in branch.choices.facts:
        raise AnnotationError(f"there is no fact '{fact_id}'")
    check_question(question, branch.facts_text, branch.held_out)
    new = add_question(branch.facts_text, fact_id, question)
    check_loads(branch.knowledge, new)
    return gitbranch.commit_files(root, {FACTS_FILE: new}, f"Workbench: '{question[:60]}' as a question of {fact_id}",
                                 author=author)


def commit_new_fact(root: Path, raw: Mapping[str, Any], author: Optional[gitbranch.Author] = None) -> Tuple[str, str]:
    """Writes a new fact on the annotations branch; returns (fact id, commit)."""
    branch = read_branch(root)
    fact = validate_new_fact(raw, branch.choices)
    for question in fact.questions:
        check_question(question, branch.facts_text, branch.held_out)
    new = add_fact(branch.facts_text, fact)
    check_loads(branch.knowledge, new)
    return fact.id, gitbranch.commit_files(root, {FACTS_FILE: new}, f"Workbench: new fact {fact.id}", author=author)


def lines_of(values: Optional[Iterable[str]]) -> List[str]:
    """A textarea's lines (one question a line), stripped, empty ones dropped."""
    return [line.strip() for value in values or () for line in str(value).splitlines() if line.strip()]
