"""The WooCommerce client against the in-process sandbox: auth, paging, incremental reads,
SKU lookups, batches and error mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from nexpura_desktop.auth.oauth1 import base_string
from nexpura_desktop.connectors.woocommerce import mapping
from nexpura_desktop.connectors.woocommerce.client import gmt_param, normalise_store_url
from nexpura_desktop.connectors.woocommerce.errors import WooRecordError
from nexpura_desktop.engine.errors import AuthExpired, ConfigurationError
from tests.integration.woocommerce_support import api_requests, make_client, make_sandbox

pytestmark = pytest.mark.anyio
ORIGIN = "http://woocommerce.sandbox.test"


async def _control(sandbox: object, method: str, path: str, body: object = None) -> httpx.Response:
    transport = sandbox.transport()  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as control:
        return await control.request(method, path, json=body)


async def test_pages_260_products_with_the_shops_totals() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"generate": {"products": 260, "seed": 3}})
    async with make_client(sandbox, emu) as client:
        pages = [page async for page in client.products()]
    assert [len(p.items) for p in pages] == [100, 100, 60]
    assert {(p.total, p.total_pages) for p in pages} == {(260, 3)}
    ids = [item["id"] for p in pages for item in p.items]
    assert len(set(ids)) == 260 == len(emu.store.products)
    stamps = [item["date_modified_gmt"] for p in pages for item in p.items]
    assert stamps == sorted(stamps)  # oldest change first: a page's last stamp is a cursor
    assert pages[-1].last_modified_gmt == stamps[-1]
    assert client.requests == 3
    queries = [e["query"] for e in api_requests(emu, "/wc/v3/products")]
    assert all("per_page=100" in q and "dates_are_gmt=true" in q for q in queries)


async def test_modified_after_returns_only_what_changed_since_the_watermark() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"generate": {"products": 120, "seed": 5}})
    async with make_client(sandbox, emu) as client:
        pages = [page async for page in client.products()]
        watermark = pages[-1].last_modified_gmt
        assert watermark is not None
        emu.clock.advance(30)
        changed = sorted(emu.store.products)[10:12]
        for product_id in changed:
            response = await _control(
                sandbox, "POST", f"/_sandbox/products/{product_id}", {"regular_price": "999.00"}
            )
            assert response.status_code == 200
        since = datetime.fromisoformat(watermark).replace(tzinfo=UTC)
        later = [
            item async for page in client.products(modified_after=since) for item in page.items
        ]
        newest = max(item["date_modified_gmt"] for item in later)
        nothing = [
            item async for page in client.products(modified_after=newest) for item in page.items
        ]
    assert sorted(item["id"] for item in later) == changed
    assert {item["regular_price"] for item in later} == {"999.00"}
    assert nothing == []


def test_gmt_param_converts_offsets_and_drops_them() -> None:
    assert gmt_param("2026-03-01T10:00:00+11:00") == "2026-02-28T23:00:00"
    assert gmt_param(datetime(2026, 3, 1, 1, 2, 3)) == "2026-03-01T01:02:03"
    assert normalise_store_url(" https://shop.example/wp-json/wc/v3/ ") == "https://shop.example"


async def test_variations_customers_and_orders_are_paged() -> None:
    sandbox, emu = make_sandbox()
    emu.seed(
        {"generate": {"products": 3, "variations_per_product": 3, "customers": 130, "orders": 40}}
    )
    async with make_client(sandbox, emu) as client:
        listed = [p async for page in client.products() for p in page.items]
        product = listed[0]
        variations = [v async for page in client.variations(product["id"]) for v in page.items]
        customers = [c async for page in client.customers() for c in page.items]
        orders = [o async for page in client.orders() for o in page.items]
    assert sorted(v["id"] for v in variations) == sorted(product["variations"])
    rows = mapping.product_rows(product, variations)
    assert [r["woo_product_id"] for r in rows] == [str(v["id"]) for v in variations]
    assert [c["id"] for c in customers] == sorted(emu.store.customers)
    assert len(orders) == 40


async def test_a_slash_in_a_parameter_is_signed_as_the_shop_expects() -> None:
    """WooCommerce rawurlencodes "/" when it rebuilds the base string (%2F)."""
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Band 14/18ct", "sku": "B-14/18", "regular_price": "10"}]})
    async with make_client(sandbox, emu) as client:
        reply = await client.request("GET", "products", params={"search": "14/18ct"})
        found = await client.find_by_sku(["b-14/18"])
    assert [p["name"] for p in reply.data] == ["Band 14/18ct"]
    assert found["b-14/18"]["sku"] == "B-14/18"
    text = base_string("GET", "http://x.test/wp-json/wc/v3/products", {"search": "a/b"})
    assert "search%3Da%252Fb" in text  # "/" encoded, then the pair encoded again


async def test_sku_lookup_before_create_returns_the_existing_product() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Solitaire", "sku": "RING-1", "regular_price": "500"}]})
    async with make_client(sandbox, emu) as client:
        existing, created = await client.create_product({"name": "Dup", "sku": "ring-1"})
        fresh, created_fresh = await client.create_product({"name": "Hoops", "sku": "EAR-1"})
    assert (existing["name"], created) == ("Solitaire", False)
    assert (fresh["sku"], created_fresh) == ("EAR-1", True)
    assert len(api_requests(emu, "/wc/v3/products", "POST")) == 1  # only the new one
    assert sorted(p["sku"] for p in emu.store.products.values()) == ["EAR-1", "RING-1"]


async def test_batch_of_150_goes_as_100_plus_50_and_one_bad_item_does_not_stop_the_rest() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Old", "sku": "OLD-1", "regular_price": "5"}]})
    old_id = next(iter(emu.store.products))
    creates = [
        {"name": f"Piece {n}", "sku": f"P-{n:03d}", "regular_price": "10.00"} for n in range(147)
    ]
    creates.append({"name": "Already there", "sku": "OLD-1"})  # found by the SKU lookup
    updates = [{"id": old_id, "regular_price": "7.00"}, {"id": 987654, "regular_price": "1.00"}]
    creates.append({"name": "Twin", "sku": "P-000"})  # duplicate SKU inside the batch
    async with make_client(sandbox, emu) as client:
        result = await client.batch_products(create=creates, update=updates)
    calls = api_requests(emu, "/wc/v3/products/batch", "POST")
    sizes = [sum(len(v) for v in json.loads(c["body"]).values()) for c in calls]
    assert sizes == [100, 50]  # 148 creates sent (1 existed) + 2 updates
    failed = {(i.action, i.index): i.error for i in result.failed}
    assert set(failed) == {("create", 148), ("update", 1)}
    assert all(isinstance(e, WooRecordError) for e in failed.values())
    assert failed[("update", 1)] is not None and failed[("update", 1)].status == 400
    existed = [i for i in result.of("create") if i.existed]
    assert [(i.index, i.remote_id) for i in existed] == [(147, old_id)]
    assert len([i for i in result.of("create") if i.ok]) == 148
    assert emu.store.products[old_id]["regular_price"] == "7.00"
    assert len(emu.store.products) == 148  # 147 new + the old one; no twin


async def test_a_read_only_key_reads_but_a_write_is_a_configuration_error() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Old", "sku": "OLD-1", "regular_price": "5"}]})
    product_id = next(iter(emu.store.products))
    async with make_client(sandbox, emu, which="read_only") as client:
        pages = [p async for p in client.products()]
        assert pages[0].total == 1
        with pytest.raises(ConfigurationError) as caught:
            await client.update_product(product_id, {"regular_price": "6.00"})
    sentence = caught.value.sentence("woocommerce")
    assert "read-only" in sentence and "Read/Write" in sentence
    assert emu.store.products[product_id]["regular_price"] == "5"


async def test_a_wrong_secret_means_reconnect_and_a_wrong_url_means_settings() -> None:
    sandbox, emu = make_sandbox()
    async with make_client(sandbox, emu, consumer_secret="cs_" + "0" * 40) as client:
        with pytest.raises(AuthExpired):
            await client.get("products/1")
    async with make_client(sandbox, emu, store_url=ORIGIN + "/shop") as client:
        with pytest.raises(ConfigurationError) as caught:
            await client.get("products/1")
    assert "store URL" in str(caught.value)


async def test_a_missing_record_is_a_record_error() -> None:
    sandbox, emu = make_sandbox()
    async with make_client(sandbox, emu) as client:
        with pytest.raises(WooRecordError) as caught:
            await client.get("products/4242")
    assert caught.value.code == "woocommerce_rest_product_invalid_id"


async def test_create_customer_looks_up_the_email_first() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"customers": [{"email": "ada@example.com", "first_name": "Ada"}]})
    payload = mapping.customer_payload(
        {"full_name": "Ada Lovelace", "email": "ADA@example.com", "mobile": "0412 345 678"}, "AU"
    )
    async with make_client(sandbox, emu) as client:
        existing, created = await client.create_customer(payload)
        other, created_other = await client.create_customer(
            {**payload, "email": "grace@example.com"}
        )
    assert (existing["first_name"], created) == ("Ada", False)
    assert created_other and other["billing"]["phone"] == "+61412345678"
    assert mapping.customer_hash(other) == mapping.customer_hash(
        {**payload, "email": "grace@example.com"}
    )
