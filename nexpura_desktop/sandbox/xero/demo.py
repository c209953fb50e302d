"""Demo-shop seeding: what a jeweller's Xero file looks like before they connect Nexpura.

Both organisations keep their AU chart and tax rates.  The main one gets the shop's
name, a few contacts already keyed in by the bookkeeper — one matching a Nexpura customer
by email (the app should link, not duplicate), one with a customer's name but another
email (the app must cope with Xero's unique-name rule) — plus Xero-only contacts (a
supplier, a walk-in account) with a couple of historic invoices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .books import now_utc
from .contacts import save_contact
from .invoices import save_invoice

if TYPE_CHECKING:
    from .emulator import XeroEmulator


def _name(row: Mapping[str, Any]) -> str:
    full = str(row.get("full_name") or "").strip()
    if full:
        return full
    return f"{row.get('first_name') or ''} {row.get('last_name') or ''}".strip()


def seed_demo(
    emu: XeroEmulator, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> dict[str, Any]:
    now = now_utc(emu.clock.time())
    books = next(iter(emu.organisations.values()))
    tenants = list(tables.get("tenants") or [])
    if tenants:
        shop = str(tenants[0].get("business_name") or tenants[0].get("name") or "").strip()
        if shop:
            books.name = shop
    customers = [c for c in tables.get("customers") or [] if _name(c)]
    contacts = 0
    if customers:
        first = customers[0]
        save_contact(
            books,
            {
                "Name": _name(first),
                "FirstName": first.get("first_name") or "",
                "LastName": first.get("last_name") or "",
                "EmailAddress": first.get("email") or "",
                "Phones": [
                    {
                        "PhoneType": "MOBILE",
                        "PhoneNumber": str(first.get("mobile") or first.get("phone") or ""),
                    }
                ],
            },
            now=now,
            create_only=True,
        )
        contacts += 1
    if len(customers) > 1:
        twin = customers[1]
        save_contact(
            books,
            {"Name": _name(twin), "EmailAddress": "accounts@example.net"},
            now=now,
            create_only=True,
        )
        contacts += 1
    for payload in (
        {"Name": "Walk-in Customer"},
        {"Name": "Goldsmith Supplies Pty Ltd", "EmailAddress": "orders@goldsmith-supplies.example"},
    ):
        save_contact(books, payload, now=now, create_only=True)
        contacts += 1
    invoices = 0
    for days_ago, amount, text in (
        (40, 349.0, "Silver chain repair"),
        (12, 1290.0, "Engagement ring resize"),
    ):
        day = (now - timedelta(days=days_ago)).date()
        save_invoice(
            books,
            {
                "Type": "ACCREC",
                "Contact": {"Name": "Walk-in Customer"},
                "Date": day.isoformat(),
                "DueDate": (day + timedelta(days=14)).isoformat(),
                "Status": "AUTHORISED",
                "LineAmountTypes": "Inclusive",
                "LineItems": [
                    {"Description": text, "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}
                ],
            },
            now=now,
            unitdp=2,
            create_only=True,
        )
        invoices += 1
    return {"organisations": len(emu.organisations), "contacts": contacts, "invoices": invoices}
