"""Ledger customers → Shopify (``shopify.customers.export``), merged field by field.

Which customers: those changed in the change feed since this job's watermark (all on a
full run).  A linked customer whose fields still equal the last-agreed base on its link
(:mod:`nexpura_desktop.sync.customer_merge`) needs nothing — no request; that is also how
the echo of an import is recognised.  Otherwise Shopify's current record is read, merged
with the ledger's (newest change wins per field, conflicts recorded), the ledger takes
its side's winners and Shopify receives only the fields the ledger won
(``customerUpdate``).

A customer without a link is looked up first — by email, then by E.164 phone, one
``… OR …`` search per batch of 50 — so a create that crashed before its link was written
is found, not duplicated; only then ``customerCreate``.  A ledger phone Shopify cannot
take is never sent (it would make Shopify refuse the whole customer).  A customer with
neither email nor phone is not exported: nothing could find them again after a crash
(and Shopify's accounts are reached by those).

Marketing consent is sent only on create and only when the ledger holds one
(``marketing_consent`` set); never guessed, never on update (a later opt-out made in
Shopify must not be overwritten).
"""

from __future__ import annotations

from typing import Any

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import customer_merge, links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import store_row
from . import queries
from .client import ShopifyClient
from .errors import UserErrors
from .jobs_export_products import changed_rows, retry_ids, row_of
from .jobs_import import SERVICE, merge_customer
from .mapping_common import normalise_phone
from .mapping_people import customer_to_input, customer_to_row
from .settings import ShopifySettings

CURSOR = "customers.export"
READ_BATCH = 50
INPUT_NAMES = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "phone": "phone",
    "notes": "note",
    "tags": "tags",
}


def update_input(remote_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``CustomerInput`` carrying only the fields the ledger won (plus the id)."""
    out: dict[str, Any] = {"id": remote_id}
    for name, value in changes.items():
        key = INPUT_NAMES.get(name)
        if key is not None:
            out[key] = (value or []) if name == "tags" else value
    return out


def _contact(node: dict[str, Any]) -> dict[str, Any]:
    return customer_merge.normalise(
        {
            "email": (node.get("defaultEmailAddress") or {}).get("emailAddress"),
            "phone": (node.get("defaultPhoneNumber") or {}).get("phoneNumber"),
        }
    )


async def find_many(
    client: ShopifyClient, wanted: list[dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Shopify's customers with any of these emails or phones, by ("email"|"phone", value):
    one search (``… OR …``) for a whole batch instead of one request per customer."""
    terms: list[str] = []
    for fields in wanted:
        if fields.get("email"):
            terms.append(queries.email_filter(str(fields["email"])))
        if _sendable_phone(fields):
            terms.append(queries.phone_filter(str(fields["phone"])))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if not terms:
        return found
    data = await client.execute(
        queries.CUSTOMERS_MATCH, {"first": queries.MAX_PAGE, "query": " OR ".join(terms)}
    )
    for node in (data.get("customers") or {}).get("nodes") or []:
        if not isinstance(node, dict):
            continue
        contact = _contact(node)
        for name in ("email", "phone"):
            if contact.get(name):
                found.setdefault((name, str(contact[name])), dict(node))
    return found


def _remember_contact(
    found: dict[tuple[str, str], dict[str, Any]], ours: dict[str, Any], holder: dict[str, Any]
) -> None:
    if ours.get("email"):
        found.setdefault(("email", str(ours["email"])), holder)
    if _sendable_phone(ours):  # else never sent
        found.setdefault(("phone", str(ours["phone"])), holder)


def _match(fields: dict[str, Any], found: dict[tuple[str, str], dict[str, Any]]) -> Any:
    """The found customer for these fields: email first, then phone."""
    for name in ("email", "phone"):
        value = fields.get(name)
        if name == "phone" and not _sendable_phone(fields):
            continue  # never sent, so never matched on: the outcome must not depend on it
        if value and (name, str(value)) in found:
            return found[(name, str(value))]
    return None


def _sendable_phone(fields: dict[str, Any]) -> bool:
    return bool(fields.get("phone")) and normalise_phone(fields["phone"]) is not None


async def _read(client: ShopifyClient, remote_ids: list[str]) -> dict[str, dict[str, Any]]:
    data = await client.execute(queries.CUSTOMERS_BY_ID, {"ids": remote_ids})
    return {str(n["id"]): n for n in data.get("nodes") or [] if isinstance(n, dict) and n.get("id")}


def _apply_local(ctx: JobContext, row: dict[str, Any], to_local: dict[str, Any]) -> None:
    if not to_local:
        return
    changes = dict(to_local)
    if "first_name" in changes or "last_name" in changes:
        first = changes.get("first_name", row.get("first_name"))
        last = changes.get("last_name", row.get("last_name"))
        changes["full_name"] = " ".join(p for p in (first, last) if p) or None
    store_row(ctx.ledger.conn, "customers", {"id": row["id"], **changes})


async def push_customer(
    ctx: JobContext, client: ShopifyClient, row: dict[str, Any], remote: dict[str, Any] | None
) -> dict[str, Any] | None:
    """One customer; ``remote`` is Shopify's current record (read by id when linked,
    found by email/phone when not, ``None`` when there is none to find).  Returns the
    Shopify record now linked to it (``None``: skipped or refused)."""
    conn = ctx.ledger.conn
    local_id = str(row["id"])
    link = links.by_local(conn, SERVICE, "customer", "customers", local_id)
    ours = customer_merge.local_fields(row)
    if link is None:
        if not (ours.get("email") or _sendable_phone(ours)):  # nothing to find it by
            ctx.count("skipped")
            return None
    elif remote is None:
        with ctx.ledger.transaction():
            ctx.record_issue("this customer's Shopify record is gone; it was not updated",
                             local_table="customers", local_id=local_id,
                             remote_id=link.remote_id, count_failed=False)  # fmt: skip
        ctx.count("skipped")
        return None
    if remote is None:
        return await _create(ctx, client, row)
    mapped = customer_to_row(remote)
    owner = links.by_remote(conn, SERVICE, "customer", mapped.remote_id)
    if owner is not None and owner.local_id != local_id:
        with ctx.ledger.transaction():
            ctx.record_issue("another customer in the ledger has the same email or phone and "
                             "is already linked to this Shopify customer; merge the two",
                             local_table="customers", local_id=local_id,
                             remote_id=mapped.remote_id, count_failed=False)  # fmt: skip
        ctx.count("skipped")
        return None
    with ctx.ledger.transaction():
        merge = merge_customer(ctx, row, mapped, link, local_id)
    _keep_unsendable(merge)
    version = mapped.remote_version
    if merge.to_remote:
        try:
            payload = await client.mutate(
                queries.CUSTOMER_UPDATE,
                {"input": update_input(mapped.remote_id, merge.to_remote)},
                idempotent=True,
            )
        except UserErrors as exc:
            with ctx.ledger.transaction():
                ctx.record_issue(f"Shopify refused this customer: {exc}", local_table="customers",
                                 local_id=local_id, remote_id=mapped.remote_id)  # fmt: skip
            return None
        version = str((payload.get("customer") or {}).get("updatedAt") or version)
    with ctx.ledger.transaction():
        _apply_local(ctx, row, merge.to_local)
        customer_merge.remember(conn, SERVICE, local_id, mapped.remote_id,
                                merge.base_after_push(), remote_version=version)  # fmt: skip
        ctx.resolve_issue(local_table="customers", local_id=local_id)
    ctx.count("updated" if merge.to_remote else "unchanged")
    return remote


def _keep_unsendable(merge: customer_merge.CustomerMerge) -> None:
    """A ledger phone Shopify cannot take (not a valid number for the shop's country) is
    not pushed — Shopify would refuse the whole customer — and the agreed base keeps
    Shopify's value, so the ledger's number is neither lost nor retried every run."""
    phone = merge.to_remote.get("phone")
    if phone is not None and normalise_phone(phone) is None:
        del merge.to_remote["phone"]
        merge.merged["phone"] = merge.remote.get("phone")


async def _create(
    ctx: JobContext, client: ShopifyClient, row: dict[str, Any]
) -> dict[str, Any] | None:
    """``customerCreate``; returns Shopify's new customer (``None`` if refused)."""
    local_id = str(row["id"])
    ours = customer_merge.local_fields(row)
    if ours.get("phone") and normalise_phone(ours["phone"]) is None:
        ours["phone"] = None  # left out of the create (see _keep_unsendable)
    try:
        payload = await client.mutate(
            queries.CUSTOMER_CREATE, {"input": customer_to_input(row)}, idempotent=False
        )
    except UserErrors as exc:
        with ctx.ledger.transaction():
            ctx.record_issue(f"Shopify refused this customer: {exc}", local_table="customers",
                             local_id=local_id)  # fmt: skip
        return None
    made = payload.get("customer") or {}
    with ctx.ledger.transaction():
        customer_merge.remember(ctx.ledger.conn, SERVICE, local_id, str(made["id"]), ours,
                                remote_version=made.get("updatedAt"))  # fmt: skip
        ctx.resolve_issue(local_table="customers", local_id=local_id)
    ctx.count("created")
    return dict(made)


async def export_customers(
    ctx: JobContext, client: ShopifyClient, _settings: ShopifySettings
) -> None:
    conn = ctx.ledger.conn
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    pending: list[tuple[dict[str, Any], links.Link | None]] = []
    ids = changed_rows(conn, "customers", start, end)
    for local_id in ids + retry_ids(ctx, "customers", ids):
        row = row_of(conn, "customers", local_id)
        if row is None or row.get("deleted_at"):
            continue
        link = links.by_local(conn, SERVICE, "customer", "customers", local_id)
        if link is not None and customer_merge.unchanged_since_base(
            link, customer_merge.local_fields(row)
        ):
            ctx.count("unchanged")
            continue
        pending.append((row, link))
    for i in range(0, len(pending), READ_BATCH):
        chunk = pending[i : i + READ_BATCH]
        linked = [link.remote_id for _, link in chunk if link is not None]
        remote = await _read(client, linked) if linked else {}
        fresh = [customer_merge.local_fields(row) for row, link in chunk if link is None]
        found = await find_many(client, fresh) if fresh else {}
        for row, link in chunk:
            if link is not None:
                current = remote.get(link.remote_id)
            else:
                current = _match(customer_merge.local_fields(row), found)
            holder = await push_customer(ctx, client, row, current)
            if holder is not None:  # Shopify now holds this email/phone: later rows see it
                _remember_contact(found, customer_merge.local_fields(row), holder)
        ctx.progress("customers", i + len(chunk), len(pending))
        ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))
