"""Mailchimp's error bodies: RFC 7807 problem documents (reference/service-apis.md §3.6).

Every error the Marketing API returns — auth, validation, 404/405, 429, 500 — is an
``application/problem+json`` document with ``type``, ``title``, ``status``, ``detail`` and
``instance`` (plus ``errors[]`` on validation failures), so the emulator builds them all here
and nowhere else.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

PROBLEM_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

# Default title and detail per status (§3.6 titles; details as the real API words them).
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("Bad Request", "Your request could not be processed."),
    401: (
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    ),
    403: ("Forbidden", "You don't have permission to access this resource."),
    404: ("Resource Not Found", "The requested resource could not be found."),
    405: (
        "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow header for "
        "this resource's available methods.",
    ),
    414: ("Resource Nesting Too Deep", "The sub-resource requested is nested too deeply."),
    422: (
        "Invalid Method Override",
        "You can only use the X-HTTP-Method-Override header with the POST method.",
    ),
    426: (
        "Upgrade Required",
        "Your request was made with the HTTP protocol. Please make "
        "your request via HTTPS rather than HTTP.",
    ),
    429: (
        "Too Many Requests",
        "You have exceeded the limit of 10 simultaneous connections.",
    ),
    500: (
        "Internal Server Error",
        "An unexpected internal error has occurred. Please contact Support for more information.",
    ),
    502: ("Bad Gateway", "The server received an invalid response from an upstream server."),
    503: ("Service Unavailable", "The service is temporarily unavailable. Please try again."),
    504: ("Gateway Timeout", "The request timed out before a response could be produced."),
}

VALIDATION_DETAIL = (
    "The resource submitted could not be validated. For field-specific details, see the "
    "'errors' array."
)


class MailchimpError(Exception):
    """Raised by the model to end a request with a problem document."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        default_title, default_detail = DEFAULTS.get(status, ("Error", f"HTTP {status}"))
        self.status = status
        self.title = title or default_title
        self.detail = detail or default_detail
        self.errors = [dict(e) for e in errors] if errors is not None else None
        self.headers = dict(headers or {})
        super().__init__(f"{self.status} {self.title}: {self.detail}")

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": PROBLEM_TYPE,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": str(uuid.uuid4()),
        }
        if self.errors is not None:
            doc["errors"] = self.errors
        return doc

    def response(self) -> Response:
        return problem_response(self.body(), self.status, self.headers)


def problem_response(
    body: Mapping[str, Any], status: int, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem(status: int, title: str | None = None, detail: str | None = None) -> Response:
    return MailchimpError(status, title, detail).response()


def invalid_resource(
    errors: Sequence[Mapping[str, str]], detail: str = VALIDATION_DETAIL
) -> MailchimpError:
    """400 "Invalid Resource" with the field list (§3.6: ``errors[]`` only on validation)."""
    return MailchimpError(400, "Invalid Resource", detail, errors=errors)


def compliance_state(email: str) -> MailchimpError:
    """§3.3: unsubscribed themselves, bounced or under review cannot be re-subscribed."""
    return MailchimpError(
        400,
        "Member In Compliance State",
        f"{email} is in a compliance state due to unsubscribe, bounce, or compliance review "
        "and cannot be subscribed.",
    )


def forgotten(email: str) -> MailchimpError:
    """§3.3: a permanently deleted address cannot be re-added by the API at all."""
    return MailchimpError(
        400,
        "Forgotten Email Not Subscribed",
        f"{email} was permanently deleted and cannot be re-imported. The contact must "
        "re-subscribe to get back on the list.",
    )


def member_exists(email: str) -> MailchimpError:
    """§3.2: POST …/members creates only."""
    return MailchimpError(
        400,
        "Member Exists",
        f"{email} is already a list member. Use PUT to insert or update list members.",
    )


def fake_email(email: str) -> MailchimpError:
    """§3.3: "Invalid Resource" for fake/role addresses."""
    return MailchimpError(
        400,
        "Invalid Resource",
        f"{email} looks fake or invalid, please enter a real email address.",
    )
