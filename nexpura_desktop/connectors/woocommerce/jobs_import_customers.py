"""WooCommerce customers → ledger (``woocommerce.customers.import``).

WooCommerce has no modified filter for customers, so change detection compares content:
each customer's link keeps the base both sides last agreed on
(:mod:`nexpura_desktop.sync.customer_merge`), which also drives the field-by-field merge
(newest change wins, conflicts recorded).  A matched customer is found by link, then
email, then E.164 phone.  The scan itself is kept to one request when nothing changed
(see :func:`import_customers`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from ...engine.job import JobContext
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.customer_merge import merge_customer, normalise, remember, unchanged_since_base
from ...sync.ecommerce import store_row
from .client import WooClient
from .incremental import first_page
from .jobs_import import COUNTRY, SERVICE, YIELD_EVERY, _linked, tenant_id
from .mapping import customer_fields, customer_hash, e164, gmt_timestamp, local_id
from .settings import WooSettings


def _people(conn: sqlite3.Connection) -> tuple[dict[str, str], dict[str, str]]:
    by_email: dict[str, str] = {}
    by_phone: dict[str, str] = {}
    for cid, email, phone, mobile in conn.execute(
        "SELECT id, email, phone, mobile FROM customers WHERE deleted_at IS NULL ORDER BY id"
    ):
        if email:
            by_email.setdefault(str(email).strip().lower(), str(cid))
        for number in (phone, mobile):
            e = e164(number, COUNTRY) if number else None
            if e:
                by_phone.setdefault(e, str(cid))
    return by_email, by_phone


FILL_ONLY = ("full_name", "mobile", "address_line1", "suburb", "state", "postcode", "country")
WOO_FIELDS = ("first_name", "last_name", "email", "phone")  # merged; Woo has no notes/tags
RESCAN_S = 15 * 60  # a full customer scan at least this often (there is no modified filter)
SCAN_CURSOR = "customers.scan"  # "started" while a full scan runs, then "done:<epoch s>"


class People:
    """Ledger customers by email and E.164 phone, loaded only when a new one must be matched."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._maps: tuple[dict[str, str], dict[str, str]] | None = None

    def match(self, email: object, phone: object) -> str | None:
        by_email, by_phone = self._load()
        return (by_email.get(str(email)) if email else None) or (
            by_phone.get(str(phone)) if phone else None
        )

    def add(self, cid: str, email: object, phone: object) -> None:
        by_email, by_phone = self._load()
        if email:
            by_email.setdefault(str(email), cid)
        if phone:
            by_phone.setdefault(str(phone), cid)

    def _load(self) -> tuple[dict[str, str], dict[str, str]]:
        if self._maps is None:
            self._maps = _people(self._conn)
        return self._maps


def _customer_row(conn: sqlite3.Connection, cid: str) -> dict[str, Any] | None:
    cursor = conn.execute("SELECT * FROM customers WHERE id = ?", (cid,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _customer_unchanged(ctx: JobContext, customer: dict[str, Any]) -> bool:
    link = links.by_remote(ctx.ledger.conn, SERVICE, "customer", str(customer.get("id")))
    if link is None or ctx.full:
        return False
    theirs = normalise(customer_fields(customer, COUNTRY), country=COUNTRY)
    return unchanged_since_base(link, theirs) or link.remote_hash == customer_hash(customer)


def store_customer(
    ctx: JobContext, customer: dict[str, Any], people: People, tenant: str | None
) -> None:
    """Merge one WooCommerce customer into the ledger, field by field (newest wins)."""
    conn = ctx.ledger.conn
    if _customer_unchanged(ctx, customer):
        ctx.count("unchanged")
        return
    remote_id = str(customer.get("id"))
    fields = customer_fields(customer, COUNTRY)
    link = links.by_remote(conn, SERVICE, "customer", remote_id)
    cid = (
        link.local_id
        if link is not None
        else people.match(fields.get("email"), fields.get("phone"))
    )
    local = _customer_row(conn, cid) if cid is not None else None
    merge = merge_customer(
        conn, service=SERVICE, job=ctx.name, local=local, remote=fields,
        remote_updated_at=gmt_timestamp(customer.get("date_modified_gmt")), link=link,
        local_id=cid, remote_id=remote_id, remote_name="WooCommerce", country=COUNTRY,
        run_id=ctx.run_id, fields=WOO_FIELDS,
    )  # fmt: skip
    if local is None:
        cid = local_id("customer", remote_id) if cid is None else cid
        row = {**fields, "id": cid, "tenant_id": tenant,
               "created_at": gmt_timestamp(customer.get("date_created_gmt"))}  # fmt: skip
        outcome = store_row(conn, "customers", row)
    else:
        assert cid is not None
        change: dict[str, Any] = {"id": cid, **merge.to_local}
        for name in FILL_ONLY:  # filled from the shop only where the ledger has nothing
            if local.get(name) in (None, "") and fields.get(name) not in (None, ""):
                change[name] = fields[name]
        if ("first_name" in change or "last_name" in change) and "full_name" not in change:
            first = change.get("first_name", local.get("first_name")) or ""
            last = change.get("last_name", local.get("last_name")) or ""
            change["full_name"] = f"{first} {last}".strip() or None
        outcome = store_row(conn, "customers", change) if len(change) > 1 else "unchanged"
    people.add(cid, fields.get("email"), fields.get("phone"))
    remember(conn, SERVICE, cid, remote_id, merge.base_after_import())
    ctx.count(outcome)


async def import_customers(ctx: JobContext, client: WooClient, settings: WooSettings) -> None:
    """All customers by content (no modified filter), in one request when nothing changed.

    The first request lists the newest 100 with ``X-WP-Total``.  When that is every
    customer, it is the whole scan.  Otherwise, if all of them are unchanged, the total
    equals the customers we hold, and a complete scan ran within ``RESCAN_S`` (shop
    clock), the rest is not re-read: a new customer raises the total and sorts first;
    an edit to an older one is picked up by the next full scan (or ``--full``).
    """
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    people = People(conn)
    now = settings.clock()
    state = get_cursor(conn, SERVICE, SCAN_CURSOR) or ""
    recent = state.startswith("done:") and now - float(state[5:]) < RESCAN_S
    params: dict[str, str | int] = {"orderby": "id", "order": "desc", "role": "customer"}
    probe = await first_page(client, "customers", params) if state.startswith("done:") else None
    whole = probe is not None and probe.total_pages is not None and probe.total_pages <= 1
    if probe is not None and (
        whole
        or (
            recent
            and not ctx.full
            and probe.total == _linked(conn, "customer")
            and all(_customer_unchanged(ctx, c) for c in probe.items)
        )
    ):
        with ctx.ledger.transaction():
            for customer in probe.items:
                store_customer(ctx, customer, people, tenant)
            if whole and not recent:
                set_cursor(conn, SERVICE, SCAN_CURSOR, f"done:{now}")
        ctx.progress("customers", len(probe.items))
        return
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, SCAN_CURSOR, "started")  # a crash mid-scan rescans
    done = 0
    async for page in client.customers():
        with ctx.ledger.transaction():
            for n, customer in enumerate(page.items):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                store_customer(ctx, customer, people, tenant)
        done += len(page.items)
        ctx.progress("customers", done)
        ctx.raise_if_cancelled()
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, SCAN_CURSOR, f"done:{now}")
