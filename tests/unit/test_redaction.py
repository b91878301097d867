"""Personal data out of user text (issue 22): advisor/redaction.py, its data file and its measured sets."""
from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from actions import yamlload
from advisor.redaction import (
    RULES_PATH,
    RedactionRulesError,
    iban_ok,
    load_rules,
    luhn_ok,
    parse_rules,
    redact,
)
from scripts.score_redaction import SETS, SetError, load_set, score

ROOT = Path(__file__).resolve().parents[2]


def kinds(text: str) -> List[str]:
    return [span.kind for span in redact(text).found]


# --- per kind --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("mail anna.schmidt@example.com now", "mail [email] now"),
    ("j.doe+scrum@mail.company.co.uk.", "[email]."),
    ("anna dot schmidt at example dot com", "[email]"),
    ("tom [at] agile-team [dot] io", "[email]"),
    ("my email is bob at gmail dot com", "my email is [email]"),
])
def test_email(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize("text", [
    "I'm looking at scrumalliance.org", "look at scrum dot org", "I studied at udemy.com", "we met at 5 pm",
])
def test_words_around_at_are_not_an_email(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize("text, phone", [
    ("call me on +49 151 2345678", "+49 151 2345678"),
    ("Handy 0151/2345678", "0151/2345678"),
    ("(415) 555-0132 is my number", "(415) 555-0132"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
    ("+91 98765 43210", "+91 98765 43210"),
    ("06 12 34 56 78", "06 12 34 56 78"),
    ("phone: 555-0132", "555-0132"),
    ("0049 89 1234567", "0049 89 1234567"),
    ("+4915123456789", "+4915123456789"),
])
def test_phone(text: str, phone: str) -> None:
    result = redact(text)
    assert [(s.kind, text[s.start:s.end]) for s in result.found] == [("phone", phone)]
    assert result.text == text.replace(phone, "[phone]")


def test_a_short_number_is_a_phone_only_after_a_cue_word() -> None:
    assert kinds("call me at 555-0132") == ["phone"]
    assert kinds("between 555-0132") == []
    assert kinds("98765 43210") == []
    assert kinds("my number 98765 43210") == ["phone"]


@pytest.mark.parametrize("number", ["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "6011111111111117",
                                    "4222222222222"])
def test_card(number: str) -> None:
    assert redact(f"my card {number} ok").text == "my card [card] ok"


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005") and luhn_ok("0")
    assert not luhn_ok("4111111111111112") and not luhn_ok("") and not luhn_ok("4111 1111")
    assert kinds("my card 4111 1111 1111 1112 ok") == []  # fails Luhn: not a card (and no phone shape)


@pytest.mark.parametrize("iban", ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
                                  "FR14 2004 1010 0505 0001 3M02 606", "nl91abna0417164300", "BE68 5390 0754 7034"])
def test_iban(iban: str) -> None:
    assert iban_ok(iban)
    assert redact(f"IBAN {iban}, thanks").text == "IBAN [iban], thanks"


def test_iban_check_digits() -> None:
    assert not iban_ok("DE89 3704 0044 0532 0130 01") and not iban_ok("DE00") and not iban_ok("hello world")
    assert "iban" not in kinds("IBAN DE89 3704 0044 0532 0130 01")
    assert "iban" not in kinds("XX89 3704 0044 0532 0130 00")  # no such country


@pytest.mark.parametrize("text, address", [
    ("I live at Hauptstraße 12 in Berlin", "Hauptstraße 12"),
    ("Lindenweg 4a, 80331 München", "Lindenweg 4a, 80331 München"),
    ("Berliner Straße 5", "Berliner Straße 5"),
    ("221B Baker Street, London", "221B Baker Street"),
    ("1600 Amphitheatre Parkway", "1600 Amphitheatre Parkway"),
    ("12 rue de Rivoli, Paris", "12 rue de Rivoli"),
    ("Calle Mayor 5, Madrid", "Calle Mayor 5"),
    ("Keizersgracht 123", "Keizersgracht 123"),
])
def test_address(text: str, address: str) -> None:
    assert [(s.kind, text[s.start:s.end]) for s in redact(text).found] == [("address", address)]


@pytest.mark.parametrize("text", [
    "250 USD", "$2,500", "€1.500", "100 dollars", "from 250 to 2,500 USD", "2025", "in 2021", "16 hours", "60 minutes",
    "90 days", "2 yrs", "37 of 50", "74%", "37/50", "38/50", "20 SEUs", "50 questions", "03.12.2026", "2026-01-15",
    "Rasa 3.6.1", "CSM-2025-0042", "psm 1", "16 hours down the road", "via Zoom 2 times", "Scoring 38 of 50",
    "between 250-2500 USD", "1 299 EUR", "2019-2024", "ISO 9001:2015",
])
def test_numbers_that_are_not_personal_data_stay(text: str) -> None:
    assert redact(text).text == text


def test_offsets_are_into_the_original_and_placeholders_are_left_alone() -> None:
    text = "I'm anna.schmidt@example.com, call me on +49 151 2345678"
    result = redact(text)
    assert [(s.kind, text[s.start:s.end]) for s in result.found] == [
        ("email", "anna.schmidt@example.com"), ("phone", "+49 151 2345678")]
    assert result.text == "I'm [email], call me on [phone]" and result.changed
    assert redact(result.text).text == result.text
    assert redact("").text == "" and not redact("hello").changed


def test_overlaps_are_resolved_by_kind_order() -> None:
    # An IBAN's digits might look like other things: it is redacted once, as an IBAN.
    assert redact("DE89 3704 0044 0532 0130 00").found[0].kind == "iban"
    assert len(redact("DE89 3704 0044 0532 0130 00").found) == 1


# --- the data file ---------------------------------------------------------------------------------
def raw_rules() -> Dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(RULES_PATH.read_text(encoding="utf-8")))


def test_the_data_file_loads() -> None:
    rules = load_rules()
    assert rules.iban_lengths["DE"] == 22 and "straße" in rules.lists["street_suffixes"]


def test_the_data_file_is_read_on_first_use_not_at_import() -> None:
    code = "import advisor.redaction as r, sys; sys.exit(r.load_rules.cache_info().currsize)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(extra=1), r"top level: unknown keys \['extra'\]"),
    (lambda d: d["lists"].update(tlds=["com", False]), r"lists\.tlds: must be a non-empty list"),  # YAML's `no`
    (lambda d: d["lists"].pop("units"), r"lists: the list 'units' is missing"),
    (lambda d: d["phone"].update(candidate="(unclosed"), r"phone\.candidate: does not compile"),
    (lambda d: d["address"]["patterns"].append("<<nope>> \\d+"), r"address\.patterns\[\d+\]: <<nope>> names no list"),
    (lambda d: d["iban"]["lengths"].update(DE=99), r"iban\.lengths\.DE: must map"),
    (lambda d: d["card"].update(first_digits="4x"), r"card\.first_digits: must be a string of digits"),
    (lambda d: d["email"].pop("cue_window"), r"email: missing keys \['cue_window'\]"),
    (lambda d: d["phone"].update(min_digits="7"), r"phone\.min_digits: must be a whole number"),
])
def test_a_broken_data_file_is_refused_with_the_key(change: Any, message: str) -> None:
    data = raw_rules()
    change(data)
    with pytest.raises(RedactionRulesError, match=message) as info:
        parse_rules(data)
    assert str(RULES_PATH) in str(info.value)


def test_an_unreadable_data_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "redaction.yml"
    bad.write_text("lists: [unclosed", encoding="utf-8")
    with pytest.raises(RedactionRulesError, match="cannot be read"):
        load_rules(bad)


# --- the measured sets -----------------------------------------------------------------------------
def test_the_set_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "set.yml"
    bad.write_text('messages: [{text: "call 0151 2345678", redact: [[phone, "0151 999"]]}]', encoding="utf-8")
    with pytest.raises(SetError, match="is not in the text"):
        load_set(bad)


def test_the_tuning_set_meets_its_thresholds() -> None:
    messages = load_set(SETS["main"])
    assert len(messages) >= 120
    assert sum(1 for m in messages if not m.redact) >= 40  # messages without personal data
    result = score(messages)
    assert result.recall() >= 0.98, result.misses
    assert result.precision() >= 0.98, result.false_redactions
    assert result.protected_false == [], "a price, duration, score or count was redacted"
    for kind in ("email", "phone", "card", "iban", "address"):
        assert result.tp[kind] + result.fn[kind] >= 10, kind  # every kind is measured on enough spans


@pytest.mark.parametrize("name", ["heldout", "heldout2"])
def test_the_held_out_sets_meet_the_thresholds(name: str) -> None:
    messages = load_set(SETS[name])
    assert len(messages) >= 50
    result = score(messages)
    assert result.recall() >= 0.98, result.misses
    assert result.precision() >= 0.98, result.false_redactions
    assert result.protected_false == [], "a price, duration, score or count was redacted"
    assert sum(1 for m in messages if not m.redact) >= 15  # look-alikes: prices, years, durations, scores


# What the held-out sets measured when they were first run, before any change made for them:
# - messages-heldout.yml (52 messages, 38 spans): precision 1.000, recall 0.974 (37/38: '88 Colin P Kelly Jr
#   Street', an initial and four name words, was missed). Then the English street patterns took an initial
#   and one more name word: 38/38.
# - messages-heldout-2.yml (57 messages, 41 spans, written after that fix): precision 1.000, recall 0.976
#   (40/41: 'olga dot petrova at yandex dot ru', a country code missing from the obfuscated-address
#   top-level domains). Then more country codes were listed: 41/41. Both sets have since served for tuning;
#   the figures above are the held-out ones.


# --- the advisor's own facts -----------------------------------------------------------------------
# What a question set holds besides what people type and what a good reply says: its judge's regular
# expressions and notes, which no user sends and the advisor never says
JUDGING_KEYS = frozenset({"right", "wrong", "reference", "written_from"})


def _texts(node: Any) -> List[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in JUDGING_KEYS for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def test_every_number_the_facts_state_survives() -> None:
    facts = yaml.safe_load((ROOT / "knowledge" / "facts.yml").read_text(encoding="utf-8"))["facts"]
    numbers = 0
    for fact in facts:
        answer = fact["answer"]
        result = redact(answer)
        assert result.text == answer, (fact["id"], result.found)
        for number in re.findall(r"\d[\d,.]*%?", answer):
            assert number in result.text, (fact["id"], number)
            numbers += 1
        for question in fact.get("questions", []):
            assert redact(question).text == question, (fact["id"], question)
    assert numbers >= 40  # 45 numbers in the facts of December 2026


def test_the_knowledge_base_and_the_question_sets_are_left_alone() -> None:
    # Everything the advisor says and every question written for its tests: nothing is personal data.
    files = [*sorted((ROOT / "knowledge").glob("*.yml")), *sorted((ROOT / "tests" / "facts").glob("*.yml")),
             *sorted((ROOT / "tests" / "form").glob("*.yml"))]
    changed = [(f.name, t) for f in files for t in _texts(yamlload.safe_load(f.read_text(encoding="utf-8")))
               if redact(t).changed]
    assert changed == []


def test_a_long_hostile_message_is_redacted_quickly() -> None:
    import time

    redact("warm up")
    for text in ("1 " * 500, "a dot " * 160, "12 " + "Abc " * 240, "a at b " * 140, "123-" * 250, "(12) " * 200, "a." * 500):
        start = time.perf_counter()
        redact(text[:1000])  # the length the UserMessage patch cuts to (components.text_guard)
        assert time.perf_counter() - start < 0.25, text[:20]
