"""web/serve.py against slow clients over real sockets: a request head trickled in a byte at a time is cut
off at the head deadline (not held while bytes keep coming), and one address cannot hold more than its
share of connections. The page server runs with a 2 s deadline and 4 connections per address (the
defaults, 10 s and 16, behave the same, slower)."""
from __future__ import annotations

import select
import socket
import subprocess
import sys
import time
from typing import Dict, Iterator, List

import pytest
import requests

from tests.support.stack import ROOT, free_port

HEAD_TIMEOUT = 2.0
PER_IP = 4


@pytest.fixture(scope="module")
def page() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "web" / "serve.py"), "--host", "127.0.0.1", "--port", str(port),
                             "--rasa-url", "http://127.0.0.1:9", "--head-timeout", str(HEAD_TIMEOUT),
                             "--max-connections-per-ip", str(PER_IP)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _connect(url: str) -> socket.socket:
    host, port = url.split("//")[1].split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _closed(s: socket.socket) -> bool:
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        return s.recv(4096) == b""
    except (ConnectionResetError, socket.timeout):
        return True


def test_a_trickled_request_head_is_cut_off_at_the_deadline(page: str) -> None:
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Padding: " + b"a" * 200
    clients: List[socket.socket] = [_connect(page) for _ in range(3)]
    start = time.monotonic()
    closed_after: Dict[int, float] = {}
    try:
        sent = 0
        while len(closed_after) < len(clients) and time.monotonic() - start < HEAD_TIMEOUT + 4:
            for n, s in enumerate(clients):
                if n in closed_after:
                    continue
                try:
                    s.sendall(head[sent:sent + 1])  # one byte every 0.25 s: each read gets something
                except (BrokenPipeError, ConnectionResetError):
                    closed_after[n] = time.monotonic() - start
                    continue
                if _closed(s):
                    closed_after[n] = time.monotonic() - start
            sent += 1
            time.sleep(0.25)
    finally:
        for s in clients:
            s.close()
    assert len(closed_after) == 3, f"still held after {time.monotonic() - start:.1f} s: {closed_after}"
    assert all(HEAD_TIMEOUT - 0.5 <= t <= HEAD_TIMEOUT + 1.5 for t in closed_after.values()), closed_after
    assert requests.get(f"{page}/healthz", timeout=5).status_code == 200, "the server still serves"


def test_one_address_cannot_hold_more_than_its_connections(page: str) -> None:
    idle = [_connect(page) for _ in range(PER_IP)]
    try:
        time.sleep(0.3)  # accepted, each waiting for its request head
        extra = _connect(page)
        extra.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        answer = extra.recv(4096)
        extra.close()
        assert answer.startswith(b"HTTP/1.0 503"), answer
    finally:
        for s in idle:
            s.close()
    deadline = time.monotonic() + 5
    while True:  # the slots are free again as soon as the idle connections are gone
        try:
            r = requests.get(f"{page}/healthz", timeout=5)
            if r.status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "the address's connections were not released"
        time.sleep(0.1)
