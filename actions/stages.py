"""Where a user stands on the way to a certification, and what comes next (``knowledge/stages.yml``).

"I just finished my CSPO course, now what?" or "I failed twice" then "what now?": the message says (or the user's
message before said) a stage (course booked, course done, test failed, certified), and asks what comes next; the
answer is the fact the data names for that stage and certification. Pure: data in, fact ids out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Pattern, Sequence, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, compiled_patterns

FILE = "knowledge/stages.yml"


@dataclass(frozen=True)
class Stage:
    name: str
    words: Tuple[Pattern[str], ...]
    next: Mapping[str, str]  # certification -> the fact id of what comes next
    unless: Tuple[Pattern[str], ...] = ()  # words saying what the user wants next themselves ("to keep learning")

    def said_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.words) and not any(p.search(text) for p in self.unless)


@dataclass(frozen=True)
class Stages:
    entries: Tuple[Stage, ...] = ()
    next_step_questions: Tuple[Pattern[str], ...] = ()

    def asks_what_next(self, text: str) -> bool:
        """Whether the (lower-case) message asks what comes next ("now what?", "what's the next step?")."""
        return any(p.search(text) for p in self.next_step_questions)

    def stage_in(self, text: str) -> Optional[Stage]:
        """The first stage the (lower-case) message says the user is at, or None."""
        return next((s for s in self.entries if s.said_in(text)), None)

    def next_fact(self, stage: Stage, certifications: Sequence[str]) -> Optional[str]:
        """The fact of what comes next after ``stage`` for the one certification spoken of; with none spoken of, the
        stage's only one (only the CSM has a test to fail) or the one all share; None when that is not one certification."""
        wanted = [c for c in dict.fromkeys(certifications) if c in stage.next]
        if len(set(certifications)) > 1 or (certifications and not wanted):
            return None
        if wanted:
            return stage.next[wanted[0]]
        # (the same next for every certification: "I have the A-CSM, what's the next level?" names neither)
        return next(iter(stage.next.values())) if len(set(stage.next.values())) == 1 else None


def stages_from_knowledge(kb: Knowledge, fact_ids: Sequence[str]) -> Stages:
    """The stages of the knowledge data, checked: patterns compile, certifications and facts exist."""
    file = kb.extra_files.get("stages", FILE)

    def fail(entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file, entry, problem)

    def patterns(raw: Any, where: str) -> Tuple[Pattern[str], ...]:
        return compiled_patterns(raw, file, where)

    if "stages" not in kb.extra:
        return Stages()
    raw = kb.extra.get("stages")
    if not isinstance(raw, list):
        raise fail("stages", "expected a list of stages")
    entries = []
    for i, entry in enumerate(raw):
        where = f"stages[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("next"), dict):
            raise fail(where, "expected a name, words and next (certification: fact id)")
        for cert, fact in entry["next"].items():
            if cert not in kb.certifications:
                raise fail(f"{where}.next", f"unknown certification {cert!r}")
            if fact not in fact_ids:
                raise fail(f"{where}.next.{cert}", f"unknown fact {fact!r}")
        unless = patterns(entry["unless"], f"{where}.unless") if "unless" in entry else ()
        entries.append(Stage(entry["name"], patterns(entry.get("words"), f"{where}.words"),
                             {str(c): str(f) for c, f in entry["next"].items()}, unless))
    return Stages(tuple(entries), patterns(kb.extra.get("next_step_questions"), "next_step_questions"))
