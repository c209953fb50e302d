"""Per-customer export: rows found by following foreign keys towards the customer."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from nexpura_desktop.errors import UserError
from nexpura_desktop.exports import export_customer
from nexpura_desktop.ledger.db import Ledger

from .export_ledgers import TENANT, generic_table, insert, new_ledger, read_csv

NOW = datetime(2026, 3, 4, 5, 6, 7).astimezone()
ANNA = "a1b2c3d4-0000-4000-8000-000000000001"
BEN = "b1b2c3d4-0000-4000-8000-000000000002"


def shop(path: Path) -> None:
    """Two customers with sales, invoices, repairs…; shop rows both of them point to."""
    with new_ledger(path) as ledger, ledger.transaction():
        generic_table(ledger, "loyalty_transactions", {"customer_id": "x", "points": 1})
        generic_table(ledger, "expenses", {"amount": 1.5, "location_id": "l1"})
        rows: list[tuple[str, dict[str, object]]] = [
            ("locations", {"id": "loc1", "tenant_id": TENANT, "name": "Main St"}),
            (
                "inventory",
                {"id": "inv1", "tenant_id": TENANT, "name": "Ring", "location_id": "loc1"},
            ),
            ("stock_movements", {"id": "sm1", "inventory_id": "inv1", "quantity_change": -1}),
            ("expenses", {"id": "e1", "amount": 9.5, "location_id": "loc1"}),
        ]
        for who, tag in ((ANNA, "a"), (BEN, "b")):
            rows += [
                ("customers", {"id": who, "tenant_id": TENANT, "full_name": f"Customer {tag}"}),
                ("sales", {"id": f"s-{tag}", "customer_id": who, "location_id": "loc1"}),
                ("sale_items", {"id": f"si-{tag}", "sale_id": f"s-{tag}", "inventory_id": "inv1"}),
                ("invoices", {"id": f"i-{tag}", "customer_id": who, "sale_id": f"s-{tag}"}),
                (
                    "invoice_line_items",
                    {"id": f"il-{tag}", "invoice_id": f"i-{tag}", "inventory_id": "inv1"},
                ),
                ("payments", {"id": f"p-{tag}", "invoice_id": f"i-{tag}", "amount": 10}),
                ("repairs", {"id": f"r-{tag}", "customer_id": who, "location_id": "loc1"}),
                ("repair_stages", {"id": f"rs-{tag}", "repair_id": f"r-{tag}", "stage": "intake"}),
                ("appointments", {"id": f"ap-{tag}", "customer_id": who}),
                ("sms_sends", {"id": f"sms-{tag}", "customer_id": who}),
                ("loyalty_transactions", {"id": f"lt-{tag}", "customer_id": who, "points": 5}),
            ]
        # A gift voucher bought in Anna's sale is about Anna (voucher → sale → Anna).
        rows.append(("gift_vouchers", {"id": "gv-a", "sale_id": "s-a"}))
        for table, row in rows:
            insert(ledger, table, row)


def test_every_row_about_the_customer_and_nothing_else(tmp_path: Path) -> None:
    shop(tmp_path / "l.sqlite3")
    result = export_customer(tmp_path / "l.sqlite3", ANNA, tmp_path / "out", now=NOW)
    assert result.path.name == "nexpura-customer-a1b2c3d4-20260304-050607"
    got = {t.name: [r[0] for r in read_csv(result.path / t.file)[1:]] for t in result.tables}
    assert got == {
        "customers": [ANNA],
        "appointments": ["ap-a"],
        "gift_vouchers": ["gv-a"],
        "invoice_line_items": ["il-a"],
        "invoices": ["i-a"],
        "loyalty_transactions": ["lt-a"],  # a generic table: customer_id by convention
        "payments": ["p-a"],
        "repair_stages": ["rs-a"],
        "repairs": ["r-a"],
        "sale_items": ["si-a"],
        "sales": ["s-a"],
        "sms_sends": ["sms-a"],
    }
    assert next(t.name for t in result.tables) == "customers"
    manifest = json.loads((result.path / "manifest.json").read_text("utf-8"))
    assert manifest["customer_id"] == ANNA and manifest["kind"] == "customer"
    by_name = {t["name"]: t for t in manifest["tables"]}
    assert by_name["payments"]["reached_via"] == ["payments.invoice_id -> invoices.id"]
    assert by_name["payments"]["rows"] == 1


def test_other_customers_are_never_included_even_when_they_refer_to_this_one(
    tmp_path: Path,
) -> None:
    shop(tmp_path / "l.sqlite3")
    with Ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        ledger.conn.execute(
            'ALTER TABLE customers ADD COLUMN referred_by TEXT REFERENCES customers("id")'
        )
        ledger.conn.execute("UPDATE customers SET referred_by = ? WHERE id = ?", (ANNA, BEN))
    result = export_customer(tmp_path / "l.sqlite3", ANNA, tmp_path / "out", now=NOW)
    text = b"".join((result.path / t.file).read_bytes() for t in result.tables)
    assert b"s-b" not in text and b"Customer b" not in text and BEN.encode() not in text
    assert result.total_rows == 12


def test_unknown_customer_is_a_one_line_error_and_writes_nothing(tmp_path: Path) -> None:
    shop(tmp_path / "l.sqlite3")
    with pytest.raises(UserError) as caught:
        export_customer(tmp_path / "l.sqlite3", "no-such-id", tmp_path / "out")
    assert "no-such-id" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_customer_zip_export(tmp_path: Path) -> None:
    shop(tmp_path / "l.sqlite3")
    result = export_customer(tmp_path / "l.sqlite3", BEN, tmp_path / "out", as_zip=True, now=NOW)
    assert result.path.name == "nexpura-customer-b1b2c3d4-20260304-050607.zip"
    assert result.total_rows == 11
