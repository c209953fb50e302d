"""A customer's reply reaching the account (driven by ``POST /_sandbox/inbound``).

An inbound message is stored like Twilio stores it (``direction: inbound``, ``status:
received``) so the app can find STOP replies by listing messages.  Its side effects are the
ones the real service applies: a WhatsApp message opens the 24-hour customer-service window
for that sender (service-apis.md §6.3); an opt-out keyword makes later sends from that
sender fail with 21610 until the customer sends an opt-in keyword (§6.4), and on SMS Twilio
answers the keywords itself with its default replies (``direction: outbound-reply``).
"""

from __future__ import annotations

from .formats import bare_number, channel_of, is_e164, sms_segments
from .model import Event, Message
from .state import TwilioState

OPT_OUT = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})

REPLIES = {
    "out": (
        "You have successfully been unsubscribed. You will not receive any more messages "
        "from this number. Reply START to resubscribe."
    ),
    "in": (
        "You have successfully been re-subscribed to messages from this number. Reply HELP "
        "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
    ),
    "help": "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}


def receive(
    state: TwilioState, from_: str, to: str | None, body: str, now: float, num_media: int = 0
) -> Message:
    """Store an inbound message and apply its effects; ValueError when it cannot arrive."""
    from_ = from_.strip()
    channel = channel_of(from_)
    if not is_e164(bare_number(from_)):
        raise ValueError(f"'from' must be an E.164 number or whatsapp:+E.164, not {from_!r}")
    if to is None:
        to = _default_sender(state, channel)
    if channel_of(to) != channel:
        raise ValueError("'from' and 'to' must be on the same channel")
    if not state.owns_sender(to):
        raise ValueError(f"{to!r} is not one of this account's senders")
    message = state.add_message(
        Message(
            sid=state.new_message_sid(num_media > 0),
            account_sid=state.account_sid,
            direction="inbound",
            to=to,
            from_=from_,
            body=body,
            created=now,
            events=[Event(now, "received")],
            num_media=num_media,
            num_segments=1 if channel == "whatsapp" else sms_segments(body),
        )
    )
    if channel == "whatsapp":
        state.last_inbound[(to, from_)] = now
    keyword = " ".join(body.split()).upper()
    if keyword in OPT_OUT:
        state.opt_outs.add((to, from_))
        _auto_reply(state, channel, to, from_, REPLIES["out"], now)
    elif keyword in OPT_IN:
        state.opt_outs.discard((to, from_))
        _auto_reply(state, channel, to, from_, REPLIES["in"], now)
    elif keyword in HELP:
        _auto_reply(state, channel, to, from_, REPLIES["help"], now)
    return message


def _default_sender(state: TwilioState, channel: str) -> str:
    senders = state.whatsapp_senders if channel == "whatsapp" else state.sms_senders
    if not senders:
        raise ValueError(f"the account has no {channel} sender")
    return sorted(senders)[0]


def _auto_reply(
    state: TwilioState, channel: str, sender: str, customer: str, text: str, now: float
) -> None:
    """Twilio's default opt-out handling answers SMS keywords (not WhatsApp)."""
    if channel != "sms":
        return
    timing = state.timing
    sent = now + timing.sending_to_sent
    state.add_message(
        Message(
            sid=state.new_message_sid(False),
            account_sid=state.account_sid,
            direction="outbound-reply",
            to=customer,
            from_=sender,
            body=text,
            created=now,
            events=[
                Event(now, "queued"),
                Event(now, "sending"),
                Event(sent, "sent"),
                Event(sent + timing.sent_to_delivered, "delivered"),
            ],
            num_segments=sms_segments(text),
        )
    )
