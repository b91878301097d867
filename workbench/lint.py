"""`make lint`: what trainers commonly get wrong in the training data, each finding with file, line and a fix.

Rules (each has a failing and a passing fixture in tests/unit/test_workbench_lint.py):
- duplicate-example (error): the same example under two intents; the model cannot learn both.
- repeated-example (warning): the same example twice in one intent.
- few-examples (warning): an intent of the domain with fewer than MIN_EXAMPLES training examples.
- entity-no-synonym (warning): an annotated entity text that maps to no canonical value (no synonym, no
  explicit value), so the slot would get the raw text.
- unknown-name (error): a story, rule or test story naming an intent or action the domain does not have.
- unused-response (warning): a response no story, rule, form or action uses.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Set, Tuple

import yaml

from actions import yamlload
from workbench.nlu_data import domain_names, examples_by_intent, normalize, plain_text

MIN_EXAMPLES = 10
DEFAULT_ACTIONS = {
    "action_listen",
    "action_restart",
    "action_session_start",
    "action_default_fallback",
    "action_deactivate_loop",
    "action_revert_fallback_events",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_two_stage_fallback",
    "action_unlikely_intent",
    "action_back",
    "action_extract_slots",
}
DEFAULT_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}
# Responses Rasa's default actions send by themselves.
DEFAULT_RESPONSES = {"utter_default"}
_NAME = re.compile(r"^\s*(?:- )?(intent|action|active_loop):\s*[\"']?([\w-]+)[\"']?\s*$")
_ENTITY = re.compile(r"\[([^\]]+)\](\((\w+)(?::([^)]+))?\)|(\{[^}]*\}))")
_RESPONSE_LINE = re.compile(r"^  (utter_\w+):")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning
    file: str
    line: int
    message: str
    hint: str

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.severity} [{self.rule}] {self.message}\n    fix: {self.hint}"


@dataclass
class Project:
    """The texts the lint reads, by repo-relative file name (so fixtures need no files on disk)."""

    domain: str
    nlu: Mapping[str, str]
    stories: Mapping[str, str]  # data/stories, data/rules, tests/stories
    code: Mapping[str, str]  # actions/*.py, components/*.py
    domain_file: str = "domain.yml"

    @classmethod
    def load(cls, root: Path) -> "Project":
        def texts(pattern: Iterable[Path]) -> Dict[str, str]:
            return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(pattern) if p.is_file()}

        stories: Dict[str, str] = {}
        for folder in ("data/stories", "data/rules", "tests/stories"):
            stories |= texts((root / folder).rglob("*.y*ml"))
        code: Dict[str, str] = {}
        for folder in ("actions", "components"):
            code |= texts((root / folder).rglob("*.py"))
        return cls(
            domain=(root / "domain.yml").read_text(encoding="utf-8"),
            nlu=texts((root / "data/nlu").rglob("*.y*ml")),
            stories=stories,
            code=code,
        )


def duplicate_examples(p: Project) -> List[Finding]:
    seen: Dict[str, Tuple[str, str, int]] = {}
    out: List[Finding] = []
    rows = sorted((name, line, intent, text) for intent, found in examples_by_intent(p.nlu).items() for text, name, line in found)
    for name, line, intent, text in rows:  # file order: the later line is the one reported
        key = normalize(plain_text(text))
        if key not in seen:
            seen[key] = (intent, name, line)
            continue
        first_intent, first_file, first_line = seen[key]
        if first_intent != intent:
            out.append(
                Finding(
                    "duplicate-example",
                    "error",
                    name,
                    line,
                    f"'{plain_text(text)}' is an example of '{intent}' and of '{first_intent}' ({first_file}:{first_line})",
                    "keep it under the one intent it means and delete the other line",
                )
            )
        else:
            out.append(
                Finding(
                    "repeated-example",
                    "warning",
                    name,
                    line,
                    f"'{plain_text(text)}' is already an example of '{intent}' ({first_file}:{first_line})",
                    "delete this line",
                )
            )
    return out


def few_examples(p: Project) -> List[Finding]:
    intents, _, _, _ = domain_names(p.domain)
    by_intent = examples_by_intent(p.nlu)
    out: List[Finding] = []
    for intent in sorted(intents - DEFAULT_INTENTS):
        rows = by_intent.get(intent, [])
        if len(rows) < MIN_EXAMPLES:
            file, line = (rows[0][1], rows[0][2] - 2) if rows else (p.domain_file, _line_of(p.domain, rf"^\s*- {intent}\b"))
            out.append(
                Finding(
                    "few-examples",
                    "warning",
                    file,
                    max(line, 1),
                    f"intent '{intent}' has {len(rows)} training example(s) (at least {MIN_EXAMPLES} wanted)",
                    "add varied examples in the users' own words: short and long, with typos, with and without entities",
                )
            )
    return out


def _synonyms(p: Project) -> Tuple[Set[str], Set[str]]:
    """Canonical values (synonym names) and every text mapped by a synonym (lower case)."""
    canon: Set[str] = set()
    mapped: Set[str] = set()
    for text in p.nlu.values():
        data = yamlload.safe_load(text) or {}
        for item in data.get("nlu") or []:
            if isinstance(item, dict) and "synonym" in item:
                canon.add(str(item["synonym"]).lower())
                for ex in str(item.get("examples") or "").splitlines():
                    ex = ex.strip()
                    if ex.startswith("- "):
                        mapped.add(ex[2:].strip().lower())
    return canon, mapped


def entity_without_synonym(p: Project) -> List[Finding]:
    canon, mapped = _synonyms(p)
    out: List[Finding] = []
    reported: Set[Tuple[str, str]] = set()
    for intent, rows in sorted(examples_by_intent(p.nlu).items()):
        for text, name, line in rows:
            for m in _ENTITY.finditer(text):
                span, entity = m.group(1), m.group(3)
                if m.group(4) or (m.group(5) and '"value"' in m.group(5)):
                    continue  # an explicit value
                if entity is None and m.group(5):
                    try:
                        entity = str(yamlload.safe_load(m.group(5)).get("entity"))
                    except (yaml.YAMLError, AttributeError):
                        continue
                low = span.lower()
                if low in canon or low in mapped or (entity, low) in reported:
                    continue
                reported.add((str(entity), low))
                out.append(
                    Finding(
                        "entity-no-synonym",
                        "warning",
                        name,
                        line,
                        f"'{span}' ({entity}, in '{intent}') maps to no canonical value",
                        f"add '{low}' under the right `- synonym:` in data/nlu/synonyms.yml "
                        f'(or write [{span}]{{"entity": "{entity}", "value": "…"}})',
                    )
                )
    return out


def unknown_names(p: Project) -> List[Finding]:
    intents, _, actions, responses = domain_names(p.domain)
    known_actions = actions | responses | DEFAULT_ACTIONS
    out: List[Finding] = []
    for name, text in sorted(p.stories.items()):
        for no, line in enumerate(text.splitlines(), 1):
            m = _NAME.match(line)
            if not m:
                continue
            kind, value = m.group(1), m.group(2)
            if kind == "intent" and value not in intents | DEFAULT_INTENTS:
                out.append(
                    Finding(
                        "unknown-name",
                        "error",
                        name,
                        no,
                        f"intent '{value}' is not in domain.yml",
                        f"fix the spelling or add '{value}' to the intents of domain.yml (and give it examples)",
                    )
                )
            elif kind in ("action", "active_loop") and value not in known_actions and value != "null":
                out.append(
                    Finding(
                        "unknown-name",
                        "error",
                        name,
                        no,
                        f"{kind.replace('_', ' ')} '{value}' is not in domain.yml",
                        f"fix the spelling or declare '{value}' in domain.yml (actions, responses or forms)",
                    )
                )
    return out


def unused_responses(p: Project) -> List[Finding]:
    _, _, _, responses = domain_names(p.domain)
    domain = yamlload.safe_load(p.domain) or {}
    used: Set[str] = set(DEFAULT_RESPONSES)
    for form in (domain.get("forms") or {}).values():
        for slot in (form or {}).get("required_slots") or []:
            used.add(f"utter_ask_{slot}")
    for text in p.stories.values():
        used |= set(re.findall(r"\butter_\w+", text))
    prefixes: Set[str] = set()
    for text in p.code.values():
        used |= set(re.findall(r"\butter_\w+", text))
        prefixes |= set(re.findall(r"\b(utter_\w*)\{", text))
    out: List[Finding] = []
    for r in sorted(responses):
        if r in used or any(r.startswith(pre) for pre in prefixes):
            continue
        out.append(
            Finding(
                "unused-response",
                "warning",
                p.domain_file,
                _line_of(p.domain, rf"^  {r}:"),
                f"response '{r}' is used by no story, rule, form or action",
                "use it in a rule/story or an action, or delete it",
            )
        )
    return out


def _line_of(text: str, pattern: str) -> int:
    rx = re.compile(pattern)
    for no, line in enumerate(text.splitlines(), 1):
        if rx.search(line):
            return no
    return 1


RULES = (duplicate_examples, few_examples, entity_without_synonym, unknown_names, unused_responses)


def lint(p: Project) -> List[Finding]:
    return [f for rule in RULES for f in rule(p)]


def main(argv: List[str]) -> int:
    root = Path(argv[0]) if argv else Path(".")
    findings = lint(Project.load(root))
    for f in findings:
        print(f.format())
    errors = sum(f.severity == "error" for f in findings)
    print(f"lint: {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
