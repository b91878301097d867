""""No." before a fact that states a claimed figure otherwise (actions/claims.py), and its use by the planner."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.claims import (
    agreed_rest,
    bound_verdict,
    claimed_figures,
    compared_figure,
    contradicts,
    echo_verdict,
    figure_first,
    figure_said_too,
    figures,
    per_verdict,
    rough_claims,
    rough_verdict,
    same_figure,
    spelled_out,
)
from actions.compose import get_planner
from actions.decision import Context, Turn
from actions.facts import _other_figures

COURSE = "The CSM course is a live course of 16 hours with a Certified Scrum Trainer."
TEST = "The CSM test has 50 multiple-choice questions, and you have 60 minutes to answer them."
RETAKE = "After your two free attempts at the CSM test, each further attempt costs 25 USD."
PRICE = "Each trainer sets the price of the CSM course: public listings run from about 250 to 2,500 USD."
ADVANCED = "The A-CSM needs a course of at least 16 hours, with course work set by the educator."
PASS_MARK = "You pass the CSM test with at least 37 correct answers out of 50, which is 74%: up to 13 may be wrong."
WINDOW = "Your two free attempts at the CSM test must be used within 90 days of the welcome email."


@pytest.mark.parametrize("question, answer, expected", [
    ("my colleague said the CSM class is 24 hours over three days, is that right?", COURSE, None),  # "over": compared
    ("my colleague says the csm class is 24 hours, is that right?", COURSE, "no"),
    ("is the csm course 8h?", COURSE, "no"),
    ("is the csm course 16 hours?", COURSE, None),  # true: no "yes" that might cover more than it says
    ("is the csm course sixteen hours long?", COURSE, None),
    ("are there 40 questions on the csm test?", TEST, "no"),
    ("csm exam is forty questions right?", TEST, "no"),
    ("is it 50 or 60 questions?", TEST, None),  # alternatives offered
    ("is the cspo course 2 x 8h?", COURSE, None),  # a figure made of others
    ("I read the cspo course is 2 days of 8 hours so sixteen total yes?", COURSE, None),  # (its 8 hours make up the 16)
    ("is the csm course 24 hours in total?", COURSE, None),  # a total: of what, the question doesn't say
    ("is a csm retake 50 dollars?", RETAKE, "no"),
    ("is a retake $25?", RETAKE, None),
    ("is the csm course 1000 usd?", PRICE, None),  # a range: 1,000 is in it
    ("is the a-csm course 24 hours?", ADVANCED, None),  # "at least 16": 24 may be
    ("is the a-csm course 8 hours?", ADVANCED, "no"),  # below "at least 16": it may not be
    ("fact check: the A-CSM course can be as short as 8 hours", ADVANCED, "no"),  # (a claim put to check)
    ("do the free attempts expire after 30 days?", WINDOW, "no"),
    ("I did the course 30 days ago, are my 2 attempts still free?", WINDOW, None),  # the user's own figure
    ("I have 25 SEUs, can I renew?", "You need 20 SEUs earned in the past two years.", None),
    ("do i need more than 40 questions right?", TEST, None),  # compared
    ("how long is the csm course, 8 hours?", COURSE, None),  # a guess, asked as "how long": no claim put
    ("the csm course is 8 hours", COURSE, None),  # no question, no claim to check
    ("is the csm test 45 questions?", COURSE, None),  # the answer says nothing in questions
    # a range or an approximation elsewhere in the answer does not make every figure rough
    ("is the csm exam 90 minutes right?", TEST + " You pass with 37 correct, so up to 13 may be wrong.", "no"),
    ("is the csm course 1000 usd?", "The course: " + PRICE, None),
    # years are months, hours minutes ("1 year" is the 12 months; "2 hours" is not the 60 minutes)
    ("do I need 1 year as a scrum master for the a-csm?", "The A-CSM needs 12 months of work as a Scrum Master.", None),
    ("do I need 2 years as a scrum master for the a-csm?", "The A-CSM needs 12 months of work as a Scrum Master.", "no"),
    ("my friend says the csm exam is 2 hours, true?", TEST, "no"),
    ("is the csm test 1 hour?", TEST, None),
    # the clause after a figure is no range of it ("which is 74%: up to 13 may be wrong" states 74% exactly)
    ("is the csm pass mark 80 percent?", PASS_MARK, "no"),
    ("is the pass mark seventy-five percent?", PASS_MARK, "no"),  # (a dictated number)
    ("is the csm course 3000 usd?", PRICE, None),  # "from about 250 to 2,500": no exact figure to contradict
    # a guess put to a yes/no question of its own: "No." would seem to say there is no time limit
    ("is there a time limit to use my free csm attempts? like 30 days?", WINDOW, None),
])
def test_contradicts(question: str, answer: str, expected: Optional[str]) -> None:
    assert contradicts(question, answer) == expected


PSM = "The PSM I assessment has 80 questions in 60 minutes, and you need 85% to pass."


@pytest.mark.parametrize("question, answer, asks_yes_no, expected", [
    # a question mark after no question word asks yes or no: the caller says so (actions/assertions.plain_yes_no)
    ("csm test 90 min?", TEST, True, "no"),
    ("csm test 90 min?", TEST, False, None),
    ("CSP-SM: 12 months experience?", "The CSP-SM needs 24 months of experience as a Scrum Master.", True, "no"),
    ("1 year membership included with the cspo class?", "The fee includes a membership for two years.", True, "no"),
    ("the csm test is 60 minutes?", TEST, True, None),
    # percent is a unit: "74%" is not the PSM I's 85%, "85 percent" is
    ("is the PSM I pass mark 74% like the CSM?", PSM, False, "no"),
    ("is the psm pass mark 74 pct?", PSM, False, "no"),
    ("is the psm pass mark 85 percent?", PSM, False, None),
])
def test_contradicts_when_the_caller_reads_a_yes_no_question(question: str, answer: str, asks_yes_no: bool,
                                                             expected: Optional[str]) -> None:
    assert contradicts(question, answer, asks_yes_no) == expected


def test_figures() -> None:
    assert figures("a 16-hour course, 50 questions, $100 and two years") == [
        ("minutes", 960.0), ("months", 24.0), ("questions", 50.0), ("usd", 100.0)]
    assert figures("public listings run from 250 to 2,500 USD") == [("usd", 2500.0)]
    assert figures("you need 85% (or 85 percent, 85 pct) to pass") == [("percent", 85.0)] * 3


@pytest.mark.parametrize("question, claimed", [
    ("the exam retake is 50 dollars right?", [("usd", 50.0)]),
    ("a friend told me the exam has 40 questions, true?", [("questions", 40.0)]),
    ("if I attend all 16 hours am I automatically certified?", []),  # the user's own figure
    ("I did the course 70 days ago, still ok?", []),
    ("is it 50 or 60 questions?", []),
    ("how long is the course, 8 hours?", []),  # no claim put
])
def test_claimed_figures(question: str, claimed: list) -> None:
    assert claimed_figures(question) == claimed


def test_a_claimed_figure_finds_the_fact_stating_another() -> None:
    """ "the exam retake is 50 dollars right?" (out of scope to the NLU) scored the retake fact 0.52, under the unsure bar:
    the fact stating another figure in dollars is the one the claim is about; it now passes the bar, with "No." first."""
    planner = get_planner()
    d = planner.plan(Turn("the exam retake is 50 dollars right?", "out_of_scope", 0.8, (), unsure=True), Context())
    assert d.fact is not None and d.fact.id == "csm_retake_cost" and d.polarity == "no"
    # a figure the user quotes from the answer is in its words already, and says nothing of what is asked: no weight
    stated = frozenset(figures("Renewal costs 100 USD every two years."))
    assert _other_figures(frozenset(claimed_figures("is the renewal fee 50 USD?")), stated) == {"usd"}
    assert _other_figures(frozenset(claimed_figures("is the renewal fee 100 USD?")), stated) == frozenset()
    assert _other_figures(frozenset(claimed_figures("is the renewal 50 questions?")), stated) == frozenset()


def test_the_planner_puts_no_before_the_fact() -> None:
    planner = get_planner()
    text = "my colleague says the csm course is 8 hours, is that right?"
    at = text.index("csm")
    d = planner.plan(Turn(text, "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": at, "end": at + 3},)), Context())
    assert d.fact is not None and d.fact.id == "csm_course_length" and d.polarity == "no"
    text = "is the csm course 16 hours?"
    at = text.index("csm")
    d = planner.plan(Turn(text, "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": at, "end": at + 3},)), Context())
    # true: not this module's "yes" (it only contradicts), but the course-length fact's own assertions' (actions/assertions.py)
    assert d.fact is not None and d.fact.id == "csm_course_length" and d.polarity == "yes"


@pytest.mark.parametrize("question, answer, expected", [
    ("seventy four percent is that the pass mark", PASS_MARK, "                     is that the pass mark"),
    ("is the csm course 16 hours?", COURSE, "is the csm course " + " " * len("16 hours") + "?"),
    ("is the csm course 16 hours in one day?", COURSE, None),  # "one day" is a figure it does not state
    ("is the csm course 24 hours?", COURSE, None),  # another figure
    ("is the csm course 1000 usd?", PRICE, None),  # a range
    ("is the csm test 60 minutes and 40 questions?", TEST, None),  # one of the figures not stated
    ("is the csm course 16 hours", "The CSM course takes about 16 hours.", None),  # stated roughly
    ("how long is the csm course", COURSE, None),  # no figure claimed
])
def test_agreed_rest(question: str, answer: str, expected: Optional[str]) -> None:
    """The words a "yes" must still vouch for when every figure a question claims is one the answer states exactly."""
    assert agreed_rest(question, answer, True) == expected


@pytest.mark.parametrize("text, first", [
    ("seventy four percent is that the pass mark for see ess em", "yes"),  # dictated: "74 percent", "csm"
    ("74% - is that the csm pass mark?", "yes"),
    ("a hundred dollars renewal for c s p o correct", "yes"),
    # "Only the CSM has a test": no "Yes." from the 50 questions; the fact's assertions make it a "No." (the CSPO has none)
    ("my friend says the cspo test is 50 questions like the csm one, right?", "no"),
    ("the csm course is 16 hours over one day, right?", None),  # "one day" is not in the fact
    # what the fact makes false comes first: the course is live (before: "Yes.", its 16 hours agreed)
    ("the csm course is 16 hours of self-study, right?", "no"),
    ("it's not 74 percent for the csm, is it?", None),  # negated
])
def test_the_planner_says_yes_to_a_figure_the_fact_states(text: str, first: Optional[str]) -> None:
    """"seventy four percent is that the pass mark for see ess em" got the pass mark with no "Yes." before it: a claim was
    only ever contradicted. A "yes" needs every claimed figure stated exactly and every other word vouched for."""
    planner = get_planner()
    d = planner.plan(Turn(text, "ask_requirements", 0.9, ()), Context())
    assert d.fact is not None and (d.polarity if d.polarity in ("yes", "no") else None) == first, (d.fact.id, d.polarity)


@pytest.mark.parametrize("question, answer, expected", [
    ("is it around 50 questions on the CSM exam?", TEST, "yes"),
    ("is the CSM test roughly an hour, give or take?", TEST, "yes"),  # "an hour": 60 minutes
    ("somewhere between 10 and 20 hours for the CSM class?", COURSE, "yes"),  # a range holding 16
    ("is the csm course 10-20 hours?", COURSE, "yes"),
    ("is the course 20 to 30 hours?", COURSE, "no"),  # a range without it
    ("ngl is the csm course like 40 hrs or smth", COURSE, "no"),  # "or smth" offers no alternative
    ("is the window for the free CSM attempts 30 days or so?", WINDOW, "no"),
    ("is the advanced CSM course around 8 hrs?", ADVANCED, "no"),  # below the minimum
    ("roughly 20 bucks per extra try for the CSM?", RETAKE, "no"),  # 25 is more than 20% above 20
    ("roughly 21 bucks per extra try?", RETAKE, None),  # neither near (within 10%) nor far (over 20%)
    ("about 1000 dollars for the course?", PRICE, None),  # the fact states a range
    ("is the CSM course 16 hours?", COURSE, None),  # nothing put roughly: contradicts and agreed_rest decide
    ("ballpark how long is the training? like 2 days-ish?", COURSE, None),  # days: a unit the fact does not state
    ("I assume the CSM training is about 8 hours, so one day?", COURSE, "no"),  # the hours settle it, the day is unknown
])
def test_a_figure_put_roughly_or_as_a_range(question: str, answer: str, expected: Optional[str]) -> None:
    """"is it around 50 questions?" got the fact with no "Yes." (and "somewhere between 10 and 20 hours?" a "No.", its 20
    read as exact): a rough figure is near the fact's (within 10%) or far from it (more than 20%), a range holds it or
    not."""
    assert rough_verdict(question, answer, True) == expected
    assert contradicts(question, answer, True) == ("no" if expected == "no" else None)


def test_rough_claims_say_how_each_figure_is_put() -> None:
    assert [c.how for c in rough_claims("is it about 50 questions and 60 minutes?", True)] == ["rough", "exact"]
    assert rough_claims("is it 50 questions?", True) == []  # none put roughly
    assert rough_claims("I had about 50 questions, is that normal?", True) == []  # the user's own
    assert rough_claims("is it about 50 or 60 questions?", True) == []  # alternatives
    assert agreed_rest("is it around 50 questions on the CSM exam?", TEST, True).split() == ["is", "it", "on", "the", "csm",
                                                                                               "exam?"]
    assert agreed_rest("is it around 40 questions on the CSM exam?", TEST, True) is None


VALID = "The CSM and the CSPO are each valid for two years: each one expires after that unless you renew it."


@pytest.mark.parametrize("text, answer, asked, expected", [
    ("74?", PASS_MARK, (), "yes"),
    ("80%?", PASS_MARK, (), "no"),
    ("sixty?", TEST, ("count",), "no"),  # the count asked for: 50 questions, not the 60 minutes
    ("60?", TEST, ("duration",), "yes"),
    ("two years?", VALID, ("duration",), "yes"),
    ("2?", VALID, ("duration",), "yes"),  # (as said: "two years", not 24 months)
    ("24 months?", VALID, (), "yes"),  # (a unit: years read as months)
    ("3 years?", VALID, (), "no"),
    ("25?", RETAKE, ("price",), "yes"),
    ("wouldn't it be 3?", RETAKE, ("count",), "no"),
    ("twenty or forty?", TEST, ("count",), None),  # two figures offered: the fact answers
    ("1000?", PRICE, ("price",), None),  # a range
    ("what about 74?", PASS_MARK, (), None),  # more than a figure
])
def test_a_figure_said_back(text: str, answer: str, asked: tuple, expected: Optional[str]) -> None:
    """"74?" after the pass mark got "Sorry, that's outside what I know" (the NLU: out of scope), "90?" after the 90
    days "great" (affirm): a figure said back alone asks whether it is the one just given."""
    assert echo_verdict(text, answer, asked) == expected


def test_the_planner_says_yes_or_no_to_a_figure_said_back() -> None:
    planner = get_planner()
    context = Context(certification="CSM", topic="requirements", fact="csm_test_format",
                      question="how many questions on the csm test")
    d = planner.plan(Turn("sixty?", "out_of_scope", 0.6, (), unsure=True), context)
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("figure_of_last", "csm_test_format", "no")
    d = planner.plan(Turn("50?", "affirm", 0.7, (), unsure=True), context)
    assert (d.rule, d.polarity) == ("figure_of_last", "yes")
    assert planner.plan(Turn("50?", "affirm", 0.7, (), unsure=True), Context()).rule != "figure_of_last"  # no fact before



@pytest.mark.parametrize("question, figure", [
    ("and for csp, 12 too?", "12"),
    ("and cspo, 100 dollars as well?", "100 dollars"),
    ("and for csp too?", None),  # no figure
    ("is 12 months enough too for the a-cspo?", None),  # the figure is not what is said back
])
def test_a_figure_said_back_for_another_thing(question: str, figure: Optional[str]) -> None:
    """"and for csp, 12 too?" after the A-CSM's 12 months got the CSP's 24 months with no "No." before it."""
    assert figure_said_too(question) == figure


def test_the_planner_says_no_to_the_same_figure_for_another_thing() -> None:
    planner = get_planner()
    text = "and for csp, 12 too?"
    d = planner.plan(Turn(text, "ask_continuous_learning", 0.9, ({"entity": "other_certification", "value": "CSP",
                                                                   "start": 8, "end": 11},)),
                     Context(neighbour="A-CSM", question="a-csm experience"))
    assert d.fact is not None and d.fact.id == "csp_level" and d.polarity == "no", d.trace()


@pytest.mark.parametrize("question, expected", [
    ("16 hours, that's which course?", [("minutes", 960.0)]),
    ("$25, what is that fee for?", [("usd", 25.0)]),
    ("85%, which test is that?", [("percent", 85.0)]),
    ("50 questions, is that the CSM or the PSM?", [("questions", 50.0)]),
    ("$100 every two years, which one is that?", [("months", 24.0), ("usd", 100.0)]),
    ("12 months of experience - what's that requirement for?", [("months", 12.0)]),
    ("60 minutes, is that the CSPO test?", []),  # a yes/no question on one: claims.contradicts / agreed_rest
    ("I have 12 months, which one can I do?", []),  # the user's own figure
    ("how long is the course? which one?", []),  # no figure said first
    ("my trainer charges $25 for the manual and the snacks, what is that for?", []),  # a situation, not a figure
])
def test_a_figure_said_first_then_asked_what_it_belongs_to(question: str, expected: list) -> None:
    assert figure_first(question) == expected


def test_the_planner_answers_with_the_facts_stating_a_figure_said_first() -> None:
    """"16 hours, that's which course?", "85%, which test is that?" got "Sorry, that's outside what I know" (the NLU: out of
    scope), "50 questions, is that the CSM or the PSM?" the PSM's facts (its 80 questions)."""
    planner = get_planner()
    d = planner.plan(Turn("16 hours, that's which course?", "out_of_scope", 0.6, (), unsure=True), Context())
    assert d.rule == "figure_held" and {d.fact.id, *(a.fact.id for a in d.also)} >= {"csm_course_length", "cspo_course_length"}, \
        d.trace()
    for text, fact in [("85%, which test is that?", "psm_assessment"), ("$25, what is that fee for?", "csm_retake_cost"),
                       ("50 questions, is that the CSM or the PSM?", "csm_test_format")]:
        d = planner.plan(Turn(text, "out_of_scope", 0.6, (), unsure=True), Context())
        assert (d.rule, d.fact and d.fact.id) == ("figure_held", fact), d.trace()
    # a figure no fact states: nothing of the kind ("2 days, which is the course length?": the course is 16 hours)
    d = planner.plan(Turn("2 days, which course is that?", "out_of_scope", 0.6, (), unsure=True), Context())
    assert d.rule != "figure_held"


RENEWAL = "Renewal costs 100 USD every two years, the same for the CSM and the CSPO (plus 20 SEUs earned in that time)."


@pytest.mark.parametrize("text, answer, expected", [
    ("per attempt?", RETAKE, "yes"),  # "each further attempt costs 25 USD"
    ("is that per year?", RENEWAL, "no"),  # "every two years"
    ("a year?", RENEWAL, "no"),
    ("per attempt?", RENEWAL, None),  # the answer says nothing of attempts
    ("per try?", RETAKE, None),  # nor of tries (the fact's own word is "attempt")
    ("per question then?", TEST, None),  # the seconds per question are worked out (actions/figures.py)
    ("how much per attempt is the fee?", RETAKE, None),  # a question of its own, not "per attempt?" alone
])
def test_per_one_of_them_right_after_a_fact(text: str, answer: str, expected: Optional[str]) -> None:
    assert per_verdict(text, answer) == expected


def test_the_planner_says_yes_to_per_attempt_after_the_retake_fee() -> None:
    planner = get_planner()
    context = Context(certification="CSM", topic="cost", fact="csm_retake_cost", question="What does a CSM retake cost?")
    d = planner.plan(Turn("per attempt?", "out_of_scope", 0.6, (), unsure=True), context)
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("per_of_last", "csm_retake_cost", "yes"), d.trace()


def test_asking_to_be_corrected_is_no_situation_of_the_user() -> None:
    """"correct me if I'm wrong" holds "if I", which reads as the user's own situation ("if I fail ..."): the figure it
    puts to check was not checked (set 46: f166)."""
    answer = "The PSM I assessment has 80 questions in 60 minutes, and you need 85% to pass."
    # (the lexicon reads the frame as asking yes or no: asks_yes_no)
    assert contradicts("correct me if i'm wrong, the psm i passing score is 74% like the csm?", answer, True) == "no"
    assert contradicts("if I'm not mistaken the psm i has 80 questions?", answer, True) is None
    assert contradicts("if I get 74% on the psm i, do I pass?", answer, True) is None  # (the user's own score)


PSM = "The PSM I assessment (Scrum.org, not Scrum Alliance) has 80 questions in 60 minutes, and you need 85% to pass."


def test_same_figure_in_the_unit_asked() -> None:
    assert same_figure(PSM, PASS_MARK, ("percent",)) is False  # 85% against 74%
    assert same_figure(PSM, TEST, ("duration",)) is True  # 60 minutes both
    assert same_figure(PSM, TEST, ("count",)) is False  # 80 questions against 50
    assert same_figure(PSM, PRICE, ("price",)) is None  # a unit one of them does not state
    assert same_figure(PSM, TEST, ()) is None  # nothing asked


COURSE = "The CSM course is a live course of 16 hours with a Certified Scrum Trainer."


@pytest.mark.parametrize("question,answer,verdict", [
    # (before: "No." to the first, a bound read as a claim of 12 hours)
    ("is the CSM course longer than 12 hours?", COURSE, "yes"),
    ("is the CSM course shorter than 20 hours?", COURSE, "yes"),
    ("is the course more than 16 hours?", COURSE, "no"),
    ("is it at least 16 hours?", COURSE, "yes"),
    ("is the test under an hour?", TEST, "no"),  # 60 minutes: not under
    ("is the test over 45 minutes?", TEST, "yes"),
    ("is the csm course longer or shorter than 12 hours?", COURSE, None),  # alternatives
    ("if I have more than 12 hours is that enough?", COURSE, None),  # the user's own figure
    ("is the course not longer than 12 hours?", COURSE, None),  # a negation
    ("is the course 16 hours?", COURSE, None),  # no bound (contradicts / agreed_rest read it)
    ("is the course longer than 12 hours and 40 questions?", COURSE, None),  # a figure not put as a bound
])
def test_a_figure_put_as_a_bound_is_checked_against_the_fact(question: str, answer: str, verdict: Optional[str]) -> None:
    assert bound_verdict(question, answer) == verdict
    assert contradicts(question, answer, True) is None  # (never "No." to a bound as if it were a claimed figure)


def test_compared_figure_in_the_unit_asked() -> None:
    assert compared_figure(PSM, PASS_MARK, ("percent",)) == 1  # 85% against 74%
    assert compared_figure(PASS_MARK, PSM, ("percent",)) == -1
    assert compared_figure(PSM, TEST, ("duration",)) == 0  # 60 minutes both
    assert compared_figure(PSM, TEST, ("count",)) == 1  # 80 questions against 50
    assert compared_figure(PSM, PRICE, ("price",)) is None  # a unit one of them does not state


def test_the_planner_says_yes_or_no_to_more_or_less_than_a_neighbour() -> None:
    """"is the PSM I test longer in time than the CSM test?" (set 48) got the two facts with nothing first: "No." (60
    minutes both); of the one named before "than", or of the one a pronoun stands for ("its")."""
    planner = get_planner()
    for text, verdict, first in (("is the PSM I test longer in time than the CSM test?", "no", "psm_assessment"),
                                 ("does the CSM test have fewer questions than PSM I?", "yes", "csm_test_format"),
                                 ("is the CSM pass mark higher than the PSM I one?", "no", "csm_pass_mark"),
                                 ("is the CSM test longer or shorter than PSM I?", None, None)):
        lowered = text.lower()
        entities = ({"entity": "other_certification", "value": "PSM", "start": lowered.index("psm"),
                     "end": lowered.index("psm") + 5},
                    {"entity": "certification", "value": "CSM", "start": lowered.index("csm"), "end": lowered.index("csm") + 3})
        d = planner.plan(Turn(text, "ask_requirements", 0.9, entities), Context())
        assert d.polarity == verdict and (first is None or (d.fact is not None and d.fact.id == first)), (text, d.trace())
    d = planner.plan(Turn("and is its pass mark higher than the CSM's?", "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": 33, "end": 36},)),
                     Context(neighbour="PSM", fact="psm_assessment"))
    assert d.polarity == "yes" and d.fact is not None and d.fact.id == "psm_assessment", d.trace()


def test_the_planner_says_no_when_the_counterpart_states_another_figure() -> None:
    """"is the PSM I pass mark the same as CSM's?" got the PSM I's 85% with nothing first: its counterpart for the CSM
    (facts.yml `counterparts`) states 74%, so "No." first."""
    planner = get_planner()
    text = "is the PSM I pass mark the same as CSM's?"
    entities = ({"entity": "other_certification", "value": "PSM", "start": 7, "end": 12},
                {"entity": "certification", "value": "CSM", "start": 36, "end": 39})
    d = planner.plan(Turn(text, "ask_requirements", 0.9, entities), Context())
    assert d.fact is not None and d.fact.id == "psm_assessment" and d.polarity == "no"
    text = "is the PSM I test as long as the CSM one?"
    entities = ({"entity": "other_certification", "value": "PSM", "start": 7, "end": 12},
                {"entity": "certification", "value": "CSM", "start": 33, "end": 36})
    d = planner.plan(Turn(text, "ask_requirements", 0.9, entities), Context())
    assert d.polarity != "no"  # 60 minutes both (or no verdict): never a "No."


def test_spelled_out() -> None:
    assert spelled_out("twenty") == "20" and spelled_out("seventy-four") == "74"
    assert spelled_out("seus") == "seus"
