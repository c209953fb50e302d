"""Demo shop: invoices (with lines and payments) and refunds.

Invoices come from larger sales, finished or ready repairs, bespoke jobs past approval,
and a few typed by hand.  All prices include GST (the tenant is tax-inclusive), so an
invoice's tax is one eleventh of its total.  Numbers follow the invoice dates: issued ones
``INV-00001`` onwards, drafts ``DRAFT-0001`` onwards, as Nexpura numbers them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import demo_data as data
from .demo_base import OPEN_MINUTE, TODAY, Shop, cents, gst_in
from .demo_catalogue import SalePlan, catalogue, survey
from .demo_jobs import Job, bespoke_plans, repair_plans

Row = dict[str, Any]
InvoiceLine = tuple[str, int, int, int, int, str | None]  # text, qty, unit, pct, total, item id
PAYMENT_METHOD = {"card": "card", "cash": "cash", "transfer": "transfer", "mixed": "other",
                  "account": "account", "layby": "cash"}  # fmt: skip
TERMS_DAYS = 14


@dataclass(slots=True)
class Invoice:
    day: int
    minute: int
    customer: int
    location: int
    kind: str | None
    source_id: str | None
    lines: list[InvoiceLine]
    draft: bool
    payments: list[tuple[int, int, str]]
    discount: int = 0
    voided: bool = False
    id: str = ""
    number: str = ""
    sale: int = -1
    subtotal: int = field(init=False)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.subtotal = sum(line[4] for line in self.lines)
        self.total = self.subtotal - self.discount

    @property
    def paid(self) -> int:
        return sum(p[1] for p in self.payments)

    @property
    def status(self) -> str:
        if self.draft:
            return "draft"
        if self.voided:
            return "voided"
        if self.paid >= self.total:
            return "paid"
        if self.paid:
            return "partial"
        return "overdue" if self.day + TERMS_DAYS < TODAY else "sent"


def invoice_plans(shop: Shop) -> list[Invoice]:
    return shop.memo("invoices", lambda: _plan_invoices(shop))


def _from_sale(shop: Shop, plan: SalePlan) -> Invoice:
    items = catalogue(shop).items
    lines = [
        (ln.description, ln.qty, ln.unit, ln.discount, ln.total,
         items[ln.item].id if ln.item >= 0 else None)
        for ln in plan.lines
    ]  # fmt: skip
    method = PAYMENT_METHOD[plan.method or "card"]
    payments = [(plan.day, plan.paid, method)] if plan.paid else []
    sale_id = plan.id
    invoice = Invoice(plan.day, plan.minute + 5, plan.customer, plan.location, "sale",
                      sale_id, lines, False, payments, plan.discount)  # fmt: skip
    invoice.sale = plan.index
    return invoice


def _from_job(job: Job, kind: str, source_id: str, shop: Shop) -> Invoice | None:
    reached = {name: day for name, day in job.path}
    line: InvoiceLine = (f"{job.number}: {job.title}", 1, job.price, 0, job.price, None)
    deposit_day = reached.get("approved")
    payments = []
    if job.deposit and deposit_day is not None and job.stage not in ("cancelled",):
        payments.append((deposit_day, job.deposit, "card"))
    end = reached.get("collected", reached.get("completed"))
    h = shop.ids.draw(f"{kind}-invoice", job.index)
    if end is not None:
        payments.append((end, job.price - sum(p[1] for p in payments), "card"))
        return Invoice(end, 15 * 60, job.customer, job.location, kind, source_id, [line],
                       False, [p for p in payments if p[1] > 0])  # fmt: skip
    if job.stage == "ready":
        day = reached["ready"]
        return Invoice(day, 16 * 60, job.customer, job.location, kind, source_id, [line],
                       False, payments)  # fmt: skip
    if kind == "bespoke" and job.stage in ("approved", "in_progress") and payments:
        return Invoice(deposit_day or job.day, 14 * 60, job.customer, job.location, kind,
                       source_id, [line], False, payments)  # fmt: skip
    if job.stage in ("quoted", "approved", "in_progress") and h % 100 < 35:
        day = reached.get("quoted", job.day)
        return Invoice(day, 12 * 60, job.customer, job.location, kind, source_id, [line],
                       True, [])  # fmt: skip
    return None


def _plan_invoices(shop: Shop) -> list[Invoice]:
    invoices = [_from_sale(shop, plan) for plan in survey(shop).flagged if plan.invoiced]
    for job in repair_plans(shop):
        found = _from_job(job, "repair", job.id, shop)
        if found:
            invoices.append(found)
    for job in bespoke_plans(shop):
        found = _from_job(job, "bespoke", job.id, shop)
        if found:
            invoices.append(found)
    rng = shop.rng("manual-invoices")
    for k in range(max(5, shop.profile.sales // 500)):
        day = TODAY - 1 - rng.randrange(400) if k % 5 else TODAY - 1 - rng.randrange(10)
        desc, dollars = data.SERVICES[5] if k % 2 else ("Corporate gift order - cufflinks", 1900)
        qty = 1 if k % 2 else rng.randrange(2, 12)
        lines: list[InvoiceLine] = [(desc, qty, dollars * 100, 0, dollars * 100 * qty, None)]
        draft = k % 5 == 0
        paid = not draft and k % 5 in (2, 4) and day < TODAY - 3
        payments = [(min(TODAY - 1, day + 6), dollars * 100 * qty, "transfer")] if paid else []
        invoice = Invoice(day, OPEN_MINUTE + rng.randrange(400),
                          rng.randrange(shop.customers_before(day)), 0, None, None, lines,
                          draft, payments, voided=k % 5 == 3 and k % 2 == 1)  # fmt: skip
        invoices.append(invoice)
    invoices.sort(key=lambda inv: (inv.day, inv.minute))
    issued = drafts = 0
    for i, invoice in enumerate(invoices):
        invoice.id = shop.ids.uuid("invoices", i)
        if invoice.draft:
            drafts += 1
            invoice.number = f"DRAFT-{drafts:04d}"
        else:
            issued += 1
            invoice.number = f"INV-{issued:05d}"
    return invoices


def invoices(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for k, inv in enumerate(invoice_plans(shop)):
        person = shop.person(inv.customer)
        status = inv.status
        sent = None if inv.draft else c.ts(inv.day, inv.minute + 2)
        last_paid = max((p[0] for p in inv.payments), default=inv.day)
        yield {
            "id": inv.id,
            "tenant_id": shop.tenant_id,
            "invoice_number": inv.number,
            "customer_id": shop.customer_id(inv.customer),
            "customer_name": person.full_name,
            "customer_email": person.email,
            "sale_id": inv.source_id if inv.kind == "sale" else None,
            "repair_id": inv.source_id if inv.kind == "repair" else None,
            "bespoke_job_id": inv.source_id if inv.kind == "bespoke" else None,
            "reference_type": inv.kind,
            "reference_id": inv.source_id,
            "invoice_date": c.date(inv.day),
            "due_date": c.date(inv.day + TERMS_DAYS),
            "line_items": [
                {
                    "description": text,
                    "quantity": qty,
                    "unit_price": cents(unit),
                    "discount_pct": pct,
                    "total": cents(total),
                }
                for text, qty, unit, pct, total, _ in inv.lines
            ],
            "subtotal": cents(inv.subtotal),
            "discount_amount": cents(inv.discount),
            "tax_name": "GST",
            "tax_rate": 0.1,
            "tax_inclusive": True,
            "tax_amount": cents(gst_in(inv.total)),
            "total": cents(inv.total),
            "status": status,
            "paid_at": c.ts(last_paid, 15 * 60) if status == "paid" else None,
            "notes": "Thank you for your purchase." if inv.kind == "sale" else None,
            "footer_text": "Payment due within 14 days. BSB 062-000 Account 1234 5678.",
            "sent_at": sent,
            "created_by": shop.salespeople[k % len(shop.salespeople)].user_id,
            "created_at": c.ts(inv.day, inv.minute),
            "updated_at": c.ts(last_paid, 15 * 60 + 1),
            "amount_paid": cents(inv.paid),
            "layout": "classic",
            "overdue_reminder_sent_at": {"7": c.ts(inv.day + TERMS_DAYS + 7, 9 * 60)}
            if status == "overdue" and inv.day + TERMS_DAYS + 7 < TODAY
            else {},
            "currency": "AUD",
            "exchange_rate": 1.0,
            "base_currency": "AUD",
            "base_total": cents(inv.total),
            "location_id": shop.location_ids[inv.location],
            "amount_due": cents(0 if inv.voided else inv.total - inv.paid),
            "deleted_at": None,
        }


def invoice_line_items(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for i, inv in enumerate(invoice_plans(shop)):
        for k, (text, qty, unit, pct, total, item_id) in enumerate(inv.lines):
            yield {
                "id": shop.ids.uuid("invoice_line_items", i * 16 + k),
                "tenant_id": shop.tenant_id,
                "invoice_id": inv.id,
                "inventory_id": item_id,
                "description": text,
                "quantity": qty,
                "unit_price": cents(unit),
                "discount_pct": pct,
                "line_total": cents(total),
                "sort_order": k,
                "created_at": c.ts(inv.day, inv.minute),
                "total": cents(total),
            }


def payments(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    counter = 0
    for inv in invoice_plans(shop):
        for day, amount, method in inv.payments:
            yield {
                "id": shop.ids.uuid("payments", counter),
                "tenant_id": shop.tenant_id,
                "invoice_id": inv.id,
                "amount": cents(amount),
                "payment_method": method,
                "payment_date": c.date(day),
                "reference": f"{inv.number}-{counter % 1000:03d}" if method == "transfer" else None,
                "notes": "Deposit" if amount < inv.total and day < inv.day + 1 else None,
                "created_by": shop.salespeople[counter % len(shop.salespeople)].user_id,
                "created_at": c.ts(day, 15 * 60),
                "updated_at": c.ts(day, 15 * 60),
                "idempotency_key": None,
            }
            counter += 1


def refunds(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    by_sale = {inv.sale: inv.id for inv in invoice_plans(shop) if inv.sale >= 0}
    plans = sorted(
        (plan for plan in survey(shop).flagged if plan.refund),
        key=lambda plan: (plan.refund_day, plan.index),
    )
    for k, plan in enumerate(plans):
        h = shop.ids.draw("refund", plan.index)
        full = plan.refund == "full"
        amount = plan.total if full else max(line.total for line in plan.lines) // 2
        person = shop.person(plan.customer) if plan.customer >= 0 else None
        roll = h % 100
        method = "original_tender" if roll < 55 else "card" if roll < 75 else (
            "cash" if roll < 85 else "store_credit")  # fmt: skip
        status = "pending" if plan.refund_day > TODAY - 3 else (
            "voided" if (h >> 8) % 50 == 0 else "completed")  # fmt: skip
        yield {
            "id": shop.ids.uuid("refunds", k),
            "tenant_id": shop.tenant_id,
            "refund_number": f"REF-{k + 1:05d}",
            "original_sale_id": plan.id,
            "original_invoice_id": by_sale.get(plan.index),
            "customer_id": shop.customer_id(plan.customer) if person else None,
            "customer_name": person.full_name if person else None,
            "customer_email": person.email if person else None,
            "reason": data.REFUND_REASONS[(h >> 16) % len(data.REFUND_REASONS)],
            "refund_method": method,
            "subtotal": cents(amount),
            "tax_amount": cents(gst_in(amount)),
            "total": cents(amount),
            "status": status,
            "notes": None,
            "processed_by": plan.seller.user_id,
            "created_at": c.ts(plan.refund_day, 11 * 60),
            "updated_at": c.ts(plan.refund_day, 12 * 60),
            "refund_type": "store_credit"
            if method == "store_credit"
            else ("full" if full else "partial"),
            "gateway_ref": None,
            "needs_review": False,
            "completed_at": c.ts(plan.refund_day, 12 * 60) if status == "completed" else None,
            "location_id": shop.location_ids[plan.location],
        }
