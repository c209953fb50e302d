"""The Mailchimp Marketing API 3.0 emulator (reference/service-apis.md §3).

A client given the sandbox's Mailchimp base URL calls ``{base}/3.0/…`` whatever its key's
data centre (real: ``https://<dc>.api.mailchimp.com/3.0``), with HTTP Basic (any user name,
the key as password).  The key must still be ``<32 hex>-us21``: a key without the ``-dc``
suffix, or for another data centre, gets the real 401.  Besides the shared control surface,
``POST /_sandbox/members/{email}/status`` plays what a contact or Mailchimp does between
syncs (unsubscribe link, bounce, compliance review, confirming a double opt-in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from ..clock import SandboxClock
from ..core import Emulator, SandboxMiddleware
from .api import MailchimpApi
from .errors import MailchimpError
from .limits import ConnectionCounter, ConnectionGate
from .model import Audience, iso
from .seeding import seed_account, seed_demo_account
from .store import Account

API_KEY = "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us21"
OAUTH_TOKEN = "sandbox-oauth-2f6b1c9e0d7a4e3b8c5d"  # noqa: S105 (a fake, public by design)
PRIMARY_LIST = "b7a1c3d5e9"
SECOND_LIST = "4f2e6a8c0d"
MAX_CONNECTIONS = 10  # §3.6
# Akamai's HTML error page stands in for "not the JSON the client expected".
MALFORMED = (
    b"<HTML><HEAD><TITLE>Error</TITLE></HEAD><BODY>An error occurred while processing "
    b"your request.<p>Reference&#32;&#35;97&#46;3c1a2c17</p></BODY></HTML>"
)


class MailchimpEmulator(Emulator):
    """Lists, merge fields, members, tags and batch subscribe with the real rules."""

    name = "mailchimp"

    def __init__(self, clock: SandboxClock | None = None, *, base_url: str = "") -> None:
        self.api_key = API_KEY
        self.oauth_tokens = frozenset({OAUTH_TOKEN})
        self.account_id = "8d3a5c1e7b9f2a4c6e0d1b3a5"
        self.max_connections = MAX_CONNECTIONS
        self.counter: ConnectionCounter | None = None
        self.account = Account(lambda: self.clock.time())
        super().__init__(clock, base_url=base_url)

    # -- Emulator interface ---------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            *MailchimpApi(self).routes(),
            Route("/_sandbox/members/{email}/status", self._ctl_member_status, methods=["POST"]),
        ]

    def build(self) -> ASGIApp:
        """The shared app, wrapped so in-flight requests are counted (see :mod:`.limits`)."""
        inner = Starlette(
            routes=[*self._control_routes(), *self.routes()],
            exception_handlers=dict(self.exception_handlers()),
        )
        self.counter = ConnectionCounter(
            SandboxMiddleware(ConnectionGate(inner), self), lambda: self.max_connections
        )
        return self.counter

    def reset(self) -> None:
        self.account = Account(lambda: self.clock.time())
        self.max_connections = MAX_CONNECTIONS
        now = self.clock.time()
        for list_id, name in (
            (PRIMARY_LIST, "Nexpura Jewellers"),
            (SECOND_LIST, "Nexpura Events & Trunk Shows"),
        ):
            aud = Audience(list_id, self.account.next_web_id(), name, now)
            self.account.audiences[list_id] = aud

    def state(self) -> dict[str, Any]:
        audiences = []
        for aud in self.account.audiences.values():
            audiences.append(
                {
                    "id": aud.id,
                    "name": aud.name,
                    "merge_fields": [mf.tag for mf in aud.merge_fields],
                    "forgotten": sorted(aud.forgotten),
                    "members": [
                        {
                            "id": m.id,
                            "email_address": m.email_address,
                            "status": m.status,
                            "status_before_archive": m.status_before_archive,
                            "unsubscribed_by": m.unsubscribed_by,
                            "compliance_review": m.compliance_review,
                            "in_compliance_state": m.in_compliance_state(),
                            "merge_fields": m.merge_fields,
                            "tags": list(m.tags),
                            "last_changed": iso(m.last_changed),
                        }
                        for m in aud.members.values()
                    ],
                }
            )
        counter = self.counter
        return {
            "audiences": audiences,
            "fake_domains": self.account.fake_domains,
            "connections": {
                "limit": self.max_connections,
                "in_flight": counter.in_flight if counter else 0,
                "peak": counter.peak if counter else 0,
            },
        }

    def credentials(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "dc": "us21",
            "api_base_url": f"{self.base_url}/3.0",
            "real_api_base_url": "https://us21.api.mailchimp.com/3.0",
            "username": "anystring",
            "audience_id": PRIMARY_LIST,
            "audiences": [
                {"id": aud.id, "name": aud.name} for aud in self.account.audiences.values()
            ],
            "oauth_access_token": OAUTH_TOKEN,
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if "max_connections" in data:
            self.max_connections = int(data["max_connections"])
        try:
            return seed_account(self.account, data)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad mailchimp seed data: {exc}") from exc

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        return seed_demo_account(self.account, self.account.audience(PRIMARY_LIST), tables)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """The real problem document; Mailchimp never sends Retry-After (§3.6), so a fault
        rule's ``retry_after`` is deliberately ignored."""
        return MailchimpError(status).response()

    def malformed_body(self) -> bytes:
        return MALFORMED

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            headers = exc.headers if isinstance(exc, HTTPException) else None
            if isinstance(exc, MailchimpError):
                return exc.response()
            return MailchimpError(status, headers=headers).response()

        return {404: http_error, 405: http_error, 500: http_error, MailchimpError: http_error}

    # -- control: what happens on the audience's side between syncs ----------------------
    async def _ctl_member_status(self, request: Request) -> Response:
        """``{"status": "unsubscribed"|"cleaned"|"compliance"|"subscribed",
        "list_id"?: …, "reason"?: …}``; without ``list_id`` every audience holding the
        address is affected."""
        email = request.path_params["email"]
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        event = str(payload.get("status", ""))
        changed = []
        with self.lock:
            wanted = payload.get("list_id")
            audiences = [
                a for a in self.account.audiences.values() if wanted is None or a.id == wanted
            ]
            for aud in audiences:
                try:
                    m = self.account.contact_event(
                        aud, email, event, str(payload.get("reason", ""))
                    )
                except KeyError:
                    continue
                except ValueError as exc:
                    return JSONResponse({"error": str(exc)}, status_code=400)
                changed.append(
                    {
                        "list_id": aud.id,
                        "id": m.id,
                        "status": m.status,
                        "in_compliance_state": m.in_compliance_state(),
                    }
                )
        if not changed:
            return JSONResponse(
                {"error": f"{email} is not a member of any matching audience"}, status_code=404
            )
        return JSONResponse({"updated": changed})
