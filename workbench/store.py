"""Reads conversations from the tracker store an endpoints file configures, through Rasa's own
`TrackerStore.create` (SQL stores — SQLite, PostgreSQL — and the others Rasa supports): `keys()` and
`retrieve_full_tracker()`. The one write is an erasure on request (:meth:`ConversationSource.forget`, SQL stores
only: PRIVACY.md), which also drops the cached copy."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from workbench.conversations import Conversation, summarize

DEFAULT_ENDPOINTS = ("endpoints.yml",)
MAX_CONVERSATIONS = 5000  # a limit before buffering: the newest are read first where the store allows it
CACHE_SECONDS = 5.0


class StoreError(RuntimeError):
    pass


def read_tracker_store_config(endpoints: Path) -> Any:
    """The endpoints file's `tracker_store` section, with Rasa's ${VAR} expansion applied to that section
    only: the workbench reads conversations and never calls the action server, so it neither needs nor
    reads the action server's secret (`${ACTION_SERVER_SECRET}` in the same file)."""
    import yaml
    from rasa.shared.utils.io import read_yaml
    from rasa.utils.endpoints import EndpointConfig

    section = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store")
    if section is None:
        return None
    return EndpointConfig.from_dict(read_yaml(yaml.safe_dump(section)))


def endpoint_config(endpoints: Path) -> Any:

    if not endpoints.is_file():
        raise StoreError(f"endpoints file {endpoints} not found (give one with --endpoints)")
    cfg = read_tracker_store_config(endpoints)
    if cfg is None:
        raise StoreError(
            f"{endpoints} configures no tracker_store: Rasa keeps conversations in memory only, so there "
            "is nothing to read. Use the SQLite store `make run` writes (type: SQL, dialect: sqlite)."
        )
    return cfg


class ConversationSource:
    """Conversations from a tracker store, summarised, cached a few seconds."""

    def __init__(self, endpoints: Path, domain_file: Path, project_root: Optional[Path] = None) -> None:
        self.endpoints = endpoints
        self.domain_file = domain_file
        self.root = project_root or endpoints.parent
        self._store: Any = None
        self._cache: Optional[List[Conversation]] = None
        self._cached_at = 0.0
        self.error: Optional[str] = None
        # Called with every complete read (all conversations the store holds): the workbench drops its marks
        # of conversations erased or expired since (Reviews.prune).
        self.on_complete_read: Optional[Callable[[List[Conversation]], object]] = None

    def _open(self) -> Any:
        if self._store is None:
            import os

            from rasa.core.tracker_store import TrackerStore
            from rasa.shared.core.domain import Domain

            cfg = endpoint_config(self.endpoints)
            # A relative SQLite file is relative to the project (where `make run` starts Rasa).
            if (
                str(cfg.kwargs.get("dialect", "")).startswith("sqlite")
                and cfg.kwargs.get("db")
                and not os.path.isabs(str(cfg.kwargs["db"]))
            ):
                cfg.kwargs["db"] = str(self.root / str(cfg.kwargs["db"]))
                if not Path(cfg.kwargs["db"]).exists():
                    raise StoreError(f"the SQLite tracker store {cfg.kwargs['db']} does not exist yet: chat with the bot first")
            self._store = TrackerStore.create(cfg, Domain.load(str(self.domain_file)))
        return self._store

    def tracker_store(self) -> Any:
        """Rasa's tracker store itself (the Live page reads single conversations and the tables beside it)."""
        return self._open()

    async def _read(self) -> List[Conversation]:
        store = self._open()
        all_keys = list(await store.keys())
        keys = all_keys[:MAX_CONVERSATIONS]
        out: List[Conversation] = []
        for key in keys:
            tracker = await store.retrieve_full_tracker(key)
            if tracker is None:
                continue
            out.append(summarize(key, [e.as_dict() for e in tracker.events]))
        if len(all_keys) <= MAX_CONVERSATIONS and self.on_complete_read is not None:
            self.on_complete_read(out)
        return out

    async def forget(self, conversation_id: str, workbench_db: Optional[Path], reason: str) -> Dict[str, int]:
        """Erases one conversation from the tracker store and the workbench's marks of it (persistence.
        tracker_store.erase_conversation); the cached copy goes too. Rows deleted per place."""
        from persistence.tracker_store import erase_conversation

        counts = erase_conversation(self._open(), conversation_id, reason, workbench_db)
        self._cache, self._cached_at = None, 0.0
        return counts

    async def conversations(self) -> List[Conversation]:
        if self._cache is not None and time.time() - self._cached_at < CACHE_SECONDS:
            return self._cache
        try:
            self._cache = await self._read()
            self.error = None
        except StoreError as exc:
            self.error, self._cache = str(exc), []
        except Exception as exc:  # noqa: BLE001 - the page says what is wrong instead of crashing
            self.error, self._cache = f"cannot read the tracker store: {exc}", []
            self._store = None
        self._cached_at = time.time()
        return self._cache

    async def get(self, conversation_id: str) -> Optional[Conversation]:
        for c in await self.conversations():
            if c.id == conversation_id:
                return c
        return None

    def read_sync(self) -> List[Conversation]:
        return asyncio.run(self.conversations())


def by_id(convs: List[Conversation]) -> Dict[str, Conversation]:
    return {c.id: c for c in convs}
