"""Small hardening items: the web page server's headers and socket timeout, secrets ignored by git."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.support.stack import ROOT, free_port

sys.path.insert(0, str(ROOT / "web"))
import serve  # noqa: E402


@pytest.fixture
def page_server():
    port = free_port()
    server = serve.make_server("127.0.0.1", port, "http://127.0.0.1:5005")
    server.RequestHandlerClass.timeout = 1  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


def test_page_headers_forbid_framing_and_foreign_images(page_server: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{page_server}/", timeout=5) as r:
        csp = r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in csp
    img = next(part.strip() for part in csp.split(";") if part.strip().startswith("img-src"))
    assert img == "img-src 'self' data:", "no third-party images (tracking pixels)"


def test_idle_clients_are_disconnected(page_server: int) -> None:
    assert serve.Handler.timeout == serve.SOCKET_TIMEOUT_S > 0
    start = time.time()
    with socket.create_connection(("127.0.0.1", page_server), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\n")  # ...and never the rest of the request
        assert s.recv(100) == b""  # closed by the server
    assert time.time() - start < 5


@pytest.mark.parametrize("name", [".env", ".env.production", "server.pem", "tls/private.key", ".run/api-token"])
def test_secrets_are_ignored_by_git(name: str) -> None:
    assert subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT).returncode == 0, name
