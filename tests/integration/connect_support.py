"""Helpers for the connect tests: an in-process sandbox context and a scriptable "browser".

The browser is httpx: it loads the provider's consent page, submits the form with the
chosen button (as a person would click it) and follows the redirect to the app's real
loopback listener.  Sandbox origins are served in-process; everything else (127.0.0.1)
goes over the real network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx

from nexpura_desktop.auth.context import ConnectContext
from nexpura_desktop.auth.endpoints import load_endpoints
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox.transport import SandboxTransport
from nexpura_desktop.sandbox.world import HUB_ORIGIN, Sandbox
from nexpura_desktop.secrets import MemoryKeyring, SecretStore


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[tuple[str, str, bool]] = field(default_factory=list)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, value)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("type") == "hidden":
            self.forms[-1].fields.append((a.get("name", ""), a.get("value", "")))
        elif tag == "input" and a.get("type") == "checkbox":
            self.forms[-1].checkboxes.append(
                (a.get("name", ""), a.get("value", ""), "checked" in a)
            )
        elif tag == "button":
            self.forms[-1].buttons[a.get("id", "")] = (a.get("name", ""), a.get("value", ""))


class RoutingTransport(httpx.AsyncBaseTransport):
    """Sandbox origins in-process, anything else over the network (the loopback listener)."""

    def __init__(self, sandbox: SandboxTransport) -> None:
        self.sandbox = sandbox
        self.network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host.endswith(".sandbox.test"):
            return await self.sandbox.handle_async_request(request)
        return await self.network.handle_async_request(request)

    async def aclose(self) -> None:
        await self.network.aclose()


class Browser:
    """A person at the consent page: clicks a button, optionally unticks boxes."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.final: httpx.Response | None = None
        self.pages: list[str] = []

    async def consent(
        self,
        url: str,
        button: str,
        *,
        untick: tuple[str, ...] = (),
        tamper: Callable[[str], str] | None = None,
    ) -> httpx.Response:
        async with httpx.AsyncClient(transport=self.transport, timeout=10) as client:
            page = await client.get(url)
            self.pages.append(page.text)
            parser = _FormParser()
            parser.feed(page.text)
            assert parser.forms, f"no form on the consent page: {page.text[:300]}"
            form = parser.forms[0]
            data = list(form.fields)
            data += [(n, v) for n, v, on in form.checkboxes if on and v not in untick]
            name, value = form.buttons[button]
            data.append((name, value))
            body: dict[str, list[str]] = {}
            for key, val in data:
                body.setdefault(key, []).append(val)
            response = await client.post(urljoin(str(page.url), form.action), data=body)
            while response.status_code in (301, 302, 303, 307):
                target = urljoin(str(response.url), response.headers["location"])
                if tamper is not None:
                    target = tamper(target)
                response = await client.get(target)
            self.final = response
            return response


@dataclass
class World:
    sandbox: Sandbox
    ctx: ConnectContext
    keyring: MemoryKeyring
    browser: Browser
    tasks: list[asyncio.Task[httpx.Response]] = field(default_factory=list)

    async def settle(self) -> httpx.Response | None:
        """Wait for the browser to finish; its last page."""
        await asyncio.gather(*self.tasks)
        return self.browser.final

    def click(self, button: str, **kw: object) -> None:
        """The next authorize URL is answered by clicking ``button``."""

        def open_url(url: str) -> None:
            coro: Awaitable[httpx.Response] = self.browser.consent(url, button, **kw)  # type: ignore[arg-type]
            self.tasks.append(asyncio.ensure_future(coro))

        self.ctx.open_url = open_url


@contextmanager
def ledger_at(path: Path) -> Iterator[Ledger]:
    ledger = Ledger(path)
    try:
        yield ledger
    finally:
        ledger.close()


async def make_world(ledger: Ledger, sandbox: Sandbox | None = None) -> World:
    sandbox = sandbox or Sandbox()
    transport = sandbox.transport()
    endpoints = await load_endpoints(HUB_ORIGIN, transport=transport)
    backend = MemoryKeyring()
    ctx = ConnectContext(
        ledger=ledger,
        secrets=SecretStore(service="Nexpura Desktop [test]", backend=backend),
        endpoints=endpoints,
        transport=transport,
        flow_timeout=20,
    )
    return World(sandbox, ctx, backend, Browser(RoutingTransport(transport)))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
