"""``mailchimp.customers.verify``: the whole audience compared with the ledger.

Read-only on both sides: every difference becomes a ``drift`` issue in plain words (and
differences that no longer exist are closed), so the owner sees what an incremental push
cannot: people added or removed in Mailchimp by hand, members whose details were edited
there, consenting customers missing from the audience.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...engine.job import JobContext
from ...sync.pacing import AsyncSleeper
from .mapping import Customer, Known, decide, merge_fields, subscriber_hash
from .settings import MailchimpSettings, SettingsProvider
from .state import all_address_keys, customers_by_address, known_members, listed_addresses

ProgressFn = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class Difference:
    address: str
    reason: str
    customer_id: str | None = None


def compare(
    address: str,
    customers: Sequence[Customer],
    known: Known | None,
    member: Mapping[str, Any] | None,
) -> Difference | None:
    """One address: what the ledger wants against what the audience holds."""
    d = decide(customers, known)
    status = str(member.get("status")) if member is not None else None
    cid = d.customer.id if d.customer is not None else (customers[0].id if customers else None)
    if d.action in ("subscribe", "skip") and d.customer is not None:
        if d.action == "skip":
            return None  # a known exit, already reported when it happened
        if status is None:
            return Difference(
                address, f"{address} agreed to marketing but is not in the Mailchimp audience", cid
            )
        if status != "subscribed":
            return Difference(
                address,
                f"{address} agreed to marketing in the ledger but is {status} in Mailchimp",
                cid,
            )
        merge = dict((member or {}).get("merge_fields") or {})
        theirs = {k: str(v or "") for k, v in merge.items()}
        ours = merge_fields(d.customer)
        changed = [k for k, v in ours.items() if theirs.get(k, "") != v]
        if changed:
            return Difference(
                address,
                f"{address}: {', '.join(changed)} differ between the ledger and Mailchimp",
                cid,
            )
        return None
    if status in ("subscribed", "pending"):
        if not customers:
            return Difference(address, f"{address} is subscribed in Mailchimp but not a customer")
        return Difference(
            address,
            f"{address} is {status} in Mailchimp but has no marketing consent in the ledger",
            cid,
        )
    if status is None and known is not None and known.status in ("subscribed", "pending"):
        return Difference(
            address,
            f"{address} was removed from the audience in Mailchimp (archived or deleted)",
            cid,
        )
    return None


async def audience_members(
    mc: Any, list_id: str, progress: ProgressFn | None = None
) -> dict[str, dict[str, Any]]:
    """Every (non-archived) member by lower-cased address."""
    members: dict[str, dict[str, Any]] = {}
    async for page in mc.member_pages(list_id):
        for m in page:
            members[str(m["email_address"]).strip().lower()] = m
        if progress is not None:
            progress("audience members", len(members), None)
    return members


async def verify_audience(
    ctx: JobContext, settings: MailchimpSettings, sleep: AsyncSleeper | None = None
) -> list[Difference]:
    """Compare, record the differences as drift issues, close those that went away."""
    from .streams import VERIFY_JOB, open_client

    list_id = settings.audience_id
    conn = ctx.ledger.conn
    async with open_client(ctx, settings, sleep) as mc:
        members = await audience_members(mc, list_id, ctx.progress)
    keys = sorted({*all_address_keys(conn), *listed_addresses(conn, list_id), *members})
    people = customers_by_address(conn, keys)
    known = known_members(conn, list_id, (subscriber_hash(k) for k in keys))
    found: list[Difference] = []
    with ctx.ledger.transaction():
        for key in keys:
            diff = compare(
                key, people.get(key, []), known.get(subscriber_hash(key)), members.get(key)
            )
            if diff is None:
                ctx.count("unchanged")
                continue
            found.append(diff)
            ctx.record_issue(
                diff.reason,
                kind="drift",
                local_table="customers" if diff.customer_id else None,
                local_id=diff.customer_id,
                remote_id=subscriber_hash(key),
            )
        conn.execute(  # differences not seen this run have gone away
            "UPDATE sync_issues SET state = 'resolved' WHERE service = 'mailchimp' AND job = ? "
            "AND kind = 'drift' AND state IN ('open', 'retry') AND run_id IS NOT ?",
            (VERIFY_JOB, ctx.run_id),
        )
    return found


class CustomersVerify:
    """``mailchimp.customers.verify``."""

    def __init__(self, settings: SettingsProvider, sleep: AsyncSleeper | None = None) -> None:
        self._settings, self._sleep = settings, sleep

    def run(self, ctx: JobContext) -> None:
        asyncio.run(verify_audience(ctx, self._settings(ctx.ledger), self._sleep))
