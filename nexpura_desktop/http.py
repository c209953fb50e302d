"""The one place HTTP clients are built.

Every client gets the same timeouts, a User-Agent naming the app, TLS checked against the
operating system's certificate store (``truststore``: a shop behind a corporate proxy or
antivirus that re-signs HTTPS works like its browser does), and event hooks that log each
request's method, URL and status at DEBUG (the log filter redacts any secret in them).
Tests and the in-process sandbox inject a transport instead of touching the network.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import httpx
import truststore

from . import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"NexpuraDesktop/{__version__} (+https://nexpura.com)"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@cache
def _tls_context() -> ssl.SSLContext:
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


async def _log_request(request: httpx.Request) -> None:
    log.debug("HTTP %s %s", request.method, request.url.copy_with(query=None))


async def _log_response(response: httpx.Response) -> None:
    request = response.request
    log.debug(
        "HTTP %s %s -> %s",
        request.method,
        request.url.copy_with(query=None),
        response.status_code,
    )


def new_client(
    *,
    base_url: str = "",
    transport: httpx.AsyncBaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    timeout: httpx.Timeout | float | None = None,
    follow_redirects: bool = False,
) -> httpx.AsyncClient:
    """An async client with the app's defaults; ``transport`` replaces the network."""
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    return httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        headers=all_headers,
        auth=auth,
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        follow_redirects=follow_redirects,
        verify=_tls_context() if transport is None else True,
        event_hooks={"request": [_log_request], "response": [_log_response]},
        trust_env=True,
    )


class RequestSlots:
    """At most ``limit`` requests of one client in flight, each counted.

    Services cap concurrent connections (Mailchimp 10, Xero 5) and answer a crowd with 429s,
    so a client sends every attempt (retries included) through here; ``requests`` is what
    the run reports and ``on_request`` lets a caller count live.
    """

    def __init__(self, limit: int, on_request: Callable[[], None] | None = None) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._on_request = on_request
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0

    async def send(
        self, http: httpx.AsyncClient, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """One attempt; a network failure is raised as ``httpx.TransportError``."""
        async with self._slots:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if self._on_request is not None:
                self._on_request()
            try:
                return await http.request(method, path, **kwargs)
            finally:
                self.in_flight -= 1
