"""Text that came from a chat user, made safe to show and to write: sender ids and messages may hold newlines,
control characters or bidi overrides (U+202E turns `txt.exe` into `exe.txt` on screen). Also the workbench's
private files and folders (mode 600 / 700)."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

# Bidi embeddings, overrides and isolates, the marks, zero-width characters, line and paragraph separators.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def visible(text: object) -> str:
    """`text` on one line with every control, format (bidi, zero-width) and separator character written out
    as an escape (`\\n`, `\\u202e`), so what is shown or committed is what is there. Applying it twice
    changes nothing more."""
    s = "" if text is None else str(text)
    return "".join(_shown(ch) for ch in s)


def id_slug(conversation_id: str, length: int = 60) -> str:
    """A file-name part for a conversation id: a strict ASCII slug plus a short hash of the full id, so ids
    that slug alike (`rest:a b`, `rest:a_b`) never share a file."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", conversation_id)[:length].strip("_") or "id"
    return f"{slug}_{hashlib.sha256(conversation_id.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def private_dir(path: Path) -> Path:
    """Creates `path` (mode 700) if missing; an existing folder is made 700 too."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Makes an existing file owner-only (600); a missing one is left alone."""
    if path.exists():
        path.chmod(0o600)
    return path


def open_private(path: Path) -> int:
    """A new (truncated) file descriptor on `path`, mode 600 whatever the umask or the file's old mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return fd
