"""Xero's response shapes: the JSON envelope, problem/exception bodies and the XML default.

Facts followed (reference/service-apis.md §4.3, §4.7): success bodies carry ``Id``,
``Status``, ``ProviderName`` and ``DateTimeUTC`` around the resource list; 401/403 are
problem-style JSON (``Title``/``Status``/``Detail``); 404 is plain text; validation failures
are ``ValidationException`` (ErrorNumber 10); without ``Accept: application/json`` Xero
answers XML.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .dates import ms_datetime

NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
XML_TYPE = "text/xml; charset=utf-8"
SINGULAR = {
    "Invoices": "Invoice",
    "Contacts": "Contact",
    "LineItems": "LineItem",
    "Phones": "Phone",
    "Addresses": "Address",
    "TaxRates": "TaxRate",
    "TaxComponents": "TaxComponent",
    "Accounts": "Account",
    "Organisations": "Organisation",
    "ValidationErrors": "ValidationError",
    "Warnings": "Warning",
    "Elements": "DataContractBase",
    "ContactGroups": "ContactGroup",
    "ContactPersons": "ContactPerson",
    "Tracking": "TrackingCategory",
    "Payments": "Payment",
    "CreditNotes": "CreditNote",
    "Prepayments": "Prepayment",
    "Overpayments": "Overpayment",
    "ExternalLinks": "ExternalLink",
}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


def envelope(provider: str, now: float, key: str, items: list[Any]) -> dict[str, Any]:
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider,
        "DateTimeUTC": ms_datetime(now).replace("+0000", ""),
        key: items,
    }


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }


def validation_exception(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }


def query_exception(message: str) -> dict[str, Any]:
    return {"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_TEXT, status_code=404)


def to_xml(tag: str, value: Any) -> str:
    if isinstance(value, Mapping):
        inner = "".join(to_xml(k, v) for k, v in value.items() if v is not None)
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        child = SINGULAR.get(tag, tag.rstrip("s") or "Item")
        return f"<{tag}>{''.join(to_xml(child, v) for v in value)}</{tag}>"
    if isinstance(value, bool):
        return f"<{tag}>{str(value).lower()}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def respond(
    request: Request,
    payload: Any,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON when asked for, otherwise the XML Xero sends by default."""
    if wants_json(request):
        return Response(
            json.dumps(payload),
            status_code=status,
            media_type="application/json",
            headers=dict(headers or {}),
        )
    root = "ApiException" if status >= 400 and "ErrorNumber" in payload else "Response"
    if status in (401, 403, 429) or (status >= 500 and "Title" in payload):
        root = "Problem"
    body = '<?xml version="1.0" encoding="utf-8"?>' + to_xml(root, payload)
    return Response(body, status_code=status, media_type=XML_TYPE, headers=dict(headers or {}))
