"""`make run` (scripts/run.sh): the API token never on a command line, the origins list never globbed."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.stack import ROOT

RUN_SH = (ROOT / "scripts" / "run.sh").read_text()


def test_servers_start_through_the_launcher_without_a_token_argument() -> None:
    assert "--auth-token" not in RUN_SH
    assert re.search(r'"\$PY" -m advisor run --model', RUN_SH)
    assert re.search(r'"\$PY" -m advisor run actions', RUN_SH)
    assert not re.search(r'"\$RASA" run', RUN_SH), "the rasa executable would skip advisor.patches"
    assert '"$PY" -m advisor token' in RUN_SH, "make run generates .run/api-token when RASA_AUTH_TOKEN is unset"


def test_cors_origins_are_split_on_spaces_only(tmp_path: Path) -> None:
    assert not re.search(r"(?<![\"{])\$SOCKETIO_CORS_ORIGINS(?!\")", RUN_SH.replace('"$SOCKETIO_CORS_ORIGINS"', "")), \
        "an unquoted $SOCKETIO_CORS_ORIGINS is split and glob-expanded by the shell"
    line = next(x for x in RUN_SH.splitlines() if "read -r -a cors" in x)
    (tmp_path / "secret.key").write_text("x")
    script = f'{line}\nprintf "%s\\n" "${{cors[@]}}"'
    out = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=10,
                         env={"SOCKETIO_CORS_ORIGINS": "http://a.example  *  http://b.example:8000"})
    assert out.stdout.split("\n")[:3] == ["http://a.example", "*", "http://b.example:8000"]
