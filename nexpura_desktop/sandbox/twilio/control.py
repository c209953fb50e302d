"""The Twilio emulator's own control routes, beside the shared ``/_sandbox/`` surface.

* ``POST /_sandbox/inbound`` — a customer replies: ``{"from": "+61…" | "whatsapp:+61…",
  "body": "STOP", "to": optional sender (default: the account's sender on that channel),
  "num_media": 0}``; answers 201 with the stored Message resource.
* ``GET /_sandbox/callbacks`` — the status callbacks Twilio would have POSTed so far for
  messages created with ``StatusCallback``: URL, form parameters and the
  ``X-Twilio-Signature`` they carry (service-apis.md §6.2, §6.5).  A desktop app has no
  public URL, so the sandbox records callbacks instead of delivering them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .formats import bare_number, iso_z
from .inbound import receive
from .model import API_VERSION, Message
from .state import TwilioState

if TYPE_CHECKING:
    from .emulator import TwilioEmulator


def routes(emu: TwilioEmulator) -> list[BaseRoute]:
    async def inbound(request: Request) -> Response:
        try:
            payload = json.loads(await request.body() or b"null")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        fields = {str(k).lower(): v for k, v in payload.items()}
        sender = fields.get("from")
        if not isinstance(sender, str):
            return JSONResponse({"error": "'from' is required"}, status_code=400)
        to = fields.get("to")
        try:
            with emu.lock:
                now = emu.clock.time()
                message = receive(
                    emu.data,
                    sender,
                    str(to) if to else None,
                    str(fields.get("body") or ""),
                    now,
                    int(fields.get("num_media") or 0),
                )
                body = message.resource(now)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(body, status_code=201)

    async def callbacks(request: Request) -> Response:
        with emu.lock:
            sent = status_callbacks(emu.data, emu.clock.time())
        return JSONResponse({"callbacks": sent})

    return [
        Route("/_sandbox/inbound", inbound, methods=["POST"]),
        Route("/_sandbox/callbacks", callbacks, methods=["GET"]),
    ]


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """§6.5: base64(HMAC-SHA1(AuthToken, URL + each name+value, names sorted))."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def status_callbacks(state: TwilioState, now: float) -> list[dict[str, Any]]:
    """Every callback due by ``now``, oldest first (none for the initial status, §6.1)."""
    due: list[tuple[float, int, dict[str, Any]]] = []
    for message in state.messages.values():
        if not message.status_callback:
            continue
        for index, event in enumerate(message.events[1:], start=1):
            if event.at > now:
                break
            params = _params(state, message, event.status, event.error_code)
            entry = {
                "at": iso_z(datetime.fromtimestamp(event.at, tz=UTC)),
                "url": message.status_callback,
                "params": params,
                "headers": {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature(
                        state.auth_token, message.status_callback, params
                    ),
                },
            }
            due.append((event.at, message.seq * 100 + index, entry))
    return [entry for _, _, entry in sorted(due, key=lambda d: (d[0], d[1]))]


def _params(state: TwilioState, message: Message, status: str, code: int | None) -> dict[str, str]:
    params = {
        "AccountSid": state.account_sid,
        "ApiVersion": API_VERSION,
        "From": message.from_,
        "MessageSid": message.sid,
        "MessageStatus": status,
        "SmsSid": message.sid,
        "SmsStatus": status,
        "To": message.to,
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if code is not None:
        params["ErrorCode"] = str(code)
    if message.channel == "whatsapp":
        params["ChannelPrefix"] = "whatsapp"
        params["ChannelToAddress"] = bare_number(message.to)
    return params
