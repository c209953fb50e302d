"""Twilio's wire formats: SIDs, RFC 2822 dates, channel addresses, E.164 and SMS segments.

Kept apart from the state so the rules (service-apis.md §6.1, §6.6) read in one place.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime

E164 = re.compile(r"^\+[1-9]\d{1,14}$")  # §6.6: "+", country code, ≤ 15 digits in all
WHATSAPP_PREFIX = "whatsapp:"

# GSM 03.38 basic set plus the extension table (extension characters take two septets).
_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = "^{}\\[~]|€\f"


def sid(prefix: str, *parts: object) -> str:
    """A 34-character SID (two letters + 32 lower-case hex), stable for the same parts."""
    digest = hashlib.sha256("|".join(str(p) for p in (prefix, *parts)).encode()).hexdigest()
    return prefix + digest[:32]


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio 2010 API dates: ``Thu, 24 Aug 2023 05:01:45 +0000`` (always GMT)."""
    if moment is None:
        return None
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def iso_z(moment: datetime) -> str:
    """Content API dates: ``2015-07-30T19:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_filter_date(raw: str) -> datetime | date:
    """A ``DateSent`` filter value: ``YYYY-MM-DD`` (a whole day) or a full timestamp.

    Twilio accepts several timestamp spellings (ISO, ``2019-06-11 22:05:25.000``, RFC 2822);
    a bare date means the whole GMT day.  Raises ValueError when none fits.
    """
    text = raw.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"cannot parse date {raw!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def channel_of(address: str) -> str:
    """``whatsapp`` for ``whatsapp:+…`` addresses, ``sms`` otherwise (§6.3)."""
    return "whatsapp" if address.lower().startswith(WHATSAPP_PREFIX) else "sms"


def bare_number(address: str) -> str:
    """The number behind a channel address (``whatsapp:+61…`` → ``+61…``)."""
    if channel_of(address) == "whatsapp":
        return address[len(WHATSAPP_PREFIX) :]
    return address


def is_e164(number: str) -> bool:
    return bool(E164.match(number))


def normalise_au(raw: str | None) -> str | None:
    """Best-effort E.164 for the demo shop's Australian numbers (``0412 345 678``)."""
    if not raw:
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("+"):
        return digits if is_e164(digits) else None
    if digits.startswith("61") and len(digits) == 11:
        return "+" + digits
    if digits.startswith("0") and len(digits) == 10:
        return "+61" + digits[1:]
    return None


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def sms_segments(text: str) -> int:
    """How many SMS segments a body takes: 160/153 septets (GSM-7) or 70/67 (UCS-2)."""
    if not text:
        return 1
    if is_gsm7(text):
        septets = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
