"""The Mailchimp engine jobs: the consent-gated audience push and the verify run.

``mailchimp.customers.export`` (a sync job, run on demand and on the ``auto_sync``
schedule) does, in order:

1. **pull** — members Mailchimp reports as ``unsubscribed`` or ``cleaned`` since the last
   watermark (their own ``last_changed``) are recorded as blocked and their customers'
   ``marketing_consent`` becomes false with source, reason and time — unless the status
   is the echo of our own unsubscribe;
2. **push** — the addresses of customers changed since the change-feed watermark (all of
   them on the first or a ``--full`` run) are decided by :func:`.mapping.decide` and sent
   with batch subscribe (≤ 500 per call, ≤ 10 calls in flight, ``update_existing``):
   consenting → upserted as subscribed (``status_if_new`` only), withdrawn → unsubscribed
   (never deleted), blocked → skipped with an issue.  Mailchimp's per-member refusals
   ("compliance state", "permanently deleted") block the address for good and are pulled
   back the same way; others become ``sync_issues`` in plain words;
3. the change-feed watermark advances only when every batch has been answered.

``mailchimp.customers.verify`` (maintenance, daily) lives in :mod:`.verify`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...engine.errors import ConfigurationError
from ...engine.job import JobContext
from ...engine.registry import Registry
from ...ledger.changes import latest_seq
from ...sync.cursors import get_cursor, set_cursor
from ...sync.feed import changed_ids
from ...sync.pacing import AsyncSleeper
from .client import BATCH_LIMIT, MailchimpClient, MailchimpProblem
from .mapping import (
    BLOCK_REASONS,
    Customer,
    classify_error,
    decide,
    digest,
    plain_error,
    subscribe_payload,
    subscriber_hash,
    tag_changes,
    unsubscribe_payload,
)
from .settings import MailchimpSettings, SettingsProvider, load_settings
from .state import (
    KnownRow,
    addresses_of_customers,
    all_address_keys,
    customers_by_address,
    known_members,
    listed_addresses,
    remember,
    withdraw_consent,
)

SERVICE = "mailchimp"
EXPORT_JOB = "mailchimp.customers.export"
VERIFY_JOB = "mailchimp.customers.verify"
PUSH_CURSOR = "customers.export"
PULL_STATUSES = ("unsubscribed", "cleaned")
WINDOW = BATCH_LIMIT * 10  # addresses decided per round: ten full batches in flight
VERIFY_SCHEDULE = {"kind": "interval", "minutes": 24 * 60}


def pull_cursor(status: str) -> str:
    return f"members.{status}"


def open_client(
    ctx: JobContext, settings: MailchimpSettings, sleep: AsyncSleeper | None = None
) -> MailchimpClient:
    """The client for one run: counts requests on the run, stops on cancel."""
    return MailchimpClient(
        settings.api_key,
        base_url=settings.base_url,
        transport=settings.transport,
        max_connections=settings.max_connections,
        cancel=ctx.cancel_event,
        on_request=ctx.request,
        sleep=sleep or asyncio.sleep,
    )


def exit_reason(status: str, detail: str = "") -> str:
    """The consent reason stored on the customer for a Mailchimp-side exit."""
    base = BLOCK_REASONS.get(status, f"{status} in Mailchimp")
    text = base[0].upper() + base[1:]
    return f"{text} ({detail.strip()})" if detail.strip() else text


# -- 1. pull ------------------------------------------------------------------------------
async def pull_exits(ctx: JobContext, mc: MailchimpClient, list_id: str) -> int:
    """Record Mailchimp-side unsubscribes and bounces; returns customers whose consent ended."""
    conn = ctx.ledger.conn
    changed = 0
    for status in PULL_STATUSES:
        since = get_cursor(conn, SERVICE, pull_cursor(status))
        try:
            async for page in mc.member_pages(list_id, status=status, since_last_changed=since):
                known = known_members(
                    conn, list_id, (subscriber_hash(m["email_address"]) for m in page)
                )
                with ctx.ledger.transaction():
                    newest = since
                    for member in page:
                        changed += _pull_one(ctx, list_id, member, status, known)
                        stamp = str(member.get("last_changed") or "")
                        if stamp and (newest is None or stamp > newest):
                            newest = stamp
                    if newest is not None:
                        set_cursor(conn, SERVICE, pull_cursor(status), newest)
                ctx.raise_if_cancelled()
        except MailchimpProblem as exc:
            if exc.status == 404:
                raise ConfigurationError(
                    f"the Mailchimp audience {list_id} no longer exists; choose the audience again"
                ) from None
            raise
    return changed


def _pull_one(
    ctx: JobContext, list_id: str, member: dict[str, Any], status: str, known: dict[str, KnownRow]
) -> int:
    email = str(member["email_address"])
    k = known.get(subscriber_hash(email))
    if k is not None and k.status == status:
        return 0  # our own unsubscribe echoing back, or an exit already recorded
    stamp = str(member.get("last_changed") or "") or None
    remember(
        ctx.ledger.conn,
        list_id,
        email,
        status=status,
        set_by="mailchimp",
        blocked=status,
        remote_changed_at=stamp,
    )
    detail = str(member.get("unsubscribe_reason") or "") if status == "unsubscribed" else ""
    ids = withdraw_consent(
        ctx.ledger.conn, email, reason=exit_reason(status, detail), changed_at=stamp
    )
    ctx.count("updated", len(ids))
    return len(ids)


# -- 2. push -------------------------------------------------------------------------------
@dataclass
class Planned:
    key: str  # lower-cased address
    email: str
    payload: dict[str, Any]
    customer: Customer | None
    known: KnownRow | None
    action: str  # subscribe | unsubscribe | tags
    existing: bool = False  # a subscribe that updated a member: its tags still to apply


def changed_addresses(ctx: JobContext, list_id: str, start: int, end: int) -> list[str]:
    """Addresses touched by customer changes in ``(start, end]`` (all on a full run)."""
    conn = ctx.ledger.conn
    if start <= 0:
        return sorted({*all_address_keys(conn), *listed_addresses(conn, list_id)})
    ids = changed_ids(conn, ["customers"], start, end)
    return sorted(addresses_of_customers(conn, list_id, ids))


def plan(ctx: JobContext, list_id: str, keys: list[str]) -> list[Planned]:
    """Decide each address; records skips and consent clashes as issues on the way."""
    conn = ctx.ledger.conn
    people = customers_by_address(conn, keys)
    known = known_members(conn, list_id, (subscriber_hash(k) for k in keys))
    out: list[Planned] = []
    for key in keys:
        k = known.get(subscriber_hash(key))
        d = decide(people.get(key, []), k)
        if d.action == "subscribe" and d.customer is not None and d.customer.email:
            c = d.customer
            fresh = k is None or d.resubscribe or k.status not in ("subscribed", "pending")
            if fresh or k is None or k.pushed_digest != digest(c):
                payload = subscribe_payload(c, resubscribe=d.resubscribe)
                out.append(Planned(key, c.email or key, payload, c, k, "subscribe"))
            elif tuple(k.pushed_tags) != c.tags:
                out.append(Planned(key, c.email or key, {}, c, k, "tags"))
            else:
                ctx.count("unchanged")
        elif d.action == "unsubscribe":
            email = k.email if k is not None and k.email else key
            out.append(
                Planned(key, email, unsubscribe_payload(email), d.customer, k, "unsubscribe")
            )
        elif d.action == "skip" and d.customer is not None:
            ctx.count("skipped")
            ctx.record_issue(
                f"{d.customer.email} agreed to marketing but was not subscribed: {d.reason}; "
                "they have to re-subscribe themselves through your Mailchimp signup form",
                local_table="customers",
                local_id=d.customer.id,
                remote_id=subscriber_hash(key),
                count_failed=False,
            )
        elif d.conflicting:
            ctx.count("skipped")
            ctx.record_issue(
                f"Customer records {', '.join(d.conflicting)} share the email {key} but disagree "
                "on marketing consent, so the address was not subscribed; fix the consent on "
                "these customers",
                local_table="customers",
                local_id=d.conflicting[0],
                remote_id=subscriber_hash(key),
                count_failed=False,
            )
    return out


def _windows(keys: list[str], size: int = WINDOW) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


async def push_window(
    ctx: JobContext, mc: MailchimpClient, list_id: str, planned: list[Planned]
) -> None:
    """Send one window's batches concurrently, then the per-member tag changes."""
    sends = [p for p in planned if p.action != "tags"]
    batches = [sends[i : i + BATCH_LIMIT] for i in range(0, len(sends), BATCH_LIMIT)]

    async def one(batch: list[Planned]) -> None:
        answer = await mc.batch_subscribe(list_id, [p.payload for p in batch])
        record_batch(ctx, list_id, batch, answer)

    await asyncio.gather(*(one(b) for b in batches))
    tag_work = [p for p in planned if p.action == "tags" or _needs_tags(p)]

    async def tags(p: Planned) -> None:
        assert p.customer is not None
        before = p.known.pushed_tags if p.known is not None else ()
        body = tag_changes(before, p.customer.tags)
        if body:
            await mc.set_tags(list_id, subscriber_hash(p.email), body)
        with ctx.ledger.transaction():
            remember(
                ctx.ledger.conn,
                list_id,
                p.email,
                status=p.known.status if p.known is not None else "subscribed",
                set_by="us",
                pushed_tags=p.customer.tags,
            )
        if p.action == "tags":
            ctx.count("updated")

    await asyncio.gather(*(tags(p) for p in tag_work))


def _needs_tags(p: Planned) -> bool:
    """An existing member we just updated: batch subscribe applies tags to new members only."""
    return p.action == "subscribe" and p.existing


def record_batch(
    ctx: JobContext, list_id: str, batch: list[Planned], answer: dict[str, Any]
) -> None:
    """Store one batch's outcome: members' statuses, blocks, issues (one transaction)."""
    conn = ctx.ledger.conn
    by_key = {p.key: p for p in batch}
    with ctx.ledger.transaction():
        for group, created in (("new_members", True), ("updated_members", False)):
            for member in answer.get(group) or []:
                p = by_key.pop(str(member.get("email_address", "")).strip().lower(), None)
                if p is None:
                    continue
                status = str(member.get("status") or p.payload.get("status") or "subscribed")
                sent = p.action == "subscribe" and p.customer is not None
                if sent and status in PULL_STATUSES and not p.payload.get("status"):
                    _exit_found(ctx, list_id, p, status, member)  # left via Mailchimp earlier
                    continue
                remember(
                    conn,
                    list_id,
                    p.email,
                    status=status,
                    set_by="us",
                    customer_id=p.customer.id if p.customer is not None else None,
                    pushed_digest=digest(p.customer) if sent and p.customer else None,
                    pushed_tags=p.customer.tags if sent and created and p.customer else None,
                    remote_changed_at=str(member.get("last_changed") or "") or None,
                )
                p.existing = sent and not created
                ctx.count("created" if created and p.action == "subscribe" else "updated")
                if p.customer is not None:
                    ctx.resolve_issue(
                        local_table="customers",
                        local_id=p.customer.id,
                        remote_id=subscriber_hash(p.email),
                    )
        for error in answer.get("errors") or []:
            p = by_key.pop(str(error.get("email_address", "")).strip().lower(), None)
            if p is not None:
                refused(ctx, list_id, p, str(error.get("error") or ""))
        for p in by_key.values():  # neither confirmed nor refused: try again next run
            _issue(ctx, p, f"Mailchimp did not confirm {p.email}; it will be sent again")


def _exit_found(
    ctx: JobContext, list_id: str, p: Planned, status: str, member: dict[str, Any]
) -> None:
    """A member we meant to subscribe turned out to have left through Mailchimp."""
    stamp = str(member.get("last_changed") or "") or None
    remember(
        ctx.ledger.conn,
        list_id,
        p.email,
        status=status,
        set_by="mailchimp",
        blocked=status,
        remote_changed_at=stamp,
    )
    withdraw_consent(ctx.ledger.conn, p.email, reason=exit_reason(status), changed_at=stamp)
    ctx.count("skipped")
    reason = BLOCK_REASONS[status]
    _issue(ctx, p, f"{p.email} was not subscribed: {reason}", count_failed=False)


def refused(ctx: JobContext, list_id: str, p: Planned, text: str) -> None:
    """A member Mailchimp refused: block for good when it says so, else an issue."""
    kind = classify_error(text)
    if kind in ("compliance", "forgotten"):
        remember(
            ctx.ledger.conn,
            list_id,
            p.email,
            status="forgotten"
            if kind == "forgotten"
            else (p.known.status if p.known else "unknown"),
            set_by="mailchimp",
            blocked=kind,
            customer_id=p.customer.id if p.customer is not None else None,
        )
        withdraw_consent(ctx.ledger.conn, p.email, reason=exit_reason(kind), changed_at=None)
        ctx.count("skipped")
        _issue(ctx, p, plain_error(kind, p.email, text), count_failed=False)
        return
    _issue(ctx, p, plain_error(kind, p.email, text))


def _issue(ctx: JobContext, p: Planned, reason: str, *, count_failed: bool = True) -> None:
    ctx.record_issue(
        reason,
        local_table="customers" if p.customer is not None else None,
        local_id=p.customer.id if p.customer is not None else None,
        remote_id=subscriber_hash(p.email),
        count_failed=count_failed,
    )


async def export_customers(
    ctx: JobContext, settings: MailchimpSettings, *, sleep: AsyncSleeper | None = None
) -> None:
    """The whole export run (see the module docstring)."""
    list_id = settings.audience_id
    conn = ctx.ledger.conn
    async with open_client(ctx, settings, sleep) as mc:
        await pull_exits(ctx, mc, list_id)
        start = 0 if ctx.full else int(get_cursor(conn, SERVICE, PUSH_CURSOR) or 0)
        end = latest_seq(conn)
        keys = changed_addresses(ctx, list_id, start, end)
        done = 0
        for window in _windows(keys):
            planned = plan(ctx, list_id, window)
            await push_window(ctx, mc, list_id, planned)
            done += len(window)
            ctx.progress("customers", done, len(keys))
            ctx.raise_if_cancelled()
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, PUSH_CURSOR, str(end))


class CustomersExport:
    """``mailchimp.customers.export``."""

    def __init__(self, settings: SettingsProvider, sleep: AsyncSleeper | None = None) -> None:
        self._settings, self._sleep = settings, sleep

    def run(self, ctx: JobContext) -> None:
        asyncio.run(export_customers(ctx, self._settings(ctx.ledger), sleep=self._sleep))


def register(
    registry: Registry,
    *,
    settings: SettingsProvider | None = None,
    sleep: AsyncSleeper | None = None,
) -> None:
    """Declare the Mailchimp jobs (``settings`` replaces the keyring/connection lookup)."""
    from .verify import CustomersVerify

    provider: SettingsProvider = settings or load_settings
    registry.register(
        EXPORT_JOB,
        lambda: CustomersExport(provider, sleep),
        description="consenting customers to the Mailchimp audience; exits pulled back",
    )
    registry.register_maintenance(
        VERIFY_JOB,
        lambda: CustomersVerify(provider, sleep),
        schedule=VERIFY_SCHEDULE,
        description="compare the whole audience with the ledger and report differences",
    )
