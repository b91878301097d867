"""PRIVACY.md states the retention figures of persistence/retention.yml and the commands it names exist."""
from __future__ import annotations

import re
from pathlib import Path

from persistence import retention

ROOT = Path(__file__).resolve().parents[2]


def test_privacy_md_states_the_retention_figures() -> None:
    text = (ROOT / "PRIVACY.md").read_text(encoding="utf-8")
    r = retention.load()
    assert f"{r.conversation_ttl_days:g} days" in text
    for table, _ in r.conversation_tables:
        assert f"`{table}`" in text
    for command in ("make forget ID=", "make export ID=", "CONVERSATION_TTL_SECONDS", "ADVISOR_WORKBENCH_DB"):
        assert command in text


def test_make_forget_and_export_pass_the_id_through_the_environment() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^forget export:\n.*\n\t@scripts/workbench\.sh \$@ \"\$\$ID\"$", makefile, re.M)
    assert "$(ID)" not in makefile  # never parsed by the shell as part of the recipe
