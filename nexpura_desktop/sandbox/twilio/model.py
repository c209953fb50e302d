"""The Twilio emulator's records: messages with a pre-planned status timeline, templates.

A message's whole future is decided when it is created (when it leaves the queue, whether
it is delivered, read or fails with which code) and stored as a timeline of
``(sandbox time, status, error code)`` events.  Reading a message picks the last event that
has happened on the sandbox clock, so polling sees it move (service-apis.md §6.2) without
background threads, and its status can never move backwards because the clock cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .formats import channel_of, iso_z, rfc2822

API_VERSION = "2010-04-01"

# Twilio's texts for the asynchronous error codes the emulator produces (§6.4).
ERROR_MESSAGES: dict[int, str] = {
    30001: "Queue overflow",
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    63015: "Channel Sandbox can only send messages to phone numbers that have joined the Sandbox",
    63016: (
        "Failed to send freeform message because you are outside the allowed window. "
        "If you are using WhatsApp, please use a Message Template."
    ),
    63018: "Rate limit exceeded for Channel",
    63021: "Channel invalid content error",
    63024: "Invalid message recipient",
}

FINAL = frozenset({"delivered", "undelivered", "failed", "read", "received", "canceled"})


@dataclass(frozen=True)
class Event:
    at: float
    status: str
    error_code: int | None = None


@dataclass
class Message:
    sid: str
    account_sid: str
    direction: str
    to: str
    from_: str
    body: str
    created: float
    events: list[Event]
    messaging_service_sid: str | None = None
    num_media: int = 0
    num_segments: int = 1
    price_per_segment: str = "0.00790"
    status_callback: str | None = None
    content_sid: str | None = None
    seq: int = 0  # creation order, to sort messages created in the same instant

    @property
    def channel(self) -> str:
        return channel_of(self.to if self.direction != "inbound" else self.from_)

    def current(self, now: float) -> Event:
        """The last event that has happened by ``now`` (the first one always has)."""
        latest = self.events[0]
        for event in self.events:
            if event.at <= now:
                latest = event
        return latest

    def sent_at(self, now: float) -> float | None:
        """When the message left Twilio (inbound: when it was received)."""
        if self.direction == "inbound":
            return self.created
        for event in self.events:
            if event.status == "sent" and event.at <= now:
                return event.at
        return None

    def resource(self, now: float) -> dict[str, Any]:
        """The Message resource as the 2010 API renders it at sandbox time ``now``."""
        event = self.current(now)
        sent = self.sent_at(now)
        accepted = event.status == "accepted"
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        billed = sent is not None or event.status in ("undelivered",)
        segments = self.num_segments
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(_dt(self.created)),
            "date_sent": rfc2822(_dt(sent)) if sent is not None else None,
            "date_updated": rfc2822(_dt(event.at)),
            "direction": self.direction,
            "error_code": event.error_code,
            "error_message": ERROR_MESSAGES.get(event.error_code) if event.error_code else None,
            # With a Messaging Service the sender is picked after ``accepted`` (§6.1).
            "from": None if accepted else self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(self.num_media),
            "num_segments": "0" if accepted else str(segments),
            "price": _price(self.price_per_segment, segments) if billed else None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": event.status,
            "subresource_uris": {
                "media": f"{uri}/Media.json",
                "feedback": f"{uri}/Feedback.json",
            },
            "to": self.to,
            "uri": f"{uri}.json",
        }

    def snapshot(self, now: float) -> dict[str, Any]:
        """For ``/_sandbox/state``: the resource plus the planned timeline."""
        data = self.resource(now)
        data["timeline"] = [
            {"at": iso_z(_dt(e.at)), "status": e.status, "error_code": e.error_code}
            for e in self.events
        ]
        data["content_sid"] = self.content_sid
        data["status_callback"] = self.status_callback
        return data


@dataclass
class Template:
    """A Content API resource plus its WhatsApp approval (``types`` as Twilio stores them)."""

    sid: str
    account_sid: str
    friendly_name: str
    language: str
    variables: dict[str, str]
    types: dict[str, Any]
    created: float
    whatsapp_status: str = "approved"  # approved | received | pending | rejected | unsubmitted
    category: str = "UTILITY"
    approval_name: str = ""
    approve_at: float | None = None  # a submitted template is approved at this time

    def status_at(self, now: float) -> str:
        """WhatsApp approval status; a submitted template becomes approved in due time."""
        if self.approve_at is not None and self.approve_at <= now:
            return "approved"
        return self.whatsapp_status

    def text(self) -> str:
        """The template's message text (``body`` of its first type that has one)."""
        for spec in self.types.values():
            if isinstance(spec, dict) and isinstance(spec.get("body"), str):
                return str(spec["body"])
        return ""

    def render(self, values: dict[str, str]) -> str:
        text = self.text()
        for key, default in self.variables.items():
            text = text.replace("{{" + key + "}}", str(values.get(key, default)))
        return text

    def resource(self, base_url: str) -> dict[str, Any]:
        url = f"{base_url}/v1/Content/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "date_created": iso_z(_dt(self.created)),
            "date_updated": iso_z(_dt(self.created)),
            "friendly_name": self.friendly_name,
            "language": self.language,
            "links": {
                "approval_create": f"{url}/ApprovalRequests/whatsapp",
                "approval_fetch": f"{url}/ApprovalRequests",
            },
            "sid": self.sid,
            "types": self.types,
            "url": url,
            "variables": self.variables,
        }

    def approval(self, now: float) -> dict[str, Any]:
        status = self.status_at(now)
        submitted = status != "unsubmitted"
        return {
            "allow_category_change": not submitted,
            "category": self.category if submitted else "",
            "content_type": next(iter(self.types), "") if submitted else "",
            "name": (self.approval_name or self.friendly_name) if submitted else "",
            "rejection_reason": "Sandbox: rejected" if status == "rejected" else "",
            "status": status,
        }


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _price(per_segment: str, segments: int) -> str:
    return f"-{float(per_segment) * max(1, segments):.5f}"
