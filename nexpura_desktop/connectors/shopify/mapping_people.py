"""Shopify customers ⇄ ledger ``customers`` rows (pure; see :mod:`.mapping`).

Phones are stored and pushed as E.164 in the shop's country (staff type ``0412 345 678``);
email marketing consent comes from ``defaultEmailAddress.marketingState`` (API 2026-01),
or from the older ``emailMarketingConsent`` object when a payload carries that instead.
Only ``SUBSCRIBED`` counts as consent: pending double opt-in is not consent yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .mapping_common import (
    OPTED_OUT,
    SUBSCRIBED,
    clean,
    content_hash,
    normalise_phone,
    numeric_id,
    row_id,
    tags_list,
)

CONSENT_UNKNOWN = frozenset({"REDACTED"})


@dataclass(frozen=True)
class MappedCustomer:
    """One customers row plus the keys the sync matches on (email, then E.164 phone)."""

    row: dict[str, Any]
    remote_id: str
    email: str | None
    phone: str | None
    remote_version: str | None
    push_hash: str


def _email_state(customer: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(email, marketing state, when it last changed) from either payload shape."""
    address = customer.get("defaultEmailAddress")
    if isinstance(address, Mapping):
        return (
            clean(address.get("emailAddress")),
            clean(address.get("marketingState")),
            clean(address.get("marketingUpdatedAt")),
        )
    consent = customer.get("emailMarketingConsent")
    state = when = None
    if isinstance(consent, Mapping):
        state = clean(consent.get("marketingState"))
        when = clean(consent.get("consentUpdatedAt"))
    return clean(customer.get("email")), state, when


def _phone(customer: Mapping[str, Any]) -> str | None:
    number = customer.get("defaultPhoneNumber")
    if isinstance(number, Mapping):
        return clean(number.get("phoneNumber"))
    return clean(customer.get("phone"))


def split_name(full_name: Any) -> tuple[str | None, str | None]:
    """``"Mary Jane Smith"`` → (``"Mary Jane"``, ``"Smith"``); one word is a first name."""
    text = clean(full_name)
    if text is None:
        return None, None
    if " " not in text:
        return text, None
    first, last = text.rsplit(" ", 1)
    return first.strip(), last.strip()


def _names(first: Any, last: Any) -> str | None:
    return clean(" ".join(p for p in (clean(first), clean(last)) if p))


def customer_to_row(
    customer: Mapping[str, Any], *, country: str = "AU", tenant_id: str | None = None
) -> MappedCustomer:
    """The ledger row for one Shopify customer."""
    email, state, changed = _email_state(customer)
    raw_phone = _phone(customer)
    phone = normalise_phone(raw_phone, country) if raw_phone else None
    state = state.upper() if state else None
    row: dict[str, Any] = {
        "id": row_id("customer", str(customer["id"])),
        "tenant_id": tenant_id,
        "first_name": clean(customer.get("firstName")),
        "last_name": clean(customer.get("lastName")),
        "full_name": _names(customer.get("firstName"), customer.get("lastName")),
        "email": email,
        "phone": phone or raw_phone,
        "tags": tags_list(customer.get("tags")),
        "notes": clean(customer.get("note")),
        "marketing_consent": None
        if state is None or state in CONSENT_UNKNOWN
        else state in SUBSCRIBED,
        "email_opted_out": state in OPTED_OUT,
        "email_opted_out_at": changed if state in OPTED_OUT else None,
        "import_metadata": {"source": "shopify", "shopify_customer_id": numeric_id(customer["id"])},
        "created_at": customer.get("createdAt"),
        "updated_at": customer.get("updatedAt"),
    }
    if state == "INVALID":
        row["email_status"] = "bounced"
    return MappedCustomer(
        row=row,
        remote_id=str(customer["id"]),
        email=email.lower() if email else None,
        phone=phone,
        remote_version=clean(customer.get("updatedAt")),
        push_hash=remote_customer_hash(customer, country=country),
    )


def _customer_fields(
    *, email: Any, first: Any, last: Any, phone: Any, tags: Any, note: Any, country: str
) -> dict[str, Any]:
    text = clean(email)
    return {
        "email": text.lower() if text else None,
        "first_name": clean(first),
        "last_name": clean(last),
        "phone": normalise_phone(phone, country) if clean(phone) else None,
        "tags": tags_list(tags),
        "note": clean(note),
    }


def remote_customer_hash(customer: Mapping[str, Any], *, country: str = "AU") -> str:
    """The push hash of what Shopify holds for one customer."""
    email, _state, _when = _email_state(customer)
    return content_hash(
        _customer_fields(
            email=email,
            first=customer.get("firstName"),
            last=customer.get("lastName"),
            phone=_phone(customer),
            tags=customer.get("tags"),
            note=customer.get("note"),
            country=country,
        )
    )


def _row_names(row: Mapping[str, Any]) -> tuple[str | None, str | None]:
    first, last = clean(row.get("first_name")), clean(row.get("last_name"))
    if first is None and last is None:
        return split_name(row.get("full_name"))
    return first, last


def customer_push_hash(row: Mapping[str, Any], *, country: str = "AU") -> str:
    """The hash of the fields :func:`customer_to_input` pushes for ``row``."""
    first, last = _row_names(row)
    return content_hash(
        _customer_fields(
            email=row.get("email"),
            first=first,
            last=last,
            phone=row.get("phone") or row.get("mobile"),
            tags=row.get("tags"),
            note=row.get("notes"),
            country=country,
        )
    )


def customer_to_input(
    row: Mapping[str, Any], *, customer_id: str | None = None, country: str = "AU"
) -> dict[str, Any]:
    """``CustomerInput`` for a create (no ``customer_id``) or an update.

    A number that is not a valid phone for the shop's country is left out (Shopify would
    refuse the whole customer).  Marketing consent is sent on create only: Shopify keeps
    consent changes to its dedicated consent mutations, and a later opt-out must not be
    overwritten by an old "subscribed".
    """
    first, last = _row_names(row)
    phone = normalise_phone(row.get("phone") or row.get("mobile"), country)
    out: dict[str, Any] = {
        "email": clean(row.get("email")),
        "firstName": first,
        "lastName": last,
        "phone": phone,
        "tags": tags_list(row.get("tags")),
        "note": clean(row.get("notes")),
    }
    if customer_id is not None:
        out["id"] = (
            customer_id
            if str(customer_id).startswith("gid://")
            else f"gid://shopify/Customer/{customer_id}"
        )
    elif out["email"] and row.get("marketing_consent") is not None:
        subscribed = bool(row.get("marketing_consent")) and not row.get("email_opted_out")
        out["emailMarketingConsent"] = {
            "marketingState": "SUBSCRIBED" if subscribed else "NOT_SUBSCRIBED",
            "marketingOptInLevel": "SINGLE_OPT_IN" if subscribed else None,
        }
    return out
