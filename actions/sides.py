"""Which certification is "the how" and which "the what and why" (``sides`` in knowledge/comparison.yml).

The article sets the two apart that way: choose the CSM if you care more about the "how" of getting the work
done, the CSPO if you care more about the "what" and "why" of the product. "Which cert is about the 'how'?",
"is the CSPO the 'how' certification?", "I'm more into the what and why than the how. CSM or CSPO?" each name
one side; the answer is that side's fact, with "Yes."/"No." first when the question puts a certification to it.
A side said after "than", "not", "rather than" or "over" is the one the user turns from. Pure: data in, a side out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Pattern, Sequence, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, compiled_patterns

FILE = "knowledge/comparison.yml"
# a side the user turns from: "... than the how", "not the how", "rather than the what"
_TURNED_FROM = re.compile(r"\b(than|not|rather than|over|instead of|less)\W+(about\W+)?(the\W+)?\W*$")


@dataclass(frozen=True)
class Side:
    certification: str
    words: Tuple[Pattern[str], ...]
    fact: str


@dataclass(frozen=True)
class Sides:
    entries: Tuple[Side, ...] = ()
    questions: Tuple[Pattern[str], ...] = ()  # what makes a message ask which side ("which", "csm or cspo", "is the ...")

    def asked(self, text: str) -> Optional[Side]:
        """The one side a (lower-case) message asks about, or None (none, both, or no question of which)."""
        if not any(p.search(text) for p in self.questions):
            return None
        found = []
        for side in self.entries:
            starts = [m.start() for p in side.words for m in p.finditer(text)]
            if any(not _TURNED_FROM.search(text[:start]) for start in starts):
                found.append(side)
        return found[0] if len(found) == 1 else None

    def both_asked(self, text: str) -> bool:
        """Whether a (lower-case) message names both sides ("which is the how and which the what?"): one question."""
        return len(self.entries) > 1 and all(any(p.search(text) for p in side.words) for side in self.entries)

    def polarity(self, side: Side, named: Sequence[str], yes_no: bool) -> Optional[str]:
        """"yes"/"no" when a yes/no question puts one certification to the side ("is the CSPO the 'how' one?")."""
        if not yes_no or len(set(named)) != 1:
            return None
        return "yes" if named[0] == side.certification else "no"


def sides_from_knowledge(kb: Knowledge, fact_ids: Sequence[str]) -> Sides:
    """The sides of the knowledge data, checked: patterns compile, certifications and facts exist."""
    file = kb.extra_files.get("sides", FILE)
    raw: Any = kb.extra.get("sides")
    if raw is None:
        return Sides()
    if not isinstance(raw, Mapping) or not isinstance(raw.get("by_certification"), Mapping):
        raise KnowledgeError(file, "sides", "expected questions and by_certification (certification: words, fact)")
    entries = []
    for cert, entry in raw["by_certification"].items():
        where = f"sides.by_certification.{cert}"
        if cert not in kb.certifications:
            raise KnowledgeError(file, where, f"unknown certification {cert!r}")
        fact = entry.get("fact") if isinstance(entry, Mapping) else None
        if fact not in fact_ids:
            raise KnowledgeError(file, f"{where}.fact", f"unknown fact {fact!r}")
        entries.append(Side(str(cert), compiled_patterns(entry.get("words"), file, f"{where}.words"), str(entry["fact"])))
    return Sides(tuple(entries), compiled_patterns(raw.get("questions"), file, "sides.questions"))
