"""Retries against injected faults: 429/5xx/timeouts/drops/broken bodies, bounded and
cancellable, and creates that never duplicate when an answer is lost."""

from __future__ import annotations

import threading

import pytest

from nexpura_desktop.connectors.woocommerce.errors import OutcomeUnknown
from nexpura_desktop.engine.errors import SyncCancelled, Throttled, Transient
from tests.integration.woocommerce_support import (
    FakeTime,
    api_requests,
    fault,
    make_client,
    make_sandbox,
)

pytestmark = pytest.mark.anyio
PRODUCTS = r"/wc/v3/products$"


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 429, "retry_after": 3},
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 502},
        {"kind": "malformed"},
        {"kind": "truncate"},
        {"kind": "drop"},
        {"kind": "timeout", "delay": 5.0},
    ],
    ids=lambda r: f"{r['kind']}-{r.get('status', '')}",
)
async def test_a_read_is_retried_through_faults_and_gives_the_full_result(
    rule: dict[str, object],
) -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"generate": {"products": 150, "seed": 2}})
    fake = FakeTime()
    fired = fault(emu, path=PRODUCTS, method="GET", count=2, **rule)
    async with make_client(sandbox, emu, fake=fake, timeout=0.2) as client:
        ids = [item["id"] async for page in client.products() for item in page.items]
    assert fired.fired == 2
    assert sorted(ids) == sorted(emu.store.products)
    assert client.requests == 2 + 2  # two pages + two retries
    if rule.get("retry_after"):
        assert fake.slept == pytest.approx(6.0)  # Retry-After: 3 s, honoured twice
    else:
        assert 1.5 <= fake.slept <= 3.0  # jittered backoff: 0.5-1 s, then 1-2 s


async def test_retries_are_bounded() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="status", status=500, path=PRODUCTS)
    async with make_client(sandbox, emu, max_attempts=4) as client:
        with pytest.raises(Transient) as caught:
            [p async for p in client.products()]
    assert client.requests == 4
    assert "failed (500)" in str(caught.value)


async def test_a_long_retry_after_becomes_throttled_instead_of_a_stall() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="status", status=503, path=PRODUCTS)  # maintenance: Retry-After 600
    fake = FakeTime()
    async with make_client(sandbox, emu, fake=fake) as client:
        with pytest.raises(Throttled) as caught:
            [p async for p in client.products()]
    assert caught.value.resume_at is not None
    assert fake.slept == 0 and client.requests == 1


async def test_a_cancel_ends_a_backoff_at_once() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="status", status=500, path=PRODUCTS)
    cancel = threading.Event()
    fake = FakeTime()
    fake.on_sleep.append(cancel.set)
    async with make_client(sandbox, emu, fake=fake, cancel=cancel) as client:
        with pytest.raises(SyncCancelled):
            [p async for p in client.products()]
    assert client.requests == 1


async def test_a_lost_create_answer_is_checked_by_sku_and_not_duplicated() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="malformed", path=PRODUCTS, method="POST", count=1)
    async with make_client(sandbox, emu) as client:
        product, created = await client.create_product({"name": "Opal", "sku": "OPAL-1"})
    assert created and product["sku"] == "OPAL-1"
    assert [p["sku"] for p in emu.store.products.values()] == ["OPAL-1"]
    assert len(api_requests(emu, "/wc/v3/products", "POST")) == 1


async def test_a_create_refused_with_429_is_simply_sent_again() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="status", status=429, retry_after=1, path=PRODUCTS, method="POST", count=1)
    async with make_client(sandbox, emu) as client:
        _, created = await client.create_product({"name": "Opal", "sku": "OPAL-1"})
    assert created
    assert len(api_requests(emu, "/wc/v3/products", "POST")) == 2
    assert len(emu.store.products) == 1


async def test_a_lost_batch_answer_recovers_creates_by_sku_and_resends_the_rest() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Old", "sku": "OLD-1", "regular_price": "5"}]})
    old_id = next(iter(emu.store.products))
    fault(emu, kind="drop", path=r"/products/batch$", count=1)
    creates = [{"name": f"P{n}", "sku": f"P-{n}", "regular_price": "1"} for n in range(5)]
    async with make_client(sandbox, emu) as client:
        result = await client.batch_products(
            create=creates, update=[{"id": old_id, "regular_price": "6"}]
        )
    assert not result.failed
    assert sorted(i.index for i in result.of("create")) == [0, 1, 2, 3, 4]
    assert len(emu.store.products) == 6  # no duplicates
    assert emu.store.products[old_id]["regular_price"] == "6"


async def test_an_ambiguous_plain_write_is_not_resent() -> None:
    sandbox, emu = make_sandbox()
    fault(emu, kind="status", status=500, path=r"/webhooks$", method="POST", count=1)
    async with make_client(sandbox, emu) as client:
        with pytest.raises(OutcomeUnknown):
            await client.create_webhook(
                {"topic": "order.created", "delivery_url": "https://example.com/h", "secret": "s"}
            )
    assert len(api_requests(emu, "/wc/v3/webhooks", "POST")) == 1
