"""Pure Shopify ⇄ ledger mapping: products, customers, orders, inputs and push hashes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexpura_desktop.connectors.shopify import mapping as m
from nexpura_desktop.connectors.shopify.mapping_orders import ItemIndex, external_reference

PACKAGE = Path(m.__file__).resolve().parent
LOC_A, LOC_B = "gid://shopify/Location/1", "gid://shopify/Location/2"


def variant(n: int, title: str, sku: str | None, levels: dict[str, int]) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/ProductVariant/{n}",
        "title": title,
        "sku": sku,
        "price": "1299.50",
        "barcode": None,
        "updatedAt": "2026-03-02T00:00:00Z",
        "inventoryItem": {
            "id": f"gid://shopify/InventoryItem/{n}",
            "tracked": True,
            "unitCost": {"amount": "400.0"},
            "inventoryLevels": {
                "nodes": [
                    {"location": {"id": loc}, "quantities": [{"name": "available", "quantity": q}]}
                    for loc, q in levels.items()
                ]
            },
        },
    }


def product(variants: list[dict[str, Any]], status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "id": "gid://shopify/Product/77",
        "title": "Halo Ring",
        "descriptionHtml": "<p>Platinum &amp; diamond<br>Size guide inside</p>",
        "productType": "Rings",
        "status": status,
        "tags": ["bridal", "halo"],
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-03-01T00:00:00Z",
        "variants": {"nodes": variants},
    }


def test_mapping_modules_do_no_io() -> None:
    forbidden = {"httpx", "sqlite3", "socket", "asyncio", "os", "pathlib", "keyring", "time"}
    for path in sorted(PACKAGE.glob("mapping*.py")):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.level:
                assert (node.module or "").startswith("mapping"), (path.name, node.module)
        assert not imported & forbidden, (path.name, imported & forbidden)


def test_one_inventory_row_per_variant_with_names_ids_and_stock() -> None:
    p = product(
        [variant(1, "Size M", "HR-M", {LOC_A: 2, LOC_B: 1}), variant(2, "Size N", "", {LOC_A: -1})]
    )
    first, second = m.product_to_inventory(p)
    assert first.row["name"] == "Halo Ring – Size M"
    assert first.row["sku"] == "HR-M" and second.row["sku"] is None
    assert first.row["retail_price"] == 1299.5 and first.row["cost_price"] == 400
    assert first.row["quantity"] == 3 and first.row["status"] == "in_stock"
    assert second.row["quantity"] == 0 and second.row["status"] == "out_of_stock"
    assert second.levels == {LOC_A: -1}  # the oversold figure is kept for drift reports
    assert first.row["shopify_product_id"] == "77" and first.row["shopify_variant_id"] == "1"
    assert first.row["description"] == "Platinum & diamond\nSize guide inside"
    assert first.row["tags"] == ["bridal", "halo"] and first.row["is_published"] is True
    assert first.inventory_item_id == "gid://shopify/InventoryItem/1"
    assert first.row["id"] == m.product_to_inventory(p)[0].row["id"]  # stable across imports
    assert first.row["id"] != second.row["id"]
    only_a = m.product_to_inventory(p, location_id=LOC_B)
    assert [i.row["quantity"] for i in only_a] == [1, 0]


def test_default_variant_and_archived_products() -> None:
    (item,) = m.product_to_inventory(
        product([variant(3, "Default Title", "X", {LOC_A: 1})], "ARCHIVED")
    )
    assert item.row["name"] == "Halo Ring"
    assert item.row["status"] == "inactive" and item.row["listed_on_website"] is False


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0412 345 678", "+61412345678"),
        ("(02) 9876 5432", "+61298765432"),
        ("+61 412-345-678", "+61412345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12", None),
        ("call me", None),
        ("", None),
    ],
)
def test_phone_numbers_become_e164_in_the_shops_country(typed: str, expected: str | None) -> None:
    assert m.normalise_phone(typed, "AU") == expected


@pytest.mark.parametrize(
    ("state", "consent", "opted_out"),
    [
        ("SUBSCRIBED", True, False),
        ("PENDING", False, False),
        ("NOT_SUBSCRIBED", False, False),
        ("UNSUBSCRIBED", False, True),
        ("REDACTED", None, False),
        (None, None, False),
    ],
)
def test_customer_consent(state: str | None, consent: bool | None, opted_out: bool) -> None:
    customer = {
        "id": "gid://shopify/Customer/5",
        "firstName": "Ava",
        "lastName": "Nguyen",
        "tags": ["vip"],
        "defaultEmailAddress": {
            "emailAddress": "Ava@Example.com",
            "marketingState": state,
            "marketingUpdatedAt": "2026-02-01T00:00:00Z",
        },
        "defaultPhoneNumber": {"phoneNumber": "+61412345678"},
    }
    mapped = m.customer_to_row(customer)
    assert mapped.row["marketing_consent"] is consent
    assert mapped.row["email_opted_out"] is opted_out
    assert mapped.email == "ava@example.com" and mapped.phone == "+61412345678"
    assert mapped.row["full_name"] == "Ava Nguyen"


def test_customer_from_the_older_email_marketing_consent_shape() -> None:
    customer = {
        "id": "gid://shopify/Customer/6",
        "email": "leo@example.com",
        "phone": "0412 345 678",
        "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
    }
    mapped = m.customer_to_row(customer)
    assert mapped.row["marketing_consent"] is True and mapped.row["phone"] == "+61412345678"


def _order(lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    money = {"shopMoney": {"amount": "250.00"}}
    return {
        "id": "gid://shopify/Order/4501",
        "name": "#1001",
        "number": 1001,
        "email": "buyer@example.com",
        "processedAt": "2026-03-03T10:00:00Z",
        "createdAt": "2026-03-03T10:00:00Z",
        "updatedAt": "2026-03-03T10:05:00Z",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": money,
        "subtotalPriceSet": money,
        "totalTaxSet": {"shopMoney": {"amount": "22.73"}},
        "totalDiscountsSet": {"shopMoney": {"amount": "0"}},
        "lineItems": {"nodes": lines},
        **extra,
    }


def _line(n: int, sku: str | None, qty: int, variant_id: str | None = None) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/LineItem/{n}",
        "name": f"Item {n}",
        "sku": sku,
        "quantity": qty,
        "currentQuantity": qty,
        "variant": {"id": variant_id} if variant_id else None,
        "originalUnitPriceSet": {"shopMoney": {"amount": "100.00"}},
        "discountedUnitPriceSet": {"shopMoney": {"amount": "90.00"}},
    }


INDEX = ItemIndex.build(
    [{"id": "inv-a", "sku": "a-1"}, {"id": "inv-b", "sku": None, "shopify_variant_id": "88"}]
)


def test_order_with_matched_lines_is_complete_and_moves_stock() -> None:
    lines = [_line(1, "A-1", 2), _line(2, None, 1, "gid://shopify/ProductVariant/88")]
    mapped = m.order_to_sale(_order(lines), INDEX, customer_id="cust-1")
    sale = mapped.sale
    assert sale["external_reference"] == "shopify_4501" == external_reference("4501")
    assert sale["status"] == "paid" and sale["import_status"] == "complete"
    assert sale["total"] == 250 and sale["amount_paid"] == 250 and sale["tax_amount"] == 22.73
    assert sale["customer_id"] == "cust-1" and sale["sale_number"] == "SHOPIFY-1001"
    assert [i["inventory_id"] for i in mapped.items] == ["inv-a", "inv-b"]
    assert mapped.items[0]["line_total"] == 180 and mapped.items[0]["discount_percent"] == 10
    assert [(mv["inventory_id"], mv["quantity_change"]) for mv in mapped.movements] == [
        ("inv-a", -2),
        ("inv-b", -1),
    ]
    assert all(mv["movement_type"] == "sale" for mv in mapped.movements)
    again = m.order_to_sale(_order(lines), INDEX)
    assert [i["id"] for i in again.items] == [i["id"] for i in mapped.items]


def test_unmatched_line_makes_the_sale_incomplete() -> None:
    mapped = m.order_to_sale(_order([_line(1, "A-1", 1), _line(2, "NOPE", 1)]), INDEX)
    assert mapped.sale["import_status"] == "incomplete"
    assert mapped.unmatched == ["Item 2"] and mapped.items[1]["inventory_id"] is None
    assert len(mapped.movements) == 1


@pytest.mark.parametrize(
    ("financial", "fulfilment", "extra", "status"),
    [
        ("PAID", "FULFILLED", {}, "completed"),
        ("PAID", "UNFULFILLED", {}, "paid"),
        ("PARTIALLY_REFUNDED", "UNFULFILLED", {"closedAt": "2026-03-04T00:00:00Z"}, "completed"),
        ("REFUNDED", "FULFILLED", {}, "refunded"),
        ("PENDING", "UNFULFILLED", {}, "confirmed"),
        ("AUTHORIZED", "UNFULFILLED", {}, "confirmed"),
        ("VOIDED", "UNFULFILLED", {}, "cancelled"),
        ("PAID", "UNFULFILLED", {"cancelledAt": "2026-03-04T00:00:00Z"}, "cancelled"),
    ],
)
def test_sale_status_mapping(
    financial: str, fulfilment: str, extra: dict[str, Any], status: str
) -> None:
    order = _order(
        [_line(1, "A-1", 1)],
        displayFinancialStatus=financial,
        displayFulfillmentStatus=fulfilment,
        **extra,
    )
    mapped = m.order_to_sale(order, INDEX)
    assert mapped.sale["status"] == status
    allowed = {"quote", "confirmed", "paid", "completed", "refunded", "layby", "cancelled"}
    assert mapped.sale["status"] in allowed
    assert bool(mapped.movements) == (status != "cancelled")


def test_inputs_for_export() -> None:
    row = {
        "name": "Pearl Studs",
        "sku": "PS-1",
        "retail_price": 89,
        "cost_price": None,
        "quantity": 3,
        "tags": '["pearl"]',
        "is_published": False,
        "description": "A & B",
    }
    product_input = m.inventory_to_product_input(row, product_id=12)
    assert product_input == {
        "title": "Pearl Studs",
        "descriptionHtml": "<p>A &amp; B</p>",
        "productType": "",
        "tags": ["pearl"],
        "status": "DRAFT",
        "id": "gid://shopify/Product/12",
    }
    create = m.inventory_to_variant_input(row, location_id=LOC_A)
    assert create["price"] == "89.00" and create["inventoryItem"]["sku"] == "PS-1"
    assert create["inventoryQuantities"] == [{"locationId": LOC_A, "availableQuantity": 3}]
    update = m.inventory_to_variant_input(row, variant_id="5")
    assert update["id"] == "gid://shopify/ProductVariant/5" and "inventoryQuantities" not in update
    assert m.set_quantity_input("i", "l", 4, 5)["changeFromQuantity"] == 5
    assert m.set_quantity_input("i", "l", 4, 5, api_version="2025-10")["compareQuantity"] == 5


def test_customer_input_sends_consent_only_on_create_and_drops_bad_phones() -> None:
    row = {"full_name": "Jack", "email": "j@example.com", "phone": "n/a", "marketing_consent": True}
    create = m.customer_to_input(row)
    assert create["firstName"] == "Jack" and create["lastName"] is None
    assert create["phone"] is None
    assert create["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
    update = m.customer_to_input(row, customer_id="9")
    assert update["id"] == "gid://shopify/Customer/9" and "emailMarketingConsent" not in update


def test_content_hash_ignores_key_order_and_number_spelling() -> None:
    assert m.content_hash({"a": 1, "b": "x"}) == m.content_hash({"b": "x", "a": 1.0})
    assert m.content_hash({"price": 10}) == m.content_hash({"price": "10.00"})
    assert m.content_hash({"a": 1}) != m.content_hash({"a": 2})


names = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""
)
prices = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False)
tag_lists = st.lists(st.text(st.characters(categories=["L"]), min_size=1, max_size=8), max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    name=names,
    sku=st.one_of(st.none(), st.text(st.characters(categories=["Lu", "Nd"]), max_size=10)),
    price=prices,
    tags=tag_lists,
    published=st.booleans(),
)
def test_item_push_hash_equals_the_hash_of_what_shopify_then_holds(
    name: str, sku: str | None, price: Any, tags: list[str], published: bool
) -> None:
    row = {"name": name, "sku": sku, "retail_price": price, "tags": tags, "is_published": published}
    product_input = m.inventory_to_product_input(row)
    variant_input = m.inventory_to_variant_input(row)
    # what Shopify stores from those inputs (a single default variant)
    remote_product = {**product_input, "id": "gid://shopify/Product/1"}
    remote_variant = {
        "id": "gid://shopify/ProductVariant/1",
        "title": "Default Title",
        "sku": variant_input["inventoryItem"]["sku"],
        "price": variant_input["price"],
        "barcode": variant_input["barcode"],
    }
    assert m.remote_item_hash(remote_product, remote_variant) == m.item_push_hash(row)
    (item,) = m.product_to_inventory({**remote_product, "variants": {"nodes": [remote_variant]}})
    assert m.item_push_hash(item.row) == item.push_hash  # and back again


@settings(max_examples=200, deadline=None)
@given(
    first=names,
    last=st.one_of(st.none(), names.filter(lambda s: " " not in s.strip())),
    local=st.from_regex(r"[a-z]{1,10}", fullmatch=True),
    digits=st.integers(min_value=10_000_000, max_value=99_999_999),
    tags=tag_lists,
)
def test_customer_push_hash_round_trips(
    first: str, last: str | None, local: str, digits: int, tags: list[str]
) -> None:
    row = {
        "first_name": first,
        "last_name": last,
        "email": f"{local}@Example.com",
        "phone": f"04{digits}",
        "tags": tags,
    }
    sent = m.customer_to_input(row)
    remote = {
        "id": "gid://shopify/Customer/1",
        "firstName": sent["firstName"],
        "lastName": sent["lastName"],
        "tags": sent["tags"],
        "note": sent["note"],
        "defaultEmailAddress": {"emailAddress": sent["email"]},
        "defaultPhoneNumber": {"phoneNumber": sent["phone"]} if sent["phone"] else None,
    }
    assert m.remote_customer_hash(remote) == m.customer_push_hash(row)
    assert m.customer_to_row(remote).push_hash == m.customer_push_hash(row)
