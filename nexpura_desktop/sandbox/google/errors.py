"""Google's error shapes: the JSON API error body, OAuth token-endpoint errors, HTML pages.

Handlers raise :class:`ApiError`; the routes turn it into the body Google sends, so every
error path of the emulator has the documented shape (service-apis.md §5.5).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from starlette.responses import HTMLResponse, Response

JSON_TYPE = "application/json; charset=UTF-8"

# Canonical gRPC-style status names Google adds to JSON errors (none exists for 410).
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

HTTP_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A Calendar/userinfo error: becomes ``{"error": {...}}`` with one ``errors`` item."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "domain": self.domain,
            "reason": self.reason,
            "message": self.message,
        }
        if self.location_type is not None:
            item["locationType"] = self.location_type
        if self.location is not None:
            item["location"] = self.location
        error: dict[str, Any] = {"errors": [item], "code": self.code, "message": self.message}
        if self.code in STATUS_NAMES:
            error["status"] = STATUS_NAMES[self.code]
        return {"error": error}

    def response(self) -> Response:
        return json_response(self.body(), self.code, self.headers)


# The request's ``prettyPrint`` (a standard query parameter of every Google API, default
# true): set for the request being answered by the Calendar routes.
PRETTY: ContextVar[bool] = ContextVar("google_pretty_print", default=True)


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Google's JSON responses: pretty-printed unless the request said ``prettyPrint=false``."""
    all_headers = {"Vary": "Origin, X-Origin, Referer", **(headers or {})}
    text = json.dumps(payload, indent=2) + "\n" if PRETTY.get() else json.dumps(payload)
    return Response(
        text,
        status_code=status,
        media_type=JSON_TYPE,
        headers=all_headers,
    )


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")


def bad_request(message: str = "Bad Request", reason: str = "badRequest") -> ApiError:
    return ApiError(400, reason, message)


def invalid_credentials() -> ApiError:
    """401 for a wrong, expired or revoked access token (§5.5)."""
    return ApiError(
        401,
        "authError",
        "Invalid Credentials",
        location="Authorization",
        location_type="header",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        },
    )


def login_required() -> ApiError:
    """401 when no credential is sent at all."""
    return ApiError(
        401,
        "required",
        "Login Required",
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def insufficient_scopes() -> ApiError:
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
            'error="insufficient_scope"'
        },
    )


def error_for_status(status: int, retry_after: float | None = None) -> ApiError:
    """The body Google sends for a bare status (used by injected faults)."""
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
    table: dict[int, tuple[str, str, str]] = {
        400: ("global", "badRequest", "Bad Request"),
        401: ("global", "authError", "Invalid Credentials"),
        403: ("usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
        404: ("global", "notFound", "Not Found"),
        409: ("global", "conflict", "Conflict"),
        410: ("global", "deleted", "Resource has been deleted"),
        412: ("global", "conditionNotMet", "Precondition Failed"),
        429: ("usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
        500: ("global", "backendError", "Backend Error"),
        502: ("global", "backendError", "Backend Error"),
        503: ("global", "backendError", "Backend Error"),
    }
    domain, reason, message = table.get(status, ("global", "backendError", "Backend Error"))
    return ApiError(status, reason, message, domain=domain, headers=headers)


# -- OAuth (accounts.google.com / oauth2.googleapis.com) --------------------------------------
def oauth_error(status: int, error: str, description: str | None = None) -> Response:
    """Token/revoke endpoint errors: flat ``{"error", "error_description"}`` (§5.1)."""
    payload: dict[str, str] = {"error": error}
    if description is not None:
        payload["error_description"] = description
    return json_response(
        payload,
        status,
        {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"},
    )


def google_html_error(status: int, detail: str) -> Response:
    """The terse "That's an error." page googleapis.com serves for unknown URLs."""
    reason = HTTP_REASONS.get(status, "Error")
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
        f"  <title>Error {status} ({reason})!!1</title>\n"
        f"  <p><b>{status}.</b> <ins>That\u2019s an error.</ins>\n"
        f"  <p>{detail}  <ins>That\u2019s all we know.</ins>\n"
    )
    return HTMLResponse(page, status_code=status)


def page_not_found(path: str) -> Response:
    return google_html_error(
        404, f"The requested URL <code>{html.escape(path)}</code> was not found on this server."
    )


def method_not_allowed(method: str, path: str) -> Response:
    return google_html_error(
        405,
        f"The request method <code>{html.escape(method)}</code> is inappropriate for the URL "
        f"<code>{html.escape(path)}</code>.",
    )
