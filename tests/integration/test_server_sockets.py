"""Our two uvicorn servers answer without Nagle's delay.

A listening socket made with proto 0 hands asyncio accepted connections it will not mark
``TCP_NODELAY``; uvicorn writes headers and body apart, so every small answer then waited
~40 ms for the client's delayed ACK (the local API's and the sandbox's alike).  The
server's end of a live connection is found among the process's socket objects by its
addresses (the servers run in this process), so nothing private is reached into.
"""

from __future__ import annotations

import gc
import socket
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from nexpura_desktop.api.server import ApiServer
from nexpura_desktop.sandbox.runner import SandboxServer


def _server_end(client: httpx.Client) -> socket.socket:
    """The accepted socket serving ``client``'s keep-alive connection."""
    port = _port(client)
    for obj in gc.get_objects():
        if isinstance(obj, socket.socket) and obj.family == socket.AF_INET and obj.fileno() != -1:
            try:
                local, _peer = obj.getsockname(), obj.getpeername()
            except OSError:  # the listening socket has no peer
                continue
            if local[1] == port:
                return obj
    raise AssertionError("no accepted socket found for the connection")


def _port(client: httpx.Client) -> int:
    return int(client.base_url.port or 80)


def _ping(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code < 500


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.mark.parametrize("which", ["api", "sandbox"])
def test_accepted_connections_send_without_delay(which: str) -> None:
    if which == "api":

        async def hello(request: Any) -> PlainTextResponse:
            return PlainTextResponse("ok")

        server: Any = ApiServer(Starlette(routes=[Route("/", hello)]), 0).start_in_thread()
        url, path = server.url, "/"
    else:
        server = SandboxServer(port_base=0, services=["xero"]).start_in_thread()
        url, path = server.hub_url, "/_sandbox/services"
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            _ping(client, path)  # the connection stays open (keep-alive)
            assert _nodelay(_server_end(client)) == 1
    finally:
        server.close()
