"""The cluster's nginx as scripts/cluster.sh renders it (deploy/nginx.conf.template), in front of a stand-in
replica and a replica that is down: no query string (an API token) in any of its logs, a JSON 429 past
the chat rate per client address, no X-Advisor-Replica header unless CLUSTER_DEBUG_HEADERS=1, owner-only
files. A few seconds, no Rasa (tests/e2e/test_cluster.py runs the same configuration with the real
replicas)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests

from tests.support.stack import ROOT, free_port, two_free_ports

SERVICES = ROOT / "scripts" / "services.sh"
TOKEN = "query-token-" + os.urandom(8).hex()

if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and not shutil.which("apt-get"):
    pytest.skip("nginx is not installed and there is no apt-get to install it", allow_module_level=True)


class Replica(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def render(tmp: Path, env: Dict[str, str]) -> str:
    out = subprocess.run(["bash", "scripts/cluster.sh", "nginx-conf"], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


class Edge:
    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "cluster"
        self.base = two_free_ports()
        self.port = free_port()
        # Replica 1 is the stand-in; replica 2 (base + 1) is down: nginx logs a refused connection and retries.
        self.env = {"CLUSTER_DIR": str(self.dir), "RASA_PORT": str(self.port), "CLUSTER_REPLICA_BASE_PORT": str(self.base),
                    "CLUSTER_REPLICAS": "2", "CLUSTER_CHAT_RATE": "2", "CLUSTER_CHAT_BURST": "5"}
        self.replica = ThreadingHTTPServer(("127.0.0.1", self.base), Replica)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Edge":
        threading.Thread(target=self.replica.serve_forever, daemon=True).start()
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(render(self.dir, self.env))
        (self.dir / "nginx" / "tmp").mkdir(parents=True, exist_ok=True)
        subprocess.run([str(SERVICES), "start", "nginx", "--conf", str(conf), "--dir", str(self.dir / "nginx")],
                       check=True, capture_output=True, timeout=300)
        return self

    def stop(self) -> None:
        subprocess.run([str(SERVICES), "stop", "nginx", "--dir", str(self.dir / "nginx")], capture_output=True, timeout=60)
        self.replica.shutdown()
        self.replica.server_close()


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    e = Edge(tmp_path_factory.mktemp("nginx-edge"))
    try:
        yield e.start()
    finally:
        e.stop()


def test_no_replica_header_unless_the_debug_variable_is_set(edge: Edge) -> None:
    r = requests.get(f"{edge.url}/status", params={"token": TOKEN}, timeout=10)
    assert r.status_code == 200
    assert "X-Advisor-Replica" not in r.headers
    assert not any(str(edge.base) in v for v in r.headers.values()), r.headers
    debug = render(edge.dir, {**edge.env, "CLUSTER_DEBUG_HEADERS": "1"})
    assert f'"~:{edge.base}$" r1;' in debug and f'"~:{edge.base + 1}$" r2;' in debug
    assert "r1;" not in render(edge.dir, edge.env)


def test_no_query_string_reaches_a_log(edge: Edge) -> None:
    for n in range(12):  # some of these conversations hash to the replica that is down
        r = requests.get(f"{edge.url}/conversations/c{n}/tracker", params={"token": TOKEN}, timeout=10)
        assert r.status_code == 200, r.text
    requests.post(f"{edge.url}/webhooks/rest/webhook", params={"token": TOKEN}, json={"sender": "a", "message": "hi"},
                  timeout=10)
    logs = {p.name: p.read_text(errors="replace") for p in (edge.dir / "nginx").glob("*.log")}
    for name, text in logs.items():
        assert TOKEN not in text and "token=" not in text, name
    assert "/conversations/c3/tracker" in logs["access.log"]
    assert f"upstream=127.0.0.1:{edge.base + 1}" in logs["access.log"], "the refused replica shows in the access log"


def test_chat_paths_are_limited_per_address_with_a_json_429(edge: Edge) -> None:
    with requests.Session() as s:
        codes = [s.get(f"{edge.url}/webhooks/rest/", timeout=10).status_code for _ in range(15)]
        assert codes[:5] == [200] * 5 and 429 in codes, codes
        limited = s.get(f"{edge.url}/socket.io/?EIO=4&transport=polling", timeout=10)
        assert limited.status_code == 429
        assert limited.headers["Content-Type"].startswith("application/json")
        assert "too many requests" in limited.json()["error"] and limited.headers["Retry-After"] == "1"
        other = [s.get(f"{edge.url}/conversations/x/tracker", timeout=10).status_code for _ in range(15)]
        assert set(other) == {200}, "only the chat paths are limited"


def test_its_files_are_owner_only(edge: Edge) -> None:
    for path in [edge.dir / "nginx", *(edge.dir / "nginx").glob("*.log")]:
        assert path.stat().st_mode & 0o077 == 0, f"{path}: {oct(path.stat().st_mode)}"
