"""The draft-invoice push (``xero.invoices.export``), step by step.

1. **settings** — the organisation's ``Accounts`` and ``TaxRates`` are read; the owner's
   account mapping is checked against them, or the defaults are taken from them.
2. **recover** — create intents left in the outbox by an interrupted run are looked up in
   Xero by invoice number: what was created is linked, what was not is forgotten.
3. **plan** — the non-draft ledger invoices changed since the last run (the change feed,
   see :mod:`.feed`; all of them on the first or a ``--full`` run) are compared with their
   links: no link → create; content digest changed or voided → check its Xero status first.
4. **contacts** — customers without a link are matched by our customer number (a contact
   we created), then email, then name, over one listing of the organisation's contacts;
   the rest are created in batches of ≤ 50, each intent in the outbox *before* the call.
5. **send** — creates (``PUT``), draft updates and deletions of voided drafts (``POST``) in
   batches of ≤ 50 with ``summarizeErrors=false`` and an ``Idempotency-Key`` derived from
   the members' keys (invoice id + content digest); per-invoice errors become issues.
   Invoices approved in Xero are left alone and the difference is reported.

Crash safety: each create's outbox intent is committed before its request and confirmed
in the same transaction as the link its answer produces, so a crash between the two is
found again by step 2 (invoices) or by ``ContactNumber`` (contacts) — never sent twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine.errors import ConfigurationError
from ...engine.job import JobContext
from ...sync import links, outbox
from .client import XeroClient, XeroProblem
from .feed import Window, close_window, open_window, with_open_issues
from .mapping import (
    BATCH_LIMIT,
    EDITABLE_STATUSES,
    GONE_STATUSES,
    AccountMapping,
    ContactIndex,
    Customer,
    Invoice,
    MappingError,
    batch_key,
    check_mapping,
    contact_name,
    contact_payload,
    content_digest,
    default_mapping,
    difference,
    invoice_key,
    invoice_payload,
    plain_error,
)
from .settings import SERVICE, XeroSettings
from .state import customers, sent_invoices, set_xero_ids, shop_tax

INVOICE = "invoice"
CONTACT = "contact"
OP_INVOICE = "invoice.create"
OP_CONTACT = "contact.create"


@dataclass
class Planned:
    invoice: Invoice
    digest: str
    link: links.Link | None
    remote: dict[str, Any] | None = None


@dataclass
class Plan:
    creates: list[Planned] = field(default_factory=list)
    changed: list[Planned] = field(default_factory=list)  # linked: digest moved or voided


def open_client(ctx: JobContext, settings: XeroSettings) -> XeroClient:
    return XeroClient(
        settings.api_base,
        settings.tenant_id,
        settings.tokens,
        transport=settings.transport,
        pacer=settings.pacer,
        sleep=settings.sleep or asyncio.sleep,
        cancel=ctx.cancel_event,
        on_request=ctx.request,
    )


def _chunks(items: list[Any], size: int = BATCH_LIMIT) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _errors(result: Mapping[str, Any]) -> list[str]:
    return [str(e.get("Message") or "") for e in result.get("ValidationErrors") or []]


def _failed(result: Mapping[str, Any]) -> bool:
    return bool(result.get("HasErrors") or result.get("HasValidationErrors")) or (
        str(result.get("StatusAttributeString") or "OK") == "ERROR"
    )


# -- 1. settings ---------------------------------------------------------------------------
async def resolve_mapping(
    xc: XeroClient, chosen: AccountMapping | None, rate: float | None
) -> AccountMapping:
    accounts, tax_rates = await asyncio.gather(xc.accounts(), xc.tax_rates())
    try:
        if chosen is not None:
            check_mapping(chosen, accounts, tax_rates)
            return chosen
        return default_mapping(accounts, tax_rates, rate)
    except MappingError as exc:
        raise ConfigurationError(str(exc)) from None


# -- 2. recover ----------------------------------------------------------------------------
async def recover(ctx: JobContext, xc: XeroClient, window: Window) -> None:
    """Link invoices an interrupted run created; forget intents that never landed."""
    conn = ctx.ledger.conn
    pending = [
        item
        for item in outbox.pending(conn, SERVICE, operation=OP_INVOICE, limit=100_000)
        if item.local_id is not None
    ]
    for chunk in _chunks(pending):
        numbers = sorted({str(i.payload.get("number")) for i in chunk if i.payload.get("number")})
        found = await xc.invoices_by(numbers=numbers) if numbers else []
        by_number = {str(r.get("InvoiceNumber")): r for r in found}
        with ctx.ledger.transaction():
            for item in chunk:
                remote = by_number.get(str(item.payload.get("number")))
                contact = str((remote or {}).get("Contact", {}).get("ContactID") or "")
                expected = str(item.payload.get("contact_id") or "")
                ours = remote is not None and (not expected or contact == expected)
                if ours and remote is not None and item.local_id is not None:
                    digest = str(item.payload.get("digest"))
                    _link_invoices(ctx, window, [(item.local_id, remote, digest)])
                outbox.confirm(conn, item.id)


def _link_invoices(
    ctx: JobContext, window: Window, answered: list[tuple[str, Mapping[str, Any], str]]
) -> None:
    """Link each ``(invoice id, Xero's invoice, content digest)`` and note the Xero id on
    the invoice (a batch at a time: three statements for fifty invoices)."""
    conn = ctx.ledger.conn
    links.upsert_many(
        conn,
        SERVICE,
        INVOICE,
        "invoices",
        [
            (local_id, str(remote["InvoiceID"]), str(remote.get("Status") or "DRAFT"), digest)
            for local_id, remote, digest in answered
        ],
    )
    window.own_updates += set_xero_ids(
        conn, [(local_id, str(remote["InvoiceID"])) for local_id, remote, _ in answered]
    )


def _resolved(ctx: JobContext, window: Window, invoice_id: str) -> None:
    """The invoice reached Xero: close its open issue, if it has one (most have none)."""
    if invoice_id in window.with_issues:
        ctx.resolve_issue(local_table="invoices", local_id=invoice_id)


# -- 3. plan -------------------------------------------------------------------------------
def plan(ctx: JobContext, mapping: AccountMapping, window: Window) -> Plan:
    conn = ctx.ledger.conn
    inclusive, _rate = shop_tax(conn)
    out = Plan()
    known = links.by_local_ids(conn, SERVICE, INVOICE, "invoices", window.ids)
    for invoice in sent_invoices(conn, inclusive, window.ids):
        link = known.get(invoice.id)
        digest = content_digest(invoice, mapping)
        if link is None:
            if invoice.is_voided:
                continue  # never reached Xero: nothing to void
            if not invoice.number:
                ctx.record_issue(
                    "an invoice without a number cannot be sent to Xero",
                    local_table="invoices",
                    local_id=invoice.id,
                )
                continue
            out.creates.append(Planned(invoice, digest, None))
        elif invoice.is_voided:
            if (link.remote_version or "") in GONE_STATUSES:
                ctx.count("unchanged")
            else:
                out.changed.append(Planned(invoice, digest, link))
        elif link.remote_hash != digest:
            out.changed.append(Planned(invoice, digest, link))
        else:
            ctx.count("unchanged")
    return out


# -- 4. contacts ---------------------------------------------------------------------------
async def resolve_contacts(ctx: JobContext, xc: XeroClient, wanted: set[str]) -> dict[str, str]:
    """ContactID per customer id, matching or creating contacts as needed."""
    conn = ctx.ledger.conn
    found: dict[str, str] = {}
    missing: list[str] = []
    linked = links.by_local_ids(conn, SERVICE, CONTACT, "customers", wanted)
    for cid in sorted(wanted):
        link = linked.get(cid)
        if link is not None:
            found[cid] = link.remote_id
        else:
            missing.append(cid)
    if not missing:
        return found
    people = customers(conn, missing)
    index = ContactIndex()
    async for page in xc.contact_pages():
        for row in page:
            index.add(row)
    to_create: dict[str, Customer] = {}  # by folded name: one contact per name
    sharing: dict[str, list[str]] = {}
    intents: list[outbox.Intent] = []
    with ctx.ledger.transaction():
        for cid in missing:
            person = people.get(cid) or Customer(cid, f"Customer {cid}")
            matched = index.match(person)
            if matched is not None:
                links.upsert(conn, SERVICE, CONTACT, "customers", cid, matched)
                found[cid] = matched
                left = outbox.get(conn, _contact_key(cid))  # created by a crashed run
                if left is not None:
                    outbox.confirm(conn, left.id)
                continue
            name = " ".join(contact_name(person).split()).casefold()
            if name in to_create:
                sharing.setdefault(name, []).append(cid)
                continue
            to_create[name] = person
            payload = {"name": contact_name(person)}
            intents.append(outbox.Intent(_contact_key(cid), payload, "customers", cid))
        outbox.enqueue_many(conn, SERVICE, OP_CONTACT, intents)
    refused_before = with_open_issues(conn, ctx.name, "customers")

    async def create(batch: list[Customer]) -> None:
        keys = [_contact_key(p.id) for p in batch]
        results = await xc.create_contacts(
            [contact_payload(p) for p in batch], batch_key("contacts", keys)
        )
        linked: list[tuple[str, str, str | None, str | None]] = []
        done: list[str] = []
        with ctx.ledger.transaction():
            for person, result in zip(batch, results, strict=False):
                done.append(_contact_key(person.id))
                name = " ".join(contact_name(person).split()).casefold()
                if _failed(result) or not result.get("ContactID"):
                    said = "; ".join(_errors(result)) or "no reason was given"
                    ctx.record_issue(
                        f"Xero did not accept the customer {contact_name(person)} as a contact: "
                        f"{said}",
                        local_table="customers",
                        local_id=person.id,
                    )
                    continue
                contact_id = str(result["ContactID"])
                for cid in (person.id, *sharing.get(name, [])):
                    linked.append((cid, contact_id, None, None))
                    found[cid] = contact_id
                if person.id in refused_before:
                    ctx.resolve_issue(local_table="customers", local_id=person.id)
            links.upsert_many(conn, SERVICE, CONTACT, "customers", linked)
            outbox.confirm_keys(conn, done)

    await asyncio.gather(*(create(b) for b in _chunks(list(to_create.values()))))
    return found


def _contact_key(customer_id: str) -> str:
    return f"xero-contact-{customer_id}"


def _contact_for(invoice: Invoice, contacts: Mapping[str, str]) -> dict[str, Any] | None:
    if invoice.customer_id is not None:
        contact_id = contacts.get(invoice.customer_id)
        return None if contact_id is None else {"ContactID": contact_id}
    if invoice.customer_name:
        body: dict[str, Any] = {"Name": " ".join(invoice.customer_name.split())}
        if invoice.customer_email:
            body["EmailAddress"] = invoice.customer_email
        return body
    return None


# -- 5. send -------------------------------------------------------------------------------
async def send_creates(
    ctx: JobContext,
    xc: XeroClient,
    window: Window,
    creates: list[Planned],
    mapping: AccountMapping,
    contacts: Mapping[str, str],
) -> None:
    conn = ctx.ledger.conn
    ready: list[tuple[Planned, dict[str, Any], str]] = []  # + the outbox intent's key
    intents: list[outbox.Intent] = []
    with ctx.ledger.transaction():
        for p in creates:
            contact = _contact_for(p.invoice, contacts)
            if contact is None:
                ctx.record_issue(
                    f"{p.invoice.label} was not sent to Xero: its customer could not be "
                    "matched or added as a Xero contact",
                    local_table="invoices",
                    local_id=p.invoice.id,
                )
                continue
            key = invoice_key(p.invoice.id, p.digest)
            payload = {
                "number": p.invoice.number,
                "digest": p.digest,
                "contact_id": contact.get("ContactID"),
            }
            intents.append(outbox.Intent(key, payload, "invoices", p.invoice.id))
            ready.append((p, invoice_payload(p.invoice, mapping, contact), key))
        outbox.enqueue_many(conn, SERVICE, OP_INVOICE, intents)

    async def one(batch: list[tuple[Planned, dict[str, Any], str]]) -> None:
        keys = [key for _, _, key in batch]
        results = await xc.save_invoices(
            "PUT", [body for _, body, _ in batch], batch_key("invoices", keys)
        )
        answered: list[tuple[str, Mapping[str, Any], str]] = []
        done: list[str] = []
        with ctx.ledger.transaction():
            for (p, _, key), result in zip(batch, results, strict=False):
                done.append(key)
                if _failed(result) or not result.get("InvoiceID"):
                    ctx.record_issue(
                        plain_error(p.invoice, _errors(result)),
                        local_table="invoices",
                        local_id=p.invoice.id,
                    )
                else:
                    answered.append((p.invoice.id, result, p.digest))
                    _resolved(ctx, window, p.invoice.id)
                    ctx.count("created")
            _link_invoices(ctx, window, answered)
            outbox.confirm_keys(conn, done)

    await _gather_batches(xc, ready, one)


async def _gather_batches(xc: XeroClient, items: list[Any], one: Any) -> None:
    await asyncio.gather(*(one(b) for b in _chunks(items)))


async def fetch_remote(xc: XeroClient, changed: list[Planned]) -> None:
    async def one(batch: list[Planned]) -> None:
        ids = [p.link.remote_id for p in batch if p.link is not None]
        rows = await xc.invoices_by(ids=ids)
        by_id = {str(r.get("InvoiceID")).lower(): r for r in rows}
        for p in batch:
            if p.link is not None:
                p.remote = by_id.get(p.link.remote_id.lower())

    await asyncio.gather(*(one(b) for b in _chunks(changed)))


async def send_changes(
    ctx: JobContext,
    xc: XeroClient,
    window: Window,
    changed: list[Planned],
    mapping: AccountMapping,
    contacts: Mapping[str, str],
) -> None:
    await fetch_remote(xc, changed)
    conn = ctx.ledger.conn
    updates: list[tuple[Planned, dict[str, Any], str]] = []
    with ctx.ledger.transaction():
        for p in changed:
            assert p.link is not None
            status = str((p.remote or {}).get("Status") or "")
            if p.remote is None or status in GONE_STATUSES:
                if p.invoice.is_voided:
                    links.upsert(
                        conn, SERVICE, INVOICE, "invoices", p.invoice.id, p.link.remote_id,
                        remote_version=status or "DELETED",
                    )  # fmt: skip
                    ctx.count("unchanged")
                    continue
                ctx.count("skipped")
                ctx.record_issue(
                    f"{p.invoice.label} changed in the shop but its Xero invoice was "
                    f"{(status or 'removed').lower()} in Xero, so nothing was sent",
                    local_table="invoices",
                    local_id=p.invoice.id,
                    remote_id=p.link.remote_id,
                    count_failed=False,
                )
                continue
            if status not in EDITABLE_STATUSES:
                ctx.count("skipped")
                ctx.record_issue(
                    difference(p.invoice, p.remote),
                    local_table="invoices",
                    local_id=p.invoice.id,
                    remote_id=p.link.remote_id,
                    count_failed=False,
                )
                links.upsert(
                    conn, SERVICE, INVOICE, "invoices", p.invoice.id, p.link.remote_id,
                    remote_hash=p.digest, remote_version=status,
                )  # fmt: skip
                continue
            if p.invoice.is_voided:
                body: dict[str, Any] = {"InvoiceID": p.link.remote_id, "Status": "DELETED"}
                updates.append((p, body, f"xero-invoice-{p.invoice.id}-delete"))
                continue
            contact = _contact_for(p.invoice, contacts)
            if contact is None:
                contact = {"ContactID": (p.remote.get("Contact") or {}).get("ContactID")}
            body = invoice_payload(p.invoice, mapping, contact, invoice_id=p.link.remote_id)
            body["Status"] = status  # a draft awaiting approval stays so
            updates.append((p, body, invoice_key(p.invoice.id, p.digest)))

    async def one(batch: list[tuple[Planned, dict[str, Any], str]]) -> None:
        key = batch_key("invoice-updates", (k for _, _, k in batch))
        results = await xc.save_invoices("POST", [b for _, b, _ in batch], key)
        answered: list[tuple[str, Mapping[str, Any], str]] = []
        with ctx.ledger.transaction():
            for (p, _, _), result in zip(batch, results, strict=False):
                if _failed(result):
                    ctx.record_issue(
                        plain_error(p.invoice, _errors(result)),
                        local_table="invoices",
                        local_id=p.invoice.id,
                    )
                    continue
                answered.append((p.invoice.id, result, p.digest))
                _resolved(ctx, window, p.invoice.id)
                ctx.count("updated")
            _link_invoices(ctx, window, answered)

    await _gather_batches(xc, updates, one)


# -- the run -------------------------------------------------------------------------------
async def export_invoices(ctx: JobContext, settings: XeroSettings) -> None:
    """The whole export run (see the module docstring)."""
    async with open_client(ctx, settings) as xc:
        _inclusive, rate = shop_tax(ctx.ledger.conn)
        mapping = await resolve_mapping(xc, settings.mapping, rate)
        window = open_window(ctx, f"{mapping.account_code}|{mapping.tax_type}")
        await recover(ctx, xc, window)
        work = plan(ctx, mapping, window)
        wanted = {
            p.invoice.customer_id
            for p in (*work.creates, *work.changed)
            if p.invoice.customer_id is not None and not p.invoice.is_voided
        }
        contacts = await resolve_contacts(ctx, xc, wanted)
        ctx.raise_if_cancelled()
        await send_creates(ctx, xc, window, work.creates, mapping, contacts)
        ctx.progress("invoices", len(work.creates), len(work.creates) + len(work.changed))
        if work.changed:
            await send_changes(ctx, xc, window, work.changed, mapping, contacts)
        close_window(ctx, window)


__all__ = ["XeroProblem", "export_invoices"]
