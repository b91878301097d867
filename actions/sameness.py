""""The same for both" first, when a question compares the CSM and the CSPO on something they share.

"Do I need the same number of SEUs for the CSPO as for the CSM?", "is the CSM course longer than the
CSPO one?", "do they have different renewal rules?" are answered by a fact that is the same for both
certifications (`same_for_both: true` in facts.yml: a fact about both that holds for each, or a fact
about one whose counterpart says the same). The user should read that they are the same before it:
"Yes, the same for both." / "No, they're the same." / "Neither: they're the same.".

As with yes and no (actions/polarity.py) a wrong "the same" is a wrong fact, so the rule is narrow:
- the question compares: "same/equal/identical" (asks whether the same), "different/differ" (asks
  whether different), or a comparative ("longer", "cheaper", "more SEUs" ... "than", or "which ...");
- it names both certifications, or says "both", "the two", "either", "each other";
- a comparative must be about what the fact states: "longer/shorter" a duration, "cheaper/pricier" a
  price, "more/fewer" a number;
- one of the question's own words (not a certification, not a comparison word, not a generic word)
  appears in the fact's answer: "are they the same difficulty?" is not answered by "neither has
  prerequisites"; a question with no word of its own asking "longer?" ("does the CSPO last longer than
  the CSM?") asks it of the duration the fact states.
Pure: text in, "same_yes" / "same_no" / "same_neither" / None out.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

# "the same" of a property ("the same length", "the same renewal rules", "the same for both", "the same as the
# CSPO"), not of things ("do the same SEUs count for both?" asks whether one SEU counts twice: not known)
_PROPERTY = (r"(number|amount|length|duration|time|price|cost|costs|fees?|rules?|requirements?|validity|period|way|"
             r"process|steps?|hours?|months?|years?|level|prerequisites?|renewal|trainers?|format|conditions?)")
_SAME = re.compile(r"\b(same|equal|identical)\s+(\w+\s+)?" + _PROPERTY + r"\b|\b((the\s+)?same|equal|identical|alike)\s+"
                   r"(for|as|to|with|in|between)\b|\b(same|equal|identical|alike)\s*\?*$|\bequally\b")
_DIFFERENT = re.compile(r"\b(differ|differs|different|difference|differences|distinct)\b")
_BOTH = re.compile(r"\b(both|the two|these two|either|each other|one another)\b")
# comparative -> what the fact must state for it
_COMPARATIVES = {
    "duration": re.compile(r"\b(longer|shorter|last(s)? longer|take(s)? longer|quicker|faster)\b"),
    "price": re.compile(r"\b(cheaper|pricier|costlier|more expensive|less expensive|costs? more|costs? less)\b"),
    "count": re.compile(r"\b(more|fewer|less)\b"),
}
_COMPARING = re.compile(r"\bthan\b|\bwhich\b|\bcompared?\b|\bvs\.?\b|\bversus\b")
_STATES = {
    "duration": re.compile(r"\b(\d+|one|two|three|sixteen)\s*(hours?|days?|years?|months?|minutes?)\b"),
    "price": re.compile(r"\b\d+\s*(usd|dollars?)\b|\$\s*\d+"),
    "count": re.compile(r"\b\d+\b|\b(one|two|three|twenty)\b"),
}
_WORD = re.compile(r"[a-z][a-z'-]+")
_IGNORED = frozenset("""
csm cspo scrummaster scrum master product owner certified certification certifications cert certs
one ones the two both either each other same equal equally identical alike differ differs different
difference differences distinct longer shorter last lasts take takes quicker faster cheaper pricier costlier
more less fewer expensive than which compared compare versus does do did is are was were have has need needs
what for as of to in on and or it they them their this that with about there how much many any get
""".split())


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def comparison(question: str, names_both: bool) -> Optional[str]:
    """"same", "different", "duration", "price", "count" (a comparative about that), or None."""
    q = question.lower()
    if not (names_both or _BOTH.search(q)):
        return None
    if _SAME.search(q):
        return "same"
    if _DIFFERENT.search(q):
        return "different"
    if _COMPARING.search(q):
        for kind, pattern in _COMPARATIVES.items():
            if pattern.search(q):
                return kind
    return None


def sameness(question: str, answer: str, certifications: Sequence[str], same_for_both: bool,
             generic: frozenset = frozenset(), shared_concept: bool = False) -> Optional[str]:
    """What to say first about a fact that is the same for both certifications, or None. ``shared_concept``:
    the question and the answer speak of one concept in other words ("expire" and "valid"), which stands for
    one of the question's own words in the answer."""
    if not same_for_both:
        return None
    kind = comparison(question, {"CSM", "CSPO"} <= set(certifications))
    if kind is None:
        return None
    said = answer.lower()
    if kind in _STATES and not _STATES[kind].search(said):
        return None
    own = [w for w in _WORD.findall(question.lower()) if w not in _IGNORED and w not in generic and len(w) >= 4]
    said_stems = {_stem(w) for w in _WORD.findall(said)}
    # "does the CSPO last longer than the CSM?" has no word of its own besides the comparison: "longer" is
    # then what it asks of the duration the fact states
    if not shared_concept and not any(_stem(w) in said_stems for w in own) and (own or kind != "duration"):
        return None
    if kind == "same":
        return "same_yes"
    if kind == "different":
        return "same_no"
    return "same_no" if re.search(r"\bthan\b", question.lower()) else "same_neither"
