"""Phone numbers to E.164 with the shop's country as the default (service-apis.md §6.6)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "AU"
_COUNTRIES = {
    "australia": "AU",
    "new zealand": "NZ",
    "aotearoa": "NZ",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "ireland": "IE",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "singapore": "SG",
    "hong kong": "HK",
    "south africa": "ZA",
    "india": "IN",
}


class InvalidNumber(ValueError):
    """A phone number that cannot be a real number in any country we can tell."""


def region_for(country: str | None) -> str:
    """The phonenumbers region for the shop's country ("Australia", "AU", "nz" …)."""
    text = (country or "").strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return _COUNTRIES.get(text.lower(), DEFAULT_REGION)


def region_code(text: str) -> str:
    """A country the owner typed ("AU", "nz", "New Zealand") as a region; ValueError if unknown."""
    value = text.strip()
    code = value.upper() if len(value) == 2 else _COUNTRIES.get(value.lower(), "")
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{text!r} is not a country we know; use a two-letter code such as AU")
    return code


def to_e164(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """``0412 345 678`` → ``+61412345678``; :class:`InvalidNumber` when it is not a number."""
    text = (raw or "").strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:") :]
    if not text:
        raise InvalidNumber("no phone number")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
