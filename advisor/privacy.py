"""Personal data kept out of what the advisor stores and logs (issue 22, PRIVACY.md): the places the
redaction of advisor/redaction.py is applied, as small pure functions.

- :func:`redact_user_text`: a user message's text as stored: redacted, then cut to the NLU's limit
  (redacting first, so that an address crossing the limit is replaced whole, not cut into a fragment
  the patterns no longer recognise). advisor.patches applies it to every ``UserMessage``.
- :func:`redact_parse_data`: parse data a client sent with its message (the HTTP API's
  ``POST /conversations/<id>/messages``): its text and its entities' values.
- :func:`redact_event`: one event as the tracker store writes it (the second layer, for events written
  through the HTTP API): a user event's text, parse data and entities, any string in a slot's value.
  Bot events are left alone: the bot's own words (prices, durations) are not personal data, and what it
  echoes of the user comes from text already redacted.
- :func:`redact_log_message`: a log line.

Nothing is logged or stored here.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Mapping, Optional

from advisor.redaction import redact
from components.text_guard import MAX_MESSAGE_CHARS, clean_text

# Characters kept past the cut while redacting: longer than any e-mail address, IBAN, card or phone
# number the patterns find, so that one crossing the limit is still found whole.
REDACTION_MARGIN = 200
MAX_DEPTH = 8  # slot values are small JSON; anything nested deeper is left as it is (and is bounded elsewhere)


def redact_text(text: str) -> str:
    """`text` with every e-mail address, phone number, card number, IBAN and street address replaced by
    its placeholder (``[email]``, ``[phone]`` …)."""
    return redact(text).text if text else text


def clean_for_redaction(text: Optional[str], limit: int = MAX_MESSAGE_CHARS) -> str:
    """A user message cleaned of control and invisible characters (which could split an address the
    patterns must see whole) and cut a margin past `limit`: the text :func:`redact_user_text` works on."""
    return clean_text(text, limit + REDACTION_MARGIN)


def redact_user_text(text: Optional[str], limit: int = MAX_MESSAGE_CHARS) -> str:
    """A user message as it may be stored: cleaned, personal data replaced, cut to `limit` characters."""
    return clean_text(redact_text(clean_for_redaction(text, limit)), limit)


def _redact_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if depth >= MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [_redact_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, depth + 1) for k, v in value.items()}
    return value


def _redact_entities(entities: Any) -> Any:
    if not isinstance(entities, list):
        return entities
    out = []
    for entity in entities:
        if isinstance(entity, dict) and isinstance(entity.get("value"), str):
            entity = {**entity, "value": redact_text(entity["value"])}
        out.append(entity)
    return out


def redact_parse_data(parse_data: Any) -> Any:
    """Parse data with its text and its entities' values redacted (a copy; anything else unchanged)."""
    if not isinstance(parse_data, Mapping):
        return parse_data
    out: Dict[str, Any] = dict(parse_data)
    if isinstance(out.get("text"), str):
        out["text"] = redact_user_text(out["text"])
    if "entities" in out:
        out["entities"] = _redact_entities(out["entities"])
    return out


def redact_event(event: Mapping[str, Any]) -> Dict[str, Any]:
    """One event dict (``Event.as_dict()``) as the tracker store may write it."""
    out = copy.deepcopy(dict(event))
    kind = out.get("event")
    if kind == "user":
        if isinstance(out.get("text"), str):
            out["text"] = redact_user_text(out["text"])
        if "parse_data" in out:
            out["parse_data"] = redact_parse_data(out["parse_data"])
        if "entities" in out:
            out["entities"] = _redact_entities(out["entities"])
    elif kind == "slot":
        out["value"] = _redact_value(out.get("value"))
    return out


def redact_log_message(message: str) -> str:
    """A log line with personal data replaced."""
    return redact_text(message)
