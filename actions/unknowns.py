"""What the advisor does not know, and says so: the known unknowns of knowledge/unknowns.yml (a question the reference
does not answer, its cues, what to say and where to look) and the wording of an honest "I don't know" (the planner,
actions/planner.py, decides; actions/compose.py words the reply). Pure: the data comes in."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, Source


@dataclass(frozen=True)
class Unknown:
    id: str
    cues: Tuple["re.Pattern[str]", ...]
    say: str
    related: Optional[str]
    source: Source
    about: Tuple[str, ...] = ()  # the certifications it is about (none: any); "how hard is the CSPO exam?" is not the CSM's
    # its cues may read the sentence before the question too: "already have CSM. cheaper CSPO for me?"
    across_sentences: bool = False
    # its `related` fact is shown even when it states figures (the price range beside a city's price)
    related_figures: bool = False
    # patterns that make it no question about this unknown whatever its cues match: "the CSM course in 8-hour days?" gives
    # the length of a day, so the course's days are the hours worked out (actions/figures.py), not its schedule
    unless: Tuple["re.Pattern[str]", ...] = ()


@dataclass(frozen=True)
class Unknowns:
    entries: Tuple[Unknown, ...]
    say: str
    say_named: str
    nearest: str
    look: str
    # what was asked for, named in the "I don't know" ("I don't have the price of the A-CSM ..."):
    # ask kind (lexicon `asks`) -> words; `say_asked` / `say_named_asked` use {asked} (and {name})
    asked: Mapping[str, str] = field(default_factory=dict)
    say_asked: str = ""
    say_named_asked: str = ""
    # concept (lexicon `concepts`) -> words, named before the ask kinds ("the renewal rules or fee") or after
    asked_first: Mapping[str, str] = field(default_factory=dict)
    asked_concepts: Mapping[str, str] = field(default_factory=dict)
    # the question's words the knowledge never uses, named when nothing above is: "anything about {words}"
    words_asked: str = ""
    # a known unknown's words after what the question asked about that they don't say: "About {words}: {say}"
    about_asked: str = ""
    # an "I don't know" naming nothing else quotes the question: 'I don't know the answer to "{question}" ...'
    say_quoted: str = ""
    # ... also instead of what was asked for, when its words name little ("that number")
    vague: Tuple[str, ...] = ()

    def by_id(self, unknown_id: str) -> Optional[Unknown]:
        """The known unknown with this id (knowledge/unknowns.yml), None when the data has none."""
        return next((u for u in self.entries if u.id == unknown_id), None)

    def opening(self, asks: Sequence[str], name: Optional[str] = None, concepts: Sequence[str] = (),
                restated: str = "", quoted: str = "") -> str:
        """The first line of an honest "I don't know": what was asked about (a concept of the question
        that `asked_concepts` names: "the renewal rules") or for (one kind of thing: a price, a length
        ...), else the words of the question the knowledge never uses (``restated``: '"pause" or "break"'), else
        the general wording; ``quoted``: the question's own words, quoted instead (question_text.quotable)."""
        asked = next((words for concept, words in self.asked_first.items() if concept in concepts), None) \
            or next((self.asked[a] for a in asks if a in self.asked), None) \
            or next((words for concept, words in self.asked_concepts.items() if concept in concepts), None)
        if quoted and self.say_quoted and not restated and (asked is None or asked in self.vague):
            return self.say_quoted.format(question=quoted)
        if asked and name and self.say_named_asked:
            return self.say_named_asked.format(asked=asked, name=name)
        if asked and not name and self.say_asked:
            return self.say_asked.format(asked=asked)
        if restated and not name and self.say_asked and self.words_asked:
            return self.say_asked.format(asked=self.words_asked.format(words=restated))
        return self.say_named.format(name=name) if name else self.say

    def matching(self, text: str, named: Sequence[str] = (), across: bool = False) -> Optional[Unknown]:
        """The unknown a question asks about: the first in the data whose cues match (the order is the priority:
        "taught in portuguese in brazil" is the language, listed before the place; measured: the unknown matching the
        fewest characters instead lost 10 honest answers of sets 1-28, "phone number" read as the test's devices).
        ``across``: ``text`` is the whole message, sentences that do not ask included: only the unknowns marked
        `across_sentences` are read in it."""
        lowered = text.lower()
        return next((u for u in self.entries if (u.across_sentences or not across) and any(c.search(lowered) for c in u.cues)
                     and not any(c.search(lowered) for c in u.unless)
                     and (not u.about or not named or set(u.about) & set(named))), None)


def cued_words(unknown: Unknown, text: str) -> List[str]:
    """The words of ``text`` the cues of ``unknown`` match (lower case)."""
    lowered = text.lower()
    return [w for c in unknown.cues for m in c.finditer(lowered) for w in re.findall(r"\w+", m.group())]


def unknowns_from_knowledge(kb: Knowledge) -> Unknowns:
    file = kb.extra_files.get("unknowns", "knowledge/unknowns.yml")

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, entry, problem)

    wording = kb.extra.get("not_known")
    if not isinstance(wording, dict):
        raise fail("not_known", "expected the wording of an honest \"I don't know\"")
    for key in ("say", "say_named", "nearest", "look"):
        if not isinstance(wording.get(key), str) or not wording[key].strip():
            raise fail(f"not_known.{key}", "expected text")
    if "{link}" not in wording["look"] or "{name}" not in wording["say_named"]:
        raise fail("not_known", "`look` needs {link} and `say_named` needs {name}")
    raw = kb.extra.get("unknowns")
    if not isinstance(raw, list):
        raise fail("unknowns", "expected a list")
    entries: List[Unknown] = []
    for i, entry in enumerate(raw):
        where = f"unknowns[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise fail(where, "expected a mapping with an id")
        where = f"unknowns.{entry['id']}"
        cues = entry.get("cues")
        if not isinstance(cues, list) or not cues:
            raise fail(f"{where}.cues", "expected a non-empty list of patterns")
        compiled: List["re.Pattern[str]"] = []
        unless: List["re.Pattern[str]"] = []
        for key, patterns, into in (("cues", cues, compiled), ("unless", entry.get("unless") or [], unless)):
            if not isinstance(patterns, list):
                raise fail(f"{where}.{key}", "expected a list of patterns")
            for j, cue in enumerate(patterns):
                try:
                    into.append(re.compile(str(cue)))
                except re.error as e:
                    raise fail(f"{where}.{key}[{j}]", f"not a valid pattern: {e}") from None
        if not isinstance(entry.get("say"), str) or not entry["say"].strip():
            raise fail(f"{where}.say", "expected text")
        if entry.get("source") not in kb.sources:
            raise fail(f"{where}.source", f"unknown source {entry.get('source')!r}")
        related = entry.get("related")
        if related is not None and not isinstance(related, str):
            raise fail(f"{where}.related", "expected a fact id")
        about = entry.get("about") or []
        if not isinstance(about, list) or any(c not in kb.certifications for c in about):
            raise fail(f"{where}.about", "expected a list of certifications")
        for flag in ("across_sentences", "related_figures"):
            if not isinstance(entry.get(flag, False), bool):
                raise fail(f"{where}.{flag}", "expected true or false")
        entries.append(Unknown(entry["id"], tuple(compiled), entry["say"].strip(), related, kb.sources[entry["source"]],
                               tuple(str(c) for c in about), bool(entry.get("across_sentences", False)),
                               bool(entry.get("related_figures", False)), tuple(unless)))
    asked = wording.get("asked") or {}
    if not isinstance(asked, dict) or not all(isinstance(v, str) and v.strip() for v in asked.values()):
        raise fail("not_known.asked", "expected a mapping of ask kinds to words")
    say_asked, say_named_asked = str(wording.get("say_asked") or ""), str(wording.get("say_named_asked") or "")
    if asked and ("{asked}" not in say_asked or "{asked}" not in say_named_asked or "{name}" not in say_named_asked):
        raise fail("not_known", "`say_asked` needs {asked}, `say_named_asked` needs {asked} and {name}")
    about_asked = str(wording.get("about_asked") or "")
    if about_asked and ("{words}" not in about_asked or "{say}" not in about_asked):
        raise fail("not_known.about_asked", "needs {words} and {say}")
    words_asked = str(wording.get("words_asked") or "")
    if words_asked and ("{words}" not in words_asked or not say_asked):
        raise fail("not_known.words_asked", "needs {words} and `say_asked`")
    say_quoted = str(wording.get("say_quoted") or "")
    if say_quoted and "{question}" not in say_quoted:
        raise fail("not_known.say_quoted", "needs {question}")
    quoted_over = wording.get("quoted_over") or []
    if not isinstance(quoted_over, list) or any(k not in asked for k in quoted_over):
        raise fail("not_known.quoted_over", "expected a list of ask kinds of `asked`")
    known_concepts = kb.extra.get("concepts") or {}
    named: Dict[str, Dict[str, str]] = {}
    for key in ("asked_first", "asked_concepts"):
        mapping = wording.get(key) or {}
        if not isinstance(mapping, dict) or not all(isinstance(v, str) and v.strip() for v in mapping.values()):
            raise fail(f"not_known.{key}", "expected a mapping of concepts to words")
        if mapping and not say_asked:
            raise fail(f"not_known.{key}", "needs `say_asked` and `say_named_asked`")
        strange = [str(k) for k in mapping if k not in known_concepts]
        if strange:
            raise fail(f"not_known.{key}", f"not concepts of lexicon.yml: {', '.join(strange)}")
        named[key] = {str(k): str(v).strip() for k, v in mapping.items()}
    return Unknowns(tuple(entries), wording["say"].strip(), wording["say_named"].strip(),
                    wording["nearest"].strip(), wording["look"].strip(),
                    {str(k): str(v).strip() for k, v in asked.items()}, say_asked.strip(), say_named_asked.strip(),
                    named["asked_first"], named["asked_concepts"], words_asked.strip(), about_asked.strip(), say_quoted.strip(),
                    tuple(str(asked[k]).strip() for k in quoted_over))
