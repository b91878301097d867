"""Neighbouring certifications (PSM, PSPO, PMP, SAFe POPM, A-CSM, A-CSPO, CSP): what each is, how it
relates to the CSM/CSPO, and that the advisor advises on the CSM and CSPO. Pure; data in
knowledge/neighbours.yml."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.answers import source_line
from actions.assertions import Assertions, assertions_from
from actions.knowledge_base import Knowledge, KnowledgeError, Source, get_knowledge
from actions.render import Button, Renderer, Reply

ENTITY = "other_certification"


@dataclass(frozen=True)
class Neighbour:
    key: str
    name: str
    aliases: Tuple[str, ...]
    what: str
    relation: str
    related: Optional[str]
    source: Source
    answers_facts: Tuple[str, ...] = ()
    then: Optional[str] = None  # the neighbour that comes after it ("what's next after the A-CSPO?": the CSP)
    # described, not named: "the Scrum.org equivalent of the CSPO" is the PSPO (regular expressions, lower case)
    cues: Tuple["re.Pattern[str]", ...] = ()
    counterpart: Optional[str] = None  # the same for the other role ("and the product owner one?" after the PSM: the PSPO)
    issuer: Optional[str] = None  # the organisation that issues it ("who offers the PSPO?": Scrum.org, first)
    # the fact saying what it builds on ("does the A-CSPO need the CSPO first?", "does a PSM I count toward the A-CSM?")
    builds_on_fact: Optional[str] = None
    # what its description makes true or false of what a yes/no question asserts ("is PMP a Scrum certification?": no)
    assertions: Optional[Assertions] = None


@dataclass(frozen=True)
class Neighbours:
    entries: Mapping[str, Neighbour]
    scope: str
    buttons: Tuple[Button, ...]
    pattern: Optional["re.Pattern[str]"]
    by_alias: Mapping[str, str]
    issuer_line: str = "{name}: {issuer}."  # "who issues it?" answered first ({name}, {issuer})
    issuer_line_alliance: str = "{name}: {issuer}."  # ... when it is Scrum Alliance, like the CSM and CSPO

    def named(self, text: str, entities: Sequence[Mapping[str, Any]] = ()) -> List[str]:
        """Neighbours named in a message: the NLU's `other_certification` entities, then the aliases."""
        found: List[str] = []
        for e in entities:
            value = str(e.get("value") or "")
            if e.get("entity") == ENTITY and value in self.entries and value not in found:
                found.append(value)
        if self.pattern is not None and not text.lstrip().startswith("/"):
            for m in self.pattern.finditer(text.lower()):
                key = self.by_alias[m.group(1)]
                if key not in found:
                    found.append(key)
        if not text.lstrip().startswith("/"):
            lowered = text.lower()
            found += [k for k, n in self.entries.items() if k not in found and any(c.search(lowered) for c in n.cues)]
        return found


def neighbours_from_knowledge(kb: Knowledge) -> Neighbours:
    file = kb.extra_files.get("neighbours", "knowledge/neighbours.yml")

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, entry, problem)

    raw = kb.extra.get("neighbours")
    if not isinstance(raw, dict) or not raw:
        raise fail("neighbours", "expected a mapping of certification to its description")
    entries: Dict[str, Neighbour] = {}
    by_alias: Dict[str, str] = {}
    for key, entry in raw.items():
        where = f"neighbours.{key}"
        if not isinstance(entry, dict):
            raise fail(where, "expected a mapping")
        for field in ("name", "what", "relation", "source"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise fail(f"{where}.{field}", "is missing")
        if entry["source"] not in kb.sources:
            raise fail(f"{where}.source", f"unknown source {entry['source']!r}")
        related = entry.get("related")
        if related is not None and related not in kb.certifications:
            raise fail(f"{where}.related", f"unknown certification {related!r}")
        aliases = entry.get("aliases")
        if not isinstance(aliases, list) or not aliases:
            raise fail(f"{where}.aliases", "expected a non-empty list")
        for alias in aliases:
            by_alias[str(alias).lower()] = str(key)
        cues = []
        for j, cue in enumerate(entry.get("cues") or []):
            try:
                cues.append(re.compile(str(cue)))
            except re.error as e:
                raise fail(f"{where}.cues[{j}]", f"not a valid pattern: {e}") from None
        entries[str(key)] = Neighbour(str(key), entry["name"].strip(), tuple(str(a).lower() for a in aliases),
                                      entry["what"].strip(), entry["relation"].strip(), related, kb.sources[entry["source"]],
                                      tuple(str(f) for f in entry.get("answers_facts") or ()),
                                      str(entry["then"]) if entry.get("then") else None, tuple(cues),
                                      str(entry["counterpart"]) if entry.get("counterpart") else None,
                                      str(entry["issuer"]) if entry.get("issuer") else None,
                                      str(entry["builds_on_fact"]) if entry.get("builds_on_fact") else None,
                                      assertions_from(entry.get("assertions"), f"{where}.assertions", fail))
    reply = kb.extra.get("neighbour_reply")
    if not isinstance(reply, dict) or "{name}" not in str(reply.get("scope", "")):
        raise fail("neighbour_reply.scope", "expected text with {name}")
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in reply.get("buttons") or [])
    for key, n in entries.items():
        if n.counterpart is not None and (n.counterpart not in entries or entries[n.counterpart].related is None
                                          or entries[n.counterpart].related == n.related):
            raise fail(f"neighbours.{key}.counterpart", "expected a neighbour related to the other certification")
        if n.then is not None and (n.then not in entries or not entries[n.then].answers_facts):
            raise fail(f"neighbours.{key}.then", "expected a neighbour with answers_facts (the first says what it is)")
    ordered = sorted(by_alias, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in ordered) + r")(?![\w-])") if ordered else None
    lines = {k: str(reply.get(k) or "") for k in ("issuer_line", "issuer_line_alliance")}
    if any(not all(f in line for f in ("{name}", "{issuer}")) for line in lines.values()):
        raise fail("neighbour_reply.issuer_line", "expected issuer_line and issuer_line_alliance with {name} and {issuer}")
    return Neighbours(entries, str(reply["scope"]), buttons, pattern, by_alias, **lines)


def neighbour_reply(kb: Knowledge, book: Neighbours, r: Renderer, keys: Sequence[str], scope_first: bool = False,
                    issuer_first: bool = False) -> Reply:
    """What each named neighbour is and how it relates to the CSM/CSPO, with its source and the scope;
    the scope first when the user asked which of them to choose (``scope_first``); who issues each first
    when that was asked (``issuer_first``: "who offers the PSPO?")."""
    blocks: List[str] = []
    if issuer_first:
        for key in keys:
            n = book.entries[key]
            if n.issuer:
                line = book.issuer_line_alliance if n.issuer == "Scrum Alliance" else book.issuer_line
                blocks.append(line.format(name=n.name.split(" (")[0], issuer=n.issuer))
    for key in keys:
        n = book.entries[key]
        blocks.append(f"{r.bold(n.name)}: {n.what} {n.relation}\n{source_line(kb, r, [n.source])}")
    scope = book.scope.format(name=" / ".join(book.entries[k].name.split(" (")[0] for k in keys))
    blocks = [scope] + blocks if scope_first else blocks + [scope]
    buttons = list(book.buttons)
    for key in keys:
        related = book.entries[key].related
        if related and all(related not in b.title for b in buttons):
            buttons.append(Button(f"What is {related}?", f"What is the {related}?"))
    return Reply(text="\n\n".join(blocks), buttons=buttons)


@lru_cache(maxsize=1)
def get_neighbours() -> Neighbours:
    return neighbours_from_knowledge(get_knowledge())
