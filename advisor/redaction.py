"""Personal data out of user text: e-mail addresses, phone numbers, payment-card numbers, IBANs and street
addresses replaced by typed placeholders (``[email]``, ``[phone]``, ``[card]``, ``[iban]``, ``[address]``).

Pure and typed: ``redact(text)`` returns a :class:`Redacted` with the new text and the spans found, as
(kind, start, end) offsets into the *original* text. Nothing is logged, nothing is stored here.

The patterns and word lists live in advisor/redaction.yml, read and checked on first use
(:func:`load_rules`), never at import time. The logic here decides what a candidate is:

- email:   a plain address, or an obfuscated one ("anna dot schmidt at example dot com") when the "at"
           is bracketed, or the name looks like a mail name, or a cue word ("email") comes just before;
- iban:    a country code, two check digits and the country's length, passing the mod-97 check;
- card:    13-19 digits in card groupings, a payment-card first digit, passing the Luhn check;
- phone:   a run of digit groups with 7-15 digits, a phone shape (+, 00, (415), 0151/…, 415-555-0132)
           or a weaker shape with a cue word ("call me on 555-0132") shortly before;
- address: a house number with a street word of one of several languages (conservative);

and what never is: a number next to a currency or a unit ("250 USD", "$2,500", "16 hours", "37 of 50",
"74%", "20 SEUs"), a year, a date, a version number. A false redaction of a price is a bug: the advisor
needs those numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Pattern, Tuple

import yaml

RULES_PATH = Path(__file__).with_name("redaction.yml")
KINDS: Tuple[str, ...] = ("email", "iban", "card", "phone", "address")  # also the order of precedence


def placeholder(kind: str) -> str:
    return f"[{kind}]"


class Span(NamedTuple):
    kind: str
    start: int  # offsets into the original text
    end: int


@dataclass(frozen=True)
class Redacted:
    text: str
    found: Tuple[Span, ...]

    @property
    def changed(self) -> bool:
        return bool(self.found)


class RedactionRulesError(ValueError):
    """The data file is unusable; the message names the file and the key."""


# --- the data file --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    lists: Dict[str, Tuple[str, ...]]
    email_plain: Pattern[str]
    email_obfuscated: Pattern[str]
    email_cue: Pattern[str]
    not_mail_names: frozenset
    tlds: frozenset
    email_cue_window: int
    phone_candidate: Pattern[str]
    phone_strong: Tuple[Pattern[str], ...]
    phone_never: Tuple[Pattern[str], ...]
    phone_cue: Pattern[str]
    id_words: frozenset
    phone_min_digits: int
    phone_max_digits: int
    phone_strong_min_digits: int
    phone_cue_window: int
    money_before: Pattern[str]
    unit_after: Pattern[str]
    card_candidate: Pattern[str]
    card_first_digits: str
    card_min_digits: int
    card_max_digits: int
    iban_start: Pattern[str]
    iban_lengths: Dict[str, int]
    address_patterns: Tuple[Pattern[str], ...]


_TOP_KEYS = {"version", "lists", "email", "phone", "card", "iban", "address"}
_SECTION_KEYS = {
    "email": {"plain", "at_bracketed", "at_plain", "dot", "name", "cue_window"},
    "phone": {"candidate", "strong", "never", "min_digits", "max_digits", "strong_min_digits", "cue_window"},
    "card": {"candidate", "first_digits", "min_digits", "max_digits"},
    "iban": {"start", "lengths"},
    "address": {"case_sensitive", "house_number", "patterns", "postcode_city"},
}
_REQUIRED_LISTS = ("currencies", "units", "phone_cues", "id_words", "email_cues", "tlds", "not_mail_names")
_REFERENCE = re.compile(r"<<(\w+)>>")


def _fail(where: str, problem: str, path: Path) -> RedactionRulesError:
    return RedactionRulesError(f"{path}: {where}: {problem}")


def _alternation(words: Tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _expand(pattern: str, fragments: Dict[str, str], where: str, path: Path) -> str:
    def one(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in fragments:
            raise _fail(where, f"<<{name}>> names no list or fragment (known: {', '.join(sorted(fragments))})", path)
        return fragments[name]

    return _REFERENCE.sub(one, pattern)


def _compile(pattern: Any, where: str, path: Path, fragments: Dict[str, str], flags: int = re.IGNORECASE) -> Pattern[str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise _fail(where, "must be a non-empty pattern (a string)", path)
    try:
        return re.compile(_expand(pattern, fragments, where, path), flags)
    except re.error as exc:
        raise _fail(where, f"does not compile: {exc}", path) from exc


def _int(section: Dict[str, Any], key: str, where: str, path: Path, low: int = 0) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _fail(f"{where}.{key}", f"must be a whole number >= {low}, not {value!r}", path)
    return value


def parse_rules(data: Any, path: Path = RULES_PATH) -> Rules:
    """Checks the data file's content and compiles it; every problem names the key."""
    if not isinstance(data, dict):
        raise _fail("top level", "must be a mapping", path)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail("top level", f"unknown keys {sorted(unknown)} (known: {sorted(_TOP_KEYS)})", path)
    sections: Dict[str, Dict[str, Any]] = {}
    for name, keys in _SECTION_KEYS.items():
        section = data.get(name)
        if not isinstance(section, dict):
            raise _fail(name, "missing or not a mapping", path)
        unknown = set(section) - keys
        if unknown:
            raise _fail(name, f"unknown keys {sorted(unknown)} (known: {sorted(keys)})", path)
        missing = keys - set(section)
        if missing:
            raise _fail(name, f"missing keys {sorted(missing)}", path)
        sections[name] = section

    raw_lists = data.get("lists")
    if not isinstance(raw_lists, dict):
        raise _fail("lists", "missing or not a mapping", path)
    lists: Dict[str, Tuple[str, ...]] = {}
    for name, words in raw_lists.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise _fail(f"lists.{name}", "must be a non-empty list of non-empty strings", path)
        lists[str(name)] = tuple(w.strip() for w in words)
    for name in _REQUIRED_LISTS:
        if name not in lists:
            raise _fail("lists", f"the list {name!r} is missing", path)

    fragments = {name: f"(?:{_alternation(words)})" for name, words in lists.items()}
    address = sections["address"]
    for key in ("house_number", "postcode_city"):
        fragments[key] = f"(?:{_compile(address[key], f'address.{key}', path, fragments).pattern})"

    email = sections["email"]
    name = _compile(email["name"], "email.name", path, fragments).pattern
    dot = _compile(email["dot"], "email.dot", path, fragments).pattern
    at = "(?:{}|{})".format(_compile(email["at_bracketed"], "email.at_bracketed", path, fragments).pattern,
                            _compile(email["at_plain"], "email.at_plain", path, fragments).pattern)
    obfuscated = (rf"(?<![\w.@-])(?P<name>{name}(?:(?:{dot}){name})*)(?P<at>{at})"
                  rf"(?P<domain>{name}(?:(?:{dot}){name})*)(?P<dot>{dot})(?P<tld>{fragments['tlds']})(?![\w@-])")

    phone = sections["phone"]
    for key in ("strong", "never"):
        if not isinstance(phone[key], list) or not phone[key]:
            raise _fail(f"phone.{key}", "must be a non-empty list of patterns", path)
    card = sections["card"]
    first = card["first_digits"]
    if not isinstance(first, str) or not first or not first.isdigit():
        raise _fail("card.first_digits", f"must be a string of digits, not {first!r}", path)
    iban = sections["iban"]
    lengths = iban["lengths"]
    if not isinstance(lengths, dict) or not lengths:
        raise _fail("iban.lengths", "must be a mapping of country codes to lengths", path)
    for country, length in lengths.items():
        if not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)) or not isinstance(length, int) \
                or not 15 <= length <= 34:
            raise _fail(f"iban.lengths.{country}", f"must map a two-letter code to a length 15-34, not {length!r}", path)
    patterns = address["patterns"]
    if not isinstance(patterns, list) or not patterns:
        raise _fail("address.patterns", "must be a non-empty list of patterns", path)
    address_flags = 0 if address["case_sensitive"] is True else re.IGNORECASE

    return Rules(
        lists=lists,
        email_plain=_compile(email["plain"], "email.plain", path, fragments),
        email_obfuscated=re.compile(obfuscated, re.IGNORECASE),
        email_cue=re.compile(rf"(?<!\w){fragments['email_cues']}(?!\w)", re.IGNORECASE),
        not_mail_names=frozenset(w.lower() for w in lists["not_mail_names"]),
        tlds=frozenset(w.lower() for w in lists["tlds"]),
        email_cue_window=_int(email, "cue_window", "email", path),
        phone_candidate=_compile(phone["candidate"], "phone.candidate", path, fragments),
        phone_strong=tuple(_compile(p, f"phone.strong[{i}]", path, fragments) for i, p in enumerate(phone["strong"])),
        phone_never=tuple(_compile(p, f"phone.never[{i}]", path, fragments) for i, p in enumerate(phone["never"])),
        phone_cue=re.compile(rf"(?<!\w){fragments['phone_cues']}(?!\w)", re.IGNORECASE),
        id_words=frozenset(w.lower() for w in lists["id_words"]),
        phone_min_digits=_int(phone, "min_digits", "phone", path, 1),
        phone_max_digits=_int(phone, "max_digits", "phone", path, 1),
        phone_strong_min_digits=_int(phone, "strong_min_digits", "phone", path, 1),
        phone_cue_window=_int(phone, "cue_window", "phone", path),
        money_before=re.compile(rf"(?:(?<!\w){fragments['currencies']}|[$€£¥₹])\s*$", re.IGNORECASE),
        unit_after=re.compile(rf"^\s*(?:{fragments['currencies']}|{fragments['units']})(?!\w)", re.IGNORECASE),
        card_candidate=_compile(card["candidate"], "card.candidate", path, fragments),
        card_first_digits=first,
        card_min_digits=_int(card, "min_digits", "card", path, 1),
        card_max_digits=_int(card, "max_digits", "card", path, 1),
        iban_start=_compile(iban["start"], "iban.start", path, fragments),
        iban_lengths=dict(lengths),
        address_patterns=tuple(_compile(p, f"address.patterns[{i}]", path, fragments, address_flags)
                               for i, p in enumerate(patterns)),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> Rules:
    """The rules of `path`, read and checked once per process (on first use, not at import)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RedactionRulesError(f"{path}: cannot be read: {exc}") from exc
    return parse_rules(data, path)


# --- the checks --------------------------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a string of digits (payment cards)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces ignored, any case)."""
    compact = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _looks_like_money_or_count(text: str, start: int, end: int, rules: Rules) -> bool:
    return bool(rules.money_before.search(text[max(0, start - 6):start]) or rules.unit_after.match(text[end:end + 20]))


def _emails(text: str, rules: Rules) -> Iterator[Span]:
    for m in rules.email_plain.finditer(text):
        yield Span("email", m.start(), m.end())
    for m in rules.email_obfuscated.finditer(text):
        name, at = m.group("name"), m.group("at")
        if "@" in m.group(0):
            continue
        bracketed = at.strip().startswith(("[", "(", "{", "<"))
        mail_name = bool(re.search(r"[._\d-]|\sdot\s|[\[\(\{<]\s*dot", name, re.IGNORECASE))
        cue = rules.email_cue.search(text[max(0, m.start() - rules.email_cue_window):m.start()])
        if name.lower() in rules.not_mail_names and not bracketed:
            continue
        if bracketed or mail_name or cue:
            yield Span("email", m.start(), m.end())


def _ibans(text: str, rules: Rules) -> Iterator[Span]:
    for m in rules.iban_start.finditer(text):
        country = m.group(0)[:2].upper()
        length = rules.iban_lengths.get(country)
        if not length:
            continue
        chars: List[str] = []
        i = end = m.start()
        while i < len(text) and len(chars) < length:
            ch = text[i]
            if ch.isascii() and ch.isalnum():
                chars.append(ch)
                end = i + 1
            elif ch == " " and chars and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum():
                pass
            else:
                break
            i += 1
        if len(chars) != length or (end < len(text) and text[end].isalnum()):
            continue
        if iban_ok("".join(chars)):
            yield Span("iban", m.start(), end)


def _cards(text: str, rules: Rules) -> Iterator[Span]:
    for m in rules.card_candidate.finditer(text):
        digits = _digits(m.group(0))
        if not rules.card_min_digits <= len(digits) <= rules.card_max_digits:
            continue
        if digits[0] not in rules.card_first_digits or not luhn_ok(digits):
            continue
        if _looks_like_money_or_count(text, m.start(), m.end(), rules):
            continue
        yield Span("card", m.start(), m.end())


def _phones(text: str, rules: Rules) -> Iterator[Span]:
    for m in rules.phone_candidate.finditer(text):
        candidate = m.group(0)
        digits = _digits(candidate)
        if not rules.phone_min_digits <= len(digits) <= rules.phone_max_digits:
            continue
        if any(p.search(candidate) for p in rules.phone_never):
            continue
        if _looks_like_money_or_count(text, m.start(), m.end(), rules):
            continue
        strong = len(digits) >= rules.phone_strong_min_digits and any(p.search(candidate) for p in rules.phone_strong)
        if not strong and not _phone_cue(text[max(0, m.start() - rules.phone_cue_window):m.start()], rules):
            continue
        yield Span("phone", m.start(), m.end())


def _phone_cue(before: str, rules: Rules) -> bool:
    """A cue word in `before` ("call me on"), but not "number" after an identifier ("member number")."""
    for cue in rules.phone_cue.finditer(before):
        word = cue.group(0).lower()
        if word.startswith(("number", "no", "num")):
            previous = re.findall(r"[\w-]+", before[:cue.start()])
            if previous and previous[-1].lower() in rules.id_words:
                continue
        return True
    return False


def _addresses(text: str, rules: Rules) -> Iterator[Span]:
    for pattern in rules.address_patterns:
        for m in pattern.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in " ,":
                end -= 1
            yield Span("address", m.start(), end)


_FINDERS = {"email": _emails, "iban": _ibans, "card": _cards, "phone": _phones, "address": _addresses}


def find(text: str, rules: Optional[Rules] = None) -> Tuple[Span, ...]:
    """The spans to redact, in text order, without overlaps (earlier kinds in KINDS win, then longer)."""
    rules = rules or load_rules()
    taken: List[Span] = []
    for kind in KINDS:
        candidates = sorted(_FINDERS[kind](text, rules), key=lambda s: (s.start, -(s.end - s.start)))
        for span in candidates:
            if all(span.end <= t.start or span.start >= t.end for t in taken):
                taken.append(span)
    return tuple(sorted(taken, key=lambda s: s.start))


def redact(text: str, rules: Optional[Rules] = None) -> Redacted:
    """`text` with every e-mail address, phone number, card number, IBAN and street address replaced by
    its placeholder; `found` holds the spans replaced, as offsets into `text`."""
    if not text:
        return Redacted(text or "", ())
    spans = find(text, rules)
    if not spans:
        return Redacted(text, ())
    parts: List[str] = []
    last = 0
    for span in spans:
        parts.append(text[last:span.start])
        parts.append(placeholder(span.kind))
        last = span.end
    parts.append(text[last:])
    return Redacted("".join(parts), spans)
