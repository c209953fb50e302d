"""The Twilio account the emulator holds in memory: credentials, senders, messages, rules.

Fixed SIDs and secrets (derived from constant names) so the sandbox directory's
credentials stay the same across restarts and resets.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .formats import channel_of, iso_z, sid
from .limits import Limits, SenderQueues, Timing
from .model import Message, Template

SMS_SENDER = "+61491570006"  # ACMA's fictional-use mobile range (0491 570 006–159)
WHATSAPP_SENDER = "whatsapp:+61491570156"

DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "repair_ready",
        "friendly_name": "repair_ready",
        "variables": {"1": "Customer", "2": "item", "3": "RPR-000000000000"},
        "body": (
            "Hi {{1}}, your {{2}} is ready to collect. Track it any time with "
            "reference {{3}}. Reply STOP to opt out."
        ),
        "category": "UTILITY",
    },
    {
        "key": "bespoke_ready",
        "friendly_name": "bespoke_ready",
        "variables": {"1": "Customer", "2": "piece", "3": "BSP-000000000000"},
        "body": "Hi {{1}}, your bespoke {{2}} is finished! Reference {{3}}.",
        "category": "UTILITY",
    },
    {
        "key": "appointment_reminder",
        "friendly_name": "appointment_reminder",
        "variables": {"1": "Customer", "2": "date", "3": "time"},
        "body": "Hi {{1}}, a reminder of your appointment on {{2}} at {{3}}.",
        "category": "UTILITY",
    },
    {
        "key": "new_collection",
        "friendly_name": "new_collection",
        "variables": {"1": "Customer"},
        "body": "Hi {{1}}, our new collection has arrived. Come and see it in store!",
        "category": "MARKETING",
        "whatsapp_status": "pending",
    },
]


@dataclass
class Recipient:
    """How the far end behaves: WhatsApp account, SMS fate, read receipts."""

    whatsapp: bool = True
    outcome: str = "delivered"  # delivered | undelivered:<code> | failed:<code>
    reads: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"whatsapp": self.whatsapp, "outcome": self.outcome, "reads": self.reads}


@dataclass
class TwilioState:
    created: float
    account_sid: str = sid("AC", "nexpura-sandbox", "account")
    auth_token: str = sid("", "nexpura-sandbox", "auth-token")[:32]
    friendly_name: str = "Nexpura Sandbox Jewellers"
    api_keys: dict[str, str] = field(
        default_factory=lambda: {
            sid("SK", "nexpura-sandbox", "api-key"): sid("", "nexpura-sandbox", "secret")[:32]
        }
    )
    sms_senders: set[str] = field(default_factory=lambda: {SMS_SENDER})
    whatsapp_senders: set[str] = field(default_factory=lambda: {WHATSAPP_SENDER})
    messaging_services: dict[str, list[str]] = field(
        default_factory=lambda: {
            sid("MG", "nexpura-sandbox", "messaging-service"): [SMS_SENDER, WHATSAPP_SENDER]
        }
    )
    templates: dict[str, Template] = field(default_factory=dict)
    template_keys: dict[str, str] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    opt_outs: set[tuple[str, str]] = field(default_factory=set)  # (sender, recipient)
    last_inbound: dict[tuple[str, str], float] = field(default_factory=dict)
    recipients: dict[str, Recipient] = field(default_factory=dict)
    allowed_country_codes: list[str] | None = None
    limits: Limits = field(default_factory=Limits)
    timing: Timing = field(default_factory=Timing)
    queues: SenderQueues = field(default_factory=SenderQueues)

    def __post_init__(self) -> None:
        for spec in DEFAULT_TEMPLATES:
            self.add_template(spec)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def messaging_service_sid(self) -> str:
        return next(iter(self.messaging_services))

    def owns_sender(self, address: str) -> bool:
        if channel_of(address) == "whatsapp":
            return address in self.whatsapp_senders
        return address in self.sms_senders

    def recipient(self, number: str) -> Recipient:
        return self.recipients.get(number, Recipient())

    def window_open(self, sender: str, customer: str, now: float) -> bool:
        """§6.3: free-form WhatsApp is allowed for 24 h after the customer's last message."""
        last = self.last_inbound.get((sender, customer))
        return last is not None and now - last < self.limits.whatsapp_window_hours * 3600

    def new_message_sid(self, media: bool) -> str:
        return ("MM" if media else "SM") + secrets.token_hex(16)

    # -- templates -------------------------------------------------------------------------
    def add_template(self, spec: dict[str, Any]) -> Template:
        name = str(spec.get("friendly_name") or spec.get("key") or "template")
        key = str(spec.get("key") or name)
        types = spec.get("types")
        if not isinstance(types, dict):
            types = {"twilio/text": {"body": str(spec.get("body", ""))}}
        variables = spec.get("variables") or {}
        if not isinstance(variables, dict):
            raise ValueError("template variables must be an object")
        status = str(spec.get("whatsapp_status", "approved"))
        if status not in ("approved", "received", "pending", "rejected", "unsubmitted"):
            raise ValueError(f"unknown WhatsApp approval status {status!r}")
        template = Template(
            sid=str(spec.get("sid") or sid("HX", self.account_sid, key)),
            account_sid=self.account_sid,
            friendly_name=name,
            language=str(spec.get("language", "en")),
            variables={str(k): str(v) for k, v in variables.items()},
            types=types,
            created=self.created,
            whatsapp_status=status,
            category=str(spec.get("category", "UTILITY")),
            approval_name=str(spec.get("approval_name", name)),
        )
        self.templates[template.sid] = template
        self.template_keys[key] = template.sid
        return template

    # -- messages --------------------------------------------------------------------------
    def add_message(self, message: Message) -> Message:
        message.seq = len(self.messages) + 1
        self.messages[message.sid] = message
        return message

    def newest_first(self) -> list[Message]:
        return sorted(self.messages.values(), key=lambda m: (m.created, m.seq), reverse=True)

    def filtered(
        self,
        now: float,
        to: str | None,
        from_: str | None,
        sent_on: date | datetime | None,
        sent_before: date | datetime | None,
        sent_after: date | datetime | None,
    ) -> list[Message]:
        """The list endpoint's filters (``DateSent<``/``>`` are inclusive, per the spec)."""
        result = []
        for message in self.newest_first():
            if to is not None and message.to != to:
                continue
            if from_ is not None and message.resource(now)["from"] != from_:
                continue
            if sent_on or sent_before or sent_after:
                at = message.sent_at(now)
                if at is None:
                    continue
                moment = datetime.fromtimestamp(at, tz=UTC)
                if sent_on is not None and not _same(moment, sent_on):
                    continue
                if sent_before is not None and not _on_or_before(moment, sent_before):
                    continue
                if sent_after is not None and not _on_or_after(moment, sent_after):
                    continue
            result.append(message)
        return result

    # -- the control surface ---------------------------------------------------------------
    def snapshot(self, now: float, base_url: str) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "sms_senders": sorted(self.sms_senders),
            "whatsapp_senders": sorted(self.whatsapp_senders),
            "messaging_services": self.messaging_services,
            "templates": [
                {**t.resource(base_url), "approval": t.approval(now)}
                for t in self.templates.values()
            ],
            "messages": [m.snapshot(now) for m in self.newest_first()],
            "opt_outs": [{"sender": s, "recipient": r} for s, r in sorted(self.opt_outs)],
            "whatsapp_windows": [
                {
                    "sender": s,
                    "customer": c,
                    "last_inbound": iso_z(datetime.fromtimestamp(at, tz=UTC)),
                    "open": self.window_open(s, c, now),
                }
                for (s, c), at in sorted(self.last_inbound.items())
            ],
            "recipients": {n: r.to_json() for n, r in sorted(self.recipients.items())},
            "allowed_country_codes": self.allowed_country_codes,
            "limits": self.limits.to_json(),
            "timing": self.timing.to_json(),
        }


def _same(moment: datetime, when: date | datetime) -> bool:
    if isinstance(when, datetime):
        return moment.replace(microsecond=0) == when.replace(microsecond=0)
    return moment.date() == when


def _on_or_before(moment: datetime, when: date | datetime) -> bool:
    return moment <= when if isinstance(when, datetime) else moment.date() <= when


def _on_or_after(moment: datetime, when: date | datetime) -> bool:
    return moment >= when if isinstance(when, datetime) else moment.date() >= when
