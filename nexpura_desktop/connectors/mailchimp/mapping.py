"""Customer rows → Mailchimp members, and the consent decision.  Pure: no I/O.

The one rule everything else leans on is :func:`decide`: an address is subscribed only
when some live customer record with that address has ``marketing_consent = true`` and
none says ``false`` (an explicit "no" wins over a duplicate record's "yes"), and never
when the address is *blocked* (it left through Mailchimp: unsubscribed themselves,
bounced, compliance state, permanently deleted).  The payload for a member we have not
unsubscribed ourselves only ever carries ``status_if_new``, so even a stale view of the
audience cannot re-subscribe anyone through an update.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TAG_MAX = 100  # Mailchimp's tag name limit
NAME_MAX = 255

# Why an address may never be subscribed by us again (the member's state in Mailchimp).
BLOCK_REASONS = {
    "unsubscribed": "unsubscribed in Mailchimp",
    "cleaned": "their email bounced (Mailchimp cleaned the address)",
    "compliance": "Mailchimp holds the address in a compliance state",
    "forgotten": "the address was permanently deleted from Mailchimp",
}


def normalise_email(value: object) -> str | None:
    """The address as sent to Mailchimp (trimmed), or ``None`` when there is none."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "@" not in text or " " in text or text.startswith("@") or text.endswith("@"):
        return None
    return text


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: MD5 of the lower-cased, trimmed address."""
    return hashlib.md5(email.strip().lower().encode("utf-8"), usedforsecurity=False).hexdigest()


def parse_tags(value: object) -> tuple[str, ...]:
    """Customer tags (a JSON array, as the ledger stores it) as unique, trimmed names."""
    items: Any = value
    if isinstance(value, str):
        try:
            items = json.loads(value)
        except ValueError:
            items = [part for part in value.split(",")]
    if not isinstance(items, list):
        return ()
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, str) and item.strip():
            seen.setdefault(item.strip()[:TAG_MAX], None)
    return tuple(seen)


def _consent(value: object) -> bool | None:
    """The ledger's BOOLEAN (0/1, maybe text from a generic import); unknown is ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y"):
        return True
    if text in ("0", "false", "f", "no", "n"):
        return False
    return None


@dataclass(frozen=True)
class Customer:
    """What the sync needs of one ``customers`` row."""

    id: str
    email: str | None
    consent: bool | None
    first_name: str
    last_name: str
    phone: str
    tags: tuple[str, ...] = ()
    deleted: bool = False
    updated_at: str = ""

    @property
    def live(self) -> bool:
        return not self.deleted


def customer_from_row(row: Mapping[str, Any]) -> Customer:
    """Build from a row with the ``customers`` column names (missing columns are empty)."""
    first = str(row.get("first_name") or "").strip()
    last = str(row.get("last_name") or "").strip()
    if not first and not last:
        full = " ".join(str(row.get("full_name") or "").split())
        first, _, last = full.partition(" ")  # Nexpura splits at the first space
    phone = str(row.get("mobile") or "").strip() or str(row.get("phone") or "").strip()
    return Customer(
        id=str(row["id"]),
        email=normalise_email(row.get("email")),
        consent=_consent(row.get("marketing_consent")),
        first_name=first[:NAME_MAX],
        last_name=last[:NAME_MAX],
        phone=phone[:NAME_MAX],
        tags=parse_tags(row.get("tags")),
        deleted=bool(row.get("deleted_at")),
        updated_at=str(row.get("updated_at") or ""),
    )


@dataclass(frozen=True)
class Known:
    """What we know of an address in the audience (``None`` = never seen there)."""

    status: str  # subscribed | unsubscribed | cleaned | pending | transactional | archived …
    set_by: str  # us | mailchimp
    blocked: str | None = None  # a BLOCK_REASONS key
    pushed_digest: str | None = None
    pushed_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """What to do for one address: ``subscribe``, ``unsubscribe``, ``skip`` or ``none``."""

    action: str
    customer: Customer | None = None  # whose details to send (subscribe)
    resubscribe: bool = False  # we unsubscribed them ourselves; consent came back
    reason: str = ""  # for ``skip``: why, in plain words
    conflicting: tuple[str, ...] = field(default_factory=tuple)  # ids of a consent clash


def decide(customers: Sequence[Customer], known: Known | None) -> Decision:
    """The single consent rule for one address (see the module docstring)."""
    live = [c for c in customers if c.live and c.email]
    refused = [c for c in live if c.consent is False]
    agreed = [c for c in live if c.consent is True]
    on_list = known is not None and known.status in ("subscribed", "pending")
    if refused or not agreed:
        if on_list:  # withdrawing is always allowed, whatever else Mailchimp holds
            return Decision("unsubscribe", refused[0] if refused else None)
        if refused and agreed:
            ids = tuple(sorted(c.id for c in (*refused, *agreed)))
            return Decision("none", conflicting=ids)
        return Decision("none")
    chosen = max(agreed, key=lambda c: (c.updated_at, c.id))
    if known is not None and known.blocked is not None:
        return Decision("skip", chosen, reason=BLOCK_REASONS.get(known.blocked, known.blocked))
    resubscribe = known is not None and known.status == "unsubscribed" and known.set_by == "us"
    return Decision("subscribe", chosen, resubscribe=resubscribe)


def merge_fields(customer: Customer) -> dict[str, str]:
    return {"FNAME": customer.first_name, "LNAME": customer.last_name, "PHONE": customer.phone}


def digest(customer: Customer) -> str:
    """What was sent, so an unchanged customer is not sent again."""
    text = json.dumps([customer.email, merge_fields(customer)], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def subscribe_payload(customer: Customer, *, resubscribe: bool = False) -> dict[str, Any]:
    """A batch-subscribe member: new addresses subscribed, existing ones keep their status.

    ``status`` is only sent to reverse an unsubscribe *we* made when consent came back;
    Mailchimp refuses that for anyone in a compliance state anyway.
    """
    assert customer.email is not None
    payload: dict[str, Any] = {
        "email_address": customer.email,
        "status_if_new": "subscribed",
        "merge_fields": merge_fields(customer),
    }
    if resubscribe:
        payload["status"] = "subscribed"
    if customer.tags:
        payload["tags"] = list(customer.tags)
    return payload


def unsubscribe_payload(email: str) -> dict[str, Any]:
    """Withdrawn consent: unsubscribe (never delete) the member."""
    return {"email_address": email, "status": "unsubscribed"}


def tag_changes(before: Iterable[str], after: Iterable[str]) -> list[dict[str, str]]:
    """The member-tags body entries turning ``before`` into ``after``."""
    old, new = list(dict.fromkeys(before)), list(dict.fromkeys(after))
    body = [{"name": name, "status": "active"} for name in new if name not in old]
    body += [{"name": name, "status": "inactive"} for name in old if name not in new]
    return body


def classify_error(text: str) -> str:
    """A batch/member error → ``compliance``, ``forgotten``, ``invalid_email`` or ``other``."""
    lowered = text.lower()
    if "compliance state" in lowered:
        return "compliance"
    if "permanently deleted" in lowered or "forgotten" in lowered:
        return "forgotten"
    if "fake or invalid" in lowered or "valid email" in lowered:
        return "invalid_email"
    return "other"


def plain_error(kind: str, email: str, text: str) -> str:
    """One sentence for the shop owner about a member Mailchimp refused."""
    if kind == "compliance":
        return (
            f"{email} cannot be subscribed: Mailchimp holds the address in a compliance state "
            "(they unsubscribed, bounced or are under review); they must re-subscribe themselves"
        )
    if kind == "forgotten":
        return (
            f"{email} was permanently deleted from Mailchimp and cannot be added again; "
            "they must sign up again through your Mailchimp form"
        )
    if kind == "invalid_email":
        return f"Mailchimp says {email} looks fake or invalid; correct the customer's email"
    return f"Mailchimp refused {email}: {text.strip().rstrip('.')}"
