"""`make run` refuses to expose the HTTP API beyond this machine without a token."""
from __future__ import annotations

import os
import subprocess

from tests.support.stack import ROOT


def test_public_interface_needs_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RASA_AUTH_TOKEN"}
    env["ADVISOR_HOST"] = "0.0.0.0"
    proc = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "RASA_AUTH_TOKEN" in proc.stderr
