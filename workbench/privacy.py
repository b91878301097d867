"""A conversation for a subject-access request, and the test stories a trainer saved from it (issue 22,
PRIVACY.md). Pure over the event dicts of the tracker store, except :func:`committed_stories` (git).

- :func:`export`: what the user said and what the bot answered, when (UTC) and in which channel, as JSON.
  The store holds the text already redacted ([email], [phone] …): the export shows what is kept, which is
  what the user has a right to see.
- :func:`committed_stories`: where a test story written from the conversation is committed (the working
  tree's branch and `workbench/annotations`) and the commits that touched it. Erasing a conversation does
  not rewrite git history: that is the trainer's to do (PRIVACY.md says how).
"""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from workbench import gitbranch, stories
from workbench.conversations import INPUT_CHANNELS, channel_of

EXPORT_VERSION = 1


def _when(timestamp: Any) -> Optional[str]:
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def _buttons(event: Mapping[str, Any]) -> List[str]:
    data = event.get("data")
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    if not isinstance(buttons, list):
        return []
    return [str(b.get("title")) for b in buttons if isinstance(b, Mapping) and b.get("title")]


def export(conversation_id: str, events: Sequence[Mapping[str, Any]], now: Optional[float] = None) -> Dict[str, Any]:
    """The conversation as a subject-access export: every user and bot message in order, with its time and
    channel. Bookkeeping (actions, slots, session starts) is left out; nothing else is added."""
    channel = channel_of(conversation_id, events)
    messages: List[Dict[str, Any]] = []
    for e in events:
        kind = e.get("event")
        if kind not in ("user", "bot"):
            continue
        item: Dict[str, Any] = {"from": kind, "time": _when(e.get("timestamp")), "text": str(e.get("text") or "")}
        if kind == "user":
            item["channel"] = INPUT_CHANNELS.get(str(e.get("input_channel") or ""), channel)
        else:
            buttons = _buttons(e)
            if buttons:
                item["buttons"] = buttons
        messages.append(item)
    return {
        "export_version": EXPORT_VERSION,
        "conversation_id": conversation_id,
        "channel": channel,
        "exported_at": _when(now if now is not None else dt.datetime.now(dt.timezone.utc).timestamp()),
        "note": "Personal data (e-mail addresses, phone numbers, card numbers, IBANs, street addresses) is "
                "never stored: it appears here as the placeholder that replaced it, e.g. [email].",
        "messages": messages,
    }


def committed_stories(root: Path, conversation_id: str) -> List[str]:
    """Where a test story saved from this conversation is committed, one line each: the file on the checked-out
    branch and on the annotations branch, then every commit that touched it (any branch)."""
    if not gitbranch.is_repo(root):
        return []
    path = stories.file_name(conversation_id)
    found: List[str] = []
    if (root / path).is_file():
        found.append(f"{path} (in the working tree)")
    if gitbranch.read_file(root, path) is not None:
        found.append(f"{path} on the branch {gitbranch.BRANCH}")
    try:
        log = subprocess.run(["git", "-C", str(root), "log", "--all", "--format=%h %ad %s", "--date=short", "--", path],
                             check=True, capture_output=True, text=True, timeout=30).stdout
    except (subprocess.SubprocessError, OSError):
        log = ""
    found += [f"commit {line}" for line in log.splitlines() if line.strip()]
    return found
