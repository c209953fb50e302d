"""Helpers shared by the Shopify mapping modules: ids, money, text, phones, hashes (pure)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

NAMESPACE = uuid.UUID("6f1c1d8e-5b5e-4c1e-9a7e-3d1f5b0e2a11")

# Email marketing states that mean "may be emailed" / "has said no".
SUBSCRIBED = frozenset({"SUBSCRIBED"})
OPTED_OUT = frozenset({"UNSUBSCRIBED"})


# -- small helpers -------------------------------------------------------------------------


def row_id(kind: str, remote_id: str) -> str:
    """The ledger id of the row mirroring a Shopify object (stable across imports)."""
    return str(uuid.uuid5(NAMESPACE, f"shopify:{kind}:{remote_id}"))


def numeric_id(gid: Any) -> str | None:
    """``gid://shopify/Order/123?x=y`` → ``123`` (what Nexpura's columns hold)."""
    if gid is None:
        return None
    text = str(gid)
    tail = text.rsplit("/", 1)[-1].split("?", 1)[0]
    return tail or None


def product_gid(value: str | int) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/Product/{text}"


def variant_gid(value: str | int) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/ProductVariant/{text}"


def decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any) -> int | float | None:
    """A Shopify ``Money``/``Decimal`` string as the ledger's NUMERIC (int when whole)."""
    amount = decimal(value)
    if amount is None:
        return None
    amount = amount.quantize(Decimal("0.01"))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def money_text(value: Any) -> str | None:
    """A ledger NUMERIC as the decimal string Shopify's ``Money`` input expects."""
    amount = decimal(value)
    return None if amount is None else str(amount.quantize(Decimal("0.01")))


def bag_amount(bag: Any) -> int | float | None:
    """``{"shopMoney": {"amount": "12.50"}}`` → ``12.5``."""
    if not isinstance(bag, Mapping):
        return None
    shop = bag.get("shopMoney")
    return money(shop.get("amount")) if isinstance(shop, Mapping) else None


def nodes(connection: Any) -> list[dict[str, Any]]:
    """The nodes of a connection in either shape (``nodes`` or ``edges[].node``)."""
    if not isinstance(connection, Mapping):
        return []
    if isinstance(connection.get("nodes"), list):
        return [n for n in connection["nodes"] if isinstance(n, dict)]
    edges = connection.get("edges")
    if isinstance(edges, list):
        return [e["node"] for e in edges if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    return []


def clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def html_to_text(value: Any) -> str | None:
    """Shopify's ``descriptionHtml`` as the plain text the ledger's ``description`` holds."""
    text = clean(value)
    if text is None:
        return None
    text = re.sub(r"(?i)<br\s*/?>|</p>\s*<p[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return clean(html.unescape(text))


def text_to_html(value: Any) -> str:
    """Plain text as minimal HTML (one paragraph, line breaks kept)."""
    text = clean(value)
    if text is None:
        return ""
    return "<p>" + "<br>".join(html.escape(line) for line in text.split("\n")) + "</p>"


def normalise_phone(value: Any, country: str = "AU") -> str | None:
    """A typed phone number as E.164 for the shop's country; ``None`` if it is no number."""
    text = clean(value)
    if text is None:
        return None
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else country.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def content_hash(fields: Mapping[str, Any]) -> str:
    """A stable digest of some fields (key order and number spelling do not matter)."""
    text = json.dumps(_canonical(fields), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return money_text(value)
    return str(value)


def tags_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.split(",")
    if not isinstance(value, list | tuple):
        return []
    return sorted({str(t).strip() for t in value if str(t).strip()})
