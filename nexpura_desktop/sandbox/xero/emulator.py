"""The Xero emulator: identity + Accounting API on one origin, on the sandbox clock.

URL layout (real host → sandbox path, same paths):

* ``login.xero.com/identity/connect/authorize`` → ``{base}/identity/connect/authorize``
* ``identity.xero.com/connect/token`` and ``/connect/revocation`` → ``{base}/connect/…``
* ``api.xero.com/connections`` → ``{base}/connections``
* ``api.xero.com/api.xro/2.0/…`` → ``{base}/api.xro/2.0/…``
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ..core import Emulator
from .accounting_routes import accounting_routes
from .books import Books, now_utc, wire
from .contacts import ContactRefused, save_contact
from .guard import Remembered
from .identity import Client, IdentityState
from .identity_routes import identity_routes
from .limits import Limits, RateLimiter
from .render import NOT_FOUND_TEXT, problem, validation_exception

PKCE_CLIENT_ID = "8D1F5C0A9B2E4F6A8C0D1E2F3A4B5C6D"
WEB_CLIENT_ID = "1A2B3C4D5E6F708192A3B4C5D6E7F809"
WEB_CLIENT_SECRET = "sandbox-web-secret-Zq8sY1fN3kP0wR7uT5vX2bC4"  # noqa: S105 - a fake
REDIRECT_PORTS = (53682, 53683, 53684)
DEFAULT_ORGS = (
    ("2f3c4b5a-6d7e-4f80-9a1b-2c3d4e5f6a70", "Nexpura Demo Jewellers", "!Xk3Lp"),
    ("8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d", "Nexpura Demo Jewellers (Workshop)", "!Qw7Rt"),
)


@dataclass
class Settings:
    """Behaviour knobs a test or demo may change through ``seed({"settings": …})``."""

    latency: float = 0.0  # real seconds each Accounting call takes (holds a concurrency slot)
    idempotency_conflict: str = "reject"  # same key, different body: "reject" (400) or "replay"


class XeroEmulator(Emulator):
    name = "xero"

    def reset(self) -> None:
        created = datetime(2024, 7, 1, tzinfo=UTC)
        self.identity = IdentityState()
        self.identity.clients = {
            PKCE_CLIENT_ID: Client(
                PKCE_CLIENT_ID,
                "Nexpura Desktop",
                [f"http://localhost:{port}/callback" for port in REDIRECT_PORTS],
            ),
            WEB_CLIENT_ID: Client(
                WEB_CLIENT_ID,
                "Nexpura Desktop (web app)",
                [f"http://localhost:{port}/callback" for port in REDIRECT_PORTS],
                secret=WEB_CLIENT_SECRET,
            ),
        }
        self.organisations: dict[str, Books] = {
            tid: Books.new_au(tid, name, code, created) for tid, name, code in DEFAULT_ORGS
        }
        self.user = {
            "email": "owner@nexpura-demo.test",
            "given_name": "Sam",
            "family_name": "Owner",
        }
        self.settings = Settings()
        self.limiter = RateLimiter(self.clock)
        self.idempotency: dict[tuple[str, str, str], Remembered] = {}

    def routes(self) -> list[BaseRoute]:
        return [*identity_routes(self), *accounting_routes(self)]

    def provider_name(self, client_id: str) -> str:
        client = self.identity.clients.get(client_id)
        return client.name if client else "Xero API"

    # -- control surface ----------------------------------------------------------------------
    def credentials(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "pkce_client_id": PKCE_CLIENT_ID,
            "redirect_uris": self.identity.clients[PKCE_CLIENT_ID].redirect_uris,
            "redirect_ports": list(REDIRECT_PORTS),
            "web_app": {
                "client_id": WEB_CLIENT_ID,
                "client_secret": WEB_CLIENT_SECRET,
                "redirect_uris": self.identity.clients[WEB_CLIENT_ID].redirect_uris,
            },
            "scopes": "openid profile email offline_access accounting.invoices "
            "accounting.contacts accounting.settings.read",
            "authorize_url": f"{base}/identity/connect/authorize",
            "token_url": f"{base}/connect/token",
            "revocation_url": f"{base}/connect/revocation",
            "connections_url": f"{base}/connections",
            "api_base": f"{base}/api.xro/2.0",
            "organisations": [
                {"tenantId": b.tenant_id, "tenantName": b.name} for b in self.organisations.values()
            ],
        }

    def state(self) -> dict[str, Any]:
        return {
            "organisations": {
                tid: {
                    "name": b.name,
                    "contacts": [wire(c) for c in b.contacts.values()],
                    "invoices": [wire(i) for i in b.invoices.values()],
                }
                for tid, b in self.organisations.items()
            },
            "connections": [
                {
                    "id": c.id,
                    "tenantId": c.tenant_id,
                    "clientId": c.client_id,
                    "authEventId": c.auth_event_id,
                }
                for c in self.identity.connections.values()
            ],
            "access_tokens": len(self.identity.access_tokens),
            "refresh_tokens": len(self.identity.refresh_tokens),
            "settings": {
                "latency": self.settings.latency,
                "idempotency_conflict": self.settings.idempotency_conflict,
            },
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Seed JSON::

            {"organisations": [{"tenantId": "<uuid>"?, "name": "…", "shortCode": "!abc"?,
                                "contacts": [<Xero Contact>…], "invoices": [<Xero Invoice>…]}],
             "settings": {"latency": 0.05, "idempotency_conflict": "reject"|"replay"},
             "limits": {"concurrent": 5, "per_minute": 60, "per_day": 5000,
                        "app_per_minute": 10000}}

        An organisation whose ``tenantId``/``name`` exists is added to; otherwise it is new.
        Contacts and invoices go through the same rules as the API (errors → ``ValueError``).
        """
        counts = {"organisations": 0, "contacts": 0, "invoices": 0}
        settings = data.get("settings") or {}
        if "latency" in settings:
            self.settings.latency = float(settings["latency"])
        if "idempotency_conflict" in settings:
            if settings["idempotency_conflict"] not in ("reject", "replay"):
                raise ValueError("idempotency_conflict is 'reject' or 'replay'")
            self.settings.idempotency_conflict = str(settings["idempotency_conflict"])
        if "limits" in data:
            self.limiter.limits = Limits(**{**Limits().__dict__, **dict(data["limits"])})
        now = now_utc(self.clock.time())
        for org in data.get("organisations") or []:
            books = self._organisation(org)
            counts["organisations"] += 1
            counts["contacts"] += self._seed_rows(books, org.get("contacts"), "contacts", now)
            counts["invoices"] += self._seed_rows(books, org.get("invoices"), "invoices", now)
        return counts

    def _organisation(self, org: Mapping[str, Any]) -> Books:
        tid = str(org.get("tenantId") or "").lower()
        name = str(org.get("name") or "")
        found = self.organisations.get(tid) or next(
            (b for b in self.organisations.values() if name and b.name == name), None
        )
        if found is not None:
            return found
        if not name:
            raise ValueError("a new organisation needs a name")
        tid = tid or str(uuid.uuid4())
        books = Books.new_au(
            tid, name, str(org.get("shortCode") or "!Sbx01"), now_utc(self.clock.time())
        )
        self.organisations[tid] = books
        return books

    def _seed_rows(self, books: Books, rows: Any, kind: str, now: datetime) -> int:
        from .invoices import InvoiceRefused, save_invoice

        count = 0
        for row in rows or []:
            try:
                if kind == "contacts":
                    save_contact(books, dict(row), now=now, create_only=False)
                else:
                    save_invoice(books, dict(row), now=now, unitdp=2, create_only=False)
            except (ContactRefused, InvoiceRefused) as exc:
                raise ValueError(f"seed {kind[:-1]} refused: {exc}") from exc
            count += 1
        return count

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        from .demo import seed_demo

        return seed_demo(self, tables)

    # -- how Xero fails -------------------------------------------------------------------------
    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        headers: dict[str, str] = {}
        if status == 400:
            body: Any = validation_exception(
                [{"ValidationErrors": [{"Message": "A validation exception occurred"}]}]
            )
        elif status == 401:
            body = problem(401, "Unauthorized", "AuthenticationUnsuccessful")
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        elif status == 403:
            body = problem(403, "Forbidden", "AuthenticationUnsuccessful")
        elif status == 404:
            return Response(NOT_FOUND_TEXT, status_code=404, media_type="text/plain")
        elif status == 429:
            body = problem(429, "Too Many Requests", "Rate limit exceeded (minute)")
            headers["Retry-After"] = str(int(retry_after if retry_after is not None else 60))
            headers["X-Rate-Limit-Problem"] = "minute"
            headers["X-MinLimit-Remaining"] = "0"
        elif status == 503:
            body = problem(
                503,
                "Service Unavailable",
                "OrganisationOffline: the organisation is temporarily offline",
            )
        else:
            body = problem(
                status,
                "An error occurred",
                "An error occurred in Xero. Check the API Status page "
                "http://status.developer.xero.com for current service status.",
            )
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return JSONResponse(body, status_code=status, headers=headers)

    def malformed_body(self) -> bytes:
        # What a client sees when a proxy in front of api.xero.com fails.
        return b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            if status == 404:
                return Response(NOT_FOUND_TEXT, status_code=404, media_type="text/plain")
            if status == 405:
                message = f"The requested resource does not support http method '{request.method}'."
                return JSONResponse({"Message": message}, status_code=405)
            return self.error_response(status)

        async def crash(request: Request, exc: Exception) -> Response:
            return self.error_response(500)

        return {HTTPException: http_error, 500: crash}
