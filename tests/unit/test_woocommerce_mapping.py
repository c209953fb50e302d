"""WooCommerce ↔ ledger mapping (pure functions)."""

from __future__ import annotations

from typing import Any

from nexpura_desktop.connectors.woocommerce import mapping

SIMPLE: dict[str, Any] = {
    "id": 41,
    "type": "simple",
    "status": "publish",
    "name": "Opal Pendant",
    "sku": " OP-1 ",
    "regular_price": "1299.5",
    "price": "1199.00",
    "description": "<p>Black <b>opal</b></p>",
    "manage_stock": True,
    "stock_quantity": 3,
    "stock_status": "instock",
    "categories": [{"id": 9, "name": "Pendants"}],
}
PARENT: dict[str, Any] = {
    "id": 50,
    "type": "variable",
    "status": "publish",
    "name": "Court Band",
    "sku": "BAND",
    "categories": [],
}
VARIATIONS: list[dict[str, Any]] = [
    {
        "id": 51 + n,
        "sku": f"BAND-{size}",
        "regular_price": "450",
        "manage_stock": True,
        "stock_quantity": qty,
        "stock_status": "instock" if qty > 0 else "outofstock",
        "attributes": [{"name": "Size", "option": size}],
        "status": "publish",
    }
    for n, (size, qty) in enumerate((("L", 2), ("N", -1)))
]


def test_a_simple_product_is_one_inventory_row() -> None:
    [row] = mapping.product_rows(SIMPLE)
    assert row["sku"] == "OP-1"
    assert row["name"] == "Opal Pendant"
    assert row["retail_price"] == 1299.5
    assert row["quantity"] == 3 and row["status"] == "in_stock" and row["track_quantity"]
    assert row["woo_product_id"] == "41"
    assert row["description"] == "Black opal"
    assert row["category"] == "Pendants"
    assert row["listed_on_website"] is True


def test_a_variable_product_is_one_row_per_variation() -> None:
    rows = mapping.product_rows(PARENT, VARIATIONS)
    assert [r["sku"] for r in rows] == ["BAND-L", "BAND-N"]
    assert [r["name"] for r in rows] == ["Court Band - L", "Court Band - N"]
    assert [r["woo_product_id"] for r in rows] == ["51", "52"]
    assert [r["ring_size"] for r in rows] == ["L", "N"]
    assert [r["quantity"] for r in rows] == [2, 0]  # a backorder's -1 is not stock
    assert rows[1]["status"] == "out_of_stock"
    assert {r["import_metadata"]["woo_parent_id"] for r in rows} == {50}


def test_unmanaged_stock_leaves_quantity_alone() -> None:
    [row] = mapping.product_rows({**SIMPLE, "manage_stock": False, "stock_quantity": None})
    assert "quantity" not in row and row["track_quantity"] is False


def test_product_payload_round_trips_through_its_hash() -> None:
    row = {
        "sku": "OP-1",
        "name": "Opal",
        "retail_price": 12.5,
        "quantity": 4,
        "listed_on_website": 1,
    }
    payload = mapping.product_payload(row)
    assert payload["regular_price"] == "12.50" and payload["stock_quantity"] == 4
    assert payload["status"] == "publish" and payload["manage_stock"] is True
    reply = {**payload, "id": 9, "regular_price": "12.5", "date_modified_gmt": "x"}
    assert mapping.product_hash(reply) == mapping.product_hash(payload)
    assert mapping.product_hash({**reply, "stock_quantity": 3}) != mapping.product_hash(payload)
    assert mapping.product_payload({"sku": "X", "quantity": -2})["status"] == "draft"
    assert mapping.stock_payload(-2) == {"manage_stock": True, "stock_quantity": 0}


def test_customer_fields_normalise_phone_to_e164_with_the_shops_country() -> None:
    customer = {
        "id": 7,
        "email": " Ada@Example.COM ",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "billing": {"phone": "0412 345 678", "city": "Fitzroy", "postcode": "3065"},
    }
    row = mapping.customer_fields(customer, "AU")
    assert row["email"] == "ada@example.com"
    assert row["full_name"] == "Ada Lovelace"
    assert row["phone"] == row["mobile"] == "+61412345678"
    assert row["suburb"] == "Fitzroy" and row["postcode"] == "3065"
    landline = mapping.customer_fields({"billing": {"phone": "(03) 9123 4567"}}, "AU")
    assert landline["phone"] == "+61391234567" and "mobile" not in landline
    nz = mapping.customer_fields({"billing": {"phone": "021 123 4567", "country": "NZ"}}, "AU")
    assert nz["phone"] == "+64211234567"
    assert "phone" not in mapping.customer_fields({"billing": {"phone": "n/a"}}, "AU")


def test_customer_hash_ignores_fields_we_do_not_sync() -> None:
    base = {"email": "a@b.c", "first_name": "A", "last_name": "B", "billing": {"phone": "1"}}
    same = {**base, "avatar_url": "x", "date_modified_gmt": "y", "EMAIL": "z"}
    assert mapping.customer_hash(base) == mapping.customer_hash(same)
    assert mapping.customer_hash(base) != mapping.customer_hash({**base, "last_name": "C"})
    assert mapping.customer_hash(base) != mapping.customer_hash({**base, "billing": {"phone": "2"}})


def test_customer_payload_splits_a_full_name_and_formats_the_phone() -> None:
    payload = mapping.customer_payload(
        {"full_name": "Mary Jane Watson", "email": "MJ@x.com", "phone": "0412345678"}, "AU"
    )
    assert (payload["first_name"], payload["last_name"]) == ("Mary", "Jane Watson")
    assert payload["email"] == "mj@x.com"
    assert payload["billing"]["phone"] == "+61412345678"
    assert payload["billing"]["country"] == "AU"


ORDER: dict[str, Any] = {
    "id": 812,
    "number": "812",
    "status": "processing",
    "currency": "AUD",
    "total": "1749.00",
    "total_tax": "159.00",
    "discount_total": "0.00",
    "payment_method": "stripe",
    "date_created_gmt": "2026-03-01T02:03:04",
    "date_paid_gmt": "2026-03-01T02:03:05",
    "date_completed_gmt": None,
    "date_modified_gmt": "2026-03-01T02:03:06",
    "customer_note": "",
    "billing": {"first_name": "Ada", "last_name": "L", "email": "ADA@x.com"},
    "line_items": [
        {
            "id": 1,
            "name": "Opal",
            "sku": "op-1",
            "quantity": 1,
            "price": 1299.0,
            "subtotal": "1299.00",
            "total": "1299.00",
        },
        {
            "id": 2,
            "name": "Band",
            "sku": "BAND-Z",
            "quantity": 2,
            "price": 225.0,
            "subtotal": "450.00",
            "total": "450.00",
        },
    ],
}


def test_an_order_becomes_a_sale_with_items_and_stock_movements() -> None:
    rows = mapping.order_rows(ORDER, {"OP-1": "inv-1", "BAND-Z": "inv-2"}, customer_id="c-1")
    sale = rows.sale
    assert sale["external_reference"] == "woocommerce_812"
    assert sale["status"] == "paid" and sale["payment_method"] == "card"
    assert sale["total"] == 1749.0 and sale["subtotal"] == 1749.0 and sale["tax_amount"] == 159.0
    assert sale["amount_paid"] == 1749.0
    assert sale["sale_date"] == "2026-03-01T02:03:04+00:00"
    assert sale["customer_email"] == "ada@x.com" and sale["customer_id"] == "c-1"
    assert sale["import_status"] == "complete" and rows.complete
    assert [i["inventory_id"] for i in rows.items] == ["inv-1", "inv-2"]
    assert {i["sale_id"] for i in rows.items} == {sale["id"]}
    assert [(m["inventory_id"], m["quantity_change"]) for m in rows.movements] == [
        ("inv-1", -1),
        ("inv-2", -2),
    ]
    assert {m["movement_type"] for m in rows.movements} == {"sale"}


def test_row_ids_are_stable_so_a_replay_rewrites_the_same_rows() -> None:
    first = mapping.order_rows(ORDER, {"OP-1": "inv-1"})
    second = mapping.order_rows(ORDER, {"OP-1": "inv-1"})
    assert first.sale["id"] == second.sale["id"]
    assert [i["id"] for i in first.items] == [i["id"] for i in second.items]
    assert [m["id"] for m in first.movements] == [m["id"] for m in second.movements]
    other = mapping.order_rows({**ORDER, "id": 813}, {})
    assert other.sale["id"] != first.sale["id"]


def test_an_unmatched_sku_makes_the_sale_incomplete_and_moves_no_stock_for_it() -> None:
    rows = mapping.order_rows(ORDER, {"OP-1": "inv-1"})
    assert rows.sale["import_status"] == "incomplete" and not rows.complete
    assert rows.unmatched_skus == ["BAND-Z"]
    assert [i["inventory_id"] for i in rows.items] == ["inv-1", None]
    assert [m["inventory_id"] for m in rows.movements] == ["inv-1"]


def test_statuses_fold_into_the_ledgers_check_values() -> None:
    allowed = {"quote", "confirmed", "paid", "completed", "refunded", "layby", "cancelled"}
    for status in (*mapping.ORDER_STATUS, "custom-plugin-status"):
        sale = mapping.order_rows({**ORDER, "status": status}, {}).sale
        assert sale["status"] in allowed
    cancelled = mapping.order_rows({**ORDER, "status": "cancelled"}, {"OP-1": "i", "BAND-Z": "j"})
    assert cancelled.movements == [] and cancelled.sale["amount_paid"] == 0.0
    pending = mapping.order_rows(
        {**ORDER, "status": "pending", "date_paid_gmt": None, "payment_method": "bacs"}, {}
    )
    assert pending.sale["status"] == "confirmed" and pending.sale["amount_paid"] == 0.0
    assert pending.sale["payment_method"] == "transfer"
    assert (
        mapping.order_rows({**ORDER, "payment_method": "weird"}, {}).sale["payment_method"] is None
    )


def test_money_and_hash_helpers() -> None:
    assert mapping.money("") is None and mapping.money("abc") is None
    assert mapping.money("10.005") == 10.01 and mapping.money(True) is None
    assert mapping.money_text(7) == "7.00" and mapping.money_text(None) == ""
    assert mapping.content_hash({"a": 1, "b": 2}) == mapping.content_hash({"b": 2, "a": 1})
