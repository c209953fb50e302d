"""In-process access to the emulators with the failure modes of a real network.

:class:`SandboxTransport` routes each request by host to an emulator's ASGI app (through
``httpx.ASGITransport``) and turns the emulators' modelled network failures into the same
exceptions a real connection raises: a dropped connection becomes
``httpx.RemoteProtocolError`` and a request slower than the client's read timeout becomes
``httpx.ReadTimeout``.  So client code exercised in-process handles exactly what it will
meet on a shop's PC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
from starlette.types import ASGIApp

from .core import SandboxConnectionDropped


class SandboxTransport(httpx.AsyncBaseTransport):
    """Routes ``scheme://host[:port]`` to in-process ASGI apps."""

    def __init__(self, apps_by_origin: Mapping[str, ASGIApp]) -> None:
        self._transports = {
            origin.rstrip("/"): httpx.ASGITransport(app=app)
            for origin, app in apps_by_origin.items()
        }

    def _transport_for(self, request: httpx.Request) -> httpx.ASGITransport:
        url = request.url
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        try:
            return self._transports[origin]
        except KeyError:
            raise httpx.ConnectError(f"no sandbox service at {origin}", request=request) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._transport_for(request)
        timeouts = request.extensions.get("timeout", {})
        read_timeout = timeouts.get("read")
        try:
            if read_timeout is None:
                response = await transport.handle_async_request(request)
            else:
                response = await asyncio.wait_for(
                    transport.handle_async_request(request), timeout=read_timeout
                )
        except TimeoutError:
            raise httpx.ReadTimeout("sandbox read timed out", request=request) from None
        except SandboxConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
        return response

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()
