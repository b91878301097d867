""""No." first, when a yes/no question claims a figure the fact states otherwise.

"My colleague said the CSM class is 24 hours over three days, is that right?" is answered by the course
length fact ("16 hours"); the user should read "No." before it. "Are there 40 questions on the CSM test?"
gets "No." before "50 multiple-choice questions". The rule is narrow, because a wrong "no" is a wrong fact:
- the question asks yes or no (or puts a claim to check: "..., is that right?");
- it states a number with a unit this module knows (hours, minutes, days, months, years, questions,
  attempts, SEUs, US dollars, percent), and the fact's answer states a number with the same unit, none of them the
  question's, and no range or approximation for that unit ("about 250 to 2,500 USD": 1,000 is in it);
- the number is not the user's own ("I have 25 SEUs", "I did the course 30 days ago": `SITUATION`), nor
  compared ("more than 30 questions?");
- never "yes": the rest of the claim may be wrong ("16 hours over one day?").
Pure: text in, "no" / None out.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

_UNITS: Dict[str, str] = {
    "hours": r"hours?|hrs?|h", "minutes": r"minutes?|mins?", "days": r"days?", "months": r"months?",
    "years": r"years?|yrs?", "questions": r"questions?|qs|mcqs?", "attempts": r"attempts?|tries|retakes?",
    "seus": r"seus?|scrum education units?", "usd": r"usd|us dollars?|dollars?|bucks",
    "percent": r"%|percent|per cent|pct",
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "twelve": 12, "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "twenty-four": 24,
          "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100}
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
# (a word may stand between: "50 multiple-choice questions", "two free attempts")
_FIGURE = [(unit, re.compile(r"(?<![\w.,])" + _NUMBER + r"(?:\s*|-)(?:(?:multiple-choice|free|further|more|extra|live) )?(?:"
                             + pattern + r")(?!\w)", re.I))
           for unit, pattern in _UNITS.items()]
_DOLLARS = re.compile(r"\$\s?" + _NUMBER, re.I)
# a number that is only roughly stated, or a range: a figure inside it is no contradiction
_ROUGH = re.compile(r"\b(about|around|roughly|approximately|up to|at least|at most|minimum|maximum|or more|from|between|"
                    r"range|ranges|vary|varies)\b|\d\s*(to|-|\u2013|and)\s*\$?\d")
# the user's own figure, or one compared: not a claim about the rule ("min" after a number is minutes, not a minimum)
SITUATION = re.compile(r"\b(ago|i (?:only )?(?:have|had|got|get|did|took|take|finished|spent|scored|earned|collected|'ve)|"
                       r"i've|ive|if i|when i|my (?:own )?\w+ (?:was|is|took|lasted)|"
                       r"more than|less than|fewer than|at least|at most|over|under|above|below|up to|within|"
                       r"maximum|minimum|max|(?<!\d )(?<!\d)min|enough|or more|or less|per (?:day|week|month|year))\b")
# "is it 50 or 60 questions?", "2 x 8h?", "2 days of 8 hours so sixteen total?": the user offers more than one
# figure, or one made of others
_ALTERNATIVES = re.compile(r"\bor\b(?! (not|is that|false)\b)|\d\s*(x|\*|times)\s*\d|\b(in )?total\b|\baltogether\b|"
                           r"\bcombined\b|\bin all\b|\b(days?|sessions?|parts?|blocks?) of\b")
ROUGH_REACH = 20  # characters either side of a figure where a word makes it rough ("from about 250 to 2,500 USD")
_CLAIM = re.compile(r"\b(is that|is it|is this|isn't it|right|true|correct|really|heard|read|told|said|says|claims?)\b")
_YES_NO_START = re.compile(r"^\W*((hi|hey|hello|so|ok|okay|btw|and|but)\W+)*(is|are|does|do|did|will|would|has|have|"
                           r"isn't|aren't|doesn't|don't)\b")


def _value(raw: str) -> float:
    raw = raw.lower()
    return float(_WORDS[raw]) if raw in _WORDS else float(raw.replace(",", ""))


def figures(text: str) -> List[Tuple[str, float]]:
    """The figures of a text, each as (unit, value)."""
    return [(unit, value) for unit, value, _, _ in _placed_figures(text)]


# units said in a smaller one, so that "1 year" is "12 months" and "2 hours" "120 minutes"
_IN_SMALLER: Dict[str, Tuple[str, float]] = {"years": ("months", 12.0), "hours": ("minutes", 60.0)}


def _placed_figures(text: str) -> List[Tuple[str, float, int, int]]:
    """The figures of a text, each as (unit, value, start, end), years in months and hours in minutes."""
    found: List[Tuple[str, float, int, int]] = []
    for unit, pattern in _FIGURE:
        smaller, times = _IN_SMALLER.get(unit, (unit, 1.0))
        found += [(smaller, _value(m.group(1)) * times, m.start(), m.end()) for m in pattern.finditer(text)]
    found += [("usd", _value(m.group(1)), m.start(), m.end()) for m in _DOLLARS.finditer(text)]
    return found


def claimed_figures(question: str, asks_yes_no: bool = False) -> List[Tuple[str, float]]:
    """The figures a yes/no question claims ("is the CSM exam 90 minutes?"); none for the user's own ("if I attend all 16
    hours ..."), figures compared or offered as alternatives. ``asks_yes_no``: the caller has read the question as a
    yes/no one by other means ("csm test 90 min?", a question mark after no question word)."""
    lowered = question.lower().replace("\u2019", "'")
    if SITUATION.search(lowered) or _ALTERNATIVES.search(lowered) \
            or not (asks_yes_no or _YES_NO_START.match(lowered) or _CLAIM.search(lowered)):
        return []
    return figures(lowered)


def contradicts(question: str, answer: str, asks_yes_no: bool = False) -> Optional[str]:
    """"no" when the question claims a figure of a unit the answer states otherwise; None otherwise."""
    claimed = claimed_figures(question, asks_yes_no)
    if not claimed:
        return None
    stated: Dict[str, Set[float]] = {}
    rough: Set[str] = set()
    for unit, value, start, end in _placed_figures(answer):
        stated.setdefault(unit, set()).add(value)
        # ("about 250 to 2,500 USD": 1,000 is in it; "50 questions ..., so up to 13 may be wrong" states 50 exactly)
        if _ROUGH.search(answer[max(0, start - ROUGH_REACH):end + ROUGH_REACH].lower()):
            rough.add(unit)
    if any(unit in rough for unit, _ in claimed):
        return None
    compared = [(unit, value) for unit, value in claimed if unit in stated]
    if not compared or any(value in stated[unit] for unit, value in compared):
        return None
    return "no"
