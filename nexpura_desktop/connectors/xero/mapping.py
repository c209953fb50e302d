"""Pure mapping between ledger invoices/customers and Xero's Accounting API shapes.

Nothing here talks to the network or the ledger: the job reads rows into the dataclasses
below, and these functions decide what Xero is sent (reference/service-apis.md §4.3, §4.4).

* A sent/issued ledger invoice (not a ``DRAFT-…`` placeholder, not ``draft``) becomes a
  **DRAFT** ``ACCREC`` invoice; ``LineAmountTypes`` follows the shop's tax-inclusive flag.
* Every line takes the account code and tax type of the :class:`AccountMapping` the owner
  chose; its defaults are read from the organisation's ``Accounts`` and ``TaxRates``
  (:func:`default_mapping`), never hard-coded.
* :func:`content_digest` is the version of what we send: the same invoice content gives the
  same digest, so the ``Idempotency-Key`` derived from it (:func:`invoice_key`) is stable
  across retries and changes when the invoice is edited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

BATCH_LIMIT = 50  # invoices/contacts per request (§4.3)
EDITABLE_STATUSES = frozenset({"DRAFT", "SUBMITTED"})  # Xero states we may still change
GONE_STATUSES = frozenset({"DELETED", "VOIDED"})
VOIDED_LOCAL = frozenset({"voided", "void", "cancelled"})


@dataclass(frozen=True)
class Line:
    description: str
    quantity: float
    unit_amount: float
    discount_pct: float = 0.0


@dataclass(frozen=True)
class Invoice:
    """One ledger invoice as the push needs it."""

    id: str
    number: str | None
    status: str
    customer_id: str | None
    customer_name: str | None
    customer_email: str | None
    date: str | None
    due_date: str | None
    currency: str | None
    tax_inclusive: bool
    reference: str | None = None
    lines: tuple[Line, ...] = ()
    deleted: bool = False

    @property
    def is_draft(self) -> bool:
        number = (self.number or "").upper()
        return self.status.lower() == "draft" or number.startswith("DRAFT-")

    @property
    def is_voided(self) -> bool:
        return self.status.lower() in VOIDED_LOCAL or self.deleted

    @property
    def label(self) -> str:
        return self.number or f"invoice {self.id}"


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class AccountMapping:
    """The account code and tax type every pushed line carries."""

    account_code: str
    tax_type: str


@dataclass
class ContactIndex:
    """Xero's contacts, indexed the ways we match: our number, email, name."""

    by_number: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    def add(self, contact: Mapping[str, Any]) -> None:
        cid = str(contact.get("ContactID") or "")
        if not cid or str(contact.get("ContactStatus") or "ACTIVE") != "ACTIVE":
            return
        if contact.get("ContactNumber"):
            self.by_number.setdefault(str(contact["ContactNumber"]), cid)
        if contact.get("EmailAddress"):
            self.by_email.setdefault(_fold(str(contact["EmailAddress"])), cid)
        if contact.get("Name"):
            self.by_name.setdefault(_fold(str(contact["Name"])), cid)

    def match(self, customer: Customer) -> str | None:
        """Our customer number (a contact we created), then email, then name."""
        found = self.by_number.get(customer.id)
        if found is None and customer.email:
            found = self.by_email.get(_fold(customer.email))
        if found is None and customer.name:
            found = self.by_name.get(_fold(customer.name))
        return found


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def contact_name(customer: Customer) -> str:
    name = " ".join((customer.name or "").split())
    return name or (customer.email or f"Customer {customer.id}")


def contact_payload(customer: Customer) -> dict[str, Any]:
    """A new Xero contact for a customer; ``ContactNumber`` carries our id (found again
    after a crash even if the link was never stored)."""
    body: dict[str, Any] = {"Name": contact_name(customer), "ContactNumber": customer.id}
    if customer.email:
        body["EmailAddress"] = customer.email.strip()
    if customer.first_name:
        body["FirstName"] = customer.first_name
    if customer.last_name:
        body["LastName"] = customer.last_name
    if customer.phone:
        body["Phones"] = [{"PhoneType": "MOBILE", "PhoneNumber": customer.phone}]
    return body


# -- the organisation's settings ---------------------------------------------------------------
class MappingError(ValueError):
    """The chosen account or tax type cannot be used; the message is for the owner."""


def _active(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in rows if str(r.get("Status") or "ACTIVE") == "ACTIVE"]


def revenue_tax_types(tax_rates: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {
        str(r["TaxType"]): r
        for r in _active(tax_rates)
        if r.get("TaxType") and r.get("CanApplyToRevenue", True)
    }


def sales_accounts(accounts: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {
        str(a["Code"]): a
        for a in _active(accounts)
        if a.get("Code") and not a.get("SystemAccount") and str(a.get("Class") or "") == "REVENUE"
    }


def default_mapping(
    accounts: Sequence[Mapping[str, Any]],
    tax_rates: Sequence[Mapping[str, Any]],
    shop_tax_rate: float | None,
) -> AccountMapping:
    """The organisation's sales account and the revenue tax type at the shop's rate.

    Account: the active revenue account named "Sales", else the lowest-coded revenue
    account.  Tax type: the account's own default when it is a revenue tax at the shop's
    rate, else the first revenue tax rate at that rate, else the account's default.
    """
    usable = sales_accounts(accounts)
    if not usable:
        raise MappingError("the Xero organisation has no active revenue account to post sales to")
    named = [a for a in usable.values() if str(a.get("Name") or "").casefold() == "sales"]
    account = named[0] if named else usable[min(usable)]
    taxes = revenue_tax_types(tax_rates)
    wanted = None if shop_tax_rate is None else round(float(shop_tax_rate) * 100, 4)

    def at_rate(row: Mapping[str, Any]) -> bool:
        rate = row.get("EffectiveRate", row.get("DisplayTaxRate"))
        return wanted is None or (rate is not None and round(float(rate), 4) == wanted)

    own = str(account.get("TaxType") or "")
    if own in taxes and at_rate(taxes[own]):
        tax = own
    else:
        matching = [t for t, row in taxes.items() if at_rate(row)]
        tax = matching[0] if matching else own
    if not tax:
        raise MappingError("the Xero organisation has no tax rate usable on sales")
    return AccountMapping(str(account["Code"]), tax)


def check_mapping(
    mapping: AccountMapping,
    accounts: Sequence[Mapping[str, Any]],
    tax_rates: Sequence[Mapping[str, Any]],
) -> None:
    """Refuse a chosen account/tax type the organisation does not have (plain words)."""
    if mapping.account_code not in sales_accounts(accounts):
        raise MappingError(
            f"the Xero account code {mapping.account_code} is not an active revenue account "
            "in the organisation; choose the sales account again"
        )
    if mapping.tax_type not in revenue_tax_types(tax_rates):
        raise MappingError(
            f"the Xero tax type {mapping.tax_type} does not exist or cannot be used on sales; "
            "choose the tax rate again"
        )


# -- invoices ------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)  # prices and quantities repeat a lot across a shop's invoices
def _amount(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.0001")))


def line_items(invoice: Invoice, mapping: AccountMapping) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in invoice.lines:
        item: dict[str, Any] = {
            "Description": line.description or "Item",
            "Quantity": _amount(line.quantity),
            "UnitAmount": _amount(line.unit_amount),
            "AccountCode": mapping.account_code,
            "TaxType": mapping.tax_type,
        }
        if line.discount_pct:
            item["DiscountRate"] = _amount(line.discount_pct)
        out.append(item)
    return out


def content(invoice: Invoice, mapping: AccountMapping) -> dict[str, Any]:
    """What the Xero draft should hold (without the contact, which is resolved remotely)."""
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Status": "DRAFT",
        "InvoiceNumber": invoice.number,
        "LineAmountTypes": "Inclusive" if invoice.tax_inclusive else "Exclusive",
        "LineItems": line_items(invoice, mapping),
    }
    if invoice.date:
        body["Date"] = invoice.date[:10]
    due = invoice.due_date or invoice.date
    if due:
        body["DueDate"] = due[:10]
    if invoice.reference:
        body["Reference"] = invoice.reference
    if invoice.currency:
        body["CurrencyCode"] = invoice.currency
    return body


def content_digest(
    invoice: Invoice, mapping: AccountMapping, contact_key: str | None = None
) -> str:
    """A short hash of what we send for this invoice (its content version)."""
    text = json.dumps(
        [content(invoice, mapping), contact_key or invoice.customer_id],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def invoice_payload(
    invoice: Invoice,
    mapping: AccountMapping,
    contact: Mapping[str, Any],
    *,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    """The DRAFT ACCREC invoice; ``invoice_id`` turns it into an update of that draft."""
    body = content(invoice, mapping)
    body["Contact"] = dict(contact)
    if invoice_id is not None:
        body = {"InvoiceID": invoice_id, **body}
    return body


def invoice_key(invoice_id: str, digest: str) -> str:
    """Our key for "create invoice ``invoice_id`` at content version ``digest``"."""
    return f"xero-invoice-{invoice_id}-{digest}"


def batch_key(operation: str, keys: Iterable[str]) -> str:
    """One ``Idempotency-Key`` for a batch: derived from its members' keys, ≤ 128 chars."""
    text = "\n".join(sorted(keys))
    return f"nexpura-{operation}-{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def plain_error(invoice: Invoice, messages: Sequence[str]) -> str:
    """Xero's validation messages about one invoice, for the owner."""
    said = "; ".join(m.strip().rstrip(".") for m in messages if m and m.strip())
    return f"Xero did not accept {invoice.label}: {said or 'no reason was given'}"


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):
        return Decimal(0)


def local_total(invoice: Invoice) -> Decimal:
    total = Decimal(0)
    for line in invoice.lines:
        gross = (
            Decimal(str(line.quantity))
            * Decimal(str(line.unit_amount))
            * (1 - Decimal(str(line.discount_pct)) / 100)
        )
        total += gross.quantize(Decimal("0.01"))
    return total


def difference(invoice: Invoice, remote: Mapping[str, Any]) -> str:
    """How the shop's invoice differs from an approved Xero invoice, in plain words."""
    parts: list[str] = []
    status = str(remote.get("Status") or "").lower()
    if invoice.is_voided:
        parts.append("it was voided in the shop")
    ours = local_total(invoice)
    line_sum = sum(
        (_money(li.get("LineAmount")) for li in remote.get("LineItems") or []), Decimal(0)
    )
    theirs = line_sum if remote.get("LineItems") else _money(remote.get("Total"))
    if not invoice.is_voided and ours != theirs:
        parts.append(f"the shop's lines total {ours} but Xero's total {theirs}")
    lines = remote.get("LineItems")
    if not invoice.is_voided and isinstance(lines, list) and len(lines) != len(invoice.lines):
        parts.append(f"the shop has {len(invoice.lines)} lines and Xero has {len(lines)}")
    what = "; ".join(parts) or "its lines or details changed"
    return (
        f"{invoice.label} changed in the shop after it was {status or 'approved'} in Xero, "
        f"so Xero was left alone ({what}); make the same change in Xero"
    )
