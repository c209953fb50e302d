"""Sending queued notifications, polling their statuses, and reading customers' replies.

Exactly once: each send is *claimed* first — a ``messaging_messages`` row committed
before Twilio is called.  The Twilio answer, the Nexpura log row (``whatsapp_sends`` /
``sms_sends``), the event's state and the outbox confirmation are then written in one
transaction.  If the process dies between the call and that write, the claimed row is
found on restart and looked up in Twilio's message list (an outbound message to that
address that no row knows yet) before anything is sent again.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from ..connectors.twilio.client import TwilioClient, TwilioRefused
from ..ledger.db import Ledger
from ..sync import outbox
from . import events, routing, templates
from . import settings as shop_settings
from .phones import InvalidNumber, to_e164

WINDOW = timedelta(hours=24)
READ_POLL_FOR = timedelta(hours=24)  # how long a delivered WhatsApp message may still be read
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
Clock = Callable[[], datetime]
Hook = Callable[[str], None]


@dataclass
class Senders:
    whatsapp: str | None
    sms: str | None

    def for_channel(self, channel: str) -> str | None:
        return self.whatsapp if channel == "whatsapp" else self.sms


@dataclass
class Outcome:
    sent: int = 0
    waiting: int = 0
    skipped: int = 0
    failed: int = 0
    retry: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)


@dataclass(frozen=True)
class Recipient:
    phone_raw: str | None
    first_name: str
    preference: str | None
    customer_id: str | None
    allowed: bool = True
    why_not: str = ""


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _twilio_time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(str(text)).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def bare(address: str) -> str:
    return address.removeprefix("whatsapp:")


def address(channel: str, phone: str) -> str:
    return f"whatsapp:{phone}" if channel == "whatsapp" else phone


# -- recipients and content -----------------------------------------------------------------
def recipient(conn: sqlite3.Connection, kind: str, rid: str | None) -> Recipient:
    if kind == "customer":
        row = conn.execute(
            "SELECT mobile, phone, first_name, full_name, communication_preference, deleted_at "
            "FROM customers WHERE id = ?",
            (rid,),
        ).fetchone()
        if row is None or row[5]:
            return Recipient(None, "", None, None, False, "the job has no customer on record")
        first = str(row[2] or (str(row[3] or "").split() or ["there"])[0])
        return Recipient(row[0] or row[1], first, row[4], str(rid))
    row = conn.execute(
        "SELECT phone_number, name, whatsapp_notifications_enabled FROM team_members "
        "WHERE id = ? OR user_id = ? LIMIT 1",
        (rid, rid),
    ).fetchone()
    if row is None:
        return Recipient(None, "", None, None, False, "the assignee is not a team member")
    if row[2] is not None and not int(row[2]):
        return Recipient(
            row[0], "", None, None, False, "the team member has phone notifications turned off"
        )
    return Recipient(row[0], (str(row[1] or "").split() or ["there"])[0], None, None)


def values_for(
    conn: sqlite3.Connection,
    ev: sqlite3.Row | tuple[Any, ...],
    who: Recipient,
    shop: shop_settings.ShopSettings,
) -> dict[str, str]:
    table, sid = str(ev[2]), str(ev[3])
    out = {
        "first_name": who.first_name,
        "shop_name": shop.shop_name,
        "pickup_location": shop.pickup_location,
        "item": "",
        "tracking_id": "",
        "task_title": "",
        "task_status": "",
    }
    if table == "repairs":
        row = conn.execute(
            "SELECT COALESCE(item_description, item_type, description, 'repair'), tracking_id "
            "FROM repairs WHERE id = ?",
            (sid,),
        ).fetchone()
        out["item"], out["tracking_id"] = str(row[0] or "repair"), str(row[1] or "")
    elif table == "bespoke_jobs":
        row = conn.execute(
            "SELECT COALESCE(title, jewellery_type, item_description, 'piece'), tracking_id "
            "FROM bespoke_jobs WHERE id = ?",
            (sid,),
        ).fetchone()
        out["item"], out["tracking_id"] = str(row[0] or "piece"), str(row[1] or "")
    else:
        row = conn.execute("SELECT title, status FROM tasks WHERE id = ?", (sid,)).fetchone()
        out["task_title"] = str(row[0] or "a task")
        out["task_status"] = str(row[1] or "").replace("_", " ")
    return out


def opted_out(conn: sqlite3.Connection, phone: str) -> set[str]:
    rows = conn.execute("SELECT channel FROM messaging_opt_outs WHERE phone = ?", (phone,))
    return {str(r[0]) for r in rows}


def opt_out(conn: sqlite3.Connection, phone: str, channel: str, source: str, when: str) -> None:
    conn.execute(
        "INSERT INTO messaging_opt_outs(phone, channel, source, opted_out_at) VALUES (?,?,?,?) "
        "ON CONFLICT(phone, channel) DO NOTHING",
        (phone, channel, source, when),
    )


def window_open(conn: sqlite3.Connection, phone: str, now: datetime) -> bool:
    row = conn.execute(
        "SELECT last_at FROM messaging_inbound WHERE phone = ? AND channel = 'whatsapp'",
        (phone,),
    ).fetchone()
    return row is not None and now - datetime.fromisoformat(str(row[0])) < WINDOW


# -- the sender ---------------------------------------------------------------------------------
class Deliverer:
    """One delivery pass over the outbox (one client, one ledger connection)."""

    def __init__(
        self,
        ledger: Ledger,
        client: TwilioClient,
        senders: Senders,
        *,
        clock: Clock | None = None,
        after_send: Hook | None = None,
    ) -> None:
        self.ledger, self.client, self.senders = ledger, client, senders
        self.clock = clock or (lambda: datetime.now(UTC))
        self.after_send = after_send  # tests: "the process dies here"
        self._contents: dict[str, str] | None = None
        # read once per pass: the shop's settings and templates do not change mid-run
        self._shop: shop_settings.ShopSettings | None = None
        self._templates: dict[tuple[str, str], templates.Template] = {}

    def shop(self) -> shop_settings.ShopSettings:
        if self._shop is None:
            self._shop = shop_settings.load(self.conn)
        return self._shop

    def template(self, category: str, channel: str) -> templates.Template:
        key = (category, channel)
        if key not in self._templates:
            self._templates[key] = templates.get(self.conn, category, channel)
        return self._templates[key]

    @property
    def conn(self) -> sqlite3.Connection:
        return self.ledger.conn

    async def content_sid(self, friendly_name: str) -> str | None:
        if self._contents is None:
            found = await self.client.contents()
            self._contents = {str(c.get("friendly_name")): str(c.get("sid")) for c in found}
        return self._contents.get(friendly_name)

    async def run(self, *, limit: int = 5000) -> Outcome:
        out = Outcome()
        items = outbox.pending(
            self.conn, events.SERVICE, now=self.clock(), operation=events.OPERATION, limit=limit
        )
        for item in items:
            await self.deliver(item, out)
        return out

    # -- one event ------------------------------------------------------------------------------
    def _finish(self, item: outbox.OutboxItem, event_id: str, state: str, detail: str) -> None:
        with self.ledger.transaction() as conn:
            conn.execute(
                "UPDATE messaging_events SET state = ?, detail = ?, updated_at = ? WHERE id = ?",
                (state, detail, _iso(self.clock()), event_id),
            )
            outbox.confirm(conn, item.id)

    async def deliver(self, item: outbox.OutboxItem, out: Outcome) -> None:
        event_id, attempt = str(item.payload["event_id"]), int(item.payload["attempt"])
        conn = self.conn
        ev = conn.execute(
            "SELECT id, category, subject_table, subject_id, recipient_kind, recipient_id, "
            "state, tried FROM messaging_events WHERE id = ?",
            (event_id,),
        ).fetchone()
        if ev is None or ev[6] in ("sent", "failed", "skipped"):
            with self.ledger.transaction() as c:
                outbox.confirm(c, item.id)
            return
        claimed = conn.execute(
            "SELECT id, channel, to_number, from_address, body, content_sid, created_at "
            "FROM messaging_messages WHERE event_id = ? AND attempt = ?",
            (event_id, attempt),
        ).fetchone()
        if claimed is not None:
            await self._resume(item, ev, attempt, claimed, out)
            return
        shop = self.shop()
        who = recipient(conn, str(ev[4]), ev[5])
        if not who.allowed:
            out.skipped += 1
            self._finish(item, event_id, "skipped", who.why_not)
            return
        try:
            phone = to_e164(who.phone_raw, shop.region)
        except InvalidNumber as exc:
            out.failed += 1
            out.problems.append((event_id, str(exc)))
            self._log_unsent(item, ev, attempt, who, str(who.phone_raw or ""), str(exc))
            return
        tried: list[str] = json.loads(ev[7])
        order = routing.channel_order(
            str(ev[4]), str(ev[1]), who.preference, shop.customer_channels, fallback=shop.fallback
        )
        blocked = opted_out(conn, phone)
        order = [
            c for c in order if c not in tried and c not in blocked and self.senders.for_channel(c)
        ]
        now = self.clock()
        if ev[4] == "customer":
            until = shop.quiet_until(now)
            if until is not None and order:
                out.waiting += 1
                with self.ledger.transaction() as c:
                    c.execute(
                        "UPDATE messaging_events SET state = 'waiting', detail = ?, "
                        "updated_at = ? WHERE id = ?",
                        (f"quiet hours until {until.isoformat()}", _iso(now), event_id),
                    )
                    outbox.mark_attempt(c, item.id, error="quiet hours", retry_at=until)
                return
        values = values_for(conn, ev, who, shop)
        notes: list[str] = []
        for channel in order:
            plan = await self._compose(ev, channel, phone, values, now)
            if plan is None:
                notes.append(f"{channel}: {routing.reason(63016)}")
                tried.append(channel)
                continue
            body, content_sid, variables = plan
            row_id = str(uuid.uuid4())
            sender = self.senders.for_channel(channel)
            assert sender is not None
            with self.ledger.transaction() as c:
                c.execute(
                    "INSERT INTO messaging_messages(id, event_id, attempt, category, channel, "
                    "to_number, from_address, customer_id, body, content_sid, status, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?, 'claimed', ?, ?)",
                    (
                        row_id,
                        event_id,
                        attempt,
                        ev[1],
                        channel,
                        phone,
                        sender,
                        who.customer_id,
                        body,
                        content_sid,
                        _iso(now),
                        _iso(now),
                    ),
                )
                c.execute(
                    "UPDATE messaging_events SET state = 'sending', tried = ?, updated_at = ? "
                    "WHERE id = ?",
                    (json.dumps([*tried, channel]), _iso(now), event_id),
                )
            await self._send(
                item, ev, row_id, channel, phone, sender, body, content_sid, variables, out
            )
            return
        out.skipped += 1
        why = "; ".join(notes) or (
            "opted out on every channel" if blocked else "the recipient wants no messages"
        )
        self._finish(item, event_id, "skipped", why)

    async def _compose(
        self, ev: Any, channel: str, phone: str, values: dict[str, str], now: datetime
    ) -> tuple[str, str | None, dict[str, str]] | None:
        tpl = self.template(str(ev[1]), channel)
        text = templates.render(tpl.body, values)
        if channel == "sms" or window_open(self.conn, phone, now):
            return text, None, {}
        sid = tpl.content_sid
        if sid is None:
            name = templates.DEFAULT_CONTENT.get((str(ev[1]), str(ev[2])))
            sid = await self.content_sid(name) if name else None
        if sid is None:
            return None  # outside the window with no template: WhatsApp would fail 63016
        variables = {k: values.get(v, "") for k, v in tpl.content_variables.items()}
        return text, sid, variables

    async def _send(
        self,
        item: outbox.OutboxItem,
        ev: Any,
        row_id: str,
        channel: str,
        phone: str,
        sender: str,
        body: str,
        content_sid: str | None,
        variables: dict[str, str],
        out: Outcome,
    ) -> None:
        try:
            answer = await self.client.send(
                address(channel, phone),
                sender,
                body=body,
                content_sid=content_sid,
                content_variables=variables,
            )
        except TwilioRefused as exc:
            self._refused(item, ev, row_id, channel, phone, exc, out)
            return
        if self.after_send is not None:
            self.after_send(row_id)
        self._accepted(item, ev, row_id, answer)
        out.sent += 1

    async def _resume(
        self, item: outbox.OutboxItem, ev: Any, attempt: int, claimed: Any, out: Outcome
    ) -> None:
        """A claim without an answer: adopt Twilio's message if it exists, else send it."""
        row_id, channel, phone, sender, body, content_sid = (
            str(x) if x is not None else None for x in claimed[:6]
        )
        assert row_id and channel and phone and sender
        known = {
            str(r[0])
            for r in self.conn.execute(
                "SELECT twilio_sid FROM messaging_messages WHERE twilio_sid IS NOT NULL "
                "AND to_number = ?",
                (phone,),
            )
        }
        async for page in self.client.message_pages(to=address(channel, phone)):
            for m in page:
                if m.get("direction") != "outbound-api" or m.get("sid") in known:
                    continue
                if content_sid is None and m.get("body") != body:
                    continue
                self._accepted(item, ev, row_id, m)
                out.sent += 1
                return
            break  # the newest page is enough: the claim is recent
        shop = self.shop()
        who = recipient(self.conn, str(ev[4]), ev[5])
        values = values_for(self.conn, ev, who, shop)
        tpl = self.template(str(ev[1]), channel)
        variables = {k: values.get(v, "") for k, v in tpl.content_variables.items()}
        await self._send(
            item,
            ev,
            row_id,
            channel,
            phone,
            sender,
            body or "",
            content_sid,
            variables if content_sid else {},
            out,
        )

    def _accepted(self, item: outbox.OutboxItem, ev: Any, row_id: str, m: dict[str, Any]) -> None:
        status = str(m.get("status") or "queued")
        code = m.get("error_code")
        now = _iso(self.clock())
        with self.ledger.transaction() as c:
            c.execute(
                "UPDATE messaging_messages SET twilio_sid = ?, status = ?, error_code = ?, "
                "updated_at = ? WHERE id = ?",
                (m.get("sid"), status, code, now, row_id),
            )
            self._nexpura_log(c, row_id, ev)
            c.execute(
                "UPDATE messaging_events SET state = 'sent', detail = NULL, updated_at = ? "
                "WHERE id = ?",
                (now, ev[0]),
            )
            outbox.confirm(c, item.id)

    def _refused(
        self,
        item: outbox.OutboxItem,
        ev: Any,
        row_id: str,
        channel: str,
        phone: str,
        exc: TwilioRefused,
        out: Outcome,
    ) -> None:
        why = routing.reason(exc.code, exc.text)
        now = _iso(self.clock())
        fallback = exc.code in routing.FALLBACK_CODES
        with self.ledger.transaction() as c:
            c.execute(
                "UPDATE messaging_messages SET status = 'failed', error_code = ?, reason = ?, "
                "fallback_done = ?, updated_at = ? WHERE id = ?",
                (exc.code, why, int(fallback), now, row_id),
            )
            self._nexpura_log(c, row_id, ev)
            if exc.code == routing.OPT_OUT_CODE:
                opt_out(c, phone, channel, "twilio_21610", now)
            if fallback:
                attempt = int(item.payload["attempt"]) + 1
                c.execute(
                    "UPDATE messaging_events SET state = 'pending', detail = ?, updated_at = ? "
                    "WHERE id = ?",
                    (f"{channel}: {why}", now, ev[0]),
                )
                events.enqueue_attempt(c, str(ev[0]), attempt)
            else:
                c.execute(
                    "UPDATE messaging_events SET state = 'failed', detail = ?, updated_at = ? "
                    "WHERE id = ?",
                    (why, now, ev[0]),
                )
            outbox.confirm(c, item.id)
        if not fallback:
            out.failed += 1
            out.problems.append((str(ev[0]), why))
        else:
            out.retry += 1

    def _log_unsent(
        self, item: outbox.OutboxItem, ev: Any, attempt: int, who: Recipient, raw: str, why: str
    ) -> None:
        now = _iso(self.clock())
        with self.ledger.transaction() as c:
            c.execute(
                "INSERT INTO messaging_messages(id, event_id, attempt, category, channel, "
                "to_number, customer_id, status, error_code, reason, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?, 'failed', 21211, ?, ?, ?) "
                "ON CONFLICT(event_id, attempt) DO NOTHING",
                (
                    str(uuid.uuid4()),
                    ev[0],
                    attempt,
                    ev[1],
                    "sms",
                    raw,
                    who.customer_id,
                    f"not sent: {why}",
                    now,
                    now,
                ),
            )
            c.execute(
                "UPDATE messaging_events SET state = 'failed', detail = ?, updated_at = ? "
                "WHERE id = ?",
                (f"not sent: {why}", now, ev[0]),
            )
            outbox.confirm(c, item.id)

    def _nexpura_log(self, c: sqlite3.Connection, row_id: str, ev: Any) -> None:
        sync_nexpura_log(c, row_id, str(ev[1]))


def sync_nexpura_log(c: sqlite3.Connection, row_id: str, category: str) -> None:
    """Write/refresh the message's row in Nexpura's ``whatsapp_sends`` / ``sms_sends``."""
    m = c.execute(
        "SELECT channel, to_number, customer_id, body, twilio_sid, status, reason, error_code, "
        "created_at, updated_at FROM messaging_messages WHERE id = ?",
        (row_id,),
    ).fetchone()
    channel, phone, customer, body, sid, status, why, code, created, updated = m
    mapped = routing.NEXPURA_STATUS.get(str(status), "pending")
    error = (why or routing.reason(code)) if code is not None else None
    tenant = c.execute("SELECT id FROM tenants LIMIT 1").fetchone()
    tenant_id = tenant[0] if tenant else None
    delivered = updated if status in ("delivered", "read") else None
    if channel == "whatsapp":
        kind = {"job_ready": "job_ready", "task_assigned": "task_assignment"}.get(
            category, "notification"
        )
        c.execute(
            "INSERT INTO whatsapp_sends(id, tenant_id, customer_id, phone, message, "
            "message_type, status, twilio_sid, sent_at, delivered_at, read_at, error_message) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "status = excluded.status, twilio_sid = excluded.twilio_sid, "
            "delivered_at = COALESCE(whatsapp_sends.delivered_at, excluded.delivered_at), "
            "read_at = COALESCE(whatsapp_sends.read_at, excluded.read_at), "
            "error_message = excluded.error_message",
            (
                row_id,
                tenant_id,
                customer,
                phone,
                body,
                kind,
                mapped,
                sid,
                created,
                delivered,
                updated if status == "read" else None,
                error,
            ),
        )
    else:
        c.execute(
            "INSERT INTO sms_sends(id, tenant_id, customer_id, phone, message, status, "
            "twilio_sid, sent_at, delivered_at, error_message, context) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "status = excluded.status, twilio_sid = excluded.twilio_sid, "
            "delivered_at = COALESCE(sms_sends.delivered_at, excluded.delivered_at), "
            "error_message = excluded.error_message",
            (
                row_id,
                tenant_id,
                customer,
                phone,
                body,
                "delivered" if mapped == "read" else mapped,
                sid,
                created,
                delivered,
                error,
                category,
            ),
        )


# -- delivery statuses ------------------------------------------------------------------------
StatusRow = tuple[Any, Any, Any, Any, Any, Any, Any]


def record_status(
    c: sqlite3.Connection, row: StatusRow, new: str, code: int | None, stamp: str
) -> None:
    """Write a forward status move (poll or callback) and its consequences, in ``c``'s transaction.

    ``row`` is ``(id, event_id, attempt, category, channel, to_number, fallback_done)`` of the
    ``messaging_messages`` row.  A failure another channel can fix re-queues the event (and a
    21610 opts the number out of that channel); any other failure marks the event failed; the
    Nexpura log row is refreshed either way.
    """
    row_id, event_id, attempt, category, channel, phone, done = row
    c.execute(
        "UPDATE messaging_messages SET status = ?, error_code = ?, reason = ?, "
        "updated_at = ? WHERE id = ?",
        (new, code, routing.reason(code) if code else None, stamp, row_id),
    )
    if new in routing.FAILED and code in routing.FALLBACK_CODES and not done:
        c.execute("UPDATE messaging_messages SET fallback_done = 1 WHERE id = ?", (row_id,))
        if code == routing.OPT_OUT_CODE:
            opt_out(c, str(phone), str(channel), "twilio_21610", stamp)
        c.execute(
            "UPDATE messaging_events SET state = 'pending', detail = ?, updated_at = ? "
            "WHERE id = ?",
            (f"{channel}: {routing.reason(code)}", stamp, event_id),
        )
        events.enqueue_attempt(c, str(event_id), int(attempt) + 1)
    elif new in routing.FAILED:
        c.execute(
            "UPDATE messaging_events SET state = 'failed', detail = ?, updated_at = ? WHERE id = ?",
            (routing.reason(code, new), stamp, event_id),
        )
    sync_nexpura_log(c, str(row_id), str(category))


async def poll_statuses(
    ledger: Ledger, client: TwilioClient, *, limit: int = 1000, clock: Clock | None = None
) -> int:
    """Fetch every message that is not final yet; statuses only move forward. Returns updates.

    A delivered WhatsApp message can still become ``read`` (read receipts): it is polled
    for :data:`READ_POLL_FOR` after it was delivered, then left as delivered (the reader may
    have receipts off, so ``read`` may never come).
    """
    now = (clock or (lambda: datetime.now(UTC)))()
    read_since = _iso(now - READ_POLL_FOR)
    rows = ledger.conn.execute(
        "SELECT id, twilio_sid, status, event_id, attempt, category, channel, to_number, "
        "fallback_done FROM messaging_messages WHERE twilio_sid IS NOT NULL AND (status NOT IN "
        "('delivered','read','failed','undelivered','canceled') OR (status = 'delivered' AND "
        "channel = 'whatsapp' AND updated_at >= ?)) ORDER BY created_at LIMIT ?",
        (read_since, limit),
    ).fetchall()
    changed = 0
    for row_id, sid, old, event_id, attempt, category, channel, phone, done in rows:
        m = await client.fetch(str(sid))
        new = str(m.get("status") or old)
        if not routing.moves_forward(str(old), new):
            continue
        code = m.get("error_code")
        code = int(code) if code not in (None, "") else None
        with ledger.transaction() as c:
            record_status(
                c, (row_id, event_id, attempt, category, channel, phone, done), new, code, _iso(now)
            )
        changed += 1
    return changed


# -- inbound replies ---------------------------------------------------------------------------
async def poll_inbound(ledger: Ledger, client: TwilioClient, *, region: str = "AU") -> int:
    """Read customers' replies: STOP/START per channel, and WhatsApp's 24-hour window."""
    fresh: list[dict[str, Any]] = []
    unseen: list[str] = []
    conn = ledger.conn
    async for page in client.message_pages():
        new = [
            m
            for m in page
            if conn.execute(
                "SELECT 1 FROM messaging_inbound_seen WHERE sid = ?", (m.get("sid"),)
            ).fetchone()
            is None
        ]
        unseen.extend(str(m.get("sid")) for m in new)
        fresh.extend(m for m in new if m.get("direction") == "inbound")
        if len(new) < len(page):
            break  # reached messages already read
    opted = 0
    with ledger.transaction() as c:
        for m in reversed(fresh):  # oldest first, so STOP then START ends opted in
            raw_from = str(m.get("from") or "")
            channel = "whatsapp" if raw_from.startswith("whatsapp:") else "sms"
            try:
                phone = to_e164(bare(raw_from), region)
            except InvalidNumber:
                continue
            when = _twilio_time(m.get("date_created")) or datetime.now(UTC)
            if channel == "whatsapp":
                c.execute(
                    "INSERT INTO messaging_inbound(phone, channel, last_at) VALUES (?,?,?) "
                    "ON CONFLICT(phone, channel) DO UPDATE SET last_at = "
                    "MAX(messaging_inbound.last_at, excluded.last_at)",
                    (phone, channel, when.isoformat()),
                )
            word = " ".join(str(m.get("body") or "").split()).upper()
            if word in OPT_OUT_WORDS:
                opt_out(c, phone, channel, "stop_reply", when.isoformat())
                opted += 1
            elif word in OPT_IN_WORDS:
                c.execute(
                    "DELETE FROM messaging_opt_outs WHERE phone = ? AND channel = ?",
                    (phone, channel),
                )
        # outbound messages are marked read too, so the next poll stops at them
        c.executemany(
            "INSERT OR IGNORE INTO messaging_inbound_seen(sid) VALUES (?)", [(s,) for s in unseen]
        )
    return opted
