"""Phone numbers as the syncs compare them: E.164, read with the shop's country.

Customers are matched and merged by phone across the ledger, Shopify and WooCommerce, so
all of them must spell one number the same way; what is not a valid number is ``None``
here and each caller decides what to keep (the merge keeps what staff typed).
"""

from __future__ import annotations

from typing import Any

import phonenumbers


def e164(value: Any, country: str = "AU") -> str | None:
    """``0412 345 678`` → ``+61412345678``; ``None`` when empty or not a valid number."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else country.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
