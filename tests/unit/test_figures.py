"""What the user's own figures work out to (actions/figures.py), and the planner saying it before the fact."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.compose import get_planner, planned_reply
from actions.decision import Context, Turn
from actions.figures import Figures, Worker, window_start
from actions.render import Renderer

WORDING = {
    "valid_until": "since {since} until {until}", "valid_until_year": "in {year} until {until}",
    "valid_then": "yes {since} {until} {asked}",
    "valid_not_then": "no {since} {until} {asked}",
    "valid_left": "age {age} left {left}", "valid_lapsed": "age {age} over {over}",
    "renewals_over": "{years} years {renewals} renewals ({times}) {total}", "attempts_cost": "{attempts} {free} {paid} {total}",
    "window_left": "{ago} {left} {window}", "window_over": "over {ago} {window}", "test_ends": "{start} -> {end}",
    "per_question": "{minutes} min {seconds} s", "short_of": "{have} {short} {need} {noun}",
    "window_until": "{start} + {window} = {end}",
    "in_hours": "{minutes} = {hours}", "in_months": "{years} = {months} months", "in_years": "{months} months = {years}",
    "in_minutes": "{hours} hours = {minutes} minutes",
    "in_days": "{hours} hours = {days} days of {per_day}", "window_in": "{days} days = {amount}",
    "fee_per_year": "{fee} / {years} = {per_year} USD", "seus_per_year": "{seus} / {years} = {per_year} SEUs",
    "renewals_cost": "{times} x {fee} = {total}",
    "renewals_seus": "{times} x {seus} SEUs = {total}",
}
VALID = Figures(valid_months=24, renewal_fee=100)
ATTEMPTS = Figures(free_attempts=2, attempt_fee=25, window_days=90)
TEST = Figures(test_minutes=60, test_questions=50)


def work(figures: Figures, text: str) -> Optional[str]:
    return Worker(WORDING).work_out(figures, text)


@pytest.mark.parametrize("text, expected", [
    ("I got certified in March 2024, when must I renew?", "since in March 2024 until March 2026"),
    ("i got cspo on 15 june 2025 -> it expires when?", "since on 15 June 2025 until 15 June 2027"),
    ("Passed CSM Nov 2024. Do I need to renew b4 end of 2026?", "since in November 2024 until November 2026"),
    # a second date asked about: whether it is still valid then
    ("I earned my CSM in January 2025. Is it still valid in March 2027 if I do nothing?",
     "no in January 2025 January 2027 in March 2027"),
    ("got my cspo in june 2024, is it still valid now (nov 2026)?", "no in June 2024 June 2026 in November 2026"),
    ("certified on 3 may 2025, will it still be valid on 1 april 2027?", "yes on 3 May 2025 3 May 2027 on 1 April 2027"),
    ("got it in may 2025 and booked a course in june 2026, when must I renew?", None),  # two dates, neither asked about
    # a year alone (sets 16, 17, 22, 42, 48: the two years only): in the month it was earned, two years on
    ("got my CSM in 2023, when does it run out?", "in 2023 until 2025"),
    ("a candidate got her CSPO in 2021 and never renewed", "in 2021 until 2023"),
    ("I plan to do the CSM in 2027, how long is it valid?", None),  # not of getting it
    ("got it in 2021 and renewed in 2023, when next?", None),  # two years: which one is unclear
    ("my CSM is from 20 months ago. still valid?", "age 20 months left 4 months"),
    ("got it three years ago, still valid?", "age three years over a year"),
    ("I want to stay certified for 6 years total, how much money?", "6 years 2 renewals (twice) 200"),
    ("keeping my cspo for 4 years, total renewal fees?", "4 years 1 renewals (once) 100"),  # (the reply: "renew once")
    ("over eight years starting jan 2026, how much do I spend in renewals?", "8 years 3 renewals (3 times) 300"),
])
def test_dates_ages_and_spans_of_a_certification(text: str, expected: str) -> None:
    assert work(VALID, text) == expected


@pytest.mark.parametrize("text", [
    "how long is the csm valid?",  # no figure of the user's
    "when is the next course in March 2026?",  # a date, but not of getting it
    "I got it in March 2024 and renewed in March 2026, when next?",  # two dates: which one is unclear
    "I have been a scrum master for 2 years, does it expire?",  # a span of work, nothing about renewing costs
    # something else happened then: no certification 3 months old (was: "Certified 3 months ago, ... 21 months more")
    "my CSPO lapsed 3 months ago, can I still just renew it?",
    "it expired 2 years ago, still valid?",
])
def test_no_figure_of_the_certification_gives_nothing(text: str) -> None:
    assert work(VALID, text) is None


@pytest.mark.parametrize("text, expected", [
    ("I failed the CSM test 3 times. how much I paid extra in total?", "3 2 1 25"),
    ("so if I fail 4 times total how much extra do I pay?", "4 2 2 50"),
    # the attempt that passed counts the attempts
    ("I failed the csm test 3 times and passed on the 4th. what did the retakes cost me?", "4 2 2 50"),
    ("failed twice, passed on my third try: what did I pay extra?", "3 2 1 25"),
    # attempts after the free ones, counted as such
    ("if I need 3 extra attempts at the csm test, what do I pay?", "5 2 3 75"),
    ("two additional tries, how much?", "4 2 2 50"),
    ("I did the course 70 days ago and never took the test", "70 20 90"),
    ("the course was 100 days ago, can I still take it", "over 100 90"),
    # two days of a month, the first one the welcome email's or the course's (set 49: "email came on 1 March ... 15 May")
    ("my welcome email came on 1 march. is 15 may still inside the free csm window?", "75 15 90"),
    ("welcome email on march 1, can i sit the test on june 10?", "over 101 90"),
    ("the course finished 1 dec, test on 20 feb ok?", "81 9 90"),  # (over the new year)
])
def test_attempts_and_the_window(text: str, expected: str) -> None:
    assert work(ATTEMPTS, text) == expected


def test_two_attempts_are_free_and_cost_nothing_to_work_out() -> None:
    assert work(ATTEMPTS, "I failed twice, how much is the next one?") is None
    assert work(ATTEMPTS, "how much for two more tries?") is None  # ("more": after the first one, or the free ones?)


@pytest.mark.parametrize("text, expected", [
    ("if I start the csm test at 9:15, by when do I have to be done?", "9:15 -> 10:15"),
    ("I start at 11:30 pm, when does it end?", "11:30 pm -> 12:30 am"),
    ("roughly how many minutes per question?", "1.2 min 72 s"),
    ("per question then?", "1.2 min 72 s"),  # right after the test's time, alone
    ("and in hours?", "60 = 1 hour"),  # right after the test's 60 minutes
    ("how many hours is that?", "60 = 1 hour"),
])
def test_the_test_clock(text: str, expected: str) -> None:
    assert work(TEST, text) == expected


def test_minutes_in_hours_are_worked_out_only_when_asked() -> None:
    assert work(Figures(test_minutes=90), "in hours?") == "90 = 1.5 hours"
    assert work(TEST, "how many minutes is the test?") is None
    assert work(VALID, "and in hours?") is None  # no minutes to work out
    assert work(TEST, "how many points per question?") is None  # (not time)


def test_in_hours_right_after_a_duration_is_that_fact_again() -> None:
    """ "in days?" right after the CSM course's 16 hours got the test's format: a unit alone asks the fact just given."""
    planner = get_planner()
    d = planner.plan(Turn("in days?", "greet", 0.35, ()), Context(certification="CSM", topic="requirements",
                                                                   fact="csm_course_length"))
    assert (d.rule, d.fact and d.fact.id) == ("said_already", "csm_course_length"), d.trace()
    d = planner.plan(Turn("and in hours?", "out_of_scope", 0.42, (), unsure=True),
                     Context(certification="CSM", topic="requirements", fact="csm_test_format"))
    assert (d.rule, d.worked_out) == ("said_already", "60 minutes is 1 hour."), d.trace()


def test_in_months_right_after_the_validity_is_that_fact_worked_out() -> None:
    """ "and in months?" right after "valid for two years" got the CSP's 24 months of experience ("months" read as
    experience): a unit alone asks the fact just given, worked out in that unit."""
    assert work(VALID, "and in months?") == "2 years = 24 months"
    assert work(VALID, "I got it 3 months ago, how many months left?") == "age 3 months left 21 months"
    assert work(TEST, "in months?") is None
    d = get_planner().plan(Turn("and in months?", "out_of_scope", 0.32, (), unsure=True),
                           Context(certification="CSM", topic="continuous_learning", fact="validity"))
    assert (d.rule, d.fact and d.fact.id, d.worked_out) == ("said_already", "validity", "2 years is 24 months."), d.trace()


def test_the_planner_says_the_worked_out_figure_before_the_fact() -> None:
    planner = get_planner()
    text = "I got certified in March 2024, when must I renew?"
    d = planner.plan(Turn(text, "ask_continuous_learning", 0.9, ({"entity": "certification", "value": "CSM",
                                                                    "start": 0, "end": 0},)), Context())
    reply = "\n".join(r.text for r in planned_reply(Renderer("rest"), d))
    assert d.worked_out and d.polarity is None and d.trace()["worked_out"] == d.worked_out
    assert reply.startswith("It stays valid until March 2026"), reply
    assert "2024" not in reply  # (the user's own date is not said back)
    assert "valid for two years" in reply and "Source:" in reply
    # a score below a minimum: "No." and what it is short by
    d = planner.plan(Turn("if I get 36 correct in the CSM test do I pass?", "ask_requirements", 0.9, ()), Context())
    reply = "\n".join(r.text for r in planned_reply(Renderer("rest"), d))
    assert reply.startswith("No. 36 is 1 short: you need 1 more, 37 correct answers in all."), reply


def test_the_data_is_checked_where_it_is_read() -> None:
    from actions.figures import figures_from, wording_from

    class Bad(Exception):
        pass

    def fail(where: str, problem: str) -> Bad:
        return Bad(f"{where}: {problem}")

    assert figures_from({"valid_months": 24}, "f", fail) == Figures(valid_months=24)
    for raw in ({"valid_months": "24"}, {"valid_months": 0}, {"validity": 24}, {}, [24], {"valid_months": True}):
        with pytest.raises(Bad):
            figures_from(raw, "f", fail)
    assert wording_from(WORDING, "w", fail)["short_of"] == WORDING["short_of"]
    with pytest.raises(Bad, match="valid_until"):
        wording_from({**WORDING, "valid_until": "since {since}"}, "w", fail)  # {until} left out
    with pytest.raises(Bad):
        wording_from({k: v for k, v in WORDING.items() if k != "per_question"}, "w", fail)


@pytest.mark.parametrize("text, expected", [
    ("how much does renewal cost per year, roughly?", "100 / 2 = 50 USD"),
    ("what is the annual cost of keeping the csm?", "100 / 2 = 50 USD"),
    ("if I need to renew my CSM, how many SEUs is that per year roughly?", "20 / 2 = 10 SEUs"),
    ("if I renew my CSM three times, what are the renewal fees in total?", "3 x 100 = 300"),
    ("renewing it 4 times, how much is that?", "4 x 100 = 400"),
    # whether it is per year is a yes/no the fact answers ("every two years"), not a figure to work out
    ("and the renewal fee, is that per year?", None),
    ("my colleague says renewal is every year?", None),
    ("how long is it valid?", None),
])
def test_renewal_per_year_and_several_renewals(text: str, expected: Optional[str]) -> None:
    """"how much does renewal cost per year, roughly?" and "renew three times, what in total?" got the fee (100 USD
    every two years) with nothing worked out: the user had to do the sum the question asked for."""
    assert work(Figures(valid_months=24, renewal_fee=100, renewal_seus=20), text) == expected


RENEWING = Figures(valid_months=24, renewal_fee=100, renewal_seus=20)


@pytest.mark.parametrize("text, expected", [
    ("if I renew my CSM three times, what are the fees in total?", "3 x 100 = 300"),
    ("to renew my cspo twice, how many education units in total?", "2 x 20 SEUs = 40"),
    ("renewing it 3 times, how many SEUs is that altogether?", "3 x 20 SEUs = 60"),
    ("I hold both CSM and CSPO, do I pay the renewal fee twice or once?", None),  # the fee, not renewing twice
])
def test_renewing_several_times(text: str, expected: Optional[str]) -> None:
    assert work(RENEWING, text) == expected


def test_seconds_per_question_of_the_test_asked_and_of_the_psm() -> None:
    planner = get_planner()
    # "how much seconds": a duration asked, not a price (it got the retake fee)
    text = "how much seconds i have for each question in csm test?"
    d = planner.plan(Turn(text, "ask_requirements", 0.6, ({"entity": "certification", "value": "CSM",
                                                            "start": text.index("csm"), "end": text.index("csm") + 3},)),
                     Context())
    assert "price" not in d.asks and d.fact is not None and d.fact.id == "csm_test_format", d.trace()
    assert d.worked_out == "That is about 1.2 minutes (72 seconds) per question.", d.trace()
    # the PSM I's assessment has its own figures: 80 questions in 60 minutes
    d = planner.plan(Turn("how many seconds per question on psm i?", "ask_requirements", 0.6, ()), Context())
    assert (d.fact and d.fact.id, d.worked_out) == ("psm_assessment", "That is about 0.8 minutes (45 seconds) per question."), \
        d.trace()



def test_per_question_then_right_after_the_test_gets_it_worked_out() -> None:
    """"per question then?" right after "csm test time" got "Sorry, I'm not sure I understood" (the NLU: fallback)."""
    planner = get_planner()
    context = Context(certification="CSM", topic="requirements", fact="csm_test_format", question="csm test time")
    d = planner.plan(Turn("per question then?", "nlu_fallback", 0.3, (), unsure=True), context)
    assert (d.rule, d.worked_out) == ("said_already", "That is about 1.2 minutes (72 seconds) per question."), d.trace()


@pytest.mark.parametrize("figures, text, expected", [
    # the window: the user's own day, week or month after the course, and whether they are still in it
    (ATTEMPTS, "can I still take the test on day 61 after the course?", "yes"),
    (ATTEMPTS, "Could I sit my first CSM attempt 4 months after the welcome email for free?", "no"),
    (ATTEMPTS, "I did the course 100 days ago, do I still have free attempts?", "no"),
    (ATTEMPTS, "did the course 3 weeks ago, is it too late for the test?", "no"),
    (ATTEMPTS, "I got the welcome email 95 days ago. have my free attempts expired?", "yes"),
    (ATTEMPTS, "I'll test 3 months after the course, still free?", None),  # about 91 days: too close to say
    (ATTEMPTS, "I read you have 60 days after the course to take the test. is that the limit?", None),  # the rule as heard
    (ATTEMPTS, "csm test window: 30 days or 60 days after class?", None),
    # which attempt: free or paid
    (ATTEMPTS, "If I fail twice, is the third CSM attempt still free?", "no"),
    (ATTEMPTS, "Failed the CSM test once. Do I have to pay for another go?", "no"),
    (ATTEMPTS, "is my 2nd attempt free?", "yes"),
    (ATTEMPTS, "i failed it twice. will the next try cost me?", "yes"),
    (ATTEMPTS, "is the third attempt hard?", None),  # neither free nor paid asked
    # the validity: the certification's age
    (VALID, "My CSM is 3 years old and never renewed. Is it still active?", "no"),
    (VALID, "my cspo is 20 months old, still valid?", "yes"),
    (VALID, "got my csm 3 years ago, has it expired?", "yes"),
    (VALID, "is a 2 year old CSM valid?", None),  # the very end of the two years: the fact says it
])
def test_a_yes_no_question_the_users_figures_settle(figures: Figures, text: str, expected: Optional[str]) -> None:
    assert Worker(WORDING).verdict(figures, text) == expected


def test_the_planner_says_yes_or_no_the_figures_settle_before_the_fact() -> None:
    planner = get_planner()
    for text, start in [("can I still take the csm test on day 61 after the course?", "Yes. 61 days on"),
                        ("If I fail twice, is the third CSM attempt still free?", "No. "),
                        ("My CSM is 3 years old and never renewed. Is it still active?", "No. Certified 3 years ago")]:
        csm = ({"entity": "certification", "value": "CSM", "start": 0, "end": 0},)
        d = planner.plan(Turn(text, "ask_requirements", 0.9, csm), Context())
        reply = "\n".join(r.text for r in planned_reply(Renderer("rest"), d))
        assert reply.startswith(start) and "Source:" in reply, (text, reply)
    # not for a question asking for a figure: "how many days are left?" gets the days, with no "Yes."
    d = planner.plan(Turn("I did the csm course 70 days ago, how many days are left for the test?", "ask_requirements", 0.9, csm),
                     Context())
    assert d.polarity is None and d.worked_out.startswith("70 days on"), d.trace()


def test_in_years_right_after_months_of_experience_is_worked_out() -> None:
    """"in years?" right after the A-CSM's 12 months of experience got that fact with no year in it (before: the form)."""
    assert work(Figures(experience_months=12), "in years?") == "12 months = a year"
    assert work(Figures(experience_months=24), "how many years is that?") == "24 months = 2 years"
    assert work(Figures(experience_months=24), "I got it 2 years ago, in years?") is None  # the user's own age
    planner = get_planner()
    d = planner.plan(Turn("in years?", "out_of_scope", 0.6, (), unsure=True),
                     Context(neighbour="A-CSM", fact="acsm_experience", topic="advanced", question="a-csm experience"))
    assert d.fact is not None and d.worked_out == "At least a year (12 months).", d.trace()


def test_other_units_of_the_course_and_the_window_are_worked_out() -> None:
    """"in minutes?" right after the 16-hour course repeated the course (no minutes in it); "in weeks, how long do I
    have for the test?" and "in months, ... the test window?" had no answer in those units. The CSP's 24 months "in
    years?" got "I don't know how long it takes" (the CSP's own unknown, not its fact just given)."""
    assert work(Figures(course_hours=16), "in minutes?") == "16 hours = 960 minutes"
    assert work(Figures(course_hours=16), "how long is it?") is None
    # set 53: the course in days of a length the user gives; none given, the schedule is each trainer's (no figure)
    assert work(Figures(course_hours=16), "the CSPO course in 8-hour days - how many days?") == "16 hours = 2 days of 8"
    assert work(Figures(course_hours=16), "CSPO training, how many days is that at 8 hours a day?") == "16 hours = 2 days of 8"
    assert work(Figures(course_hours=16), "how many full days off must I take? (8h days)") == "16 hours = 2 days of 8"
    assert work(Figures(course_hours=16), "and in 6 hour days?") == "16 hours = 2.67 days of 6"
    assert work(Figures(course_hours=16), "how many days is the course?") is None
    assert work(Figures(course_hours=16), "in days, roughly?") is None
    assert work(Figures(course_hours=16), "I read the course is 2 days of 8 hours, yes?") is None  # a claim: the fact's
    assert work(ATTEMPTS, "in weeks, how long do I have?") == "90 days = 13 weeks"
    assert work(ATTEMPTS, "in months, roughly?") == "90 days = 3 months"
    assert work(ATTEMPTS, "I did the course 3 months ago, in months?") is None  # the user's own age
    planner = get_planner()
    d = planner.plan(Turn("in years?", "out_of_scope", 0.6, (), unsure=True),
                     Context(neighbour="CSP", fact="csp_level", topic="advanced", question="how much experience for CSP-PO"))
    assert d.fact is not None and d.fact.id == "csp_level" and d.worked_out == "At least 2 years (24 months).", d.trace()
    assert d.neighbours == ("CSP",), d.trace()  # the neighbour kept for what follows ("within what window?")
    d = planner.plan(Turn("in months, how long is the CSPO valid?", "ask_continuous_learning", 0.8,
                          ({"entity": "certification", "value": "CSPO", "start": 19, "end": 23},)), Context())
    assert d.fact is not None and d.fact.id == "validity" and d.worked_out == "2 years is 24 months.", d.trace()


def test_both_of_them_right_after_a_fact_is_that_fact_for_both() -> None:
    """"both of them?" right after how long the CSM is valid got the article's advice to consider both certifications
    (rule goal_guide: the NLU took it for a wish for both); now the fact just given, "Yes, the same for both." first
    when it speaks of both, or with its counterpart when it speaks of one. The form's opening accepts it."""
    from actions.decision import FORM, accepted

    planner = get_planner()
    d = planner.plan(Turn("both of them?", "ask_recommendation", 0.7, ()),
                     Context(certification="CSM", topic="renewal", fact="validity", question="How long is the CSM valid?"))
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("both_of_last", "validity", "same_yes"), d.trace()
    assert accepted(FORM, d)
    d = planner.plan(Turn("for both?", "ask_recommendation", 0.7, ()),
                     Context(certification="CSM", topic="requirements", fact="csm_course_length", question="csm course length"))
    assert d.rule == "both_of_last" and [d.fact.id, *(a.fact.id for a in d.also)] == ["csm_course_length", "cspo_course_length"]
    # no answer before: no fact to go on from
    assert planner.plan(Turn("both of them?", "ask_recommendation", 0.7, ()), Context()).rule != "both_of_last"


@pytest.mark.parametrize("text", [
    "i was born on 3 may and the course is on 1 june, how long do i have?",  # (the first day is no email or course)
    "email on 1 march, test on 5 april, course on 2 june?",  # three days: which two is not said
    "email came on 31 april, test on 2 may?",  # no such day
])
def test_two_days_of_a_month_only_from_the_email_or_the_course(text: str) -> None:
    assert work(ATTEMPTS, text) is None


def test_two_days_of_a_month_settle_a_yes_no_question_on_the_window() -> None:
    worker = Worker(WORDING)
    assert worker.verdict(ATTEMPTS, "my welcome email came on 1 march. is 15 may still inside the free window?") == "yes"
    assert worker.verdict(ATTEMPTS, "welcome email on 10 january, is 20 april too late?") == "yes"


def test_the_day_the_window_counts_from_said_in_the_message_before() -> None:
    """"My CSM welcome email came on 10 January." then "Can I do my first free attempt on 20 April?" got the attempts
    without "No." (set 49): the day said before is read with the one asked about."""
    planner = get_planner()
    text = "Can I do my first free attempt on 20 April?"
    context = Context(question="My CSM welcome email came on 10 January.", certification="CSM")
    decision = planner.plan(Turn(text, "ask_requirements", 0.9, ()), context)
    assert decision.polarity == "no" and "100 days" in (decision.worked_out or ""), decision.trace()
    # a day of its own and one before: only its own ("on 1 March ... 15 May?" has two already)
    decision = planner.plan(Turn("my welcome email came on 1 March, is 15 May ok for the test?", "ask_requirements", 0.9, ()),
                            Context(question="I did the course on 2 January.", certification="CSM"))
    assert "75 days" in (decision.worked_out or ""), decision.trace()


def test_the_day_the_window_ends_from_the_welcome_email_day() -> None:
    """"My welcome email came on 1 March. Until when can I use my free attempts?": 90 days on, about 30 May (the year only
    when the user wrote one); not from the course's day (the email comes after it), nor with a second day asked about."""
    worker, figures = Worker(WORDING), Figures(window_days=90)
    assert worker.work_out(figures, "my welcome email came on 1 march. until roughly when can i use my attempts?") == \
        "1 March + 90 = 30 May"
    assert worker.work_out(figures, "welcome email on 10 january 2026, what is the last day?") == \
        "10 January 2026 + 90 = 10 April 2026"
    assert worker.work_out(figures, "i did the course on 3 june, when do the attempts expire?") is None
    assert worker.work_out(figures, "how long is the window?") is None
    assert window_start("the email came on 1 march. is 15 may ok?") is None  # (two days: days_between's)


def test_a_date_said_in_the_message_before_is_worked_out_with_when_asked() -> None:
    planner = get_planner()
    for before, text, start in (("I got my CSPO in May 2026.", "when does it expire then?", "It stays valid until May 2028"),
                                ("My CSM welcome email is due on 1 December.", "so until when can I use the free attempts?",
                                 "Your free attempts run until about 1 March")):
        d = planner.plan(Turn(text, "ask_continuous_learning", 0.9, ()), Context(question=before))
        assert d.worked_out.startswith(start), d.trace()
    # ... only when the question asks when: "what does the renewal cost?" gets the fee
    d = planner.plan(Turn("what does the renewal cost?", "ask_cost", 0.9, ()), Context(question="I got my CSM in 2025"))
    assert not d.worked_out, d.trace()
    # what the user tells in a part before the question: "I got the CSPO in October 2025; when does it run out?"
    d = planner.plan(Turn("I got the CSPO in October 2025; when does it run out?", "ask_continuous_learning", 0.9, ()),
                     Context())
    assert d.worked_out == "It stays valid until October 2027: renew by then.", d.trace()


def test_two_attempts_named_by_their_order_cost_what_the_paid_ones_do() -> None:
    worker, figures = Worker(WORDING), Figures(free_attempts=2, attempt_fee=25)
    assert worker.work_out(figures, "if i need a third and a fourth attempt, what would those two cost together?") == \
            "4 2 2 50"
    assert worker.work_out(figures, "the first and second attempts cost what?") is None  # (both free: nothing to work out)
