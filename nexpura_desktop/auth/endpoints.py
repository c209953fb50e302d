"""Where each service lives: the real hosts, or the sandbox's directory.

With ``--sandbox URL`` (or ``NEXPURA_DESKTOP_SANDBOX``) every base URL comes from the
sandbox hub's ``/_sandbox/services``, and ``/_sandbox/credentials`` supplies the test
registrations and keys, so ``connect <service> --sandbox URL`` needs no other option.
Each emulator serves the real paths under its own origin, so only origins change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import UserError
from ..http import new_client


class SandboxUnreachable(UserError):
    pass


@dataclass(frozen=True)
class XeroUrls:
    authorize: str
    token: str
    revocation: str
    connections: str
    api: str


@dataclass(frozen=True)
class GoogleUrls:
    auth: str
    token: str
    revoke: str
    calendar_api: str


REAL_XERO = XeroUrls(
    authorize="https://login.xero.com/identity/connect/authorize",
    token="https://identity.xero.com/connect/token",  # noqa: S106 - a URL, not a secret
    revocation="https://identity.xero.com/connect/revocation",
    connections="https://api.xero.com/connections",
    api="https://api.xero.com/api.xro/2.0",
)
REAL_GOOGLE = GoogleUrls(
    auth="https://accounts.google.com/o/oauth2/v2/auth",
    token="https://oauth2.googleapis.com/token",  # noqa: S106 - a URL, not a secret
    revoke="https://oauth2.googleapis.com/revoke",
    calendar_api="https://www.googleapis.com/calendar/v3",
)
REAL_TWILIO = "https://api.twilio.com"
SANDBOX_SERVICE_NAMES = {"google_calendar": "google"}


@dataclass(frozen=True)
class Endpoints:
    """Base URLs per service; ``sandbox_url`` is set when they point at the sandbox."""

    sandbox_url: str | None = None
    services: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox_url is not None

    def sandbox_credentials(self, service: str) -> dict[str, Any]:
        """What the sandbox accepts for ``service`` (empty for the real services)."""
        return dict(self.credentials.get(SANDBOX_SERVICE_NAMES.get(service, service)) or {})

    def _base(self, service: str) -> str:
        return self.services[SANDBOX_SERVICE_NAMES.get(service, service)].rstrip("/")

    def xero(self) -> XeroUrls:
        if not self.is_sandbox:
            return REAL_XERO
        base = self._base("xero")
        return XeroUrls(
            authorize=f"{base}/identity/connect/authorize",
            token=f"{base}/connect/token",
            revocation=f"{base}/connect/revocation",
            connections=f"{base}/connections",
            api=f"{base}/api.xro/2.0",
        )

    def google(self) -> GoogleUrls:
        if not self.is_sandbox:
            return REAL_GOOGLE
        base = self._base("google")
        return GoogleUrls(
            auth=f"{base}/o/oauth2/v2/auth",
            token=f"{base}/token",
            revoke=f"{base}/revoke",
            calendar_api=f"{base}/calendar/v3",
        )

    def shopify_base(self, shop_domain: str) -> str:
        """``https://<shop>.myshopify.com`` (the sandbox serves its one shop at its origin)."""
        return self._base("shopify") if self.is_sandbox else f"https://{shop_domain}"

    def mailchimp_api(self, dc: str) -> str:
        return (
            f"{self._base('mailchimp')}/3.0"
            if self.is_sandbox
            else f"https://{dc}.api.mailchimp.com/3.0"
        )

    def twilio_api(self) -> str:
        return self._base("twilio") if self.is_sandbox else REAL_TWILIO


REAL = Endpoints()


def hub_origin(url: str) -> str:
    """Accept the directory URL as printed (``…/_sandbox/services``) or just the origin."""
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if not parts.netloc:
        raise UserError(f"{url!r} is not a sandbox address; give it like http://127.0.0.1:8700")
    path = parts.path.split("/_sandbox", 1)[0].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


async def load_endpoints(
    sandbox_url: str | None, *, transport: httpx.AsyncBaseTransport | None = None
) -> Endpoints:
    """The real services, or the sandbox's directory and credentials when a URL is given."""
    if not sandbox_url:
        return REAL
    origin = hub_origin(sandbox_url)
    try:
        async with new_client(base_url=origin, transport=transport, timeout=10.0) as client:
            services = (await client.get("/_sandbox/services")).raise_for_status().json()
            creds = (await client.get("/_sandbox/credentials")).raise_for_status().json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SandboxUnreachable(
            f"cannot read the sandbox directory at {origin} ({type(exc).__name__}); "
            "is `nexpura-desktop sandbox` running?"
        ) from None
    return Endpoints(
        sandbox_url=origin,
        services={str(k): str(v) for k, v in dict(services.get("services") or {}).items()},
        credentials={str(k): dict(v) for k, v in dict(creds.get("credentials") or {}).items()},
    )
