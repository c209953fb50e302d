"""Loading data into the Twilio emulator: its own JSON shape, and the ledger's demo shop.

``POST /_sandbox/seed`` body (every key optional)::

    {
      "templates": [{"key": "repair_ready", "friendly_name": "…", "language": "en",
                     "variables": {"1": "name"}, "body": "Hi {{1}}" | "types": {…},
                     "whatsapp_status": "approved|received|pending|rejected|unsubmitted",
                     "category": "UTILITY", "sid": "HX…"}],
      "inbound": [{"from": "+61…" | "whatsapp:+61…", "to": "…", "body": "STOP",
                   "minutes_ago": 90}],
      "opt_outs": [{"recipient": "+61…", "sender": "+61…"}],
      "recipients": {"+61…": {"whatsapp": false, "outcome": "undelivered:30003",
                              "reads": true}},
      "senders": {"sms": ["+61…"], "whatsapp": ["whatsapp:+61…"]},
      "allowed_country_codes": ["61", "64"],
      "limits": {"concurrency": 100, "latency": 0, "sms_mps": 1, "whatsapp_mps": 80,
                 "reject_over_rate": false, "whatsapp_window_hours": 24},
      "timing": {"sent_to_delivered": 3, "delivered_to_read": 30, …}
    }
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .formats import channel_of, normalise_au
from .inbound import receive
from .state import SMS_SENDER, WHATSAPP_SENDER, Recipient, TwilioState


def seed(state: TwilioState, data: Mapping[str, Any], now: float) -> dict[str, int]:
    """Apply a seed document; ValueError (→ 400) on anything malformed."""
    known = {
        "templates",
        "inbound",
        "opt_outs",
        "recipients",
        "senders",
        "allowed_country_codes",
        "limits",
        "timing",
    }
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown seed keys: {sorted(unknown)}; use {sorted(known)}")
    counts = {"templates": 0, "inbound": 0, "opt_outs": 0, "recipients": 0}
    senders = _mapping(data.get("senders", {}), "senders")
    state.sms_senders.update(str(s) for s in senders.get("sms", []))
    state.whatsapp_senders.update(str(s) for s in senders.get("whatsapp", []))
    for spec in _list(data.get("templates", []), "templates"):
        state.add_template(dict(spec))
        counts["templates"] += 1
    for number, behaviour in _mapping(data.get("recipients", {}), "recipients").items():
        spec = _mapping(behaviour, "recipient")
        state.recipients[str(number)] = Recipient(
            whatsapp=bool(spec.get("whatsapp", True)),
            outcome=_outcome(str(spec.get("outcome", "delivered"))),
            reads=bool(spec.get("reads", True)),
        )
        counts["recipients"] += 1
    inbound = sorted(
        _list(data.get("inbound", []), "inbound"),
        key=lambda item: -float(item.get("minutes_ago", 0)),
    )
    for item in inbound:
        at = now - float(item.get("minutes_ago", 0)) * 60
        to, sender = item.get("to"), item.get("from")
        if not isinstance(sender, str):
            raise ValueError("each inbound message needs a 'from' address")
        receive(state, sender, str(to) if to else None, str(item.get("body", "")), at)
        counts["inbound"] += 1
    for item in _list(data.get("opt_outs", []), "opt_outs"):
        if not isinstance(item.get("recipient"), str):
            raise ValueError("each opt-out needs a 'recipient' address")
        recipient = str(item["recipient"])
        default = WHATSAPP_SENDER if channel_of(recipient) == "whatsapp" else SMS_SENDER
        state.opt_outs.add((str(item.get("sender", default)), recipient))
        counts["opt_outs"] += 1
    if "allowed_country_codes" in data:
        codes = data["allowed_country_codes"]
        state.allowed_country_codes = None if codes is None else [str(c) for c in codes]
    state.limits.update(dict(_mapping(data.get("limits", {}), "limits")))
    state.timing.update(dict(_mapping(data.get("timing", {}), "timing")))
    return counts


def seed_demo(
    state: TwilioState, tables: Mapping[str, Iterable[Mapping[str, Any]]], now: float
) -> dict[str, int]:
    """A shop that has used WhatsApp and SMS for a while: a few customers' past replies.

    The first customer with a mobile wrote on WhatsApp two hours ago (window open), the
    second three days ago (window closed: templates only), the third replied STOP to the
    shop's SMS number ten days ago (21610 until START), and the fourth has no WhatsApp.
    The default templates (repair ready, …) and senders exist from the start.
    """
    for tenant in tables.get("tenants", []) or []:
        if tenant.get("name"):
            state.friendly_name = str(tenant["name"])[:64]
            break
    phones: list[tuple[str, str]] = []
    for row in tables.get("customers", []) or []:
        number = normalise_au(_text(row.get("mobile")) or _text(row.get("phone")))
        if number and number not in {p for p, _ in phones}:
            name = _text(row.get("first_name")) or _text(row.get("full_name")) or "there"
            phones.append((number, name.split()[0]))
    counts = {"templates": len(state.templates), "inbound": 0, "opt_outs": 0}
    counts["whatsapp_windows_open"] = 0
    counts["no_whatsapp"] = 0
    script = [
        (120, "whatsapp", "Hi, is my ring ready yet? Thanks, {name}"),
        (3 * 24 * 60, "whatsapp", "Thank you so much, I love it!"),
        (10 * 24 * 60, "sms", "STOP"),
    ]
    for (number, name), (minutes, channel, text) in zip(phones, script, strict=False):
        address = f"whatsapp:{number}" if channel == "whatsapp" else number
        receive(state, address, None, text.format(name=name), now - minutes * 60)
        counts["inbound"] += 1
        if text == "STOP":
            counts["opt_outs"] += 1
        elif minutes < 24 * 60:
            counts["whatsapp_windows_open"] += 1
    if len(phones) > len(script):
        state.recipients[phones[len(script)][0]] = Recipient(whatsapp=False)
        counts["no_whatsapp"] = 1
    return counts


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _outcome(raw: str) -> str:
    kind, _, code = raw.partition(":")
    if kind not in ("delivered", "undelivered", "failed") or (code and not code.isdigit()):
        raise ValueError(
            f"recipient outcome must be delivered|undelivered:<code>|failed:<code>, not {raw!r}"
        )
    return raw


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be an object")
    return value


def _list(value: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"{what} must be a list of objects")
    return value
