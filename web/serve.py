#!/usr/bin/env python3
"""Serves the advisor's web page: the landing text with the chat widget, talking to the Rasa server.

    python web/serve.py --host 127.0.0.1 --port 8000 --rasa-url http://127.0.0.1:5005

Standard library only. It serves a fixed list of files and nothing else (no directory listing, no
path from the URL ever reaches the file system):
    /                         index.html
    /chat.js, /chat.css, /page.css   the widget and the page (this folder)
    /config.js                window.ADVISOR_CONFIG with the Rasa server's URL (from --rasa-url)
    /vendor/*.js              the three browser libraries, from web/node_modules (installed by
                              scripts/setup.sh with `npm ci` from package-lock.json)
    /healthz                  "ok"

Slow or greedy clients: a request's whole head (request line and headers) must arrive within
--head-timeout seconds (10) of the connection, however slowly it trickles in, or the connection is
closed; one client address may hold --max-connections-per-ip (16) connections at once, and all together
--max-connections (128): one more gets a 503 and is closed.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parent
MODULES = WEB / "node_modules"

JS = "text/javascript; charset=utf-8"
# URL path -> (file, content type). The only files this server reads.
FILES: Dict[str, Tuple[Path, str]] = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/index.html": (WEB / "index.html", "text/html; charset=utf-8"),
    "/chat.js": (WEB / "chat.js", JS),
    "/chat.css": (WEB / "chat.css", "text/css; charset=utf-8"),
    "/page.css": (WEB / "page.css", "text/css; charset=utf-8"),
    "/vendor/socket.io.min.js": (MODULES / "socket.io-client" / "dist" / "socket.io.min.js", JS),
    "/vendor/marked.umd.js": (MODULES / "marked" / "lib" / "marked.umd.js", JS),
    "/vendor/purify.min.js": (MODULES / "dompurify" / "dist" / "purify.min.js", JS),
}
SOCKET_TIMEOUT_S = 15
# The whole request head (request line and headers) must arrive within this many seconds of the
# connection being accepted, however it trickles in: a socket timeout alone restarts with every byte.
HEAD_TIMEOUT_S = 10.0
# Connections open at once, from one client address and in all (one thread each); more are answered 503.
MAX_CONNECTIONS_PER_IP = 16
MAX_CONNECTIONS = 128
BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\n"
        b"Connection: close\r\nRetry-After: 1\r\n\r\ntoo many connections, try again\r\n")
VENDOR_HINT = "the widget's libraries are missing: run `make setup` (npm ci in web/)"

log = logging.getLogger("web")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


class HeadDeadlineReader(io.RawIOBase):
    """A connection's incoming bytes; every read fails with TimeoutError once the handler's deadline for
    the request head has passed (each read waits at most until then, and at most the handler's timeout)."""

    def __init__(self, sock: socket.socket, handler: "Handler") -> None:
        super().__init__()
        self.sock, self.handler = sock, handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.handler.head_deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the request head did not arrive within {self.handler.head_timeout:g} s")
        self.sock.settimeout(min(remaining, self.handler.timeout or SOCKET_TIMEOUT_S))
        return self.sock.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    server_version = "advisor-web"
    # A client that opens a connection and then sends nothing (or a byte a minute) is dropped after this
    # many seconds instead of holding a thread for ever.
    timeout = SOCKET_TIMEOUT_S
    head_timeout = HEAD_TIMEOUT_S
    head_deadline = 0.0
    rasa_url = "http://127.0.0.1:5005"

    # --- plumbing -------------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        buffered = self.rfile
        self.rfile = io.BufferedReader(HeadDeadlineReader(self.connection, self))
        buffered.close()

    def handle_one_request(self) -> None:
        # BaseHTTPRequestHandler answers a TimeoutError while it reads the head by closing the connection.
        self.head_deadline = time.monotonic() + self.head_timeout
        super().handle_one_request()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, fmt: str, *args) -> None:  # to our logger instead of bare stderr
        log.info("%s %s", self.address_string(), fmt % args)

    def _headers(self, status: int, ctype: str, length: int, cache: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if ctype.startswith("text/html"):
            rasa = origin_of(self.rasa_url)
            ws = rasa.replace("http", "ws", 1)
            self.send_header(
                "Content-Security-Policy",
                "default-src 'self'; "
                f"connect-src 'self' {rasa} {ws}; "
                "img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'",
            )
            self.send_header("X-Frame-Options", "DENY")
        self.end_headers()

    def _send(self, status: int, body: bytes, ctype: str, cache: str = "no-cache") -> None:
        self._headers(status, ctype, len(body), cache)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, text: str) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8", "no-store")

    # --- routes ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/healthz":
            return self._send(200, b"ok\n", "text/plain; charset=utf-8", "no-store")
        if path == "/config.js":
            config = {"rasaUrl": self.rasa_url, "socketPath": "/socket.io/", "initPayload": "/greet"}
            body = f"window.ADVISOR_CONFIG = {json.dumps(config)};\n".encode()
            return self._send(200, body, JS, "no-store")
        entry = FILES.get(path)
        if entry is None:
            return self._error(404, "not found")
        file, ctype = entry
        try:
            body = file.read_bytes()
        except OSError:
            if MODULES in file.parents:
                log.error("%s (%s)", VENDOR_HINT, file)
                return self._error(503, VENDOR_HINT)
            return self._error(404, "not found")
        # The libraries change only with package-lock.json; the page's own files with every edit.
        self._send(200, body, ctype, "public, max-age=3600" if path.startswith("/vendor/") else "no-cache")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self._error(405, "method not allowed")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST


class PageServer(ThreadingHTTPServer):
    """One thread per connection, with at most `max_per_ip` connections per client address and
    `max_total` in all: a connection over either limit gets a short 503 and is closed at once."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], handler: Any, max_per_ip: int = MAX_CONNECTIONS_PER_IP,
                 max_total: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, handler)
        self.max_per_ip, self.max_total = max_per_ip, max_total
        self._lock = threading.Lock()
        self._open: Dict[str, int] = {}

    def verify_request(self, request: Any, client_address: Any) -> bool:
        ip = client_address[0]
        with self._lock:
            if sum(self._open.values()) >= self.max_total or self._open.get(ip, 0) >= self.max_per_ip:
                refused = True
            else:
                self._open[ip] = self._open.get(ip, 0) + 1
                refused = False
        if refused:
            log.warning("%s: too many connections open (%d per address, %d in all): refused", ip,
                        self.max_per_ip, self.max_total)
            try:
                request.settimeout(1)
                request.sendall(BUSY)
            except OSError:
                pass
            return False
        return True

    def _release(self, client_address: Any) -> None:
        ip = client_address[0]
        with self._lock:
            left = self._open.get(ip, 0) - 1
            if left > 0:
                self._open[ip] = left
            else:
                self._open.pop(ip, None)

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release(client_address)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(client_address)


def make_server(host: str, port: int, rasa_url: str, head_timeout: float = HEAD_TIMEOUT_S,
                max_per_ip: int = MAX_CONNECTIONS_PER_IP, max_total: int = MAX_CONNECTIONS) -> PageServer:
    origin_of(rasa_url)  # validates
    handler = type("ConfiguredHandler", (Handler,), {"rasa_url": rasa_url.rstrip("/"), "head_timeout": head_timeout})
    return PageServer((host, port), handler, max_per_ip, max_total)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the advisor's chat page.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005",
                        help="the Rasa server as the visitor's browser reaches it")
    parser.add_argument("--head-timeout", type=float, default=HEAD_TIMEOUT_S,
                        help="seconds for a request's whole head to arrive (default %(default)s)")
    parser.add_argument("--max-connections-per-ip", type=int, default=MAX_CONNECTIONS_PER_IP,
                        help="connections open at once from one address (default %(default)s)")
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS,
                        help="connections open at once in all (default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.head_timeout <= 0 or args.max_connections_per_ip < 1 or args.max_connections < 1:
        parser.error("--head-timeout must be positive, the connection limits 1 or more")
    try:
        server = make_server(args.host, args.port, args.rasa_url, args.head_timeout, args.max_connections_per_ip,
                             args.max_connections)
    except ValueError as e:
        parser.error(str(e))
    missing = [str(f) for f, _ in FILES.values() if not f.is_file()]
    if missing:
        log.warning("%s; missing: %s", VENDOR_HINT if any("node_modules" in m for m in missing) else "files missing",
                    ", ".join(missing))
    log.info("serving the chat page on http://%s:%d/ (Rasa server: %s)", args.host, args.port, args.rasa_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
