"""Creating an outbound message: Twilio's synchronous checks, then its planned future.

Validation errors come back synchronously as HTTP 400 (21211, 21610, …); WhatsApp failures
such as 63016 arrive asynchronously as a ``failed``/``undelivered`` status after a 201
``queued`` (service-apis.md §6.2, §6.4).  Checks run in the order Twilio reports them:
missing fields, then addresses, then sender ownership, then opt-outs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

from .errors import bad_request, too_many_requests
from .formats import bare_number, channel_of, is_e164, sms_segments
from .limits import DEFAULT_VALIDITY
from .model import Event, Message, Template
from .state import TwilioState

MAX_BODY = 1600  # §6.1
MAX_TEMPLATE = 1024  # §6.3: template + params, else 63021
SMS_PRICE = "0.05150"
WHATSAPP_PRICE = "0.00500"

Field = Callable[[str], str | None]


def create_message(state: TwilioState, get: Field, media: list[str], now: float) -> Message:
    """Validate a ``Messages.json`` POST and store the message with its timeline."""
    to = (get("To") or "").strip()
    from_ = (get("From") or "").strip() or None
    service = (get("MessagingServiceSid") or "").strip() or None
    body = get("Body") or ""
    content_sid = (get("ContentSid") or "").strip() or None
    if not to:
        raise bad_request(21604, "A 'To' phone number is required.")
    if from_ is None and service is None:
        raise bad_request(21603, "A 'From' phone number is required.")
    if not body and content_sid is None and not media:
        raise bad_request(21602, "Message body is required.")
    if len(body) > MAX_BODY:
        raise bad_request(21617, "The concatenated message body exceeds the 1600 character limit.")
    channel = channel_of(to)
    if not is_e164(bare_number(to)):
        raise bad_request(21211, f"The 'To' number {to} is not a valid phone number.")
    sender = _sender(state, from_, service, to, channel)
    _check_region(state, to)
    if (sender, to) in state.opt_outs:
        raise bad_request(21610, "Attempt to send to unsubscribed recipient")
    callback = _status_callback(get("StatusCallback"))
    validity = _validity(get("ValidityPeriod"))
    template, text = _content(state, content_sid, get("ContentVariables"), body)

    limits = state.limits
    if (
        limits.reject_over_rate
        and state.queues.backlog(sender, now + state.timing.queued_to_sending) > 0
    ):
        raise too_many_requests()
    segments = 1 if channel == "whatsapp" else sms_segments(text)
    message = Message(
        sid=state.new_message_sid(bool(media)),
        account_sid=state.account_sid,
        direction="outbound-api",
        to=to,
        from_=sender,
        body=text,
        created=now,
        events=[],
        messaging_service_sid=service,
        num_media=len(media),
        num_segments=segments,
        price_per_segment=WHATSAPP_PRICE if channel == "whatsapp" else SMS_PRICE,
        status_callback=callback,
        content_sid=template.sid if template else None,
    )
    message.events = _plan(state, message, template, bool(body or media), validity, now)
    return state.add_message(message)


def _sender(
    state: TwilioState, from_: str | None, service: str | None, to: str, channel: str
) -> str:
    """The sending address: ``From``, or one from the Messaging Service's sender pool."""
    if service is not None:
        pool = state.messaging_services.get(service)
        if pool is None:
            raise bad_request(21701, f"The Messaging Service Sid {service} is invalid.")
        if from_ is None:
            for address in pool:
                if channel_of(address) == channel:
                    return address
            raise bad_request(
                21703,
                "The Messaging Service does not have a phone number available to send a "
                "message to this phone number.",
            )
    assert from_ is not None
    if channel_of(from_) != channel:
        raise bad_request(
            21910, "Invalid From and To pair. From and To should be of the same channel"
        )
    if not state.owns_sender(from_):
        if channel == "whatsapp":
            raise bad_request(
                63007, "Twilio could not find a Channel with the specified From address"
            )
        if not is_e164(from_):
            raise bad_request(21212, f"The 'From' number {from_} is not a valid phone number.")
        raise bad_request(
            21606,
            f"The From phone number {from_} is not a valid, SMS-capable inbound phone "
            "number or short code for your account.",
        )
    return from_


def _check_region(state: TwilioState, to: str) -> None:
    allowed = state.allowed_country_codes
    digits = bare_number(to)[1:]
    if allowed is not None and not any(digits.startswith(code) for code in allowed):
        raise bad_request(
            21408,
            "Permission to send an SMS has not been enabled for the region indicated by "
            f"the 'To' number: {to}.",
        )


def _status_callback(raw: str | None) -> str | None:
    if not raw:
        return None
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or "_" in host:
        raise bad_request(21609, f"The StatusCallback URL {raw} is not a valid URL.")
    return raw


def _validity(raw: str | None) -> float:
    if raw is None or raw == "":
        return DEFAULT_VALIDITY
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 36000:
        raise bad_request(21624, "Invalid validity period value")
    return float(value)


def _content(
    state: TwilioState, content_sid: str | None, raw_variables: str | None, body: str
) -> tuple[Template | None, str]:
    if content_sid is None:
        return None, body
    template = state.templates.get(content_sid)
    if template is None:
        raise bad_request(21655, f"The ContentSid {content_sid} is invalid.")
    values: dict[str, str] = {}
    if raw_variables:
        try:
            parsed = json.loads(raw_variables)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise bad_request(21656, "The ContentVariables Parameter is invalid.")
        values = {str(k): str(v) for k, v in parsed.items()}
    return template, template.render(values)


def _plan(
    state: TwilioState,
    message: Message,
    template: Template | None,
    free_form: bool,
    validity: float,
    now: float,
) -> list[Event]:
    """Decide the message's whole future on the sandbox clock."""
    timing, limits = state.timing, state.limits
    whatsapp = message.channel == "whatsapp"
    events: list[Event] = []
    start = now
    if message.messaging_service_sid is not None:
        events.append(Event(now, "accepted"))
        start = now + timing.accepted_to_queued
    events.append(Event(start, "queued"))
    mps = limits.whatsapp_mps if whatsapp else limits.sms_mps
    ready = start + timing.queued_to_sending
    slot = state.queues.reserve(message.from_, ready, message.num_segments, mps)
    if slot - ready > validity:
        return [*events, Event(start + validity, "failed", 30001)]
    recipient = state.recipient(bare_number(message.to))
    failure_at = slot + timing.failure_after
    if whatsapp:
        in_window = state.window_open(message.from_, message.to, now)
        # §6.3: outside the window only an approved template, without Body/MediaUrl.
        template_ok = (
            template is not None and template.status_at(now) == "approved" and not free_form
        )
        if not in_window and not template_ok:
            return [*events, Event(failure_at, "failed", 63016)]
        if template is not None and len(message.body) > MAX_TEMPLATE:
            return [*events, Event(failure_at, "failed", 63021)]
        if not recipient.whatsapp:
            return [*events, Event(slot, "sending"), Event(failure_at, "undelivered", 63024)]
    kind, _, code = recipient.outcome.partition(":")
    if kind == "failed":
        return [*events, Event(failure_at, "failed", int(code or 30008))]
    sent = slot + timing.sending_to_sent
    events += [Event(slot, "sending"), Event(sent, "sent")]
    arrive = sent + (timing.whatsapp_sent_to_delivered if whatsapp else timing.sent_to_delivered)
    if kind == "undelivered":
        return [*events, Event(arrive, "undelivered", int(code or 30003))]
    events.append(Event(arrive, "delivered"))
    if whatsapp and recipient.reads:
        events.append(Event(arrive + timing.delivered_to_read, "read"))
    return events
