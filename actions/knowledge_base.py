"""The knowledge base: YAML files in ``knowledge/`` loaded into typed, validated objects.

Nothing here knows a certification fact; it only knows the shape the data must have.
A broken file raises :class:`KnowledgeError` naming the file, the entry and what is wrong.
Loading happens on first use (``get_knowledge``), never at import time, and only once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from actions import yamlload

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
KNOWLEDGE_DIR_ENV = "ADVISOR_KNOWLEDGE_DIR"

# Topics every certification must cover, in the order they are usually asked about.
CERT_TOPICS: Tuple[str, ...] = (
    "overview",
    "responsibilities",
    "benefits",
    "audience",
    "skills",
    "focus",
    "main_goal",
    "requirements",
    "cost",
    "continuous_learning",
)
# Topics answered from the comparison or other sections rather than per certification.
SHARED_TOPICS: Tuple[str, ...] = ("comparison", "resources", "recommendation")
REQUIRED_PHRASES: Tuple[str, ...] = (
    "source", "official_page", "both_intro", "from_context", "comparison_title", "resources_intro", "more_about",
    "answer_course_required", "answer_audience_why", "answer_correct", "answer_not_so",
)
# a word list read from YAML: a bare on, off, yes, no or true is read as true/false
WORDS_PROBLEM = "expected a list of words (write on, off, yes, no, true in quotes: YAML reads them as true/false)"


def compiled_patterns(raw: Any, file: str, where: str) -> Tuple["re.Pattern[str]", ...]:
    """A non-empty list of regular expressions of a knowledge file, compiled; a KnowledgeError naming the
    entry when it is not a list of strings or one does not compile."""
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise KnowledgeError(file, where, "expected a non-empty list of patterns")
    found = []
    for i, pattern in enumerate(raw):
        try:
            found.append(re.compile(pattern))
        except re.error as e:
            raise KnowledgeError(file, f"{where}[{i}]", f"not a valid pattern (does not compile): {e}") from None
    return tuple(found)


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or does not match the schema."""

    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file, self.entry, self.problem = file, entry, problem
        where = f"{file}: {entry}" if entry else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: Optional[str] = None  # a source may be a named publication without an address


@dataclass(frozen=True)
class Fact:
    """One answerable piece of knowledge: a summary line, optional list items, its source."""

    summary: str
    source: Source
    items: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Certification:
    key: str  # canonical entity value, e.g. "CSM"
    name: str
    abbreviation: str
    role: str  # canonical `role` entity value of the role it certifies
    role_name: str
    official: Source
    topics: Mapping[str, Fact]
    aliases: Tuple[str, ...] = ()  # ways people write it ("scrum master", "c.s.m."), lower case


@dataclass(frozen=True)
class ComparisonRow:
    aspect: str
    values: Mapping[str, str]  # certification key -> text
    sources: Tuple[Source, ...] = ()


@dataclass(frozen=True)
class Comparison:
    intro: str
    source: Source
    rows: Tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    intent: str
    label: str
    next: Tuple[str, ...]


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    source: Source


@dataclass(frozen=True)
class Knowledge:
    sources: Mapping[str, Source]
    resource_link: Link
    certifications: Mapping[str, Certification]
    comparison: Comparison
    guidance: Mapping[str, Tuple[str, ...]]  # "csm" / "cspo" / "both" -> reasons to choose
    guidance_source: Source
    continuous_learning: Fact
    topics: Mapping[str, Topic]
    followup_words: frozenset
    phrases: Mapping[str, str]
    # words that join a follow-up only beside "it" / "that" / "same" ("what's it for the CSM?")
    followup_pronoun_words: frozenset = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)  # further sections, validated by their users
    extra_files: Mapping[str, str] = field(default_factory=dict)  # file each further section came from

    def topic_for_intent(self, intent: Optional[str]) -> Optional[str]:
        for topic in self.topics.values():
            if topic.intent == intent:
                return topic.key
        return None

    def certification_for_role(self, role: Optional[str]) -> Optional[str]:
        for cert in self.certifications.values():
            if cert.role == role:
                return cert.key
        return None


# --------------------------------------------------------------------------- validation helpers
class _Reader:
    """Reads typed values out of parsed YAML, raising KnowledgeError with a precise location."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(self.file, entry, problem)

    def mapping(self, value: Any, entry: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected a mapping, found {_kind(value)}")
        return value

    def field(self, parent: Mapping[str, Any], key: str, entry: str) -> Any:
        if key not in parent or parent[key] is None:
            raise self.fail(f"{entry}.{key}" if entry else key, "is missing")
        return parent[key]

    def text(self, parent: Mapping[str, Any], key: str, entry: str) -> str:
        value = self.field(parent, key, entry)
        where = f"{entry}.{key}" if entry else key
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, found {_kind(value)}")
        if not value.strip():
            raise self.fail(where, "is empty")
        return value.strip()

    def texts(self, parent: Mapping[str, Any], key: str, entry: str, allow_empty: bool = False) -> Tuple[str, ...]:
        value = self.field(parent, key, entry)
        where = f"{entry}.{key}" if entry else key
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, found {_kind(value)}")
        if not value and not allow_empty:
            raise self.fail(where, "is an empty list")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
                raise self.fail(f"{where}[{i}]", f"expected non-empty text, found {_kind(item)}")
            out.append(str(item).strip())
        return tuple(out)

    def url(self, parent: Mapping[str, Any], key: str, entry: str) -> str:
        value = self.text(parent, key, entry)
        if not value.startswith(("https://", "http://")):
            raise self.fail(f"{entry}.{key}", f"expected an http(s) address, found {value!r}")
        return value

    def source(self, parent: Mapping[str, Any], entry: str, sources: Mapping[str, Source]) -> Source:
        key = self.text(parent, "source", entry)
        if key not in sources:
            raise self.fail(f"{entry}.source", f"unknown source {key!r} (known: {', '.join(sorted(sources))})")
        return sources[key]


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(type(value), type(value).__name__)


def _read_files(directory: Path) -> Dict[str, Tuple[str, Dict[str, Any]]]:
    """Returns top-level section -> (file it came from, content)."""
    if not directory.is_dir():
        raise KnowledgeError(str(directory), "", "the knowledge folder does not exist")
    sections: Dict[str, Tuple[str, Dict[str, Any]]] = {}
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeError(str(directory), "", "the knowledge folder has no .yml files")
    for path in files:
        name = str(path)
        try:
            content = yamlload.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise KnowledgeError(name, where, f"is not valid YAML: {problem}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KnowledgeError(name, "", f"cannot be read: {exc}") from None
        if content is None:
            continue
        if not isinstance(content, dict):
            raise KnowledgeError(name, "", f"expected a mapping of sections at the top, found {_kind(content)}")
        for section, value in content.items():
            if section in sections:
                raise KnowledgeError(name, str(section), f"is defined twice (also in {sections[section][0]})")
            sections[str(section)] = (name, value)
    return sections


def _section(sections: Mapping[str, Tuple[str, Any]], key: str, directory: Path) -> Tuple[_Reader, Any]:
    if key not in sections:
        raise KnowledgeError(str(directory), key, "this section is missing from every knowledge file")
    file, value = sections[key]
    return _Reader(file), value


# --------------------------------------------------------------------------- loading
def load_knowledge(directory: Optional[Path] = None) -> Knowledge:
    """Loads and validates every YAML file of the knowledge folder."""
    directory = Path(directory or os.environ.get(KNOWLEDGE_DIR_ENV) or DEFAULT_DIR)
    sections = _read_files(directory)

    r, raw = _section(sections, "sources", directory)
    raw = r.mapping(raw, "sources")
    sources: Dict[str, Source] = {}
    for key, entry in raw.items():
        where = f"sources.{key}"
        entry = r.mapping(entry, where)
        url = r.url(entry, "url", where) if entry.get("url") is not None else None
        sources[str(key)] = Source(key=str(key), title=r.text(entry, "title", where), url=url)
    if not sources:
        raise r.fail("sources", "lists no source")

    r, raw = _section(sections, "resource_link", directory)
    raw = r.mapping(raw, "resource_link")
    resource_link = Link(
        label=r.text(raw, "label", "resource_link"),
        url=r.url(raw, "url", "resource_link"),
        source=r.source(raw, "resource_link", sources),
    )

    r, raw = _section(sections, "certifications", directory)
    raw = r.mapping(raw, "certifications")
    certifications: Dict[str, Certification] = {}
    for key, entry in raw.items():
        where = f"certifications.{key}"
        entry = r.mapping(entry, where)
        topics_raw = r.mapping(r.field(entry, "topics", where), f"{where}.topics")
        topics: Dict[str, Fact] = {}
        for topic in CERT_TOPICS:
            if topic not in topics_raw:
                raise r.fail(f"{where}.topics.{topic}", "is missing (every certification needs: " + ", ".join(CERT_TOPICS) + ")")
        for topic, fact_raw in topics_raw.items():
            if topic not in CERT_TOPICS:
                raise r.fail(f"{where}.topics.{topic}", "is not a known topic (known: " + ", ".join(CERT_TOPICS) + ")")
            topics[topic] = _fact(r, fact_raw, f"{where}.topics.{topic}", sources)
        official_key = r.text(entry, "official_source", where)
        if official_key not in sources:
            raise r.fail(f"{where}.official_source", f"unknown source {official_key!r}")
        if not sources[official_key].url:
            raise r.fail(f"{where}.official_source", f"source {official_key!r} has no url to hand out")
        certifications[str(key)] = Certification(
            key=str(key),
            name=r.text(entry, "name", where),
            abbreviation=r.text(entry, "abbreviation", where),
            role=r.text(entry, "role", where),
            role_name=r.text(entry, "role_name", where),
            official=sources[official_key],
            topics=topics,
            aliases=tuple(a.lower() for a in r.texts(entry, "aliases", where)) if "aliases" in entry else (),
        )
    if len(certifications) < 2:
        raise r.fail("certifications", "needs at least two certifications to compare")

    r, raw = _section(sections, "comparison", directory)
    raw = r.mapping(raw, "comparison")
    rows: List[ComparisonRow] = []
    raw_rows = r.field(raw, "rows", "comparison")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise r.fail("comparison.rows", "expected a non-empty list of rows")
    for i, row in enumerate(raw_rows):
        where = f"comparison.rows[{i}]"
        row = r.mapping(row, where)
        values = {cert: r.text(row, cert, where) for cert in certifications}
        raw_source = r.field(row, "source", where)
        keys = r.texts(row, "source", where) if isinstance(raw_source, list) else (r.text(row, "source", where),)
        for key in keys:
            if key not in sources:
                raise r.fail(f"{where}.source", f"unknown source {key!r} (known: {', '.join(sorted(sources))})")
        rows.append(ComparisonRow(aspect=r.text(row, "aspect", where), values=values,
                                  sources=tuple(sources[k] for k in keys)))
    comparison = Comparison(
        intro=r.text(raw, "intro", "comparison"), source=r.source(raw, "comparison", sources), rows=tuple(rows)
    )

    r, raw = _section(sections, "guidance", directory)
    raw = r.mapping(raw, "guidance")
    choose = r.mapping(r.field(raw, "choose", "guidance"), "guidance.choose")
    expected = [c.lower() for c in certifications] + ["both"]
    guidance = {}
    for key in expected:
        guidance[key] = r.texts(choose, key, "guidance.choose")
    guidance_source = r.source(raw, "guidance", sources)

    r, raw = _section(sections, "continuous_learning", directory)
    continuous_learning = _fact(r, raw, "continuous_learning", sources)

    r, raw = _section(sections, "topics", directory)
    raw = r.mapping(raw, "topics")
    topics_meta: Dict[str, Topic] = {}
    for key in CERT_TOPICS + SHARED_TOPICS:
        if key in ("focus", "main_goal"):
            continue  # shown inside other answers, never asked for on their own
        if key not in raw:
            raise r.fail(f"topics.{key}", "is missing")
    for key, entry in raw.items():
        where = f"topics.{key}"
        entry = r.mapping(entry, where)
        topics_meta[str(key)] = Topic(
            key=str(key),
            intent=r.text(entry, "intent", where),
            label=r.text(entry, "label", where),
            next=r.texts(entry, "next", where, allow_empty=True),
        )
    for meta in topics_meta.values():
        for nxt in meta.next:
            if nxt not in topics_meta:
                raise r.fail(f"topics.{meta.key}.next", f"names unknown topic {nxt!r}")
    intents = [t.intent for t in topics_meta.values()]
    dupes = sorted({i for i in intents if intents.count(i) > 1})
    if dupes:
        raise r.fail("topics", f"intent(s) used by more than one topic: {', '.join(dupes)}")

    r, raw = _section(sections, "followup_words", directory)
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise r.fail("followup_words", WORDS_PROBLEM)
    followup_words = frozenset(str(w).lower() for w in raw)
    pronoun_words: frozenset = frozenset()
    if "followup_pronoun_words" in sections:
        r, raw = _section(sections, "followup_pronoun_words", directory)
        if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
            raise r.fail("followup_pronoun_words", WORDS_PROBLEM)
        pronoun_words = frozenset(str(w).lower() for w in raw)

    r, raw = _section(sections, "phrases", directory)
    raw = r.mapping(raw, "phrases")
    for key in REQUIRED_PHRASES:
        r.text(raw, key, "phrases")
    phrases = {str(k): r.text(raw, k, "phrases") for k in raw}

    known = {"phrases", "sources", "resource_link", "certifications", "comparison", "guidance", "continuous_learning",
             "topics", "followup_words", "followup_pronoun_words"}
    extra = {k: v for k, (_, v) in sections.items() if k not in known}
    extra_files = {k: f for k, (f, _) in sections.items() if k not in known}

    return Knowledge(
        sources=sources,
        resource_link=resource_link,
        certifications=certifications,
        comparison=comparison,
        guidance=guidance,
        guidance_source=guidance_source,
        continuous_learning=continuous_learning,
        topics=topics_meta,
        followup_words=followup_words,
        followup_pronoun_words=pronoun_words,
        phrases=phrases,
        extra=extra,
        extra_files=extra_files,
    )


def _fact(r: _Reader, raw: Any, where: str, sources: Mapping[str, Source]) -> Fact:
    raw = r.mapping(raw, where)
    items: Tuple[str, ...] = ()
    if "items" in raw:
        items = r.texts(raw, "items", where)
    unknown = set(raw) - {"summary", "items", "source"}
    if unknown:
        raise r.fail(f"{where}.{sorted(unknown)[0]}", "is not a known field (known: summary, items, source)")
    return Fact(summary=r.text(raw, "summary", where), source=r.source(raw, where, sources), items=items)


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    """The knowledge base, loaded on first use and then kept."""
    return load_knowledge()


def main() -> int:
    """`python -m actions.knowledge_base`: validates the knowledge folder (used before start-up)."""
    try:
        kb = load_knowledge()
    except KnowledgeError as exc:
        print(f"Knowledge base error: {exc}")
        return 1
    print(
        f"Knowledge base OK: {len(kb.certifications)} certifications, {len(kb.topics)} topics, "
        f"{len(kb.sources)} sources."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
