"""Every intent of domain.yml is in the public contract (../shared/contract.md), or documented as an addition to it
in docs/ ("## Intents added to the contract"), or listed as internal in domain.yml: no intent appears unannounced."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Set

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contract.md"
INTERNAL_MARK = "# internal, not part of the public contract"


def table_names(markdown: str, heading: str) -> Set[str]:
    """The names in the first column of the table under `heading` (comma-separated, backticks optional)."""
    section = re.split(rf"^##+ {re.escape(heading)}\s*$", markdown, maxsplit=1, flags=re.M)
    if len(section) < 2:
        return set()
    names: Set[str] = set()
    for line in re.split(r"^##", section[1], maxsplit=1, flags=re.M)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells or set(cells[0]) <= set("- :") or cells[0] == "intent":
            continue
        names |= {n.strip(" `") for n in cells[0].split(",") if n.strip(" `")}
    return names


def documented_additions() -> Dict[str, str]:
    """intent -> the docs file that adds it to the contract."""
    out: Dict[str, str] = {}
    for path in sorted((ROOT / "docs").glob("*.md")):
        for name in table_names(path.read_text(), "Intents added to the contract"):
            out.setdefault(name, path.name)
    return out


def domain_intents() -> Dict[str, bool]:
    """intent -> whether domain.yml lists it under the internal mark."""
    text = (ROOT / "domain.yml").read_text()
    listed = [i if isinstance(i, str) else next(iter(i)) for i in yaml.safe_load(text)["intents"]]
    block = text.split("\nintents:", 1)[1].split("\n\n", 1)[0]
    internal_part = block.split(INTERNAL_MARK, 1)[1] if INTERNAL_MARK in block else ""
    internal = set(re.findall(r"^  - (\w+)", internal_part, re.M))
    return {name: name in internal for name in listed}


def test_table_names_reads_the_contracts_layout() -> None:
    md = ("## Intents (fixed)\n| intent | the user… |\n| --- | --- |\n| greet, goodbye | hi |\n| `ask_cost` | $ |\n"
          "\n## Entities\n| x | y |\n")
    assert table_names(md, "Intents (fixed)") == {"greet", "goodbye", "ask_cost"}


def test_additions_are_in_the_domain_and_not_already_in_the_contract() -> None:
    added = documented_additions()
    assert {"feedback_helpful", "feedback_wrong"} <= set(added), added
    intents = domain_intents()
    assert set(added) <= set(intents), set(added) - set(intents)
    assert not {name for name in added if intents[name]}, "an addition to the contract is not internal"


def test_every_domain_intent_is_announced() -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"{CONTRACT} is not here (the contract lives next to the project)")
    contract = table_names(CONTRACT.read_text(), "Intents (names are fixed; training examples are the project's own)")
    assert len(contract) >= 20, contract
    added = documented_additions()
    assert not set(added) & contract, f"documented as additions but already in the contract: {set(added) & contract}"
    unannounced = {name for name, internal in domain_intents().items()
                   if not internal and name not in contract and name not in added}
    assert not unannounced, f"intents neither in the contract, nor documented as additions in docs/, nor internal: {unannounced}"
