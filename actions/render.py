"""Channel-aware text formatting: the same answer reads natively in the widget, Slack and Telegram."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

MARKDOWN_CHANNELS = {"socketio", "rest", "cmdline", "browser"}


@dataclass
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict:
        return {"title": self.title, "payload": self.payload}


@dataclass
class Reply:
    text: str
    buttons: List[Button] = field(default_factory=list)
    # Why this answer (actions.planner's trace), stored in the bot event's metadata as `answer_trace`
    # and shown by the workbench under the reply; never sent to the user.
    trace: Optional[Dict[str, Any]] = None
    # What a 👍/👎 under this reply is about: "fact:<id>" or "topic:<name>"; None: no vote offered.
    feedback: Optional[str] = None


_UNSAFE = re.compile(r"[<>\[\]()*_`{}|\\#~]")
_SPACES = re.compile(r"\s+")


def quote_user_text(text: Optional[str], limit: int = 60) -> str:
    """User words shown back to the user: no markup characters, single line, bounded length."""
    cleaned = _SPACES.sub(" ", _UNSAFE.sub("", text or "")).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


class Renderer:
    """Formats links, emphasis and lists for one output channel."""

    def __init__(self, channel: Optional[str]) -> None:
        self.channel = (channel or "rest").lower()

    def bold(self, text: str) -> str:
        if self.channel == "slack":
            return f"*{text}*"
        if self.channel == "telegram":
            return text.upper() if len(text) <= 40 else text
        return f"**{text}**"

    def link(self, label: str, url: str) -> str:
        if self.channel == "slack":
            return f"<{url}|{label}>"
        if self.channel == "telegram":
            return f"{label}: {url}"
        return f"[{label}]({url})"

    def bullets(self, items: Iterable[str]) -> str:
        mark = "•" if self.channel in ("slack", "telegram") else "-"
        return "\n".join(f"{mark} {item}" for item in items)

    def emphasis_free(self, text: str) -> str:
        """Knowledge text may use *word* for emphasis; keep it only where the channel renders it."""
        if self.channel in MARKDOWN_CHANNELS or self.channel == "slack":
            return text
        return text.replace("*", "")
