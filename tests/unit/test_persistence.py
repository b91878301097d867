"""The endpoints file per run mode, and the tracker store's expiry of idle conversations."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.endpoints import ROOT, ConfigError, describe, render
from persistence.tracker_store import AdvisorTrackerStore

ACTION_URL = "http://127.0.0.1:5055/webhook"


def test_default_is_sqlite_under_the_project() -> None:
    conf = yaml.safe_load(render(ACTION_URL, {}))
    assert conf["action_endpoint"]["url"] == ACTION_URL
    store = conf["tracker_store"]
    assert store["type"] == "persistence.tracker_store.AdvisorTrackerStore"
    assert store["dialect"] == "sqlite"
    assert Path(store["db"]) == ROOT / "var" / "conversations.db"
    assert "lock_store" not in conf
    assert "SQLite" in describe({})


def test_relative_sqlite_path_is_under_the_project(tmp_path: Path) -> None:
    conf = yaml.safe_load(render(ACTION_URL, {"ADVISOR_TRACKER_DB": str(tmp_path / "c.db")}))
    assert conf["tracker_store"]["db"] == str(tmp_path / "c.db")


def test_postgresql_and_redis_from_the_variables_without_writing_passwords() -> None:
    env = {"POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "6543", "POSTGRES_DB": "bot", "POSTGRES_USER": "rasa",
           "POSTGRES_PASSWORD": "s3cret-pg", "REDIS_HOST": "cache.internal", "REDIS_PASSWORD": "s3cret-redis",
           "CONVERSATION_TTL_SECONDS": "86400"}
    text = render(ACTION_URL, env)
    assert "s3cret" not in text
    assert "password: ${POSTGRES_PASSWORD}" in text and "password: ${REDIS_PASSWORD}" in text
    conf = yaml.safe_load(text.replace("${POSTGRES_PASSWORD}", "x").replace("${REDIS_PASSWORD}", "y"))
    store, locks = conf["tracker_store"], conf["lock_store"]
    assert (store["dialect"], store["url"], store["port"], store["db"], store["username"]) == \
        ("postgresql", "db.internal", 6543, "bot", "rasa")
    assert store["ttl_seconds"] == 86400
    assert (locks["type"], locks["url"], locks["port"], locks["key_prefix"]) == ("redis", "cache.internal", 6379, "advisor")
    assert "PostgreSQL rasa@db.internal:6543/bot" in describe(env) and "Redis cache.internal" in describe(env)


def test_rasa_expands_the_password_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("POSTGRES_PASSWORD", "pg-pw")
    monkeypatch.setenv("REDIS_PASSWORD", "redis-pw")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "the-action-server-secret")  # the file refers to it too
    path = tmp_path / "endpoints.yml"
    path.write_text(render(ACTION_URL, {"POSTGRES_HOST": "h", "POSTGRES_PASSWORD": "pg-pw", "REDIS_HOST": "r",
                                        "REDIS_PASSWORD": "redis-pw"}))
    store = read_endpoint_config(str(path), "tracker_store")
    locks = read_endpoint_config(str(path), "lock_store")
    assert store is not None and locks is not None
    assert store.kwargs["password"] == "pg-pw" and locks.kwargs["password"] == "redis-pw"


@pytest.mark.parametrize("env, problem", [
    ({"REDIS_HOST": "r", "REDIS_KEY_PREFIX": "my-prefix"}, "REDIS_KEY_PREFIX"),
    ({"CONVERSATION_TTL_SECONDS": "a week"}, "CONVERSATION_TTL_SECONDS"),
    ({"CONVERSATION_TTL_SECONDS": "-1"}, "CONVERSATION_TTL_SECONDS"),
    ({"POSTGRES_HOST": "h", "POSTGRES_PORT": "99999"}, "POSTGRES_PORT"),
    ({"ADVISOR_TRACKER_CACHE": "lots"}, "ADVISOR_TRACKER_CACHE"),
])
def test_bad_values_are_named(env: dict, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        render(ACTION_URL, env)


def _tracker(sender: str, at: float) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen", timestamp=at), UserUttered("hi", timestamp=at + 1)])


def test_idle_conversations_are_deleted_and_recent_ones_kept(tmp_path: Path) -> None:
    store = AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "c.db"), ttl_seconds=3600, sweep_seconds=3600)
    try:
        now = time.time()
        asyncio.run(store.save(_tracker("recent", now - 60)))
        asyncio.run(store.save(_tracker("old", now - 7200)))
        assert asyncio.run(store.retrieve("old")) is not None  # a save never sweeps
        assert store.delete_idle(now - 3600) == 1
        assert asyncio.run(store.retrieve("old")) is None
        assert asyncio.run(store.retrieve("recent")) is not None
    finally:
        store.close()


def test_the_sweep_runs_on_its_own_schedule_without_any_message(tmp_path: Path) -> None:
    """The expiry sweep is a thread of the store's (issue 23): an idle conversation goes without any save."""
    store = AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "c.db"), ttl_seconds=100, sweep_seconds=0.2)
    try:
        now = time.time()
        asyncio.run(store.save(_tracker("fresh", now)))
        asyncio.run(store.save(_tracker("stale", now - 500)))
        deadline = time.time() + 5
        while asyncio.run(store.retrieve("stale")) is not None and time.time() < deadline:
            time.sleep(0.1)
        assert asyncio.run(store.retrieve("stale")) is None
        assert asyncio.run(store.retrieve("fresh")) is not None
        assert store._sweeper is not None and store._sweeper.name == "tracker-store-sweep"
    finally:
        store.close()
    assert store._sweeper is not None and not store._sweeper.is_alive()


def test_a_reader_neither_sweeps_nor_caches(tmp_path: Path) -> None:
    store = AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "c.db"), ttl_seconds=100, sweep_seconds=0.1,
                                role="reader")
    try:
        asyncio.run(store.save(_tracker("stale", time.time() - 500)))
        time.sleep(0.5)
        assert asyncio.run(store.retrieve("stale")) is not None
        assert store._sweeper is None and store.cache_size == 0
    finally:
        store.close()


def test_ttl_zero_keeps_everything(tmp_path: Path) -> None:
    store = AdvisorTrackerStore(Domain.empty(), db=str(tmp_path / "c.db"), ttl_seconds=0, sweep_seconds=0)
    asyncio.run(store.save(_tracker("ancient", 1000.0)))
    asyncio.run(store.save(_tracker("other", time.time())))
    assert asyncio.run(store.retrieve("ancient")) is not None
    assert store._sweeper is None


def test_the_workbench_reads_the_store_of_make_runs_endpoints_file_without_the_action_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` writes ${ACTION_SERVER_SECRET} into the endpoints file; the workbench, which never calls
    the action server, reads its tracker store all the same (Rasa's reader stops at an unset variable)."""
    from persistence.endpoints import render
    from workbench.store import endpoint_config

    monkeypatch.delenv("ACTION_SERVER_SECRET", raising=False)
    path = tmp_path / "endpoints.yml"
    path.write_text(render("http://127.0.0.1:5055/webhook", {"ADVISOR_TRACKER_DB": str(tmp_path / "c.db")}))
    assert "${ACTION_SERVER_SECRET}" in path.read_text()
    cfg = endpoint_config(path)
    assert cfg.kwargs["db"] == str(tmp_path / "c.db")


def test_the_cache_size_comes_from_the_environment() -> None:
    assert "cache_size" not in yaml.safe_load(render(ACTION_URL, {}))["tracker_store"]
    assert yaml.safe_load(render(ACTION_URL, {"ADVISOR_TRACKER_CACHE": "0"}))["tracker_store"]["cache_size"] == 0
