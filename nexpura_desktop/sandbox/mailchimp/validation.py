"""Request-body checks the real API applies before touching an audience.

Each check raises :class:`.errors.MailchimpError` with the real problem document
(reference/service-apis.md §3.2, §3.3, §3.6): unknown statuses, unknown or malformed merge
values, missing required merge fields, syntactically invalid addresses and addresses
Mailchimp considers fake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import MailchimpError, fake_email, invalid_resource
from .model import SETTABLE_STATUSES, Audience

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
BIRTHDAY_RE = re.compile(r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])$")
# §3.3 [MEM]: Mailchimp refuses documentation/test domains and role addresses as "fake".
DEFAULT_FAKE_DOMAINS = ("example.com", "example.net", "example.org", "test.com")
FAKE_LOCAL_PARTS = ("test", "abuse", "postmaster", "noreply", "no-reply")
ADDRESS_KEYS = ("addr1", "city", "state", "zip")


def check_email(email: Any, fake_domains: Iterable[str]) -> str:
    """The address, stripped; or "Invalid Resource" (bad syntax, fake or role address)."""
    if not isinstance(email, str) or not email.strip():
        raise invalid_resource(
            [{"field": "email_address", "message": "This value should not be blank."}]
        )
    address = str(email).strip()
    if not EMAIL_RE.match(address):
        raise invalid_resource(
            [{"field": "email_address", "message": "Please provide a valid email address."}],
        )
    local, _, domain = address.lower().rpartition("@")
    if domain in {d.lower() for d in fake_domains} or local in FAKE_LOCAL_PARTS:
        raise fake_email(address)
    return address


def check_status(value: Any, field: str) -> str | None:
    """``None`` when absent; otherwise one of the settable statuses (not ``archived``)."""
    if value is None:
        return None
    if value not in SETTABLE_STATUSES:
        raise invalid_resource(
            [
                {
                    "field": field,
                    "message": "Data presented is not one of the accepted values: "
                    + ", ".join(SETTABLE_STATUSES)
                    + ".",
                }
            ]
        )
    return str(value)


def check_merge_fields(
    aud: Audience, values: Any, *, creating: bool, skip_validation: bool
) -> dict[str, Any]:
    """§3.2: unknown/invalid merge values and missing required ones → "Invalid Resource"."""
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise invalid_resource(
            [
                {
                    "field": "merge_fields",
                    "message": f"Schema describes object, {_json_type(values)} found instead",
                }
            ]
        )
    problems: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    for tag, value in values.items():
        mf = aud.merge_field(str(tag))
        if mf is None:
            problems.append({"field": str(tag), "message": "This merge field does not exist."})
            continue
        message = _merge_value_problem(mf.type, value)
        if message:
            problems.append({"field": mf.tag, "message": message})
        else:
            clean[mf.tag] = value
    if creating and not skip_validation:
        for mf in aud.merge_fields:
            if mf.required and clean.get(mf.tag) in (None, ""):
                problems.append({"field": mf.tag, "message": "Please enter a value"})
    if problems:
        raise invalid_resource(problems, "Your merge fields were invalid.")
    return clean


def _merge_value_problem(kind: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if kind == "address":
        if not isinstance(value, Mapping):
            return "Please enter a complete address"
        missing = [k for k in ADDRESS_KEYS if not str(value.get(k, "") or "").strip()]
        return "Please enter a complete address" if missing else ""
    if kind == "number":
        return (
            ""
            if isinstance(value, int | float) and not isinstance(value, bool)
            else ("Please enter a number")
        )
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return f"Schema describes string, {_json_type(value)} found instead"
    if kind == "birthday" and not BIRTHDAY_RE.match(str(value)):
        return "Please enter the date in the format MM/DD."
    return ""


def _json_type(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def require_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise invalid_resource(
            [{"field": "", "message": f"Schema describes object, {_json_type(body)} found instead"}]
        )
    return body


def check_tags_body(body: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """§3.2 tags body: ``{"tags": [{"name", "status": "active"|"inactive"}]}``."""
    tags = body.get("tags")
    if not isinstance(tags, list):
        raise invalid_resource([{"field": "tags", "message": "This value should not be blank."}])
    out: list[tuple[str, bool]] = []
    for i, item in enumerate(tags):
        if not isinstance(item, Mapping) or not str(item.get("name", "") or "").strip():
            raise invalid_resource(
                [{"field": f"tags.item:{i}.name", "message": "This value should not be blank."}]
            )
        status = item.get("status")
        if status not in ("active", "inactive"):
            raise invalid_resource(
                [
                    {
                        "field": f"tags.item:{i}.status",
                        "message": "Data presented is not one of the accepted values: "
                        "active, inactive.",
                    }
                ]
            )
        out.append((str(item["name"]).strip(), status == "active"))
    return out


def check_batch_size(members: Any, limit: int) -> list[Any]:
    """§3.4: at most 500 members per batch-subscribe call."""
    if not isinstance(members, list):
        raise invalid_resource(
            [
                {
                    "field": "members",
                    "message": f"Schema describes array, {_json_type(members)} found instead",
                }
            ]
        )
    if len(members) > limit:
        raise MailchimpError(
            400,
            "Invalid Resource",
            f"You may only submit up to {limit} members per request.",
            errors=[
                {
                    "field": "members",
                    "message": f"Schema describes array with at most {limit} items, "
                    f"{len(members)} found instead",
                }
            ],
        )
    return members
