"""The HTTP API token: RASA_AUTH_TOKEN when set, otherwise the token in a file that only its owner can
read (``.run/api-token`` by default, ``RASA_AUTH_TOKEN_FILE`` to choose another). The token is handed to
Rasa inside the launcher's process, never on a command line (where `ps` would show it)."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parents[1]
ENV_TOKEN = "RASA_AUTH_TOKEN"
ENV_TOKEN_FILE = "RASA_AUTH_TOKEN_FILE"
DEFAULT_TOKEN_FILE = ROOT / ".run" / "api-token"
MIN_LENGTH = 16


class TokenProblem(RuntimeError):
    pass


def token_file(environ: Optional[Mapping[str, str]] = None) -> Path:
    env = os.environ if environ is None else environ
    value = (env.get(ENV_TOKEN_FILE) or "").strip()
    return Path(value) if value else DEFAULT_TOKEN_FILE


def ensure_token_file(path: Path, label: str = "API token") -> Path:
    """Creates `path` with a new random token (mode 600, a new parent folder 700) unless it exists; checks its
    mode either way."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
    read_token_file(path, label)
    return path


def read_token_file(path: Path, label: str = "API token") -> str:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise TokenProblem(f"no {label}: set {ENV_TOKEN} or create {path} (`make run` does)") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenProblem(f"{path} can be read by other users: `chmod 600 {path}`")
    token = path.read_text(encoding="utf-8").strip()
    if len(token) < MIN_LENGTH:
        raise TokenProblem(f"the {label} in {path} is shorter than {MIN_LENGTH} characters")
    return token


def load_token(environ: Optional[Mapping[str, str]] = None) -> str:
    """RASA_AUTH_TOKEN when set (non-empty), else the token file's content."""
    env = os.environ if environ is None else environ
    token = (env.get(ENV_TOKEN) or "").strip()
    if token:
        if len(token) < MIN_LENGTH:
            raise TokenProblem(f"{ENV_TOKEN} is shorter than {MIN_LENGTH} characters: use a long random token")
        return token
    return read_token_file(token_file(env))
