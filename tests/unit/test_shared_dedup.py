"""Slack/Telegram de-duplication shared between processes through Redis (channels.common): a retry that
reaches another worker is still recognised; with Redis down each process's memory decides."""
from __future__ import annotations

import shutil
import subprocess
import time
from typing import Iterator

import pytest

from channels.common import RecentKeys, SharedRecentKeys, recent_keys
from tests.support.stack import ROOT, free_port


@pytest.fixture
def redis_port(tmp_path: object) -> Iterator[int]:
    if not shutil.which("redis-server"):  # as the cluster does: from the Debian packages
        subprocess.run([str(ROOT / "scripts" / "services.sh"), "install", "redis"], capture_output=True, timeout=600)
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed and could not be installed (no apt-get)")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_processes_share_what_they_have_seen(redis_port: int) -> None:
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port)}
    first, second = SharedRecentKeys("t", 60, env), SharedRecentKeys("t", 60, env)  # two workers
    assert first.first_time(["Ev1"])
    assert not second.first_time(["Ev1"]), "the other worker must recognise the retry"
    assert not first.first_time(["Ev1"])
    assert second.first_time(["Ev2"])


def test_without_redis_the_process_memory_decides() -> None:
    keys = SharedRecentKeys("t", 60, {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(free_port())})
    assert keys.first_time(["a"]) and not keys.first_time(["a"])


def test_one_process_uses_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_HOST", raising=False)
    keys = recent_keys("t", 60)
    assert type(keys) is RecentKeys
    assert keys.first_time(["a", "b"]) and not keys.first_time(["b"])
