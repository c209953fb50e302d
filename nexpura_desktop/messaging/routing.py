"""Pure routing rules: channel order, what a Twilio error means, status ordering."""

from __future__ import annotations

CHANNELS = ("whatsapp", "sms")
# "This person cannot get it on this channel": try the next channel (service-apis.md §6.3-4).
FALLBACK_CODES = frozenset({21610, 63003, 63007, 63015, 63016, 63024, 63032})
INVALID_NUMBER_CODES = frozenset({21211, 21614})
OPT_OUT_CODE = 21610
TERMINAL = frozenset({"delivered", "read", "failed", "undelivered", "canceled"})
FAILED = frozenset({"failed", "undelivered", "canceled"})
_RANK = {
    "claimed": 0,
    "scheduled": 1,
    "accepted": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}
REASONS = {
    21211: "the phone number is not valid",
    21408: "sending to this country is not enabled on the Twilio account",
    21610: "the recipient replied STOP on this channel",
    21614: "the number is not a mobile number",
    30001: "Twilio's queue overflowed before the message could be sent",
    30003: "the phone was unreachable",
    30005: "the number is unknown or no longer in service",
    30006: "the number is a landline or cannot receive texts",
    30007: "the carrier filtered the message",
    30008: "the message could not be delivered (unknown error)",
    63003: "the number cannot receive WhatsApp messages",
    63007: "the shop's WhatsApp sender is not set up in Twilio",
    63015: "the recipient has not joined the WhatsApp sandbox",
    63016: "outside WhatsApp's 24-hour window and no approved template was used",
    63018: "WhatsApp's rate limit was reached",
    63021: "the WhatsApp template text is too long",
    63024: "the number has no WhatsApp account",
    63032: "the recipient has opted out of business messages on WhatsApp",
}
NEXPURA_STATUS = {
    "claimed": "pending",
    "scheduled": "pending",
    "accepted": "pending",
    "queued": "pending",
    "sending": "pending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}


def reason(code: int | None, fallback: str = "") -> str:
    if code is None:
        return fallback
    return REASONS.get(code, fallback or f"Twilio error {code}")


def moves_forward(old: str, new: str) -> bool:
    """A status update is applied only if it does not move the message backwards."""
    if old in TERMINAL and old != "delivered":
        return False
    return _RANK.get(new, 0) > _RANK.get(old, 0)


def channel_order(
    recipient_kind: str,
    category: str,
    preference: str | None,
    shop_default: tuple[str, ...],
    *,
    fallback: bool = True,
) -> list[str]:
    """Channels to try, in order, before opt-outs and failures remove any."""
    if recipient_kind == "staff":
        base = ["whatsapp", "sms"] if category == "task_assigned" else ["sms"]
        return base if fallback else base[:1]
    pref = (preference or "").strip().lower()
    if pref in ("none", "no", "do_not_contact"):
        return []
    default = [c for c in shop_default if c in CHANNELS] or list(CHANNELS)
    order = [pref, *[c for c in default if c != pref]] if pref in CHANNELS else default
    return order if fallback else order[:1]
