"""Where one message asks two questions: "csm exam duration and can I pause it in the middle?", "how long is
the csm exam and how much does the course cost?". Pure: text in, the spans of its questions out.

A new question starts after a question mark followed by more words, after "; ", or at "and"/", and"/", also"/"&"/"+"
followed by a word that opens a question (how, what, can, do, is ...); in a search-box query with no such word
and nothing compared ("csm pass rate and average salary?"), at "and" itself. Each part has at least two words,
the first three when a word such as "and" or "so" leads into it ("and after that? how much?" goes on from the last
answer) or in a search-box query; a message with one part (most) is left whole."""
from __future__ import annotations

import re
from typing import List, Tuple

# Words that open a question: "... and how much does it cost?", "... and can I pause it?"
_OPENERS = (r"how|what|what's|whats|when|where|who|which|why|is|are|can|could|do|does|did|will|would|should|"
            r"must|may|am|any|anything")
_BREAK = re.compile(
    r"\?+\s+(?=\w)"                                        # "how long is it? and the fee?"
    r"|;\s+"                                               # "how long is the course; is there a test"
    # "... and how much does it cost?", not "the what and why" (after an opener or "the")
    # ("... and roughly how much will it be?", "... and for how long is it valid?": a word before the opener)
    r"|(?<!\bthe)(?<!\bwhat)(?<!\bhow)(?<!\bwhy),?\s+(?:and|also|plus|&|\+)\s+(?:(?:also|roughly|approximately|about|then|so|"
    r"exactly|just|in short|in total|overall|for|from|by|until|since)\s+)?(?=(?:" + _OPENERS + r")\b)",
    re.IGNORECASE)
MIN_WORDS = 2
# The first question needs this many words besides a leading "and"/"so"/"ok": "and after that? how much?" goes
# on from the last answer as a whole
FIRST_MIN_WORDS = 3
_LEADING = re.compile(r"^\W*(?:(?:and|so|ok|okay|but|then)\b\W*)+", re.IGNORECASE)


# A search-box query of two things ("csm pass rate and average salary?", "cspo price and renewal fee"): no word
# opening a question anywhere, nothing compared (a comparison names two things it asks one question about)
_FRAGMENT_BREAK = re.compile(r"\s+(?:and|plus|&|\+)\s+", re.IGNORECASE)
_ASKING = re.compile(r"\b(?:" + _OPENERS + r"|between|differen\w*|compar\w*|vs|versus|both|either|neither|same|than|or|"
                     r"tell|explain|need|want|i|my|me|it)\b", re.IGNORECASE)


# Two things asked for with one question word ("what's the retake fee and the renewal fee for csm?", "how long is the
# a-csm course and its experience?"): after "and" a new thing ("the"/"its" ...), before it a thing asked for; not
# when the question compares or joins the two ("the difference between ...", "both", "who issues the csm and the cspo?")
_THING_ASKED = re.compile(r"^\W*(what|what's|whats|how (much|long|many)|where)\b", re.IGNORECASE)
_THING_BREAK = re.compile(r"\s+(?:and|plus|&|\+)\s+(?=(?:the|its|their|a|an)\s+\w)", re.IGNORECASE)
_JOINED = re.compile(r"\b(between|both|differen\w*|compar\w*|vs|versus|same|either|neither|each|than|or|together|combined|"
                     r"in total|altogether|all|the (what|why|how))\b", re.IGNORECASE)
_NAME_ONLY = re.compile(r"^\s*(the|a|an)\s+(csm|cspo|a-csm|a-cspo|csp|psm( i)?|pspo( i)?|other( one)?|sm|po|scrum master|"
                        r"product owner)\W*$", re.IGNORECASE)


# a figure offered as a guess: "like 90%?", "maybe 2 hours?", "around $500?"
_GUESS = re.compile(r"^\W*((like|maybe|perhaps|about|around|roughly|approximately|approx|say|or|is it|so)\s+){0,2}\$?\d[\d,.]*\s*"
                    r"(%|percent|hours?|hrs?|h|minutes?|mins?|days?|weeks?|months?|years?|usd|dollars?|bucks|questions?|seus?)?"
                    r"\W*$", re.IGNORECASE)


def _things_asked(text: str) -> List[Tuple[int, int]]:
    """The spans of "what's the X and the Y" asked with one question word, or [] when it is no such question."""
    if not _THING_ASKED.match(text) or _JOINED.search(text):
        return []
    found = list(_THING_BREAK.finditer(text))
    if len(found) != 1 or _NAME_ONLY.match(text[found[0].end():]):
        return []
    return [(0, found[0].start()), (found[0].end(), len(text))]


# "1) does CSPO have an exam 2) how long is it valid", "renewal: 1. SEUs needed 2. fee": questions the user numbered, from
# 1 on, each after its number (not "a) 35 b) 50 c) 60", a quiz's options, nor "2.5 hours": a space after the mark)
_NUMBER = re.compile(r"(?:^|(?<=[\s:;,.!?(\u2013\u2014-]))\(?([1-9])[).]\s+")


def numbered(text: str) -> List[Tuple[int, int]]:
    """The spans of the questions a message numbered "1) ... 2) ...", in order (what comes before "1)" only leads into
    them), each of two words at least; [] when it numbers none."""
    marks = [m for m in _NUMBER.finditer(text)]
    marks = marks[next((i for i, m in enumerate(marks) if m.group(1) == "1"), len(marks)):]
    if len(marks) < 2 or [int(m.group(1)) for m in marks] != list(range(1, len(marks) + 1)):
        return []
    spans = [(m.end(), marks[i + 1].start() if i + 1 < len(marks) else len(text)) for i, m in enumerate(marks)]
    return spans if all(len(re.findall(r"\w+", text[s:e])) >= MIN_WORDS for s, e in spans) else []


def numbered_lead(text: str) -> int:
    """Where the words before a numbered list end ("CSM attempts: 1) how many free ones 2) ...": what each question is
    about); 0 when the message numbers no questions or says nothing before them."""
    listed = numbered(text)
    return len(text[:listed[0][0]].rstrip()[:-2].rstrip(" (")) if listed else 0


def question_parts(text: str) -> List[Tuple[int, int]]:
    """The (start, end) spans of the questions ``text`` asks, in order; one span when it asks one."""
    listed = numbered(text)
    if listed:
        return listed
    spans: List[Tuple[int, int]] = []
    start = 0
    breaks = _BREAK if _ASKING.search(text) else _FRAGMENT_BREAK
    if breaks is _BREAK and not breaks.search(text):
        things = _things_asked(text)
        if things and all(len(re.findall(r"\w+", text[s:e])) >= MIN_WORDS for s, e in things):
            return things
    for m in breaks.finditer(text):
        spans.append((start, m.start() + (1 if text[m.start()] == "?" else 0)))
        start = m.end()
    spans.append((start, len(text)))
    first = text[spans[0][0]:spans[0][1]]
    # (two words are a question of their own when "and" joins a question to them and nothing leads into them: "csm
    # prereqs and who is it for?"; not "scrum master and product owner", nor "what kind? essay or multiple choice")
    joined = len(spans) > 1 and not text[spans[0][1] - 1:spans[0][1]] == "?" and not text[spans[0][1]:].startswith(";")
    least = MIN_WORDS if breaks is _BREAK and joined and not _LEADING.match(first) else FIRST_MIN_WORDS
    if len(re.findall(r"\w+", _LEADING.sub("", first))) < least:
        return [(0, len(text))]
    spans = [(s, e) for s, e in spans if len(re.findall(r"\w+", text[s:e])) >= MIN_WORDS]
    # a guess offered for the question before it is no question of its own ("how many pass first time? like 90%?")
    for i in range(len(spans) - 1, 0, -1):
        if _GUESS.match(text[spans[i][0]:spans[i][1]]):
            spans[i - 1:i + 1] = [(spans[i - 1][0], spans[i][1])]
    return spans if len(spans) > 1 else [(0, len(text))]
