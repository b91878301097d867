"""Issue 20's four figures on the independent fact sets (tests/facts/independent-*.yml, written by
people who saw only ../shared/reference/), through the real NLU model and the advisor's own routing
and answer planner (scripts/measure_planner.py, which a live run of scripts/score_facts.py agrees with).

The floors are what the advisor measured when the set was last changed, minus a small margin: a
change that answers fewer questions right, states more wrong facts, or says "I don't know" less often
fails here. Sets 1 to 16 have been tuned against (they are training data for the mechanisms now); each
was measured fresh before (set 9: 0.901 / 0.064 / 0.818 / 0.017 / 0.655; set 10: 0.853 / 0.077 / 0.432 /
0.041 / 0.808; set 10's "not known" needs the topic named; set 11:
0.835 / 0.097 / 0.727 / 0.031 / 0.765; set 12: 0.870 / 0.058 / 0.633 / 0.030 / 0.810, its "not known" also
needs the topic named; set 13: 0.819 / 0.083 / 0.714 / 0.044 / 0.724, the same; set 14: 0.864 / 0.048 /
0.622 / 0.062 / 0.808; set 15: 0.803 / 0.121 / 0.915 / 0.046 / 0.612; set 16, not tuned against: 0.846 /
0.052 / 0.630 / 0.060 / 0.787, 0.853 / 0.043 / 0.630 / 0.060 / 0.820 after three regressions it showed were fixed,
then tuned against; set 17: 0.790 / 0.102 / 0.719 / 0.050 / 0.688, 0.798 / 0.107 / 0.719 / 0.038 / 0.688 after the
tuning on 16, before it was looked at). The
issue's targets are above these floors: see tests/facts/README.md.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping

import pytest

from actions import yamlload
from tests.support.stack import model_path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

# set -> (right first >=, wrong of all <=, honest not known >=, abstained when known <=, follow-ups right >=)
FLOORS: Mapping[str, Dict[str, float]] = {
    "independent-1.yml": {"right_first": 0.85, "wrong_of_all": 0.025, "honest_not_known": 0.97,
                          "abstained_when_known": 0.05, "followups_right": 0.92},
    "independent-2.yml": {"right_first": 0.84, "wrong_of_all": 0.055, "honest_not_known": 0.95,
                          "abstained_when_known": 0.06, "followups_right": 0.90},
    "independent-3.yml": {"right_first": 0.88, "wrong_of_all": 0.035, "honest_not_known": 0.97,
                          "abstained_when_known": 0.06, "followups_right": 0.87},
    "independent-4.yml": {"right_first": 0.86, "wrong_of_all": 0.035, "honest_not_known": 0.93,
                          "abstained_when_known": 0.045, "followups_right": 0.94},
    "independent-5.yml": {"right_first": 0.90, "wrong_of_all": 0.04, "honest_not_known": 0.97,
                          "abstained_when_known": 0.02, "followups_right": 0.90},
    "independent-6.yml": {"right_first": 0.83, "wrong_of_all": 0.065, "honest_not_known": 0.97,
                          "abstained_when_known": 0.045, "followups_right": 0.91},
    "independent-7.yml": {"right_first": 0.89, "wrong_of_all": 0.045, "honest_not_known": 0.95,
                          "abstained_when_known": 0.035, "followups_right": 0.80},
    "independent-8.yml": {"right_first": 0.83, "wrong_of_all": 0.085, "honest_not_known": 0.91,
                          "abstained_when_known": 0.045, "followups_right": 0.76},
    "independent-11.yml": {"right_first": 0.86, "wrong_of_all": 0.07, "honest_not_known": 0.70,
                           "abstained_when_known": 0.045, "followups_right": 0.78},
    "independent-10.yml": {"right_first": 0.86, "wrong_of_all": 0.07, "honest_not_known": 0.47,
                           "abstained_when_known": 0.05, "followups_right": 0.78},
    "independent-12.yml": {"right_first": 0.86, "wrong_of_all": 0.065, "honest_not_known": 0.65,
                           "abstained_when_known": 0.045, "followups_right": 0.78},
    "independent-9.yml": {"right_first": 0.89, "wrong_of_all": 0.05, "honest_not_known": 0.93,
                          "abstained_when_known": 0.03, "followups_right": 0.76},
    "independent-13.yml": {"right_first": 0.82, "wrong_of_all": 0.065, "honest_not_known": 0.73,
                           "abstained_when_known": 0.06, "followups_right": 0.75},
    # measured fresh at session 6's end; tuned against (pooled with 1-13) in sessions 7 and 8
    "independent-14.yml": {"right_first": 0.84, "wrong_of_all": 0.06, "honest_not_known": 0.60,
                           "abstained_when_known": 0.075, "followups_right": 0.78},
    # measured fresh in session 8 (tests/facts/README.md), then tuned against
    "independent-15.yml": {"right_first": 0.87, "wrong_of_all": 0.06, "honest_not_known": 0.91,
                           "abstained_when_known": 0.05, "followups_right": 0.69},
    # measured fresh at session 8's end, tuned against in session 9
    "independent-16.yml": {"right_first": 0.88, "wrong_of_all": 0.045, "honest_not_known": 0.94,
                           "abstained_when_known": 0.03, "followups_right": 0.82},
    # measured fresh in session 9 (0.790 / 0.102 / 0.719 / 0.050 / 0.688 with the session's first code), then tuned against
    "independent-17.yml": {"right_first": 0.85, "wrong_of_all": 0.06, "honest_not_known": 0.97,
                           "abstained_when_known": 0.05, "followups_right": 0.70},
    # measured fresh in session 10 (0.797 / 0.098 / 0.740 / 0.057 / 0.677 with the session's first code), then tuned against
    "independent-18.yml": {"right_first": 0.83, "wrong_of_all": 0.065, "honest_not_known": 0.84,
                           "abstained_when_known": 0.055, "followups_right": 0.70},
    # measured fresh in session 11 (0.848 / 0.065 / 0.778 / 0.051 / 0.703 with the session's second commit), then tuned
    "independent-19.yml": {"right_first": 0.88, "wrong_of_all": 0.055, "honest_not_known": 0.84,
                           "abstained_when_known": 0.05, "followups_right": 0.70},
    # measured fresh at session 11's end (0.879 / 0.060 / 0.788 / 0.049 / 0.632), tuned against in session 12
    "independent-20.yml": {"right_first": 0.89, "wrong_of_all": 0.06, "honest_not_known": 0.76,
                           "abstained_when_known": 0.04, "followups_right": 0.66},
    # measured fresh in session 12 (0.855 / 0.070 / 0.735 / 0.048 / 0.604 on 9c2fe95), then tuned against
    "independent-21.yml": {"right_first": 0.87, "wrong_of_all": 0.06, "honest_not_known": 0.71,
                           "abstained_when_known": 0.05, "followups_right": 0.60},
    # measured fresh in session 12 (0.873 / 0.051 / 0.771 / 0.054 / 0.654 on cd97153), tuned against in session 13
    "independent-22.yml": {"right_first": 0.89, "wrong_of_all": 0.035, "honest_not_known": 0.75,
                           "abstained_when_known": 0.06, "followups_right": 0.66},
    # written and measured fresh in session 13 (0.814 / 0.122 / 0.686 / 0.007 / 0.660 on b322224, the session's
    # start; 0.814 / 0.119 / 0.706 / 0.007 / 0.670 with its first changes, made on set 22), then tuned against
    "independent-23.yml": {"right_first": 0.87, "wrong_of_all": 0.08, "honest_not_known": 0.84,
                           "abstained_when_known": 0.02, "followups_right": 0.76},
    # written at session 13's end, measured on its first and last code (0.897 / 0.045 / 0.750 / 0.040 / 0.705 on b322224,
    # 0.912 / 0.048 / 0.769 / 0.033 / 0.716 on bd4b6a1); only the 9 replies the session's changes altered were looked
    # at (2 of the 3 worse ones fixed with two known unknowns: 0.912 / 0.048 / 0.808 / 0.033 / 0.716); tuned against in
    # session 14 (0.941 / 0.031 / 0.942 / 0.018 / 0.758 on its last code)
    "independent-24.yml": {"right_first": 0.92, "wrong_of_all": 0.04, "honest_not_known": 0.90,
                           "abstained_when_known": 0.03, "followups_right": 0.73},
    # written in session 14 by a helper given only the reference, measured on the session's first and last code
    # (0.827 / 0.064 / 0.750 / 0.054 / 0.714 on 6fbd322; 0.841 / 0.062 / 0.788 / 0.047 / 0.736 on its last code);
    # tuned against in session 15 (0.892 / 0.033 / 0.904 / 0.032 / 0.802 on its last code)
    "independent-25.yml": {"right_first": 0.88, "wrong_of_all": 0.04, "honest_not_known": 0.88,
                           "abstained_when_known": 0.04, "followups_right": 0.79},
    # written in session 15 (phone and voice typing, non-native English) by a helper given only the reference;
    # measured untouched on the session's first code and twice more with 0 of 395 replies changed
    # (0.921 / 0.035 / 0.731 / 0.031 / 0.775), then tuned against (0.949 / 0.020 / 0.827 / 0.020 / 0.831)
    "independent-26.yml": {"right_first": 0.93, "wrong_of_all": 0.025, "honest_not_known": 0.80,
                           "abstained_when_known": 0.03, "followups_right": 0.81},
    # written in session 15 (Slack and chat-widget style) by a helper given only the reference; not tuned against in
    # session 15: measured on its first code (0.878 / 0.052 / 0.865 / 0.049 / 0.750) and its last (0.898 / 0.055 /
    # 0.865 / 0.024 / 0.774); tuned against in session 16 (0.911 / 0.042 / 0.865 / 0.033 / 0.810 on its last code)
    "independent-27.yml": {"right_first": 0.90, "wrong_of_all": 0.045, "honest_not_known": 0.84,
                           "abstained_when_known": 0.035, "followups_right": 0.80},
    # written in session 16 (chat widget and Telegram: search-box fragments, typos, "is it true that" claims,
    # conditional situations, mixed-up certifications) by a helper given only the reference; not tuned against in
    # session 16: measured on its first code (0.891 / 0.043 / 0.849 / 0.043 / 0.719) and its last (0.891 / 0.043 /
    # 0.849 / 0.043 / 0.742); tuned against in session 17 (0.918 / 0.038 / 0.962 / 0.019 / 0.764 on its last code)
    "independent-28.yml": {"right_first": 0.90, "wrong_of_all": 0.045, "honest_not_known": 0.92,
                           "abstained_when_known": 0.03, "followups_right": 0.74},
    # written in session 17 (voice transcripts, managers asking for others, negated and leading questions, units,
    # "which one is longer/cheaper", polite e-mails, one-word queries) by a helper given only the reference; NOT tuned
    # against: measured on the session's first code (0.856 / 0.059 / 0.731 / 0.024 / 0.753) and its last (0.860 /
    # 0.057 / 0.731 / 0.024 / 0.765); only the counts of changed verdicts were looked at
    "independent-29.yml": {"right_first": 0.85, "wrong_of_all": 0.065, "honest_not_known": 0.71,
                           "abstained_when_known": 0.035, "followups_right": 0.74},
    # written in session 17 in set 29's style by another helper given only the reference, so that set 29 could stay
    # untouched; measured on the session's first code (0.851 / 0.053 / 0.769 / 0.071 / 0.791), then tuned against
    # (0.898 / 0.033 / 0.846 / 0.047 / 0.826)
    "independent-30.yml": {"right_first": 0.88, "wrong_of_all": 0.045, "honest_not_known": 0.82,
                           "abstained_when_known": 0.055, "followups_right": 0.80},
    # written in session 18 (non-native English, text-speak, dates and arithmetic, hypotheticals, mixed-up names, forum
    # posts, roles outside the article's list, new kinds of unknowns) by a helper given only the reference; measured on
    # the session's first code (0.710 / 0.141 / 0.462 / 0.073 / 0.659), then tuned against (0.764 / 0.109 / 0.904 /
    # 0.058 / 0.741)
    "independent-31.yml": {"right_first": 0.76, "wrong_of_all": 0.115, "honest_not_known": 0.90,
                           "abstained_when_known": 0.065, "followups_right": 0.75},
    # written in session 18 in set 31's style by another helper given only the reference, so that it could stay
    # untouched; not tuned against in session 18: measured on its first code (0.780 / 0.090 / 0.673 / 0.056 / 0.800) and
    # its last (0.796 / 0.080 / 0.712 / 0.056 / 0.800); tuned against in sessions 19 and 20 (0.832 / 0.052 / 0.712 / 0.052 /
    # 0.871)
    "independent-32.yml": {"right_first": 0.82, "wrong_of_all": 0.055, "honest_not_known": 0.69,
                           "abstained_when_known": 0.06, "followups_right": 0.86},
    # written in session 19 (voice dictation, search-box fragments, claims to check (half true), managers buying for
    # others, negations and "which one", life stories with the question buried, units mixed up, new unknowns, follow-ups
    # like "are you sure?" and "and in hours?") by a helper given only the reference; NOT tuned against in session 19:
    # measured on its first code (0.740 / 0.072 / 0.692 / 0.104 / 0.628) and its last (0.744 / 0.067 / 0.692 / 0.096 /
    # 0.674); tuned against in session 20 (0.772 / 0.057 / 0.692 / 0.084 / 0.709)
    "independent-33.yml": {"right_first": 0.76, "wrong_of_all": 0.06, "honest_not_known": 0.67,
                           "abstained_when_known": 0.09, "followups_right": 0.70},
    # written in session 20 (non-native English, heavy typos, chatty openers and thanks, comparisons, students and next
    # steps, hypotheticals and small sums, wrong names and bodies, new unknowns, follow-ups like "in euros?" and "is that
    # per year?") by a helper given only the reference; NOT tuned against in session 20: measured on its first code
    # (0.679 / 0.158 / 0.654 / 0.084 / 0.462) and its last (0.691 / 0.156 / 0.654 / 0.076 / 0.495); tuned against in
    # session 21 (0.731 / 0.120 / 0.942 / 0.076 / 0.593)
    "independent-34.yml": {"right_first": 0.72, "wrong_of_all": 0.125, "honest_not_known": 0.92,
                           "abstained_when_known": 0.08, "followups_right": 0.58},
    # written in session 21 (search-box keywords, life stories with the question inside, voice typing, managers and HR
    # asking for others, claims to check, negations and exceptions, conditions and two-part questions, new unknowns) by
    # a helper given only the reference; NOT tuned against in session 21: measured on its first code (0.737 / 0.117 /
    # 0.556 / 0.080 / 0.568) and its last (0.741 / 0.117 / 0.556 / 0.076 / 0.568); tuned against in session 22 (0.781 /
    # 0.094 / 0.574 / 0.064 / 0.602)
    "independent-35.yml": {"right_first": 0.78, "wrong_of_all": 0.095, "honest_not_known": 0.57,
                           "abstained_when_known": 0.065, "followups_right": 0.60},
    # written in session 22 (non-native English, nicknames for things, holders asking what applies to them, comparisons,
    # sums, 1-4 word messages, formal e-mails) by a helper given only the reference; NOT tuned against: measured on the
    # session's first code (0.657 / 0.168 / 0.673 / 0.106 / 0.632) and its last (0.665 / 0.163 / 0.673 / 0.106 / 0.632);
    # only the counts were looked at; tuned against in session 23 (0.713 / 0.135 / 0.673 / 0.091 / 0.678)
    "independent-36.yml": {"right_first": 0.71, "wrong_of_all": 0.135, "honest_not_known": 0.67,
                           "abstained_when_known": 0.091, "followups_right": 0.67},
    # written in session 23 (Slack and Teams messages, words mixed up, time and money sums, the user's situation,
    # negative and double-negative questions, true-or-false claims, 1-3 word messages, new unknowns such as refunds,
    # rescheduling, paper certificates, the test on a phone) by a helper given only the reference; NOT tuned against:
    # measured on the session's first code (0.591 / 0.260 / 0.615 / 0.081 / 0.528) and its last (0.595 / 0.258 / 0.615 /
    # 0.081 / 0.528); only the counts were looked at; tuned against in session 24 (0.737 / 0.157 / 0.615 / 0.073 / 0.596;
    # 0.749 / 0.149 / 0.615 / 0.073 / 0.596 after session 25)
    "independent-37.yml": {"right_first": 0.74, "wrong_of_all": 0.155, "honest_not_known": 0.61,
                           "abstained_when_known": 0.075, "followups_right": 0.59},
    # written in session 24 (voice-assistant transcripts, second-language English and misspellings, long rambling
    # messages, a number heard elsewhere to check, comparisons, other people's perspective, pronoun chains, new unknowns
    # such as the test's languages, accommodations, group discounts, class size) by a helper given only the reference;
    # NOT tuned against: measured on the session's first code (0.694 / 0.193 / 0.769 / 0.056 / 0.533) and after the
    # facts' assertions (0.754 / 0.142 / 0.769 / 0.056 / 0.589); only the counts were looked at; tuned against in
    # session 25 (0.802 / 0.099 / 0.769 / 0.056 / 0.644)
    "independent-38.yml": {"right_first": 0.79, "wrong_of_all": 0.105, "honest_not_known": 0.76,
                           "abstained_when_known": 0.06, "followups_right": 0.63},
    # written in session 25 (chat-app shorthand and bare keywords, tag and negated questions, false premises, dates and
    # sums, formal e-mails, the article's personas, hypotheticals, new unknowns such as refunds, instalments, AI tools
    # in the test, minimum age) by a helper given only the reference; NOT tuned against: measured on the session's
    # first code (0.766 / 0.135 / 0.615 / 0.048 / 0.764) and before tuning (0.770 / 0.130 / 0.615 / 0.048 / 0.775); tuned
    # against later in session 25 (0.786 / 0.115 / 0.635 / 0.048 / 0.787)
    # (session 32: the abstention ceilings of sets 39, 41, 42 and 45 raised by one or two questions each, "is PSM I cheaper
    # than the CSM?" and the like, whose honest not-known now says "I don't know the price ..." plainly: judged
    # "abstained", no longer "other")
    "independent-39.yml": {"right_first": 0.78, "wrong_of_all": 0.12, "honest_not_known": 0.63,
                           "abstained_when_known": 0.053, "followups_right": 0.78},
    # written in session 25 (statements to confirm without a question mark, plans and timelines to check against the
    # rules, holders of one certification asking about the other, impatient or rude users, pasted text and markdown,
    # numbers as "48h" or "a hundred bucks", mixed-language messages, new unknowns such as pausing the test, lunch in the
    # course, how many CSTs exist) by a helper given only the reference; NOT tuned against: measured on the session's
    # first code (0.589 / 0.211 / 0.635 / 0.073 / 0.551) and its last (0.593 / 0.206 / 0.635 / 0.073 / 0.562); only the
    # counts were looked at; tuned against in session 26 (0.669 / 0.157 / 0.635 / 0.073 / 0.584); session 27 (0.669 /
    # 0.154 / 0.712 / 0.077 / 0.596: one wrong fact became an "I don't know", f134); session 28 (0.677 / 0.149 / 0.808 /
    # 0.077 / 0.607)
    "independent-40.yml": {"right_first": 0.67, "wrong_of_all": 0.155, "honest_not_known": 0.80,
                           "abstained_when_known": 0.08, "followups_right": 0.60},
    # written in session 26 (search-engine keyword strings, quizzes and fill-in-the-blanks, "what if" questions about the
    # rules, definitions and wrong names, step-by-step procedures, doubting follow-ups, long paragraphs, accessibility and
    # devices, new unknowns such as test languages, tax, group discounts, the A-CSPO's price) by a helper given only the
    # reference; NOT tuned against: measured on the session's first code (0.845 / 0.084 / 0.596 / 0.032 / 0.640); tuned
    # against in session 27 (0.865 / 0.074 / 0.769 / 0.032 / 0.719); session 28 (0.869 / 0.074 / 0.846 / 0.028 / 0.742)
    "independent-41.yml": {"right_first": 0.86, "wrong_of_all": 0.075, "honest_not_known": 0.84,
                           "abstained_when_known": 0.033, "followups_right": 0.74},
    # written in session 27 (comparisons and superlatives, third parties asking for someone else, small calculations from
    # the rules, negated and leading questions, one-to-four-word messages and texting shorthand, voice-dictation
    # transcripts, the same fact in another unit, follow-ups changing certification and topic at once, new unknowns
    # such as transferring a certificate, refunds, the average score) by a helper given only the reference; NOT tuned
    # against: measured on the session's first code, 9634972 (0.759 / 0.159 / 0.462 / 0.032 / 0.560); tuned against in
    # session 28 (0.814 / 0.114 / 0.635 / 0.032 / 0.670)
    "independent-42.yml": {"right_first": 0.81, "wrong_of_all": 0.115, "honest_not_known": 0.63,
                           "abstained_when_known": 0.04, "followups_right": 0.66},
    # written in session 28 (threshold and "still allowed?" checks built on the rules, answer-first questions, rounded
    # figures to check, indirect and polite framings, Title Case headlines, journalists, recruiters and FAQ writers,
    # lists and enumerations, British spelling and abbreviations, follow-ups asking about the answer, new unknowns such
    # as negative marking, study time, student discounts) by a helper given only the reference; measured untouched on
    # session 28's first code, 3a084df (0.697 / 0.168 / 0.519 / 0.052 / 0.622); tuned against in session 29, after which
    # 0.757 / 0.132 / 0.654 / 0.040 / 0.667
    "independent-43.yml": {"right_first": 0.75, "wrong_of_all": 0.135, "honest_not_known": 0.65,
                           "abstained_when_known": 0.045, "followups_right": 0.66},
    # written in session 29 (imperatives, "vs" and slashes, where/who/when questions, unit conversions, CAPS and
    # fragments, repair and correction follow-ups, new personas, new unknowns such as PMI PDUs and adaptive tests) by a
    # helper given only the reference; NOT tuned against: measured on the session's first code, 0e1cee6 (0.809 / 0.101 /
    # 0.519 / 0.062 / 0.761)
    # (tuned against in session 30: 0.828 / 0.076 / 1.0 / 0.055 / 0.807)
    "independent-44.yml": {"right_first": 0.82, "wrong_of_all": 0.08, "honest_not_known": 0.98,
                           "abstained_when_known": 0.06, "followups_right": 0.80},
    # written in session 30 (obligation and option questions, minimum / maximum framings, answer-format requests, true or
    # false statements, heavy misspellings, other bodies (Scrum.org, PMI, SAFe), conditional questions, new personas,
    # follow-ups that narrow or check the last answer, new unknowns such as an ID check or a free course retake) by a helper
    # given only the reference; measured untouched on the session's first code, 875eff2 (0.704 / 0.201 / 0.673 / 0.051 / 0.528)
    # (tuned against later in session 30: 0.719 / 0.183 / 0.692 / 0.047 / 0.607)
    "independent-45.yml": {"right_first": 0.72, "wrong_of_all": 0.185, "honest_not_known": 0.72,
                           "abstained_when_known": 0.052, "followups_right": 0.60},
    # written in session 30 (false premises to correct, what is included or counted, order of steps, people who already did
    # something, two questions joined by "and also", "is it true that" / "correct me if I'm wrong", slang, new personas,
    # ordinal and demonstrative follow-ups, new unknowns such as the question bank's size) by a helper given only the
    # reference; NOT tuned against: measured on the session's first code, 875eff2 (0.663 / 0.166 / 0.615 / 0.078 / 0.670)
    # ... then tuned against in session 31 (0.714 / 0.131 / 0.673 / 0.071 / 0.714 after it; 0.725 / 0.123 / 0.673 / 0.071 /
    # 0.714 after session 32)
    "independent-46.yml": {"right_first": 0.72, "wrong_of_all": 0.125, "honest_not_known": 0.66,
                           "abstained_when_known": 0.075, "followups_right": 0.71},
    # written in session 31 (support tickets and e-mail threads with quoted text, hedged and approximate asks, fill-in-the-
    # blank, Gen-Z slang and emoji, how-to questions, the user's own timeline, both certifications "respectively", "explain
    # like I'm five", new personas, follow-ups such as "say that again but shorter" and "where does it say that?", new
    # unknowns such as refunds, score breakdowns and renewal processing time) by a helper given only the reference; NOT tuned
    # against: measured on the session's first code, 94f8f29 (0.743 / 0.141 / 0.724 / 0.055 / 0.656)
    # ... then tuned against in session 32 (0.806 / 0.101 / 0.793 / 0.043 / 0.720 after it)
    "independent-47.yml": {"right_first": 0.80, "wrong_of_all": 0.105, "honest_not_known": 0.79,
                           "abstained_when_known": 0.045, "followups_right": 0.71},
    # written in session 32 (voice-typed messages, non-native English, negative and tag questions, comparisons to settle,
    # questions buried in a story or a rant, numbered two-part lists, managers asking for their team, misspelt names,
    # "what happens if" scenarios, new personas, follow-ups such as "in months?", "the second one", "so what's the total?",
    # new unknowns such as group discounts, tax, visas and accessibility) by a helper given only the reference; NOT tuned
    # against: measured on the session's first code, 64aede2 (0.727 / 0.148 / 0.722 / 0.070 / 0.622), and on its last
    # (0.734 / 0.142 / 0.741 / 0.070 / 0.633)
    # ... then tuned against in session 33 (0.824 / 0.088 / 0.759 / 0.055 / 0.656 after it)
    "independent-48.yml": {"right_first": 0.82, "wrong_of_all": 0.09, "honest_not_known": 0.75,
                           "abstained_when_known": 0.056, "followups_right": 0.65},
    # written in session 33 (questions split over several messages and corrections sent after them, "X or Y?" choices,
    # numbers as words or "1h", "a fortnight", world Englishes, requests about the format ("TL;DR", "just yes or no"),
    # references to what the bot or a source said, hashtags and markdown, the user's plans by date or count, new personas,
    # new unknowns such as results shown at once, pausing the test, dress code, refunds and class size) by a helper given
    # only the reference; NOT tuned against: measured on the session's first code, 3c7ec2e (0.761 / 0.133 / 0.722 / 0.075
    # / 0.622), and on its last, the same (no verdict changed)
    # ... then tuned against in session 34 (0.820 / 0.108 / 0.759 / 0.047 / 0.667 after it)
    "independent-49.yml": {"right_first": 0.81, "wrong_of_all": 0.11, "honest_not_known": 0.75,
                           "abstained_when_known": 0.05, "followups_right": 0.66},
    # written in session 34 (indirect and embedded questions, distractor numbers and dates that are not the answer,
    # exclusion and scope words ("apart from the course fee"), who / where / by whom questions, one certification asked
    # about while both are named, "why" and "since when" questions, new personas (a nurse, an accountant, a pilot, a
    # retiree ...), follow-ups such as "why?", "since when?", "so both then?", new unknowns such as a practice test,
    # immigration points, a QR code on the certificate and waiting periods) by a helper given only the reference; NOT
    # tuned against: measured on the session's first code, 7f0b45b (0.741 / 0.147 / 0.808 / 0.090 / 0.568), and on its
    # last (0.741 / 0.152 / 0.808 / 0.086 / 0.557: 1 better, 2 worse, both "who grants it?" no longer getting the funding
    # not-known the judge accepted)
    # ... then tuned against in session 35 (0.847 / 0.094 / 0.808 / 0.063 / 0.591 after it)
    "independent-50.yml": {"right_first": 0.84, "wrong_of_all": 0.095, "honest_not_known": 0.80,
                           "abstained_when_known": 0.065, "followups_right": 0.59},
    # written in session 35 (hypothetical scenarios with concrete details, comparisons where the reference gives both
    # values, negative and tag questions with true and false premises, learner English and a few words of other
    # languages, self-corrections ("the CSM - sorry, CSPO - course"), order and frequency, new personas (a journalist, a
    # recruiter, a lawyer, a chef ...), new unknowns such as a same-day retake, a calculator, extra time, refunds) by a
    # helper given only the reference; NOT tuned against: measured on the session's first code, 56e3c2e (0.690 / 0.159 /
    # 0.818 / 0.094 / 0.717), and on its last (0.698 / 0.162 / 0.818 / 0.082 / 0.717)
    # ... then tuned against in session 36 (0.761 / 0.132 / 0.818 / 0.067 / 0.717 after it)
    "independent-51.yml": {"right_first": 0.76, "wrong_of_all": 0.135, "honest_not_known": 0.81,
                           "abstained_when_known": 0.07, "followups_right": 0.71},
    # written in session 36 (claims to verify, true and false, with and without numbers ("my colleague swears the PO
    # one has a 50-question test, true?"), long backstories with the question buried inside, both certifications named
    # and one asked about, dates and arithmetic on stated facts, a formal and old-fashioned register, misspelt and
    # informal names ("CMS", "CPSO", "the SM badge"), analogies (a driving licence, a formality), team questions, new
    # personas (a veteran, a teacher, a data scientist, a QA tester, a UX designer, a founder, a volunteer, a translator
    # ...), follow-ups that challenge ("are you sure?", "source?", "say that more simply"), new unknowns (a phone, time
    # zones, group discounts, a mailed certificate, holders worldwide, LinkedIn, a job guarantee, pausing the test ...))
    # by a helper given only the reference; NOT tuned against: measured on the session's first code, 9c0ed71 (0.646 /
    # 0.148 / 0.836 / 0.125 / 0.602), and on its last (0.650 / 0.148 / 0.818 / 0.121 / 0.602)
    # ... then tuned against in session 37 (0.759 / 0.098 / 0.855 / 0.070 / 0.670 after it)
    "independent-52.yml": {"right_first": 0.75, "wrong_of_all": 0.10, "honest_not_known": 0.85,
                           "abstained_when_known": 0.075, "followups_right": 0.66},
    # written in session 37 (fronted and cleft sentences ("the product owner test - how many questions?", "what I'd like
    # to find out is ..."), obligation and permission wording ("must I", "am I allowed to", "is it mandatory"), emotional
    # users, parenthetical asides and quoted terms ("the CSM (the scrum master one)", "what's an 'SEU'"), time adverbs
    # (still, anymore, these days) and questions about the future, unit and form changes (the exam in hours, the pass mark
    # as 37 of 50), chatter and sign-offs after the question, new personas (a nurse, a lawyer, an airline pilot, a chef, a
    # civil servant, a PhD student, an HR manager, a school principal ...), follow-ups that narrow, convert or correct ("no,
    # I meant the other one", "what's that in hours?", "is that per year?"), new unknowns (accommodations, test languages,
    # refunds, a trainer's pass rate, result times, a verifiable certificate number, a minimum age, tax, another body's
    # CPD/PDUs, a retake wait, class size, lunch, next year's fees ...)) by a helper given only the reference; NOT tuned
    # against: measured on the session's first code, 5bc77a3 (0.754 / 0.151 / 0.691 / 0.067 / 0.800), and on its last
    # (0.774 / 0.146 / 0.691 / 0.060 / 0.800); tuned against in session 38 (0.845 / 0.103 / 0.727 / 0.052 / 0.800 after it)
    "independent-53.yml": {"right_first": 0.84, "wrong_of_all": 0.105, "honest_not_known": 0.72,
                           "abstained_when_known": 0.055, "followups_right": 0.79},
    # written in session 38 (imperatives and requests with no question mark ("tell me the CSM pass mark", "walk me through
    # getting the CSPO step by step", "explain the CSM test like I'm five"), quiz and worksheet formats (fill-in-the-blank,
    # the user's own a/b/c options, "true or false:", matching, a teacher writing quiz items), headline and title case,
    # ALL CAPS, run-on messages with no punctuation, hedged premises true and false ("I might be misremembering, but isn't
    # the CSM test 40 questions?"), claims quoted from a policy, wiki or colleague, sequence and process questions (what
    # comes after the course, the last step), new personas (a firefighter, a farmer turned developer, a dentist, a
    # musician, a social worker, a sports coach, an insurance underwriter, a flight attendant, a museum curator, a bank
    # teller, a high-school student ...), terse follow-ups ("PO?", "hours?", "💰?", "the latter?", "which is longer?",
    # "why?", "since when?"), 55 new unknown subjects (a dark mode, rating a trainer, how many CSTs, instalments, the fee
    # in yen, a pin posted to you, government contracts, declining the licence agreement, the question bank's size ...))
    # by a helper given only the reference; NOT tuned against: measured on the session's first code, c267b99 (0.717 /
    # 0.117 / 0.745 / 0.097 / 0.533), and on its last (0.721 / 0.114 / 0.745 / 0.097 / 0.533)
    "independent-54.yml": {"right_first": 0.715, "wrong_of_all": 0.12, "honest_not_known": 0.74,
                           "abstained_when_known": 0.10, "followups_right": 0.53},
}


def _ratio(text: str) -> float:
    return float(text.split("=")[1])


_PARSED: Dict[str, Any] = {}


@pytest.fixture(scope="module")
def planner() -> Any:
    from actions.compose import get_planner

    return get_planner()


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_independent_set_meets_its_floors(name: str, planner: Any) -> None:
    from measure_facts import parse_all
    from measure_planner import measure

    questions: List[Dict[str, Any]] = yamlload.safe_load((ROOT / "tests" / "facts" / name).read_text())["questions"]
    texts = list(dict.fromkeys(t for q in questions for t in list(q.get("previous") or []) + [q["text"]]))
    missing = [t for t in texts if t not in _PARSED]  # the sets share some texts: each is parsed once
    _PARSED.update(zip(missing, parse_all(str(model_path()), missing), strict=True))
    parses = {t: _PARSED[t] for t in texts}
    result = measure(planner, questions, parses)
    figures = {k: v for k, v in result.items() if k != "rows"}
    print(name, figures)
    misses = [f"  {r['id']} {r['verdict']}: {r['text']!r} -> {r['reply'][:100]!r}" for r in result["rows"]
              if r["verdict"] == "wrong"]
    floors = FLOORS[name]
    assert _ratio(figures["right_first"]) >= floors["right_first"], figures
    assert _ratio(figures["wrong_of_all"]) <= floors["wrong_of_all"], "\n".join([str(figures)] + misses)
    assert _ratio(figures["honest_not_known"]) >= floors["honest_not_known"], figures
    assert _ratio(figures["abstained_when_known"]) <= floors["abstained_when_known"], figures
    assert _ratio(figures["followups_right"]) >= floors["followups_right"], figures


def test_the_judge_counts_a_confident_other_fact_as_wrong() -> None:
    """The scorer the floors rest on is real: a sourced reply with another fact is wrong, an honest
    "I don't know" is an abstention, the right fact is right."""
    from score_facts import judge

    q = {"kind": "answerable", "right": [r"\b16\b"], "wrong": [r"\b8 hours\b"]}
    assert judge(q, "The CSM course is 16 hours.\n\nSource: x") == "right"
    assert judge(q, "The course is 8 hours.\n\nSource: x") == "wrong"
    assert judge(q, "You pass with 37 of 50.\n\nSource: x") == "wrong"
    assert judge(q, "I don't have that information in my sources, so I won't guess.") == "abstained"
