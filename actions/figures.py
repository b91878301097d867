"""What the user's own figures work out to, from the figures a fact states.

"I got certified in March 2024, when must I renew?" is answered by the validity fact ("valid for two years"), but
the user should read "March 2026" first; "I failed the CSM test 3 times, how much did I pay extra?" by the retake
fee ("25 USD after the two free attempts"), but the user should read "25 USD" for the third attempt. A fact opts in
with `figures` in knowledge/facts.yml:

    figures: {valid_months: 24}                       # a date or an age of the certification -> until when it is valid
    figures: {valid_months: 24, renewal_fee: 100}     # ... and what renewing costs over several years, or a year
    figures: {valid_months: 24, renewal_seus: 20}     # how many SEUs that is a year
    figures: {free_attempts: 2, attempt_fee: 25}      # what several attempts cost
    figures: {window_days: 90}                        # "I did the course 70 days ago", "email on 1 March ... 15 May?":
                                                      # the days left of the window
    figures: {test_minutes: 60, test_questions: 50}   # when a test started at 9:15 ends; the minutes per question

The sentences are data (facts.yml `works_out`). No clock: a date of certification gives the month it lapses, never
whether that is past. Pure: text in, a sentence or None out.
"""
from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping, Optional, Tuple

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "once": 1, "twice": 2, "thrice": 3}
_N = r"(\d{1,3}|" + "|".join(_WORDS) + r")"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# "in March 2024", "on 15 june 2025", "Nov 2024", "June 15, 2025" (a month and a year, the day optional)
_DATE = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?)?" + _MONTH + r",?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?"
                   r"((?:19|20)\d\d)\b")
# "got my CSM in 2023", "has it since 2025": a year alone
_YEAR_ONLY = re.compile(r"\b(?:in|since|from|during)\s+(?:early\s+|late\s+|mid\s+)?((?:19|20)\d\d)\b(?![-/]\d)")
# ... said of getting it ("got", "passed", "certified", "earned"), not of a course booked or a deadline asked about
_GOT = re.compile(r"\b(got|get|gotten|passed|pass|certified|earned|received|obtained|took|did|since|from|issued|"
                  r"awarded|became)\b")
# "... is it still valid in March 2027?": a second date, the one the user asks about
_STILL_VALID = re.compile(r"\b(is|will|would|am|are)\b[^?.]{0,25}\b(valid|active|good|current)\b[^?.]{0,20}$")
_AGO = re.compile(r"\b" + _N + r"\s+(months?|years?|yrs?)\s+ago\b")
_SPAN = re.compile(r"\b(?:for|over|across|in|during|within|next)\s+(?:the\s+)?(?:next\s+)?" + _N +
                   r"\s+(?:whole\s+)?(years?|yrs?)\b")
_RENEWING = re.compile(r"\b(renew\w*|cost|costs|spend|pay|paid|fees?|money|how much|total|certified|active|valid)\b")
_ATTEMPTS = re.compile(r"\b(?:fail(?:ed|s)?|took|take|taken|sat|sit|tried|try|attempt(?:ed)?)\s+(?:it\s+|the\s+(?:test|exam)\s+|"
                       r"(?:the\s+)?(?:csm\s+)?(?:test|exam)\s+)?" + _N + r"(?:\s+times?|\s+attempts?)?\b"
                       r"|\b" + _N + r"\s+(?:attempts|tries|times)\b")
# "3 extra attempts", "two further tries": paid ones, after the free attempts ("two more" may count from the first)
_EXTRA_ATTEMPTS = re.compile(r"\b" + _N + r"\s+(?:extra|further|additional|paid)\s+(?:attempts?|tries|retakes?|goes)\b")
# "I failed 3 times and passed on the 4th": the attempt that passed is the count of attempts
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_PASSED_ON = re.compile(r"\b(?:passed|pass|made it|got it|succeeded)\b(?:\s+\w+){0,2}?\s+(?:on|at|in)\s+(?:the|my)\s+"
                        r"(\d{1,2})?(?:st|nd|rd|th)?(" + "|".join(_ORDINALS) + r")?\b(?:\s+(?:try|attempt|go|time|one))?")
_COSTS = re.compile(r"\b(how much|cost|costs|pay|paid|spend|spent|extra|total|price|fees?|money|usd|dollars?|bucks)\b")
# "on day 61 after the course", "61 days after the welcome email", "3 weeks ago", "4 months after the course": how long
# after the course (or its welcome email) the user would test, in days (weeks and months roughly: "about")
_DAY_AFTER = re.compile(r"\bday\s+(\d{1,3})\b(?=[^?.]{0,30}\b(?:after|since|from|past)\b)|\b(?:on|by) day\s+(\d{1,3})\b")
_LATER = re.compile(r"\b" + _N + r"\s+(days?|weeks?|months?)\s+(?:ago|after|later|since|past|from)\b")
# ... said of the user's own test ("can I still take it on day 61", "could I sit it 4 months after"), not of the rule as
# heard ("I read you have 60 days after the course"): a first person shortly before, and no rule's words between
_OWN = re.compile(r"\b(i|i'm|im|i'll|me|my|we)\b(?![^?.]*\b(you have|you get|within|limit|window|deadline|rule)\b)")
OWN_REACH = 60
_DAYS_IN = {"d": 1.0, "w": 7.0, "m": 30.4}
# a yes/no question on the window asks whether it is over ("is it too late?"), or whether one is still in it ("can I
# still take it?", "... for free?"); one asking neither gets no "yes" or "no"
_OVER_ASKED = re.compile(r"\b(too late|expired?|over|lapsed?|missed|run out|ran out|passed|gone|lost)\b")
_WITHIN_ASKED = re.compile(r"\b(still|free|in time|allowed|ok|okay|valid|able to|can i|could i|may i)\b")
# "the third attempt", "my 3rd try": which attempt; "failed once/twice/3 times" before "another go" or "the next one"
_ORDINAL = r"(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r"))"
_NTH_ATTEMPT = re.compile(r"\b" + _ORDINAL + r"\s+(?:csm\s+)?(?:attempt|try|go|retake|sitting)\b")
# "a third and a fourth attempt", "the 3rd and 4th tries": the last one named is how many attempts in all
_NTH_AND_NTH = re.compile(r"\b" + _ORDINAL + r"\s+and\s+(?:a\s+|the\s+|my\s+|an?\s+)?" + _ORDINAL
                          + r"\s+(?:csm\s+)?(?:attempts?|tries|goes|retakes?|sittings?)\b")
_FAILED = re.compile(r"\bfail(?:ed|s)?\b(?:\s+(?:it|the\s+(?:csm\s+)?(?:test|exam)|my\s+(?:csm\s+)?(?:test|exam)))?\s+"
                     r"(once|twice|thrice|(?:" + _N[1:-1] + r")\s+times)\b")
_NEXT_ASKED = re.compile(r"\b(another|next|again|retake|re-take|one more|second|new)\b")
_FREE_ASKED = re.compile(r"\b(free|included|no charge|without paying|at no cost)\b")
_PAY_ASKED = re.compile(r"\b(pay|paid|cost|costs|charge|charged|fee)\b")
# "my CSM is 3 years old", "got it 20 months ago": its age, asked whether it is still valid
_OLD = re.compile(r"\b" + _N + r"\s+(months?|years?|yrs?)\s+(?:old|ago)\b")
# ... not when something else happened then: "my CSPO lapsed 3 months ago" is no certification 3 months old
_NOT_EARNED = re.compile(r"\b(lapsed|expired|ran out|run out|ended|renewed|stopped|quit|left)\b[\w\s,]{0,20}$", re.I)
_VALID_ASKED = re.compile(r"\b(valid|active|current|good|live|expired?|lapsed?)\b")
_LAPSED_ASKED = re.compile(r"\b(expired?|lapsed?|run out|ran out|invalid)\b")
# "my welcome email came on 1 March ... is 15 May still inside the window?": two days of a month (the year optional), the
# first one said of the welcome email or the course; the days between them are the days after it
_DAY_OF_MONTH = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"|" + _MONTH
                           + r"\s+(\d{1,2})(?:st|nd|rd|th)?)\b(?!\s*(?:,\s*)?(?:19|20)\d\d)(?![:.]\d)")
_STARTED_ON = re.compile(r"\b(email|e-mail|mail|course|class|training|workshop|finished|completed|attended|ended|got it|"
                         r"received|arrived|came)\b")
# "until when can I use my free attempts?", "what's the last day?", "by when?": the day the window ends asked for
_UNTIL_ASKED = re.compile(r"\b(until|till|til|by) (roughly |about |approximately |around )?when\b|"
                          r"\bwhen\b[^?.]{0,40}\b(end|ends|run out|runs out|expire|expires|close|"
                          r"closes|last|deadline|latest|over)\b|\b(last|final) (day|date)\b|\bdeadline\b|\buntil what\b|"
                          r"\bhow long\b[^?.]{0,30}\b(have|left|got)\b")
_EMAILED = re.compile(r"\b(email|e-mail|mail)\b")
_CLOCK = re.compile(r"\b(?:at\s+)?(\d{1,2})[:.h](\d{2})\s*(am|pm)?\b")
_STARTS = re.compile(r"\b(start|starts|started|starting|begin|begins|began|log in|open)\b")
_PER_QUESTION = re.compile(r"\b(per|each|a|every)\s+question\b")
_PER_QUESTION_ALONE = re.compile(r"^\W*((and|so|ok|okay)\W+)?(per|each|every)\s+question\W*(then\W*)?$", re.I)
_IN_HOURS = re.compile(r"\b(in|into|how many|as) hours?\b")
_IN_MONTHS = re.compile(r"\b(in|into|how many|as) months?\b")
_IN_YEARS = re.compile(r"\b(in|into|how many|as) (years?|yrs?)\b")
_IN_MINUTES = re.compile(r"\b(in|into|how many|as) (minutes?|mins?)\b")
_IN_WEEKS = re.compile(r"\b(in|into|how many|as) (weeks?|wks?)\b")
# "the CSM course in 8-hour days?", "how many full days (8h) is the class?", "how many days at 8 hours a day?": the course's
# hours as days of the length the user gives (none given: the schedule, which each trainer sets, is not known; a claim
# to check, "2 days of 8 hours, right?", is the fact's to settle)
_IN_DAYS = re.compile(r"\b(in|into|how many|as|to|of)\s+((full|whole|working|work|training|class|business|"
                      r"(\d{1,2}|eight|seven|six|ten)[- ]?(hours?|hrs?|h))\s+)*(days?|workdays?)\b|"
                      r"\bdays? (at|of|with) (\d{1,2}|eight|seven|six|ten)\s*(hours?|hrs?|h)\b|"
                      r"\b(\d{1,2}|eight|seven|six|ten)[- ]?(hours?|hrs?|h)\s*(days?|each|a day|per day)\b")
_DAY_LENGTH = re.compile(r"\b(\d{1,2}|eight|seven|six|ten)[- ]?(?:hours?|hrs?|h)\b(?=\s*(days?|each|a day|per day|\)|$))|"
                         r"\bdays? (?:at|of|with) (\d{1,2}|eight|seven|six|ten)\s*(?:hours?|hrs?|h)\b")
_CLAIMED = re.compile(r"\b(true|right|correct|yes|really|heard|read|told|said|says|swears?|claims?)\b")
# "how much does renewal cost per year?", "how many SEUs a year is that?": a figure per year asked for (not "is that
# per year?", which asks whether it is: "No, every two years" is the fact's)
_PER_YEAR = re.compile(r"\b(per|a|each) year\b|\byearly\b|\bannual(ly)?\b|\bper annum\b")
_HOW_MUCH = re.compile(r"\bhow (much|many)\b")
_ASKS_AN_AMOUNT = re.compile(_HOW_MUCH.pattern + r"|\bwhat('s| is| are| does| do)\b")
_IS_IT_PER_YEAR = re.compile(r"\b(is|are|was) (that|it|this|they|those|the \w+) (really )?((per|a|each) year|yearly|annual)")
_SEUS = re.compile(r"\b(seus?|scrum education units?|education units?)\b")
# "if I renew my CSM three times, what are the fees in total?"
# ("renew my cspo twice, how many SEUs in total?")
# (the verb only: "do I pay the renewal fee twice if I hold both?" asks something else)
_RENEW_TIMES = re.compile(r"\brenew\w*\b(?:\s+(?:it|them|my|the)\b)?(?:\s+\w+)?\s+" + _N + r"\s+times\b"
                          r"|\brenew(?:s|ed|ing)?\b(?:\s+(?:it|them|my|the)\b)?(?:\s+\w+)?\s+(twice|thrice)\b")


@dataclass(frozen=True)
class Figures:
    valid_months: Optional[int] = None
    renewal_fee: Optional[int] = None
    free_attempts: Optional[int] = None
    attempt_fee: Optional[int] = None
    window_days: Optional[int] = None
    test_minutes: Optional[int] = None
    test_questions: Optional[int] = None
    renewal_seus: Optional[int] = None
    experience_months: Optional[int] = None
    course_hours: Optional[int] = None


FIELDS = tuple(f.name for f in fields(Figures))
# The sentences of facts.yml `works_out` each computation needs, with the names it fills in.
SENTENCES = {"valid_until": ("until",), "valid_until_year": ("until",), "valid_then": ("since", "until", "asked"),
             "valid_not_then": ("since", "until", "asked"), "valid_left": ("age", "left"), "valid_lapsed": ("age", "over"),
             "renewals_over": ("years", "times", "total"), "attempts_cost": ("attempts", "free", "paid", "total"),
             "window_left": ("ago", "left", "window"), "window_over": ("ago", "window"), "test_ends": ("start", "end"),
             "per_question": ("minutes", "seconds"), "short_of": ("have", "short", "need", "noun"),
             "in_hours": ("minutes", "hours"), "in_months": ("years", "months"), "in_years": ("months", "years"),
             "in_minutes": ("hours", "minutes"), "window_in": ("days", "amount"), "window_until": ("start", "end", "window"),
             "in_days": ("hours", "days", "per_day"),
             "fee_per_year": ("fee", "years", "per_year"), "seus_per_year": ("seus", "years", "per_year"),
             "renewals_cost": ("times", "fee", "total"), "renewals_seus": ("times", "seus", "total")}


def _day_month_year(m: "re.Match[str]") -> Tuple[Optional[str], int, int]:
    """A date of ``_DATE``: its day as written (or None), its month (0 for January) and its year."""
    return m.group(1) or m.group(3), next(i for i, name in enumerate(_MONTHS) if name.startswith(m.group(2)[:3])), int(m.group(4))


def _on_date(day: Optional[str], month: int, year: int) -> str:
    """"on 15 June 2025", "in March 2024"."""
    return ("on " if day else "in ") + " ".join(p for p in (day, _MONTHS[month].title(), str(year)) if p)


# the year a day of a month is put in when the user gave none: one with no 29 February
NO_YEAR = 2001


def days_between(text: str) -> Optional[int]:
    """The days from the first to the second of two days of a month in ``text`` ("email on 1 March ... 15 May": 75), the
    first said of the welcome email or the course (by the words before it in its sentence); None otherwise. With no
    year, the second is the next such day after the first."""
    text = text.lower()
    dates = list(_DAY_OF_MONTH.finditer(text))
    if len(dates) != 2 or not _STARTED_ON.search(re.split(r"[?!;]|\.\s", text[:dates[0].start()])[-1]):
        return None
    days = []
    for m in dates:
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        index = next(i for i, name in enumerate(_MONTHS) if name.startswith(month[:3]))
        days.append((index, int(day)))
    try:
        first, second = (datetime.date(NO_YEAR, month + 1, day) for month, day in days)
    except ValueError:
        return None
    return (second - first).days % 365 or None


def window_start(text: str) -> Optional[datetime.date]:
    """The one day of a month in ``text`` said of the welcome email ("my welcome email came on 1 March"),
    in a year with no 29 February (or its own year when written: "on 1 March 2026"); None for none, or for two (the
    second is a day asked about: ``days_between``)."""
    text = text.lower()
    dates = list(_DAY_OF_MONTH.finditer(text))
    dated = [m for m in _DATE.finditer(text) if m.group(1) or m.group(3)]
    if len(dates) + len(dated) != 1:
        return None
    m = (dates or dated)[0]
    if not _EMAILED.search(re.split(r"[?!;]|\.\s", text[:m.start()])[-1]):
        return None  # (not the course's day: the welcome email comes after it, on a day not known)
    if dates:
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        year = NO_YEAR
    else:
        day, month, year = m.group(1) or m.group(3), m.group(2), int(m.group(4))
    index = next(i for i, name in enumerate(_MONTHS) if name.startswith(month[:3]))
    try:
        return datetime.date(year, index + 1, int(day))
    except ValueError:
        return None


def certified_on(text: str) -> bool:
    """Whether a (lower-case) message says when the user got a certification ("I got my CSPO in May 2026", "passed in
    2025"): a date or a year after a word of getting it."""
    dated = _DATE.search(text) or _YEAR_ONLY.search(text)
    return dated is not None and _GOT.search(text[:dated.end()]) is not None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word]


def _age_in_months(m: "re.Match[str]") -> int:
    """The age an ``_OLD`` match says ("3 years old", "20 months ago"), in months."""
    n = _number(m.group(1))
    return n * 12 if m.group(2).startswith("y") else n


def _months(n: int) -> str:
    """"1 month", "4 months"; whole years as years ("a year", not "12 months", which reads as the 12 months of experience)."""
    if n >= 12 and n % 12 == 0:
        return "a year" if n == 12 else f"{n // 12} years"
    return "1 month" if n == 1 else f"{n} months"


class Worker:
    """The computations over one fact's figures, worded by facts.yml `works_out`."""

    def __init__(self, wording: Mapping[str, str]) -> None:
        self.wording = wording

    def work_out(self, figures: Figures, text: str) -> Optional[str]:
        """The sentence the user's figures in ``text`` work out to, or None when it gives none this fact can use."""
        lowered = text.lower()
        steps: tuple[Callable[[Figures, str], Optional[str]], ...] = (
            self._valid_until, self._valid_left, self._renewals, self._renewal_times, self._per_year, self._attempts,
            self._window, self._test_end, self._per_question, self._in_hours, self._in_months, self._in_years,
            self._in_minutes, self._in_days, self._window_in, self._window_until)
        return next((s for s in (step(figures, lowered) for step in steps) if s), None)

    def verdict(self, figures: Figures, text: str) -> Optional[str]:
        """"yes" / "no" to a yes/no question the user's figures settle against the fact's: the window ("can I still
        take the test on day 61?": yes), which attempts are free ("is the third attempt still free?": no; "failed
        once, do I pay for another go?": no), the validity ("my CSM is 3 years old, is it still active?": no). None
        when the figures settle nothing, or the question asks neither way. The caller has read it as a yes/no one."""
        lowered = text.lower()
        days = self._days_after(lowered)
        if figures.window_days is not None and days is not None and abs(days[0] - figures.window_days) > days[1]:
            over = days[0] > figures.window_days
            if _OVER_ASKED.search(lowered):
                return "yes" if over else "no"
            if _WITHIN_ASKED.search(lowered):
                return "no" if over else "yes"
            return None
        attempt = self._attempt_asked(lowered)
        if figures.free_attempts is not None and attempt is not None:
            free = attempt <= figures.free_attempts
            if _FREE_ASKED.search(lowered):
                return "yes" if free else "no"
            if _PAY_ASKED.search(lowered):
                return "no" if free else "yes"
            return None
        ages = list(_OLD.finditer(lowered))
        if figures.valid_months is not None and len(ages) == 1 and _VALID_ASKED.search(lowered[ages[0].end():]):
            age = _age_in_months(ages[0])
            if age == figures.valid_months:
                return None
            lapsed = age > figures.valid_months
            return ("yes" if lapsed else "no") if _LAPSED_ASKED.search(lowered) else ("no" if lapsed else "yes")
        return None

    @staticmethod
    def _days_after(text: str) -> Optional[Tuple[float, float]]:
        """How many days after the course (or its email) a question speaks of, and how rough that is (0: exact)."""
        def own(start: int) -> bool:  # a first person before it in its sentence
            return bool(_OWN.search(re.split(r"[.?!;]", text[max(0, start - OWN_REACH):start])[-1]))

        found = [(float(m.group(1) or m.group(2)), 0.0) for m in _DAY_AFTER.finditer(text) if own(m.start())]
        between = days_between(text)
        if between is not None:
            found.append((float(between), 0.0))
        for m in _LATER.finditer(text):
            if not m.group(0).endswith("ago") and not own(m.start()):
                continue  # ("I read you have 60 days after the course": the rule as heard, not the user's own day)
            per = _DAYS_IN[m.group(2)[0]]
            found.append((_number(m.group(1)) * per, 0.0 if per == 1 else per * 0.1 * _number(m.group(1)) + 3))
        return found[0] if len(found) == 1 else None

    @staticmethod
    def _attempt_asked(text: str) -> Optional[int]:
        """Which attempt a question asks about: "the third attempt" (3), "failed twice, ... another go" (3)."""
        nth = [int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)] for m in _NTH_ATTEMPT.finditer(text)]
        if len(set(nth)) == 1:
            return nth[0]
        failed = list(_FAILED.finditer(text))
        if len(failed) == 1 and not nth and _NEXT_ASKED.search(text[failed[0].end():]):
            word = failed[0].group(1).split()[0]
            return ({"once": 1, "twice": 2, "thrice": 3}.get(word) or _number(word)) + 1
        return None

    def short_of(self, have: float, need: float, noun: str) -> str:
        """"36 is 1 short: you need 1 more, 37 correct answers in all" (a threshold's count against its minimum,
        actions/threshold.py)."""
        return self._say("short_of", have=f"{have:g}", short=f"{need - have:g}", need=f"{need:g}", noun=noun)

    def _say(self, key: str, **values: Any) -> str:
        return self.wording[key].format(**values)

    def _valid_until(self, f: Figures, text: str) -> Optional[str]:
        """"certified in March 2024": until when it is valid; and, with a second date asked about ("is it still valid
        in March 2027?"), whether it still is then (a date in the same month as the end counts as after it)."""
        dates = list(_DATE.finditer(text))
        years = list(_YEAR_ONLY.finditer(text)) if not dates else []
        if f.valid_months and f.valid_months % 12 == 0 and len(years) == 1 and _GOT.search(text[:years[0].end()]):
            # ("got my CSM in 2023, when does it run out?": two years on, in the month it was earned)
            year = int(years[0].group(1))
            return self._say("valid_until_year", year=str(year), until=str(year + f.valid_months // 12))
        asked = dates[1] if len(dates) == 2 and _STILL_VALID.search(text[dates[0].end():dates[1].start()]) else None
        if f.valid_months is None or not (len(dates) == 1 or asked) or not _GOT.search(text[:dates[0].start()]):
            return None
        day, month, year = _day_month_year(dates[0])
        later = month + f.valid_months
        until_year, until_month = year + later // 12, later % 12
        since = _on_date(day, month, year)
        until = " ".join(p for p in (day, _MONTHS[until_month].title(), str(until_year)) if p)
        if asked is None:
            return self._say("valid_until", since=since, until=until)
        asked_day, asked_month, asked_year = _day_month_year(asked)
        when = _on_date(asked_day, asked_month, asked_year)
        still = (asked_year, asked_month) < (until_year, until_month)
        return self._say("valid_then" if still else "valid_not_then", since=since, until=until, asked=when)

    def _valid_left(self, f: Figures, text: str) -> Optional[str]:
        ages = list(_OLD.finditer(text))  # ("3 years ago", "my CSM is 3 years old")
        if f.valid_months is None or len(ages) != 1 or _NOT_EARNED.search(text[:ages[0].start()]):
            return None
        age = _age_in_months(ages[0])
        shown = ages[0].group(0).rsplit(" ", 1)[0]
        if age < f.valid_months:
            return self._say("valid_left", age=shown, left=_months(f.valid_months - age))
        return self._say("valid_lapsed", age=shown, over=_months(age - f.valid_months)) if age > f.valid_months else None

    def _renewals(self, f: Figures, text: str) -> Optional[str]:
        spans = list(_SPAN.finditer(text))
        if f.valid_months is None or f.renewal_fee is None or len(spans) != 1 or not _RENEWING.search(text):
            return None
        years = _number(spans[0].group(1))
        renewals = math.ceil(years * 12 / f.valid_months) - 1  # the course covers the first period
        if renewals < 1:
            return None
        times = {1: "once", 2: "twice"}.get(renewals, f"{renewals} times")  # (not "you renew 1 times")
        return self._say("renewals_over", years=years, renewals=renewals, times=times, total=renewals * f.renewal_fee)

    def _renewal_times(self, f: Figures, text: str) -> Optional[str]:
        """"if I renew three times, what are the fees in total?": 300 USD; "... how many SEUs?": 60."""
        found = list(_RENEW_TIMES.finditer(text))
        if len(found) != 1:
            return None
        times = _number(found[0].group(1) or found[0].group(2))
        if not 1 < times <= 20:
            return None
        if f.renewal_seus is not None and _SEUS.search(text):  # "... how many SEUs in total?": 2 x 20
            return self._say("renewals_seus", times=times, seus=f.renewal_seus, total=times * f.renewal_seus)
        if f.renewal_fee is None or not _COSTS.search(text):
            return None
        return self._say("renewals_cost", times=times, fee=f.renewal_fee, total=times * f.renewal_fee)

    def _per_year(self, f: Figures, text: str) -> Optional[str]:
        """"how much does renewal cost per year?": 50 USD a year; "how many SEUs a year is that?": 10."""
        if f.valid_months is None or f.valid_months % 12 or not _PER_YEAR.search(text) or not _ASKS_AN_AMOUNT.search(text) \
                or (_IS_IT_PER_YEAR.search(text) and not _HOW_MUCH.search(text)):
            return None
        years = f.valid_months // 12
        if f.renewal_seus is not None and _SEUS.search(text):
            return self._say("seus_per_year", seus=f.renewal_seus, years=years, per_year=_figure(f.renewal_seus / years))
        if f.renewal_fee is not None and _COSTS.search(text):
            return self._say("fee_per_year", fee=f.renewal_fee, years=years, per_year=_figure(f.renewal_fee / years))
        return None

    def _attempts(self, f: Figures, text: str) -> Optional[str]:
        found = list(_ATTEMPTS.finditer(text))
        extra = list(_EXTRA_ATTEMPTS.finditer(text))
        if f.free_attempts is None or f.attempt_fee is None or not _COSTS.search(text):
            return None
        if len(extra) == 1:  # "if I need 3 extra attempts, what do I pay?": 3 after the free ones
            paid = _number(extra[0].group(1))
            if 1 <= paid <= 20:
                return self._say("attempts_cost", attempts=paid + f.free_attempts, free=f.free_attempts, paid=paid,
                                 total=paid * f.attempt_fee)
            return None
        named = list(_NTH_AND_NTH.finditer(text))
        if len(named) == 1 and not found:  # "a third and a fourth attempt, what would those two cost?": 4 attempts
            attempts = int(named[0].group(3)) if named[0].group(3) else _ORDINALS[named[0].group(4)]
        elif len(found) == 1:
            attempts = _number(found[0].group(1) or found[0].group(2))
            passed_on = [m for m in _PASSED_ON.finditer(text) if m.group(1) or m.group(2)]
            if len(passed_on) == 1:  # "failed 3 times and passed on the 4th": 4 attempts
                attempts = int(passed_on[0].group(1)) if passed_on[0].group(1) else _ORDINALS[passed_on[0].group(2)]
        else:
            return None
        paid = attempts - f.free_attempts
        if paid < 1 or attempts > 20:
            return None
        return self._say("attempts_cost", attempts=attempts, free=f.free_attempts, paid=paid, total=paid * f.attempt_fee)

    def _window(self, f: Figures, text: str) -> Optional[str]:
        """"I did the course 70 days ago", "on day 61 after the course", "4 months after": the days of the window left,
        or that it is over (weeks and months only when clearly on one side: "about 122 days on")."""
        days = self._days_after(text)
        if f.window_days is None or days is None or (days[1] and abs(days[0] - f.window_days) <= days[1]):
            return None
        ago = round(days[0])
        shown = f"about {ago}" if days[1] else str(ago)
        said = self._say("window_left", ago=shown, left=f.window_days - ago, window=f.window_days) if ago < f.window_days \
            else self._say("window_over", ago=shown, window=f.window_days)
        return said[:1].upper() + said[1:] if said.startswith(shown) else said  # ("About 122 days on, ...")

    def _window_until(self, f: Figures, text: str) -> Optional[str]:
        """"My welcome email came on 1 March. Until when can I use my free attempts?": the day the window ends (the year
        only when the user wrote one)."""
        start = window_start(text)
        if f.window_days is None or start is None or days_between(text) is not None or not _UNTIL_ASKED.search(text):
            return None
        end = start + datetime.timedelta(days=f.window_days)

        def said(day: datetime.date) -> str:
            return f"{day.day} {_MONTHS[day.month - 1].title()}" + (f" {day.year}" if start.year != NO_YEAR else "")

        return self._say("window_until", start=said(start), end=said(end), window=f.window_days)

    def _test_end(self, f: Figures, text: str) -> Optional[str]:
        clocks = list(_CLOCK.finditer(text))
        if f.test_minutes is None or len(clocks) != 1 or not _STARTS.search(text):
            return None
        hour, minute, half = int(clocks[0].group(1)), int(clocks[0].group(2)), clocks[0].group(3)
        if hour > 23 or minute > 59 or (half and not 1 <= hour <= 12):
            return None
        if half:  # "9:15 pm": on a 24-hour clock first
            hour = hour % 12 + (12 if half == "pm" else 0)
        total = (hour * 60 + minute + f.test_minutes) % (24 * 60)
        end_hour, end_minute = total // 60, total % 60
        ends = f"{(end_hour - 1) % 12 + 1}:{end_minute:02d} {'am' if end_hour < 12 else 'pm'}" if half \
            else f"{end_hour}:{end_minute:02d}"
        return self._say("test_ends", start=clocks[0].group(0).removeprefix("at ").strip(), end=ends)

    def _per_question(self, f: Figures, text: str) -> Optional[str]:
        # (time asked for in so many words, or "per question then?" alone, right after the test's time)
        if f.test_minutes is None or not f.test_questions or not _PER_QUESTION.search(text) \
                or not (re.search(r"\b(minutes?|mins?|seconds?|secs?|time|how long)\b", text) or _PER_QUESTION_ALONE.match(text)):
            return None
        seconds = f.test_minutes * 60 / f.test_questions
        return self._say("per_question", minutes=f"{seconds / 60:.1f}".rstrip("0").rstrip("."), seconds=round(seconds))

    def _in_hours(self, f: Figures, text: str) -> Optional[str]:
        """"and in hours?" right after the test's 60 minutes: "60 minutes is 1 hour"."""
        if f.test_minutes is None or not _IN_HOURS.search(text) or _PER_QUESTION.search(text):
            return None
        return self._say("in_hours", minutes=f.test_minutes, hours=_amount(f.test_minutes / 60, "hour"))

    def _in_months(self, f: Figures, text: str) -> Optional[str]:
        """"and in months?" right after "valid for two years": "2 years is 24 months"."""
        if f.valid_months is None or not _IN_MONTHS.search(text) or _AGO.search(text) or _DATE.search(text):
            return None
        return self._say("in_months", years=_amount(f.valid_months / 12, "year"), months=f.valid_months)


    def _in_years(self, f: Figures, text: str) -> Optional[str]:
        """"in years?" right after the A-CSM's 12 months of experience: "At least a year (12 months)"."""
        if f.experience_months is None or not _IN_YEARS.search(text) or _AGO.search(text) or _DATE.search(text):
            return None
        return self._say("in_years", months=f.experience_months, years=_months(f.experience_months))

    def _in_minutes(self, f: Figures, text: str) -> Optional[str]:
        """"in minutes?" right after the course's 16 hours: "16 hours is 960 minutes"."""
        if f.course_hours is None or not _IN_MINUTES.search(text):
            return None
        return self._say("in_minutes", hours=f.course_hours, minutes=f.course_hours * 60)

    def _in_days(self, f: Figures, text: str) -> Optional[str]:
        """"the CSM course in 8-hour days?", "and in 8-hour days?" right after the course's 16 hours: "16 hours come to 2 days
        at 8 hours a day" (facts.yml `works_out`); a day of 4 to 12 hours."""
        length = _DAY_LENGTH.search(text)
        if f.course_hours is None or length is None or not _IN_DAYS.search(text) or _CLAIMED.search(text) \
                or _AGO.search(text) or _DATE.search(text):
            return None
        raw = length.group(1) or length.group(3)
        per_day = int(raw) if raw.isdigit() else _WORDS[raw]
        if not 4 <= per_day <= 12:
            return None
        return self._say("in_days", hours=f.course_hours, days=_figure(f.course_hours / per_day), per_day=per_day)

    def _window_in(self, f: Figures, text: str) -> Optional[str]:
        """"in weeks?" / "in months?" of the test's 90-day window: "90 days is about 13 weeks" (or "about 3 months")."""
        if f.window_days is None or _AGO.search(text) or _DATE.search(text):
            return None
        if _IN_WEEKS.search(text):
            return self._say("window_in", days=f.window_days, amount=_amount(round(f.window_days / 7), "week"))
        if _IN_MONTHS.search(text):
            return self._say("window_in", days=f.window_days, amount=_amount(round(f.window_days / 30), "month"))
        return None


def _figure(value: float) -> str:
    """"10", "12.5": at most two decimals, none when whole."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _amount(value: float, unit: str) -> str:
    """"1 hour", "1.5 hours", "2 years"."""
    shown = _figure(value)
    return f"{shown} {unit}" + ("" if shown == "1" else "s")


def figures_from(raw: Any, where: str, fail: Any) -> Optional[Figures]:
    """A fact's `figures` (facts.yml), checked."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw or set(raw) - set(FIELDS) \
            or any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in raw.values()):
        raise fail(where, f"expected a mapping of {', '.join(FIELDS)} to whole numbers > 0")
    return Figures(**{str(k): int(v) for k, v in raw.items()})


def wording_from(raw: Any, where: str, fail: Any) -> Mapping[str, str]:
    """facts.yml `works_out`: a sentence for each computation, with the names it fills in."""
    if not isinstance(raw, dict) or set(raw) != set(SENTENCES):
        raise fail(where, f"expected a sentence for each of {', '.join(SENTENCES)}")
    for key, names in SENTENCES.items():
        sentence = raw[key]
        if not isinstance(sentence, str) or any("{" + n + "}" not in sentence for n in names):
            raise fail(f"{where}.{key}", "expected a sentence with " + ", ".join("{" + n + "}" for n in names))
    return {str(k): str(v).strip() for k, v in raw.items()}
