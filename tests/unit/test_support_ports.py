"""The test support's free ports (tests/support/stack.py): never one port handed out twice in a process."""
from __future__ import annotations

from tests.support import stack


def test_free_ports_are_never_handed_out_twice() -> None:
    # the system may give the same free port twice in a row; a cluster once got one port for its PostgreSQL and its
    # action server, and failed to start ("address already in use")
    ports = [stack.free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    base = stack.two_free_ports()
    assert base not in ports and base + 1 not in ports
    assert stack.free_port() not in (base, base + 1)


def test_free_ports_are_below_the_ephemeral_range() -> None:
    # outgoing connections take ports in the ephemeral range: a server's port there may be gone before it binds it
    ephemeral = stack._ephemeral_range()
    assert all(stack.free_port() < ephemeral.start for _ in range(50))
