"""The handoff's settings (settings/handoff.yml, docs/handoff.md): opening hours, the default on-duty switch,
timeouts. Pure: loading validates the file, the rest are functions of (config, time, switch)."""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "settings" / "handoff.yml"
ENV_FILE = "ADVISOR_HANDOFF_FILE"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SWITCH_VALUES = ("auto", "on", "off")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")

Span = Tuple[int, int]  # minutes since midnight, [start, end)


class HandoffConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Timeouts:
    waiting: float
    user_idle: float
    trainer_gone: float


@dataclass(frozen=True)
class HandoffConfig:
    on_duty: str
    timezone: str
    hours: Dict[str, Tuple[Span, ...]]
    hours_sentence: str
    closed_sentence: str
    timeouts: Timeouts
    sweep_seconds: float
    staff_notice_waiting: str = "Someone is waiting for a person ({channel})."
    staff_notice_message: str = "Someone left a message for the team ({channel})."

    def is_open(self, when: dt.datetime) -> bool:
        """Within the opening hours at `when` (an aware datetime)."""
        local = when.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.hours[DAYS[local.weekday()]])

    def on_duty_now(self, switch: Optional[str], when: dt.datetime) -> bool:
        """Someone answers live: the workbench's switch when set ("on"/"off"), else the file's default;
        "auto" follows the opening hours."""
        value = switch if switch in SWITCH_VALUES else self.on_duty
        if value == "auto":
            return self.is_open(when)
        return value == "on"

    def schedule(self) -> str:
        """The opening hours in words: "Monday to Thursday 09:00-17:00, Friday 09:00-15:00"."""
        groups: List[Tuple[List[str], str]] = []
        for day in DAYS:
            spans = self.hours[day]
            if not spans:
                continue
            text = ", ".join(f"{_hm(s)}-{_hm(e)}" for s, e in spans)
            if groups and groups[-1][1] == text and DAYS.index(groups[-1][0][-1]) == DAYS.index(day) - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], text))
        parts = []
        for days, text in groups:
            name = days[0].capitalize() if len(days) == 1 else \
                f"{days[0].capitalize()} and {days[1].capitalize()}" if len(days) == 2 else \
                f"{days[0].capitalize()} to {days[-1].capitalize()}"
            parts.append(f"{name} {text}")
        return ", ".join(parts)

    def hours_text(self) -> str:
        schedule = self.schedule()
        if not schedule:
            return self.closed_sentence
        return self.hours_sentence.format(schedule=schedule, timezone=self.timezone)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_spans(value: Any, day: str) -> Tuple[Span, ...]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if not isinstance(value, str):
        raise HandoffConfigError(f"hours.{day} must be text like \"09:00-17:00\"")
    spans = []
    for piece in value.split(","):
        m = _SPAN.match(piece.strip())
        if not m:
            raise HandoffConfigError(f"hours.{day}: {piece.strip()!r} is not HH:MM-HH:MM")
        start, end = int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])
        if end <= start or end > 24 * 60:
            raise HandoffConfigError(f"hours.{day}: {piece.strip()!r} ends before it starts")
        spans.append((start, end))
    return tuple(spans)


def _seconds(raw: Mapping[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise HandoffConfigError(f"{key} must be a positive number of seconds")
    return float(value)


def from_dict(raw: Mapping[str, Any]) -> HandoffConfig:
    if not isinstance(raw, Mapping):
        raise HandoffConfigError("the handoff settings must be a mapping")
    on_duty = str(raw.get("on_duty", "auto"))
    if on_duty not in SWITCH_VALUES:
        raise HandoffConfigError(f"on_duty must be one of {', '.join(SWITCH_VALUES)}")
    timezone = str(raw.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HandoffConfigError(f"unknown time zone {timezone!r}") from None
    hours_raw = raw.get("hours") or {}
    if not isinstance(hours_raw, Mapping) or set(hours_raw) - set(DAYS):
        raise HandoffConfigError(f"hours must map weekdays ({', '.join(DAYS)}) to opening hours")
    timeouts_raw = raw.get("timeouts") or {}
    if not isinstance(timeouts_raw, Mapping):
        raise HandoffConfigError("timeouts must be a mapping")
    sentence = str(raw.get("hours_sentence", "The team answers live {schedule} ({timezone} time)."))
    try:
        sentence.format(schedule="", timezone="")
    except (KeyError, IndexError, ValueError):
        raise HandoffConfigError("hours_sentence may only use {schedule} and {timezone}") from None
    return HandoffConfig(
        on_duty=on_duty,
        timezone=timezone,
        hours={day: parse_spans(hours_raw.get(day), day) for day in DAYS},
        hours_sentence=sentence,
        closed_sentence=str(raw.get("closed_sentence", "The team does not answer live at the moment.")),
        timeouts=Timeouts(_seconds(timeouts_raw, "waiting", 300), _seconds(timeouts_raw, "user_idle", 600),
                          _seconds(timeouts_raw, "trainer_gone", 90)),
        sweep_seconds=_seconds(raw, "sweep_seconds", 5),
        staff_notice_waiting=_notice(raw, "staff_notice_waiting", "Someone is waiting for a person ({channel})."),
        staff_notice_message=_notice(raw, "staff_notice_message", "Someone left a message for the team ({channel})."),
    )


def _notice(raw: Mapping[str, Any], key: str, default: str) -> str:
    text = str(raw.get(key, default))
    try:
        text.format(channel="")
    except (KeyError, IndexError, ValueError):
        raise HandoffConfigError(f"{key} may only use {{channel}}") from None
    return text


def config_file(environ: Optional[Mapping[str, str]] = None) -> Path:
    env = os.environ if environ is None else environ
    value = (env.get(ENV_FILE) or "").strip()
    return Path(value) if value else DEFAULT_FILE


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> HandoffConfig:
    import yaml

    with open(path, encoding="utf-8") as f:
        return from_dict(yaml.safe_load(f) or {})


def load(environ: Optional[Mapping[str, str]] = None) -> HandoffConfig:
    """The settings file (re-read when it changes)."""
    path = config_file(environ)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise HandoffConfigError(f"{path} not found") from None
    return _load(str(path), mtime)
