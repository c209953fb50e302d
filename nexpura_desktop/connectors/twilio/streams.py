"""The Twilio notification jobs.

* ``twilio.notifications.export`` (sync): read customers' replies (STOP/START, the
  WhatsApp window), turn ledger changes into notification events, send what is due.
* ``twilio.statuses.poll`` (maintenance, every 2 minutes): fetch each message that is not
  final yet (and delivered WhatsApp messages for a day, until ``read``); statuses only
  move forward; a "cannot get WhatsApp" failure falls back to SMS.
* ``twilio.inbound.poll`` (maintenance, every 5 minutes): STOP/START replies and the
  WhatsApp 24-hour window, without sending anything.

A desktop app has no public URL for status callbacks, hence the polling.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from ...auth.endpoints import load_endpoints
from ...engine.job import JobContext
from ...engine.registry import Registry
from ...messaging import delivery, events
from ...messaging import settings as shop_settings
from .client import SenderPacer, TwilioClient
from .settings import SettingsProvider, TwilioSettings, load_settings

SERVICE = "twilio"
SEND_JOB = "twilio.notifications.export"
STATUS_JOB = "twilio.statuses.poll"
INBOUND_JOB = "twilio.inbound.poll"


async def open_client(ctx: JobContext | None, settings: TwilioSettings) -> TwilioClient:
    if settings.sandbox_url:
        endpoints = await load_endpoints(settings.sandbox_url, transport=settings.transport)
        api = endpoints.twilio_api()
        settings = replace(settings, base_url=api, content_base_url=api)
    pacer = SenderPacer(settings.mps, clock=time.monotonic, sleep=asyncio.sleep)
    return TwilioClient(
        settings.account_sid,
        settings.username,
        settings.password,
        base_url=settings.base_url,
        content_base_url=settings.content_base_url,
        transport=settings.transport,
        pacer=pacer,
        on_request=(lambda: ctx.request()) if ctx is not None else None,
    )


async def send_notifications(
    ctx: JobContext, settings: TwilioSettings, after_send: delivery.Hook | None = None
) -> delivery.Outcome:
    ledger = ctx.ledger
    shop = shop_settings.load(ledger.conn)
    async with await open_client(ctx, settings) as client:
        await delivery.poll_inbound(ledger, client, region=shop.region)
        with ledger.transaction() as conn:
            events.scan(conn, shop)
        d = delivery.Deliverer(
            ledger,
            client,
            delivery.Senders(settings.whatsapp_from, settings.sms_from),
            clock=settings.clock,
            after_send=after_send,
        )
        out = await d.run()
    ctx.count("created", out.sent)
    ctx.count("skipped", out.skipped + out.waiting)
    for event_id, why in out.problems:
        ctx.record_issue(why, local_table="messaging_events", local_id=event_id)
    return out


class SendNotifications:
    def __init__(self, settings: SettingsProvider) -> None:
        self._settings = settings

    def run(self, ctx: JobContext) -> None:
        asyncio.run(send_notifications(ctx, self._settings(ctx.ledger)))


class PollStatuses:
    def __init__(self, settings: SettingsProvider) -> None:
        self._settings = settings

    def run(self, ctx: JobContext) -> None:
        settings = self._settings(ctx.ledger)

        async def go() -> int:
            async with await open_client(ctx, settings) as client:
                return await delivery.poll_statuses(ctx.ledger, client, clock=settings.clock)

        ctx.count("updated", asyncio.run(go()))


class PollInbound:
    def __init__(self, settings: SettingsProvider) -> None:
        self._settings = settings

    def run(self, ctx: JobContext) -> None:
        region = shop_settings.load(ctx.ledger.conn).region

        async def go() -> int:
            async with await open_client(ctx, self._settings(ctx.ledger)) as client:
                return await delivery.poll_inbound(ctx.ledger, client, region=region)

        ctx.count("updated", asyncio.run(go()))


def register(registry: Registry, *, settings: SettingsProvider | None = None) -> None:
    provider: SettingsProvider = settings or load_settings
    registry.register(
        SEND_JOB,
        lambda: SendNotifications(provider),
        description="customer and staff notifications (WhatsApp, SMS) for ledger events",
    )
    registry.register_maintenance(
        STATUS_JOB,
        lambda: PollStatuses(provider),
        schedule={"kind": "interval", "minutes": 2},
        description="delivery statuses of sent messages, until final",
    )
    registry.register_maintenance(
        INBOUND_JOB,
        lambda: PollInbound(provider),
        schedule={"kind": "interval", "minutes": 5},
        description="customers' STOP/START replies and WhatsApp windows",
    )
