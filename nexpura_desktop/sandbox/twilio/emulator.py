"""The Twilio emulator: Programmable Messaging (SMS + WhatsApp) and the Content API.

One base URL serves the real paths of both hosts Twilio uses
(``https://api.twilio.com/2010-04-01/…`` and ``https://content.twilio.com/v1/…``), so a
client swaps only the scheme and host.  Behaviour follows service-apis.md §6; the pieces
live in: :mod:`.api` (Account, Messages), :mod:`.content` (templates), :mod:`.sending`
(send-time checks and each message's planned status timeline), :mod:`.inbound` (customer
replies, STOP/START), :mod:`.limits` (concurrency, per-sender MPS), :mod:`.seeding`.

A plain session (credentials from ``GET /_sandbox/credentials``)::

    curl -u AC…:TOKEN {base}/2010-04-01/Accounts/AC….json
    curl -u AC…:TOKEN {base}/2010-04-01/Accounts/AC…/Messages.json \
         --data-urlencode To=+61491570110 --data-urlencode From=+61491570006 -d Body=Hi
    curl -u AC…:TOKEN "{base}/2010-04-01/Accounts/AC…/Messages.json?PageSize=20"
    curl -u AC…:TOKEN {base}/v1/Content
    curl {base}/_sandbox/inbound -H 'content-type: application/json' \
         -d '{"from": "+61491570110", "body": "STOP"}'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ..core import Emulator
from . import api, content, control, seeding
from .errors import TwilioApiError, for_status, handle_api_error
from .limits import ConcurrencyGate
from .state import TwilioState


class TwilioEmulator(Emulator):
    """Twilio's REST API as a shop's account sees it."""

    name: ClassVar[str] = "twilio"
    data: TwilioState
    gate: ConcurrencyGate

    def routes(self) -> list[BaseRoute]:
        return [*control.routes(self), *api.routes(self), *content.routes(self)]

    def reset(self) -> None:
        self.data = TwilioState(created=self.clock.time())
        self.gate = ConcurrencyGate()

    def state(self) -> dict[str, Any]:
        return self.data.snapshot(self.clock.time(), self.base_url)

    def credentials(self) -> dict[str, Any]:
        data = self.data
        key_sid, key_secret = next(iter(data.api_keys.items()))
        return {
            "base_url": self.base_url,
            "content_base_url": self.base_url,
            "account_sid": data.account_sid,
            "auth_token": data.auth_token,
            "api_key_sid": key_sid,
            "api_key_secret": key_secret,
            "sms_from": sorted(data.sms_senders)[0],
            "whatsapp_from": sorted(data.whatsapp_senders)[0],
            "messaging_service_sid": data.messaging_service_sid,
            "templates": {
                key: {
                    "sid": sid,
                    "variables": data.templates[sid].variables,
                    "whatsapp_status": data.templates[sid].status_at(self.clock.time()),
                }
                for key, sid in data.template_keys.items()
                if sid in data.templates
            },
            "notes": (
                "The sandbox serves the 2010-04-01 API and the Content API (real host "
                "content.twilio.com) under the same base URL."
            ),
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return seeding.seed(self.data, data, self.clock.time())
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad seed data: {exc!r}") from exc

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        return seeding.seed_demo(self.data, tables, self.clock.time())

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """Twilio's body for ``status``; 429s carry no Retry-After unless a rule sets one."""
        error = for_status(status)
        if retry_after is not None:
            error.headers["Retry-After"] = str(int(retry_after))
        return error.response()

    def malformed_body(self) -> bytes:
        return b'{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.tw'

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            return for_status(exc.status_code, request.url.path).response()

        async def server_error(request: Request, exc: Exception) -> Response:
            return for_status(500).response()

        return {
            TwilioApiError: handle_api_error,
            HTTPException: http_error,
            Exception: server_error,
        }
