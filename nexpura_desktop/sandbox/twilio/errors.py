"""Twilio's REST error bodies (service-apis.md §6.4).

Every Twilio REST error is ``{"code", "message", "more_info", "status"}`` with the numeric
Twilio error code; authentication failures also carry ``detail``.  Handlers raise
:class:`TwilioApiError` and one exception handler renders it, so no route can answer an
error in a shape the real service never uses.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..core import json_error

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

# Generic codes for the plain HTTP statuses (used by fault injection and catch-alls).
STATUS_CODES: dict[int, tuple[int, str]] = {
    400: (20001, "Bad request"),
    401: (20003, "Authenticate"),
    403: (20403, "Forbidden"),
    404: (20404, "The requested resource was not found"),
    405: (20004, "Method not allowed"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    502: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


class TwilioApiError(Exception):
    """A synchronous API error: HTTP ``status`` with Twilio error ``code``."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }
        if self.detail is not None:
            payload["detail"] = self.detail
        return payload

    def response(self) -> Response:
        return json_error(self.status, self.body(), headers=self.headers)


def bad_request(code: int, message: str) -> TwilioApiError:
    return TwilioApiError(400, code, message)


def auth_failed() -> TwilioApiError:
    """401 / 20003, with the challenge header Twilio sends."""
    return TwilioApiError(
        401,
        20003,
        "Authenticate",
        detail="Your AccountSid or AuthToken was incorrect.",
        headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
    )


def not_found(path: str) -> TwilioApiError:
    return TwilioApiError(404, 20404, f"The requested resource {path} was not found")


def too_many_requests() -> TwilioApiError:
    """§6.4: 20429 means the request was not processed and is safe to retry."""
    return TwilioApiError(429, 20429, "Too Many Requests")


def for_status(status: int, path: str = "") -> TwilioApiError:
    if status == 404 and path:
        return not_found(path)
    if status == 401:
        return auth_failed()
    code, message = STATUS_CODES.get(status, (20500 if status >= 500 else 20001, "Error"))
    return TwilioApiError(status, code, message)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TwilioApiError)
    return exc.response()
