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
- a figure the question puts roughly ("around 50 questions?", "30 days or so?") or as a range ("between 10 and 20
  hours?"): "yes" when the fact's is near it or in it, "no" when far from it or outside it (``rough_verdict``);
- "yes" only through ``agreed_rest``: every figure claimed is one the fact states exactly, and the caller checks that
  the fact also says every other word the question asserts something with ("16 hours over one day?" is no "yes").
Pure: text in, "no" / None out, or the words a "yes" must still vouch for.
"""
from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

_UNITS: Dict[str, str] = {
    "hours": r"hours?|hrs?|h", "minutes": r"minutes?|mins?", "days": r"days?", "months": r"months?",
    "years": r"years?|yrs?", "questions": r"questions?|qs|mcqs?", "attempts": r"attempts?|tries|retakes?",
    "seus": r"seus?|scrum education units?", "usd": r"usd|us dollars?|dollars?|bucks",
    "percent": r"%|percent|per cent|pct",
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "twelve": 12, "fifteen": 15, "sixteen": 16, "eighteen": 18, "hundred": 100}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
# "seventy four", "eighty-five" (dictated numbers)
_WORDS.update({**_TENS, **{f"{tens}{joint}{one}": value + digit for tens, value in _TENS.items() for one, digit in _ONES.items()
                           for joint in (" ", "-")}})
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
# (a word may stand between: "50 multiple-choice questions", "two free attempts")
_FIGURE = [(unit, re.compile(r"(?<![\w.,])" + _NUMBER + r"(?:\s*|-)(?:(?:multiple-choice|free|further|more|extra|live) )?(?:"
                             + pattern + r")(?!\w)", re.I))
           for unit, pattern in _UNITS.items()]
_DOLLARS = re.compile(r"\$\s?" + _NUMBER, re.I)
# a number that is only roughly stated, or a range: a figure inside it is no contradiction. The word stands before the
# figure in its clause ("from about 250 to 2,500 USD", "at least 20 SEUs"), or a range or "or more" right after it; what
# follows in another clause is no part of it ("which is 74%: up to 13 may be wrong" states 74% exactly)
_ROUGH_BEFORE = re.compile(r"(\b(about|around|roughly|approximately|up to|at least|at most|minimum|maximum|from|between|"
                           r"range|ranges|vary|varies)\b[^.;:!?]*|\d\s*(to|-|\u2013|and)\s*\$?)$")
_ROUGH_AFTER = re.compile(r"^\s*((to|-|\u2013|and)\s*\$?\d|or (more|less|so)\b|[^.;:!?]*\b(vary|varies|range|ranges)\b)")
_COMPARATIVES = (r"(?:longer|shorter|higher|lower|cheaper|pricier|costlier|dearer|bigger|smaller|greater|larger|quicker|"
                 r"faster|slower)")
# the user's own figure, or one compared: not a claim about the rule ("min" after a number is minutes, not a minimum)
SITUATION = re.compile(r"\b(ago|i (?:only )?(?:have|had|got|get|did|took|take|finished|spent|scored|earned|collected|'ve)|"
                       r"i've|ive|if i|when i|my (?:own )?\w+ (?:was|is|took|lasted)|"
                       r"more than|less than|fewer than|at least|at most|over|under|above|below|up to|within|"
                       + _COMPARATIVES + r" than|"
                       r"maximum|minimum|max|(?<!\d )(?<!\d)min|enough|or more|or less|per (?:day|week|month|year))\b")
# "is it 50 or 60 questions?", "2 x 8h?", "2 days of 8 hours so sixteen total?": the user offers more than one
# figure, or one made of others
_ALTERNATIVES = re.compile(r"\bor\b(?! (not|is that|false)\b)|\d\s*(x|\*|times)\s*\d|\b(in )?total\b|\baltogether\b|"
                           r"\bcombined\b|\bin all\b|\b(days?|sessions?|parts?|blocks?) of\b")
ROUGH_REACH = 20  # characters either side of a figure where a word makes it rough ("from about 250 to 2,500 USD")
CLAIM = re.compile(r"\b(is that|is it|is this|isn't it|right|true|correct|really|heard|read|told|said|says|claims?|"
                   r"fact[- ]?check)\b")
# "correct me if I'm wrong, the pass mark is 74%?": a claim put to check, not the user's own situation ("if I")
_ASKED_TO_CORRECT = re.compile(r"\b(correct me if (i'?m|i am) wrong|if (i'?m|i am) not mistaken)\b")
YES_NO_START = re.compile(r"^\W*((hi|hey|hello|so|ok|okay|btw|and|but|ngl|tbh|um+|uh+|hm+)\W+)*"
                           r"(is|are|does|do|did|will|would|has|have|"
                           r"isn't|aren't|doesn't|don't)\b")


def _value(raw: str) -> float:
    raw = raw.lower()
    return float(_WORDS[raw]) if raw in _WORDS else float(raw.replace(",", ""))


def spelled_out(word: str) -> str:
    """A number word as digits ("twenty" -> "20"), any other word as it is."""
    return str(_WORDS[word]) if word in _WORDS else word


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
    lowered = _ASKED_TO_CORRECT.sub(" ", question.lower().replace("\u2019", "'"))  # (its "if I" is no situation)
    if SITUATION.search(lowered) or _ALTERNATIVES.search(lowered) \
            or not (asks_yes_no or YES_NO_START.match(lowered) or CLAIM.search(lowered)):
        return []
    # "is there a time limit for my free attempts? like 30 days?": the guess is put to a yes/no question of its own,
    # which a "No." to the figure would seem to answer
    if any(YES_NO_START.match(part) and not figures(part) for part in re.split(r"\?+\s+(?=\w)", lowered)[:-1]):
        return []
    return figures(lowered)


# a figure put roughly ("is it around 50 questions?", "roughly an hour, give or take?", "30 days or so?", "like 40 hrs",
# "2 days-ish") or as a range ("somewhere between 10 and 20 hours?", "10-20 hours?"): "yes" when the fact's figure is
# near it or in it, "no" when it is far from it or outside it
_HEDGES = (r"about|around|roughly|approximately|approx|like|circa|ballpark|something like|in the region of|close to")
_HEDGE_BEFORE = re.compile(r"(\b(" + _HEDGES + r")|~)\W*$")
_HEDGE_AFTER = re.compile(r"^\W{0,2}(ish|or so|give or take|more or less|or thereabouts|roughly|approx\w*)\b")
_HEDGED_ASK = re.compile(r"\b(ballpark|give or take|more or less|or thereabouts)\b")  # every figure of the message is rough
# ... whose "or" offers no alternatives ("or smth": "or something else?" does)
OR_HEDGES = re.compile(r"\b(or so|give or take|more or less|or thereabouts|or (?:smth|sth|something|whatever)(?! else)|"
                       r"or what)\b")
_RANGE_BEFORE = re.compile(r"(?<![\w.,])" + _NUMBER + r"\s*(?:and|to|-|\u2013)\s*\$?\s?$")
_ONE_UNIT = re.compile(r"\b(an?) (hour|day|week|month|year)\b")  # "roughly an hour", "about a year"
NEAR, FAR = 0.1, 0.2  # a rough figure within 10% of the fact's is "yes", one more than 20% from it "no"


def _one_unit(lowered: str) -> str:
    """"an hour" as "1 hour" (at the same places)."""
    return _ONE_UNIT.sub(lambda m: " " * (len(m.group(1)) - 1) + "1 " + m.group(2), lowered)


class Claim(NamedTuple):
    """A figure a question claims: its unit, the values that make it true (``low`` to ``high``), where it is said, and
    how: "exact", "rough" ("around 50") or "range" ("10 to 20")."""
    unit: str
    low: float
    high: float
    start: int
    end: int
    how: str


def rough_claims(question: str, asks_yes_no: bool = False) -> List[Claim]:
    """The figures a yes/no question claims when it puts one roughly or as a range (with those it puts exactly). Empty
    when none is put roughly, or the question claims no figure (the user's own, compared, alternatives:
    ``claimed_figures``)."""
    lowered = _one_unit(question.lower().replace("\u2019", "'"))
    if not claimed_figures(OR_HEDGES.sub(lambda m: "~" * len(m.group()), lowered), asks_yes_no):
        return []
    whole = _HEDGED_ASK.search(lowered) is not None
    claims: List[Claim] = []
    for unit, value, start, end in sorted(_placed_figures(lowered), key=lambda placed: placed[2]):
        before, after = lowered[max(0, start - ROUGH_REACH):start], lowered[end:end + ROUGH_REACH]
        ranged = _RANGE_BEFORE.search(before)
        if ranged is not None:
            said = re.search(_NUMBER, lowered[start:end])
            scale = value / _value(said.group(1)) if said is not None and _value(said.group(1)) else 1.0
            low = _value(ranged.group(1)) * scale
            claims.append(Claim(unit, min(low, value), max(low, value), start - len(before) + ranged.start(), end, "range"))
        elif whole or _HEDGE_BEFORE.search(before) or _HEDGE_AFTER.match(after):
            claims.append(Claim(unit, value * (1 - NEAR), value * (1 + NEAR), start, end, "rough"))
        else:
            claims.append(Claim(unit, value, value, start, end, "exact"))
    return claims if any(claim.how != "exact" for claim in claims) else []


def rough_verdict(question: str, answer: str, asks_yes_no: bool = False) -> Optional[str]:
    """"yes" or "no" to a figure a yes/no question puts roughly or as a range (``rough_claims``), by the figures the answer
    states exactly in the same units: "no" when one of them is far from it, or outside it, or the answer's minimum is above
    it; "yes" when every one is near it or in it. None when it puts none so, the answer states one of its units only
    roughly, or neither holds."""
    return _verdict_on(rough_claims(question, asks_yes_no), answer)


def _verdict_on(claims: Sequence[Claim], answer: str) -> Optional[str]:
    """``rough_verdict`` for claims already read."""
    if not claims:
        return None
    stated, rough = _stated(answer)
    least = _minimums(answer)
    verdicts = []
    for unit, low, high, _, _, how in claims:
        if unit in least and high < least[unit]:  # ("around 8 hrs?" against "a course of at least 16 hours")
            verdicts.append("no")
        elif unit in rough:
            return None
        elif unit not in stated:
            verdicts.append("unknown")
        elif any(low <= value <= high for value in stated[unit]):
            verdicts.append("yes")
        elif how != "rough":  # (a figure put exactly, or a range)
            verdicts.append("no")
        else:
            claimed = (low + high) / 2
            verdicts.append("no" if all(abs(value - claimed) > FAR * claimed for value in stated[unit]) else "unknown")
    if "no" in verdicts:
        return "no"
    return "yes" if set(verdicts) == {"yes"} else None


def contradicts(question: str, answer: str, asks_yes_no: bool = False) -> Optional[str]:
    """"no" when the question claims a figure of a unit the answer states otherwise; None otherwise."""
    put_roughly = rough_claims(question, asks_yes_no)
    if put_roughly:
        return "no" if _verdict_on(put_roughly, answer) == "no" else None
    claimed = claimed_figures(question, asks_yes_no)
    if not claimed:
        return None
    stated, rough = _stated(answer)
    least = _minimums(answer)
    # ("can the A-CSM course be as short as 8 hours?" against "a course of at least 16 hours": below the minimum)
    if any(unit in least for unit, _ in claimed) and all(unit in least and value < least[unit] for unit, value in claimed):
        return "no"
    if any(unit in rough for unit, _ in claimed):
        return None
    compared = [(unit, value) for unit, value in claimed if unit in stated]
    if not compared or any(value in stated[unit] for unit, value in compared):
        return None
    return "no"


# "is the CSM course longer than 12 hours?", "is the test under an hour?": a figure put as a bound, above or below
_ABOVE = (r"more than|over|above|longer than|higher than|bigger than|greater than|larger than|pricier than|costlier than|"
          r"dearer than")
_BELOW = r"less than|fewer than|under|below|shorter than|lower than|cheaper than|smaller than|quicker than|faster than"
_BOUND = re.compile(r"\b(?:(?P<least>at least|no less than|no fewer than)|(?P<most>at most|no more than|not more than)|"
                    r"(?P<above>" + _ABOVE + r")|(?P<below>" + _BELOW + r"))\s+(?:the |a |an )?\$?\s?$")


_BOUND_WORDS = re.compile(r"\b(at least|no less than|no fewer than|at most|no more than|not more than|" + _ABOVE + "|" + _BELOW
                          + r")\b")


def bound_verdict(question: str, answer: str, asks_yes_no: bool = False) -> Optional[str]:
    """"yes" or "no" to a yes/no question putting a figure as a bound ("is the CSM course longer than 12 hours?": yes, 16
    hours), by the one figure the answer states exactly in its unit; None when it puts none so, puts another figure too,
    offers alternatives, speaks of the user's own figures or says "not", or the answer states none, several or a rough
    one of that unit."""
    lowered = _one_unit(question.lower().replace("\u2019", "'"))
    if not (asks_yes_no or YES_NO_START.match(lowered)) or _ALTERNATIVES.search(lowered) \
            or re.search(r"\b(not|never|no)\b|n't\b", _BOUND.sub("", lowered)):
        return None
    placed = _placed_figures(lowered)
    bounds = [(unit, value, _BOUND.search(lowered[max(0, start - ROUGH_REACH):start])) for unit, value, start, _ in placed]
    if not bounds or any(found is None for _, _, found in bounds):
        return None
    # (what else it says is no figure of the user's own: "if I have more than 12 hours ...")
    rest = _BOUND_WORDS.sub(" ", "".join(" " if any(start <= i < end for _, _, start, end in placed) else c
                                         for i, c in enumerate(lowered)))
    if SITUATION.search(rest):
        return None
    stated, rough = _stated(answer)
    verdicts = []
    for unit, value, found in bounds:
        if unit in rough or len(stated.get(unit, ())) != 1 or found is None:
            return None
        fact = next(iter(stated[unit]))
        holds = {"least": fact >= value, "most": fact <= value, "above": fact > value, "below": fact < value}
        verdicts.append(next(holds[kind] for kind in ("least", "most", "above", "below") if found.group(kind)))
    return "yes" if all(verdicts) else "no"


_AT_LEAST = re.compile(r"\b(at least|a minimum of|minimum of|no less than|not less than)\s+$")


def _minimums(answer: str) -> Dict[str, float]:
    """The figures an answer states as a minimum ("at least 16 hours"), by unit (years in months, hours in minutes)."""
    lowered = answer.lower()
    least: Dict[str, float] = {}
    for unit, value, start, _ in _placed_figures(answer):
        if _AT_LEAST.search(lowered[max(0, start - ROUGH_REACH):start]):
            least[unit] = min(value, least.get(unit, value))
    return least


def _stated(answer: str, as_said: bool = False) -> Tuple[Dict[str, Set[float]], Set[str]]:
    """The figures an answer states, by unit (years in months, hours in minutes; ``as_said``: in the units they are
    said in), and the units it states only roughly or as a range."""
    stated: Dict[str, Set[float]] = {}
    rough: Set[str] = set()
    lowered = answer.lower()
    for unit, value, start, end in (_shown_figures if as_said else _placed_figures)(answer):
        stated.setdefault(unit, set()).add(value)
        # ("about 250 to 2,500 USD": 1,000 is in it; "50 questions ..., so up to 13 may be wrong" states 50 exactly)
        if _ROUGH_BEFORE.search(lowered[max(0, start - ROUGH_REACH):start]) or _ROUGH_AFTER.match(lowered[end:end + ROUGH_REACH]):
            rough.add(unit)
    return stated, rough


def agreed_rest(question: str, answer: str, asks_yes_no: bool = False) -> Optional[str]:
    """"seventy four percent, is that the pass mark for the CSM?": when every figure the question claims is one the answer
    states exactly (same unit, same value, not a range), the question with those figures blanked: the words a "yes" must
    still find in the answer. None when it claims no figure, or one the answer does not state."""
    lowered = question.lower().replace("\u2019", "'")
    put_roughly = rough_claims(lowered, asks_yes_no)
    if put_roughly:  # ("is it around 50 questions?": the figure and the words that make it rough blanked)
        if _verdict_on(put_roughly, answer) != "yes":
            return None
        blanked = OR_HEDGES.sub(lambda m: " " * len(m.group()), _one_unit(lowered))
        blanked = re.sub(r"\b(" + _HEDGES + r"|something|ish|somewhere|between)\b|~", lambda m: " " * len(m.group()), blanked)
        return "".join(" " if any(claim.start <= i < claim.end for claim in put_roughly) else c for i, c in enumerate(blanked))
    if not claimed_figures(lowered, asks_yes_no):
        return None
    stated, rough = _stated(answer)
    placed = _placed_figures(lowered)
    if any(unit in rough or value not in stated.get(unit, ()) for unit, value, _, _ in placed):
        return None
    return "".join(" " if any(start <= i < end for _, _, start, end in placed) else c for i, c in enumerate(lowered))


# a message that only says a figure back ("74?", "two years?", "so 25 usd?", "wouldn't it be 3?", "twenty or forty?")
_UNIT_WORDS = "|".join(pattern for pattern in _UNITS.values())
_ECHO = re.compile(r"^\W*(?:(?:so|and|or|wait|hmm+|um+|like|only|just|not|is it|it's|its|isn't it|wouldn't it be|"
                   r"shouldn't it be|would it be|it is|that's|thats|is that)\s+)*(?:\$\s?)?" + _NUMBER
                   + r"(?:\s*(?:" + _UNIT_WORDS + r"))?(?:\s+(?:or|and)\s+(?:\$\s?)?" + _NUMBER + r"(?:\s*(?:" + _UNIT_WORDS
                   + r"))?)?(?:\s+(?:then|total|right|correct|exactly))?[\s?!.]*$", re.IGNORECASE)
# what a question asks for (lexicon `asks`) -> the units a figure said back alone is in
ASKED_UNITS: Dict[str, Tuple[str, ...]] = {
    "count": ("questions", "attempts", "seus"), "duration": ("hours", "minutes", "days", "months", "years"),
    "when": ("days", "months", "years"), "price": ("usd",), "percent": ("percent",)}


def _shown_figures(text: str) -> List[Tuple[str, float, int, int]]:
    """The figures of a text in the units they are said in (no years in months)."""
    found = [(unit, _value(m.group(1)), m.start(), m.end()) for unit, pattern in _FIGURE for m in pattern.finditer(text)]
    return found + [("usd", _value(m.group(1)), m.start(), m.end()) for m in _DOLLARS.finditer(text)]


def echoes_a_figure(text: str) -> bool:
    """Whether a message only says a figure back ("74?", "two years?", "twenty or forty?")."""
    return _ECHO.match(text.lower().replace("\u2019", "'")) is not None


def echo_verdict(text: str, answer: str, asked: Sequence[str] = ()) -> Optional[str]:
    """"yes" or "no" to a figure said back alone right after ``answer``: "74?" after "74%" is "yes"; "sixty?" after the
    test's 50 questions (``asked``: what the question before asked for, lexicon `asks`: a count) is "no", though the
    same answer says 60 minutes. With a unit ("two years?") the figure of that unit (years as months); without one, the
    unit the question before asked for, else any figure the answer says. None for two figures offered ("twenty or
    forty?"), a unit the answer does not state, or a figure it states only roughly."""
    lowered = text.lower().replace("\u2019", "'")
    if not _ECHO.match(lowered) or len(re.findall(r"(?<![\w.,])" + _NUMBER + r"(?![\w])", lowered)) != 1:
        return None
    claimed = figures(lowered)
    if claimed:
        unit, value = claimed[0]
        stated, roughly = _stated(answer)
        if unit in roughly or unit not in stated:
            return None
        return "yes" if value in stated[unit] else "no"
    number = re.search(r"(?<![\w.,])" + _NUMBER + r"(?![\w])", lowered)
    if number is None:
        return None
    value = _value(number.group(1))
    shown, rough = _stated(answer, as_said=True)
    units = [u for kind in asked for u in ASKED_UNITS.get(kind, ()) if u in shown]
    if len(set(units)) == 1:
        unit = units[0]
        return None if unit in rough else ("yes" if value in shown[unit] else "no")
    return "yes" if any(value in amounts for unit, amounts in shown.items() if unit not in rough) else None


# "and for csp, 12 too?", "the same 100 dollars as well?": a figure said back for another thing, as the same
_SAME_FIGURE = re.compile(r"(?<![\w.,$])(\$?\s?" + _NUMBER + r"(?:\s*(?:" + _UNIT_WORDS + r"))?)\s+(?:too|as well|also)\W*$",
                          re.IGNORECASE)


def figure_said_too(question: str) -> Optional[str]:
    """The figure a question says back for another thing ("and for csp, 12 too?" -> "12"), or None."""
    found = _SAME_FIGURE.search(question.lower().replace("\u2019", "'"))
    return found.group(1).strip() if found else None


# "16 hours, that's which course?", "$25 - what is that fee for?", "85%, which test is that?", "50 questions, is that the
# CSM or the PSM?": a figure said first, then asked what it belongs to (a few words may go with it: "12 months of
# experience", "$100 every two years")
_FIGURE_FIRST = re.compile(r"^[^\w$]*(?P<said>[^,:;?!\u2013\u2014]{1,40}?)\s*(?:[,:;?!\u2013\u2014]+|\s-+)\s*"
                           r"(?:so\s+|and\s+|ok\s+)?(?P<asked>(?:that'?s|that is|this is|it'?s|is (?:that|this|it)|what'?s|"
                           r"what is|what are|which|what|who|where)\b.*)$", re.IGNORECASE)
# ... asking what it belongs to: "which course", "what is that fee for", "is that the CSM or the PSM"
_BELONGS = re.compile(r"\b(which|what)\b[^?]*\b(that|this|it|one|course|test|exam|fee|cert\w*|requirement|rule|for)\b|"
                      r"\bis (?:that|this|it) (?:the|for the)\b[^?]*\bor\b", re.IGNORECASE)


def figure_first(text: str) -> List[Tuple[str, float]]:
    """The figures a message says first and then asks what they belong to ("16 hours, that's which course?" -> 16 hours
    as minutes); none when it says something else first, or asks something else."""
    lowered = text.lower().replace("\u2019", "'")
    found = _FIGURE_FIRST.match(lowered)
    if found is None or not _BELONGS.search(found.group("asked")) or figures(found.group("asked")):
        return []
    said = found.group("said")
    shown = figures(said)
    # (only the figure and a few words of what it is: "my trainer charges $25, what is that for?" is a situation)
    if not shown or SITUATION.search(said) or len(re.findall(r"[a-z]+", said)) > 6:
        return []
    return shown


def states_all(answer: str, claimed: Sequence[Tuple[str, float]]) -> bool:
    """Whether an answer states every one of the figures exactly (same unit and value, not roughly)."""
    stated, rough = _stated(answer)
    return bool(claimed) and all(unit not in rough and value in stated.get(unit, ()) for unit, value in claimed)


# "per attempt?", "is that per year?", "each time?" right after a fact: whether its figure is for each one of those
_PER_ASKED = re.compile(r"^\W*(?:(?:and|so|ok|okay|hmm+|wait)\W+)*(?:(?:is|was|are) (?:that|it|this|those) )?"
                        r"(?:per|each|for each|for every|every|a|an) ([a-z]+?)(?:s)?(?: then)?[\s?!.]*$", re.IGNORECASE)


def per_verdict(text: str, answer: str) -> Optional[str]:
    """"yes" to "per attempt?" right after "each further attempt costs 25 USD" (the answer says each, per, every or a/an
    of that noun); "no" to "per year?" after "100 USD every two years"; None when the message asks no such thing or the
    answer says neither."""
    asked = _PER_ASKED.match(text.lower().replace("\u2019", "'"))
    if asked is None or len(asked.group(1)) < 3:
        return None
    noun = re.escape(asked.group(1))
    lowered = answer.lower()
    if re.search(r"\bevery (?:two|three|four|five|\d+|other) " + noun + r"s?\b", lowered):
        return "no"
    if re.search(r"\b(?:each|per|every|a|an)\s+(?:[a-z-]+\s+)?" + noun + r"s?\b", lowered):
        return "yes"
    return None


def compared_figure(answer: str, other: str, asked: Sequence[str]) -> Optional[int]:
    """"is the PSM I test longer than the CSM test?": 1 when ``answer`` states a larger figure than ``other`` in the one unit
    the question asks for (``asked``: lexicon `asks`, e.g. "duration"), -1 a smaller one, 0 the same; each states one
    figure in it, exactly; None when no such unit, or either states none, several or a rough one."""
    units = {unit for kind in asked for unit in ASKED_UNITS.get(kind, ())}
    mine, rough_mine = _stated(answer)
    theirs, rough_theirs = _stated(other)
    shared = [u for u in units if u in mine and u in theirs and u not in rough_mine | rough_theirs]
    if len(shared) != 1 or len(mine[shared[0]]) != 1 or len(theirs[shared[0]]) != 1:
        return None
    a, b = next(iter(mine[shared[0]])), next(iter(theirs[shared[0]]))
    return (a > b) - (a < b)


def same_figure(answer: str, other: str, asked: Sequence[str]) -> Optional[bool]:
    """"is the PSM I pass mark the same as CSM's?": whether two answers state the same figure in the one unit the question
    asks for (``compared_figure``); None when they state no such figure."""
    compared = compared_figure(answer, other, asked)
    return None if compared is None else compared == 0
