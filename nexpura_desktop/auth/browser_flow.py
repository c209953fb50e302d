"""One browser sign-in: listener up, authorize URL out, callback in (RFC 8252 + 7636).

Shared by Xero, Google and Shopify's authorization-code way.  Each attempt gets a fresh
``state`` and PKCE pair; the URL is handed to ``open_url`` only once the listener is
bound, so a fast browser can never hit a closed port.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .context import ConnectContext
from .loopback import Callback, LoopbackReceiver
from .pkce import Pkce, new_pkce, new_state


@dataclass(frozen=True)
class Redirect:
    """How the loopback redirect URI is formed: host name, candidate ports and path."""

    host_name: str = "127.0.0.1"
    ports: Sequence[int] = (0,)
    path: str = "/"


@dataclass(frozen=True)
class SignIn:
    callback: Callback
    redirect_uri: str
    pkce: Pkce
    state: str


def redirect_from_uris(uris: Sequence[str], fallback: Redirect) -> Redirect:
    """The loopback redirect among registered URIs (all with the same host and path)."""
    loopback = [
        urlsplit(u)
        for u in uris
        if urlsplit(u).scheme == "http" and urlsplit(u).hostname in ("localhost", "127.0.0.1")
    ]
    ports = [p.port for p in loopback if p.port]
    if not ports:
        return fallback
    first = loopback[0]
    same = [p.port for p in loopback if p.hostname == first.hostname and p.path == first.path]
    return Redirect(
        host_name=first.hostname or "127.0.0.1",
        ports=[p for p in same if p],
        path=first.path or "/",
    )


async def sign_in(
    ctx: ConnectContext,
    *,
    label: str,
    redirect: Redirect,
    authorize_url: Callable[[str, str, Pkce], str],
) -> SignIn:
    """Run the browser part; ``authorize_url(redirect_uri, state, pkce)`` builds the link."""
    state = new_state()
    pkce = new_pkce()
    async with LoopbackReceiver(
        ports=list(redirect.ports),
        path=redirect.path,
        host_name=redirect.host_name,
        service_label=label,
    ) as receiver:
        url = authorize_url(receiver.redirect_uri, state, pkce)
        ctx.step(f"waiting for you to sign in to {label} in the browser", 1, None)
        ctx.open_url(url)
        callback = await receiver.wait(state, timeout=ctx.flow_timeout)
        return SignIn(callback, receiver.redirect_uri, pkce, state)


def with_query(base: str, params: dict[str, str]) -> str:
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"
