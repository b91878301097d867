"""The socket.io channel's transports (channels.socketio.transports): websocket only when more than one process
serves the channel (`make run`'s two workers), both with one; SOCKETIO_TRANSPORTS overrides, and a wrong value
is refused by name."""
from __future__ import annotations

import pytest

from channels.socketio import SocketIOChannel, transports


def test_one_process_offers_both_and_two_workers_only_a_websocket() -> None:
    assert transports({}) == ["polling", "websocket"]
    assert transports({"SANIC_WORKERS": "1"}) == ["polling", "websocket"]
    assert transports({"SANIC_WORKERS": "2"}) == ["websocket"]
    assert transports({"SANIC_WORKERS": "2", "SOCKETIO_TRANSPORTS": "polling websocket"}) == ["polling", "websocket"]
    assert transports({"SOCKETIO_TRANSPORTS": "websocket websocket"}) == ["websocket"]


def test_an_unknown_transport_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="SOCKETIO_TRANSPORTS: unknown transport 'flash'"):
        transports({"SOCKETIO_TRANSPORTS": "websocket flash"})


def test_the_server_is_created_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANIC_WORKERS", "2")
    monkeypatch.delenv("SOCKETIO_TRANSPORTS", raising=False)
    server = SocketIOChannel().create_server()
    assert server.eio.transports == ["websocket"]
