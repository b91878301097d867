"""The retention settings of persistence/retention.yml (data): the conversation TTL's default and the tables
erased with a conversation. Read and checked once, on first use."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Tuple

import yaml

RETENTION_PATH = Path(__file__).with_name("retention.yml")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # an SQL identifier written into a statement: checked strictly


class RetentionError(ValueError):
    pass


@dataclass(frozen=True)
class Retention:
    conversation_ttl_days: float
    sweep_seconds: float
    conversation_tables: Tuple[Tuple[str, str], ...]  # (table, column with the conversation id)

    @property
    def ttl_seconds(self) -> float:
        return self.conversation_ttl_days * 24 * 3600


def parse(data: Any, path: Path = RETENTION_PATH) -> Retention:
    if not isinstance(data, dict):
        raise RetentionError(f"{path}: must be a mapping")
    unknown = set(data) - {"version", "conversation_ttl_days", "sweep_seconds", "conversation_tables"}
    if unknown:
        raise RetentionError(f"{path}: unknown keys {sorted(unknown)}")
    numbers = {}
    for key in ("conversation_ttl_days", "sweep_seconds"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RetentionError(f"{path}: {key} must be a number >= 0, not {value!r}")
        numbers[key] = float(value)
    tables = data.get("conversation_tables")
    if not isinstance(tables, list) or not tables:
        raise RetentionError(f"{path}: conversation_tables must be a non-empty list")
    pairs = []
    for i, item in enumerate(tables):
        if not isinstance(item, dict) or set(item) != {"table", "column"} or not all(
                isinstance(item[k], str) and _NAME.fullmatch(item[k]) for k in ("table", "column")):
            raise RetentionError(f"{path}: conversation_tables[{i}] must be {{table, column}}, lower-case SQL names")
        pairs.append((item["table"], item["column"]))
    if ("events", "sender_id") not in pairs:
        raise RetentionError(f"{path}: conversation_tables must include Rasa's events table (events, sender_id)")
    return Retention(numbers["conversation_ttl_days"], numbers["sweep_seconds"], tuple(pairs))


@lru_cache(maxsize=2)
def load(path: Path = RETENTION_PATH) -> Retention:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RetentionError(f"{path}: cannot be read: {exc}") from exc
    return parse(data, path)
