"""Invoice rules: status transitions, contact resolution, validation and computed totals.

Facts followed (reference/service-apis.md §4.3): ``PUT`` creates only and ``POST``
creates or updates (matched by ``InvoiceID`` or ``InvoiceNumber``); ``InvoiceNumber`` is
auto-assigned for ``ACCREC`` and must be unique; only DRAFT/SUBMITTED invoices can be
deleted and only AUTHORISED ones voided; ``LineAmountTypes`` Exclusive/Inclusive/NoTax
drive the totals; a ``Contact`` given by a ``Name`` Xero does not know is created.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .books import Books, new_id
from .contacts import new_contact_record
from .dates import parse_date

TYPES = frozenset({"ACCREC", "ACCPAY"})
SETTABLE_STATUSES = frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED"})
LINE_AMOUNT_TYPES = frozenset({"Exclusive", "Inclusive", "NoTax"})
CENT = Decimal("0.01")


class InvoiceRefused(Exception):
    """The request cannot be applied; ``messages`` are Xero's ValidationErrors."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def find_existing(books: Books, payload: dict[str, Any]) -> dict[str, Any] | None:
    invoice_id = payload.get("InvoiceID")
    if invoice_id:
        found = books.invoices.get(str(invoice_id).lower())
        if found is None:
            raise InvoiceRefused([f"Invoice with ID {invoice_id} could not be found"])
        return found
    number = payload.get("InvoiceNumber")
    if number and payload.get("Type", "ACCREC") == "ACCREC":
        return books.invoice_by_number(str(number))
    return None


def save_invoice(
    books: Books, payload: dict[str, Any], *, now: datetime, unitdp: int, create_only: bool
) -> dict[str, Any]:
    """Create or update one invoice in ``books``; raises :class:`InvoiceRefused`."""
    if not isinstance(payload, dict):
        raise InvoiceRefused(["An invoice must be a JSON object"])
    existing = None if create_only else find_existing(books, payload)
    if create_only and payload.get("InvoiceID"):
        existing_id = str(payload["InvoiceID"]).lower()
        if existing_id in books.invoices:
            raise InvoiceRefused(["An invoice with this InvoiceID already exists"])
    errors: list[str] = []
    record: dict[str, Any] = dict(existing) if existing else {}
    if existing is not None:
        _check_transition(existing["Status"], str(payload.get("Status", existing["Status"])))

    kind = str(payload.get("Type", record.get("Type", "")))
    if not kind:
        errors.append("Invoice Type must be specified")
    elif kind not in TYPES:
        errors.append(f"Invoice Type '{kind}' is not supported; use ACCREC or ACCPAY")
    record["Type"] = kind

    status = str(payload.get("Status", record.get("Status", "DRAFT"))).upper()
    if status not in SETTABLE_STATUSES:
        errors.append(f"Status '{status}' cannot be set through the API")
    record["Status"] = status

    if "Contact" in payload or existing is None:
        contact_id, contact_errors = _resolve_contact(books, payload.get("Contact"), now)
        errors += contact_errors
        record["_contact_id"] = contact_id

    for key in ("Date", "DueDate"):
        if payload.get(key) not in (None, ""):
            try:
                record[key] = parse_date(payload[key])
            except ValueError:
                errors.append(f"{key} '{payload[key]}' is not a valid date")
    record.setdefault("Date", now.date())
    if "DueDate" not in record and isinstance(record["Date"], date):
        record["DueDate"] = record["Date"] + timedelta(days=14)  # the org's sales terms

    amounts = str(payload.get("LineAmountTypes", record.get("LineAmountTypes", "Exclusive")))
    if amounts not in LINE_AMOUNT_TYPES:
        errors.append(
            f"LineAmountTypes '{amounts}' is not valid; use Exclusive, Inclusive or NoTax"
        )
    record["LineAmountTypes"] = amounts

    currency = str(payload.get("CurrencyCode", record.get("CurrencyCode", books.base_currency)))
    if currency != books.base_currency:
        errors.append(f"Organisation is not subscribed to currency {currency}")
    record["CurrencyCode"] = currency
    record["CurrencyRate"] = 1.0

    for key in ("Reference", "BrandingThemeID", "Url", "SentToContact"):
        if key in payload:
            record[key] = payload[key]

    if "LineItems" in payload or existing is None:
        lines, line_errors = _lines(books, payload.get("LineItems") or [], record, unitdp)
        errors += line_errors
        record["LineItems"] = lines
    elif "LineAmountTypes" in payload:
        lines, line_errors = _lines(books, record["LineItems"], record, unitdp)
        errors += line_errors
        record["LineItems"] = lines
    if status in ("SUBMITTED", "AUTHORISED"):
        if not record["LineItems"]:
            errors.append("Invoices must have at least one line item to be approved")
        for line in record["LineItems"]:
            if not line.get("AccountCode"):
                errors.append("Account code must be specified for each line item to approve")
                break

    number = payload.get("InvoiceNumber", record.get("InvoiceNumber"))
    if kind == "ACCREC":
        if number in (None, ""):
            number = _next_number(books)
        clash = books.invoice_by_number(str(number))
        if clash is not None and clash["InvoiceID"] != record.get("InvoiceID"):
            errors.append("Invoice # must be unique.")
    record["InvoiceNumber"] = "" if number is None else str(number)

    if errors:
        raise InvoiceRefused(errors)
    _totals(record)
    record.setdefault("InvoiceID", new_id())
    record.setdefault("_seq", books.next_seq())
    record.update(
        HasAttachments=False,
        IsDiscounted=any(line.get("DiscountRate") for line in record["LineItems"]),
        AmountPaid=0.0,
        AmountCredited=0.0,
        Payments=[],
        CreditNotes=[],
        Prepayments=[],
        Overpayments=[],
        UpdatedDateUTC=now,
    )
    record["AmountDue"] = 0.0 if status in ("VOIDED", "DELETED") else record["Total"]
    books.put_invoice(record)
    contact = books.contacts.get(record["_contact_id"])
    if contact is not None and status == "AUTHORISED":
        books.put_contact({**contact, "IsCustomer" if kind == "ACCREC" else "IsSupplier": True})
    return record


def _check_transition(current: str, wanted: str) -> None:
    if current in ("DELETED", "VOIDED"):
        raise InvoiceRefused([f"This document cannot be edited as it has been {current.lower()}."])
    if wanted == "DELETED" and current not in ("DRAFT", "SUBMITTED"):
        raise InvoiceRefused(["Invoice not of valid status for deletion"])
    if wanted == "VOIDED" and current != "AUTHORISED":
        raise InvoiceRefused(["Invoice not of valid status for voiding"])
    if current == "AUTHORISED" and wanted in ("DRAFT", "SUBMITTED"):
        raise InvoiceRefused(["Invoice not of valid status for modification"])


def _resolve_contact(books: Books, given: Any, now: datetime) -> tuple[str, list[str]]:
    if not isinstance(given, dict) or not given:
        return "", ["A Contact must be specified for this type of transaction"]
    if given.get("ContactID"):
        contact_id = str(given["ContactID"]).lower()
        if contact_id not in books.contacts:
            return "", [f"The contact with ContactID {given['ContactID']} could not be found"]
        return contact_id, []
    if given.get("ContactNumber"):
        found = books.contact_by_number(str(given["ContactNumber"]))
        if found is not None:
            return str(found["ContactID"]), []
    name = str(given.get("Name", "")).strip()
    if not name:
        return "", ["The contact name must be specified"]
    found = books.contact_by_name(name)
    if found is not None:
        return str(found["ContactID"]), []
    record = new_contact_record(books, {"Name": name, **given}, now)  # Xero creates it
    return str(record["ContactID"]), []


def _number(value: Any, default: Decimal) -> Decimal:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value))


def _lines(
    books: Books, given: Any, record: dict[str, Any], unitdp: int
) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(given, list):
        return [], ["LineItems must be a list"]
    kind, amounts = record.get("Type"), record.get("LineAmountTypes")
    unit_quantum = Decimal(1).scaleb(-unitdp)
    old_ids = {line.get("LineItemID") for line in record.get("LineItems", [])}
    lines: list[dict[str, Any]] = []
    errors: list[str] = []
    usable = "CanApplyToRevenue" if kind == "ACCREC" else "CanApplyToExpenses"
    accounts: dict[str, dict[str, Any] | None] = {}  # this call's look-ups, by code
    rates: dict[str, tuple[dict[str, Any] | None, Decimal]] = {}  # and by tax type
    for raw in given:
        if not isinstance(raw, dict):
            errors.append("Each line item must be an object")
            continue
        line: dict[str, Any] = {}
        if not raw.get("Description") and not raw.get("ItemCode"):
            errors.append("The description field is mandatory for each line item.")
        try:
            quantity = _number(raw.get("Quantity"), Decimal(1))
            unit = _number(raw.get("UnitAmount"), Decimal(0)).quantize(unit_quantum, ROUND_HALF_UP)
            discount = _number(raw.get("DiscountRate"), Decimal(0))
        except InvalidOperation:
            errors.append("Quantity, UnitAmount and DiscountRate must be numbers")
            continue
        code = raw.get("AccountCode")
        account = None
        if code not in (None, ""):
            if str(code) not in accounts:
                accounts[str(code)] = books.account(str(code))
            account = accounts[str(code)]
        if code not in (None, "") and (
            account is None or account.get("SystemAccount") or account["Status"] != "ACTIVE"
        ):
            errors.append(f"Account code '{code}' is not a valid code for this document.")
        tax_type = raw.get("TaxType") or (
            account["TaxType"] if account else ("OUTPUT" if kind == "ACCREC" else "INPUT")
        )
        rate = Decimal(0)
        if amounts == "NoTax":
            tax_type = "BASEXCLUDED" if not raw.get("TaxType") else tax_type
        if str(tax_type) not in rates:
            found = books.tax_rate(str(tax_type))
            percent = Decimal(str(found["EffectiveRate"])) / 100 if found else Decimal(0)
            rates[str(tax_type)] = (found, percent)
        tax, percent = rates[str(tax_type)]
        if tax is None or not tax.get(usable, True):
            errors.append(
                f"The TaxType code '{tax_type}' does not exist or cannot be used "
                "for this type of transaction."
            )
        elif amounts != "NoTax":
            rate = percent
        gross = quantity * unit * (1 - discount / 100)
        line_amount = gross.quantize(CENT, ROUND_HALF_UP)
        if amounts == "Inclusive":
            tax_amount = (line_amount * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        else:
            tax_amount = (line_amount * rate).quantize(CENT, ROUND_HALF_UP)
        line_id = raw.get("LineItemID")
        line.update(
            LineItemID=line_id if line_id in old_ids and line_id else new_id(),
            Description=str(raw.get("Description", "")),
            Quantity=float(quantity),
            UnitAmount=float(unit),
            TaxType=str(tax_type),
            TaxAmount=float(tax_amount),
            LineAmount=float(line_amount),
            Tracking=list(raw.get("Tracking") or []),
        )
        for key in ("ItemCode", "AccountCode"):
            if raw.get(key) not in (None, ""):
                line[key] = str(raw[key])
        if account is not None:
            line["AccountID"] = account["AccountID"]
        if discount:
            line["DiscountRate"] = float(discount)
        lines.append(line)
    return lines, errors


def _totals(record: dict[str, Any]) -> None:
    lines = record["LineItems"]
    amounts = sum((Decimal(str(line["LineAmount"])) for line in lines), Decimal(0))
    tax = sum((Decimal(str(line["TaxAmount"])) for line in lines), Decimal(0))
    if record["LineAmountTypes"] == "Inclusive":
        subtotal, total = amounts - tax, amounts
    else:
        subtotal, total = amounts, amounts + tax
    record["SubTotal"] = float(subtotal)
    record["TotalTax"] = float(tax)
    record["Total"] = float(total)


def _next_number(books: Books) -> str:
    while True:
        candidate = f"INV-{books.next_invoice_number:04d}"
        books.next_invoice_number += 1
        if books.invoice_by_number(candidate) is None:
            return candidate


def render_invoice(books: Books, record: dict[str, Any], *, with_lines: bool) -> dict[str, Any]:
    """A stored invoice as the API shows it (contact summary, optional line items)."""
    shown = {k: v for k, v in record.items() if with_lines or k != "LineItems"}
    contact = books.contacts.get(record.get("_contact_id", ""))
    if contact is not None:
        summary = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
        for key in ("ContactNumber", "EmailAddress", "FirstName", "LastName"):
            if contact.get(key):
                summary[key] = contact[key]
        summary["HasValidationErrors"] = False
        shown["Contact"] = summary
    shown["HasErrors"] = False
    return shown
