"""Erasing one conversation (issue 22, PRIVACY.md): what the tracker store, the workbench and `make forget`
share. The statements are written from persistence/retention.yml's table names (checked there as plain SQL
names); the conversation id is always a bound parameter.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from persistence.endpoints import ROOT

FORGET_SLOT = "forget_confirmed"  # set by action_forget_me (actions/action_privacy.py)
DEFAULT_WORKBENCH_DB = ROOT / ".workbench" / "workbench.db"


def forget_requested(events: Iterable[Any]) -> bool:
    """True when the events carry the slot action_forget_me sets after the user confirmed."""
    from rasa.shared.core.events import SlotSet

    return any(isinstance(e, SlotSet) and e.key == FORGET_SLOT and e.value is True for e in events)


def delete_rows(conn: Any, conversation_id: str, tables: Sequence[Tuple[str, str]]) -> Dict[str, int]:
    """Deletes the conversation's rows from each of `tables` (table, id column) that exists; rows per table."""
    existing = set(sa.inspect(conn).get_table_names())
    counts: Dict[str, int] = {}
    for table, column in tables:
        if table not in existing:
            continue
        result = conn.execute(sa.text(f'DELETE FROM "{table}" WHERE "{column}" = :cid'), {"cid": conversation_id})
        counts[table] = int(result.rowcount or 0)
    return counts


def user_messages(event_data: Iterable[Any]) -> List[Tuple[float, str]]:
    """(timestamp, text) of each stored user event (the JSON of the events table's `data` column)."""
    out: List[Tuple[float, str]] = []
    for raw in event_data:
        try:
            data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("timestamp"), (int, float)):
            out.append((float(data["timestamp"]), str(data.get("text") or "")))
    return out


def erase_from_workbench(db: Optional[Path], conversation_id: str, messages: Sequence[Tuple[float, str]]) -> int:
    """Deletes the workbench's review and inbox marks of one conversation from its SQLite file, when that
    file exists (it is never created here); rows deleted."""
    if db is None or not Path(db).is_file():
        return 0
    from workbench.reviews import Reviews

    return Reviews(Path(db)).forget(conversation_id, messages)
