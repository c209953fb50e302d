"""Mutations: userErrors instead of HTTP errors, and inventory compare-and-set
(service-apis §1.5 "userErrors"; §1.4 Customers "duplicate email"; §1.4 Inventory)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.shopify_helpers import gql, shop, sku_catalogue

pytestmark = pytest.mark.anyio

CREATE = """mutation($p: ProductCreateInput!) { productCreate(product: $p) {
  product { id title handle status variants(first: 5) { nodes { id title } } }
  userErrors { field message } } }"""
VARIANTS = """mutation($pid: ID!, $v: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $pid, variants: $v) {
    productVariants { id sku price inventoryQuantity inventoryItem { id duplicateSkuCount } }
    userErrors { field message code } } }"""
SET = """mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) {
  inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
  userErrors { field message code } } }"""
ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) {
  inventoryAdjustmentGroup {
    changes(quantityNames: ["available"]) { name delta quantityAfterChange } }
  userErrors { field message code } } }"""
LEVEL = """{ productVariants(first: 1, query: "sku:R-000") { nodes { inventoryItem { id
  inventoryLevels(first: 1) { nodes { location { id }
    quantities(names: ["available", "on_hand"]) { name quantity } } } } } } }"""


async def test_blank_title_is_a_user_error_with_http_200() -> None:
    async with shop() as (client, _):
        body = await gql(client, CREATE, {"p": {"title": "  "}})
        assert body["data"]["productCreate"] == {
            "product": None,
            "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
        }


async def test_product_with_variants_and_duplicate_skus_allowed() -> None:
    """Shopify allows duplicate SKUs (InventoryItem.duplicateSkuCount); the DEFAULT strategy
    drops the standalone "Default Title" variant."""
    async with shop() as (client, _):
        product = (await gql(client, CREATE, {"p": {"title": "Gold Ring"}}))["data"][
            "productCreate"
        ]["product"]
        assert product["handle"] == "gold-ring" and product["status"] == "ACTIVE"
        assert [v["title"] for v in product["variants"]["nodes"]] == ["Default Title"]
        location = (await gql(client, "{ locations(first: 1) { nodes { id } } }"))["data"][
            "locations"
        ]["nodes"][0]["id"]
        variants = [
            {
                "price": "120.00",
                "optionValues": [{"optionName": "Size", "name": size}],
                "inventoryItem": {"sku": "GR-1"},
                "inventoryQuantities": [{"locationId": location, "availableQuantity": 2}],
            }
            for size in ("M", "L")
        ]
        out = (await gql(client, VARIANTS, {"pid": product["id"], "v": variants}))["data"][
            "productVariantsBulkCreate"
        ]
        assert out["userErrors"] == []
        assert [(v["sku"], v["inventoryQuantity"]) for v in out["productVariants"]] == [
            ("GR-1", 2),
            ("GR-1", 2),
        ]
        assert out["productVariants"][0]["inventoryItem"]["duplicateSkuCount"] == 1
        again = (await gql(client, VARIANTS, {"pid": product["id"], "v": variants[:1]}))["data"][
            "productVariantsBulkCreate"
        ]
        assert again["userErrors"][0]["code"] == "VARIANT_ALREADY_EXISTS"
        missing = (
            await gql(client, VARIANTS, {"pid": "gid://shopify/Product/1", "v": variants[:1]})
        )["data"]
        assert (
            missing["productVariantsBulkCreate"]["userErrors"][0]["code"]
            == "PRODUCT_DOES_NOT_EXIST"
        )


async def test_customer_create_refuses_a_taken_email() -> None:
    """§1.4 Customers: duplicate email/phone is refused (as a userError in GraphQL)."""
    q = """mutation($i: CustomerInput!) { customerCreate(input: $i) { customer { id email tags }
           userErrors { field message } } }"""
    async with shop() as (client, _):
        made = (await gql(client, q, {"i": {"email": "ann@example.com", "tags": ["vip"]}}))["data"][
            "customerCreate"
        ]
        assert made["userErrors"] == [] and made["customer"]["tags"] == ["vip"]
        taken = (await gql(client, q, {"i": {"email": "ANN@example.com"}}))["data"][
            "customerCreate"
        ]
        assert taken == {
            "customer": None,
            "userErrors": [{"field": ["email"], "message": "Email has already been taken"}],
        }
        bad = (await gql(client, q, {"i": {"phone": "0400 000 000"}}))["data"]["customerCreate"]
        assert bad["userErrors"] == [{"field": ["phone"], "message": "Phone is invalid"}]


async def _level(client: Any) -> tuple[str, str, dict[str, int]]:
    item = (await gql(client, LEVEL))["data"]["productVariants"]["nodes"][0]["inventoryItem"]
    level = item["inventoryLevels"]["nodes"][0]
    return (
        item["id"],
        level["location"]["id"],
        {q["name"]: q["quantity"] for q in level["quantities"]},
    )


async def test_set_quantities_compare_and_swap() -> None:
    """inventorySetQuantities: a stale compareQuantity/changeFromQuantity changes nothing
    (COMPARE_QUANTITY_STALE / CHANGE_FROM_QUANTITY_STALE); ignoreCompareQuantity skips it."""
    async with shop(sku_catalogue(1, stock=5)) as (client, _):
        item, location, before = await _level(client)
        assert before == {"available": 5, "on_hand": 5}

        def inp(**q: Any) -> dict[str, Any]:
            return {
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "quantities": [
                        {"inventoryItemId": item, "locationId": location, "quantity": 8, **q}
                    ],
                }
            }

        stale = (await gql(client, SET, inp(compareQuantity=4)))["data"]["inventorySetQuantities"]
        assert stale["inventoryAdjustmentGroup"] is None
        assert stale["userErrors"][0]["code"] == "COMPARE_QUANTITY_STALE"
        missing = (await gql(client, SET, inp()))["data"]["inventorySetQuantities"]
        assert missing["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
        stale2 = (await gql(client, SET, inp(changeFromQuantity=1)))["data"][
            "inventorySetQuantities"
        ]
        assert stale2["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
        assert (await _level(client))[2]["available"] == 5
        ok = (await gql(client, SET, inp(compareQuantity=5)))["data"]["inventorySetQuantities"]
        assert ok["userErrors"] == []
        assert {
            c["name"]: (c["delta"], c["quantityAfterChange"])
            for c in ok["inventoryAdjustmentGroup"]["changes"]
        } == {"available": (3, 8), "on_hand": (3, 8)}
        forced = {"input": {**inp()["input"], "ignoreCompareQuantity": True}}
        forced["input"]["quantities"][0]["quantity"] = 2
        assert (await gql(client, SET, forced))["data"]["inventorySetQuantities"][
            "userErrors"
        ] == []
        assert (await _level(client))[2] == {"available": 2, "on_hand": 2}
        bad = await gql(
            client, SET, {"input": {**inp(compareQuantity=2)["input"], "name": "incoming"}}
        )
        assert bad["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "INVALID_NAME"


async def test_adjust_quantities_by_delta() -> None:
    async with shop(sku_catalogue(1, stock=5)) as (client, _):
        item, location, _ = await _level(client)
        change = {"inventoryItemId": item, "locationId": location, "delta": -2}
        body = await gql(
            client,
            ADJUST,
            {"input": {"name": "available", "reason": "correction", "changes": [change]}},
        )
        group = body["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
        assert group["changes"] == [{"name": "available", "delta": -2, "quantityAfterChange": 3}]
        wrong = {
            "input": {
                "name": "available",
                "reason": "because",
                "changes": [{**change, "locationId": "gid://shopify/Location/1"}],
            }
        }
        errors = (await gql(client, ADJUST, wrong))["data"]["inventoryAdjustQuantities"][
            "userErrors"
        ]
        assert {e["code"] for e in errors} == {"INVALID_REASON", "INVALID_LOCATION"}
