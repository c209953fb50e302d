"""Product and customer export to the in-process Shopify sandbox: create, update, echo,
crash safety (no duplicates), merge rules and the owner's directions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.connectors.shopify import jobs_export_products
from nexpura_desktop.ledger.db import Ledger

from .test_shopify_sync_support import World, shop_data

BOTH = {"products": "both", "customers": "both", "orders": "import", "inventory": "export"}


def _world(tmp_path: Path, **directions: str) -> World:
    return World(tmp_path / "ledger.db", directions={**BOTH, **directions})


def _item(world: World, item_id: str, sku: str | None, **fields: Any) -> None:
    row = {"id": item_id, "sku": sku, "name": f"Ring {item_id}", "quantity": 3,
           "retail_price": 450, "is_published": 1, **fields}  # fmt: skip
    cols = ", ".join(row)
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        db.execute(f"INSERT INTO inventory({cols}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))  # fmt: skip


def _customer(world: World, cid: str, **fields: Any) -> None:
    row = {"id": cid, **fields}
    cols = ", ".join(row)
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        db.execute(f"INSERT INTO customers({cols}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))  # fmt: skip


def _update(world: World, sql: str, *args: Any) -> None:
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        db.execute(sql, args)


def _products_with(world: World, sku: str) -> list[Any]:
    with world.emu.lock:
        store = world.emu.store
        return [
            p
            for p in store.products.rows.values()
            if any(store.variant_sku(v) == sku for v in store.variants_of(p))
        ]


def _remote_customers(world: World, email: str) -> list[Any]:
    with world.emu.lock:
        return [c for c in world.emu.store.customers.rows.values() if c.email == email]


def test_a_published_item_becomes_a_product_once_and_its_echo_is_quiet(tmp_path: Path) -> None:
    world = _world(tmp_path)
    world.seed(shop_data(1, orders=0))
    _item(world, "item-1", "NX-001", description="18ct gold band")
    _item(world, "item-2", "NX-002", is_published=0)  # in-store only: stays off Shopify
    first = world.sync()
    assert first.outcome == "success", first.message
    (product,) = _products_with(world, "NX-001")
    assert product.title == "Ring item-1" and product.status == "ACTIVE"
    assert world.remote_stock("NX-001") == 3  # starting stock set on create
    assert _products_with(world, "NX-002") == []
    with world.db() as db:
        (variant_id,) = db.execute(
            "SELECT shopify_variant_id FROM inventory WHERE id = 'item-1'"
        ).fetchone()
    assert variant_id is not None

    second = world.sync()  # import sees our product: our own echo, nothing written
    assert second.counts.created == second.counts.updated == 0, second.counts
    assert second.requests <= 6
    third = world.sync()
    assert third.counts.created == third.counts.updated == 0
    assert third.requests <= 6
    assert len(_products_with(world, "NX-001")) == 1


def test_a_changed_item_updates_its_product_and_unpublishing_makes_it_a_draft(
    tmp_path: Path,
) -> None:
    world = _world(tmp_path)
    _item(world, "item-1", "NX-001")
    assert world.sync().outcome == "success"
    _update(world, "UPDATE inventory SET retail_price = 520, name = 'Ring big' WHERE id = 'item-1'")
    result = world.sync()
    assert result.counts.updated >= 1
    (product,) = _products_with(world, "NX-001")
    with world.emu.lock:
        (variant,) = world.emu.store.variants_of(product)
        assert (product.title, str(variant.price)) == ("Ring big", "520.00")
    _update(world, "UPDATE inventory SET is_published = 0 WHERE id = 'item-1'")
    world.sync()
    assert product.status == "DRAFT"


def test_an_item_whose_sku_is_already_on_shopify_is_linked_not_duplicated(
    tmp_path: Path,
) -> None:
    world = _world(tmp_path, products="export")
    world.seed(shop_data(2, orders=0))
    _item(world, "mine", "R-001", name="My ring")
    assert world.sync().outcome == "success"
    (product,) = _products_with(world, "R-001")
    assert product.title == "My ring"  # the ledger's item pushed onto the existing product
    with world.db() as db:
        links = db.execute(
            "SELECT count(*) FROM sync_links WHERE entity = 'variant' AND local_id = 'mine'"
        ).fetchone()
    assert links == (1,)


@pytest.mark.parametrize("crash_at", ["variants", "links"])
def test_a_crash_during_a_create_leaves_no_duplicate_product(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: str
) -> None:
    world = _world(tmp_path)
    _item(world, "item-1", "NX-001")

    def crash(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("power cut")

    target = "inventory_to_variant_input" if crash_at == "variants" else "_record_push"
    with monkeypatch.context() as patch:
        patch.setattr(jobs_export_products, target, crash)
        failed = world.sync()
    assert failed.outcome != "success"
    with world.emu.lock:
        made = len(world.emu.store.products)
    assert made == 1  # the product exists on Shopify; the ledger does not know yet
    again = world.sync()
    assert again.outcome == "success", again.message
    assert len(_products_with(world, "NX-001")) == 1
    with world.emu.lock:
        assert len(world.emu.store.products) == 1
    with world.db() as db:
        pending = db.execute("SELECT count(*) FROM outbox").fetchone()
    assert pending == (0,)
    assert world.remote_stock("NX-001") == 3


def test_an_item_without_sku_is_reported_not_created(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _item(world, "item-1", None)
    result = world.sync()
    assert result.counts.skipped >= 1
    with world.emu.lock:
        assert len(world.emu.store.products) == 0
    with world.db() as db:
        reasons = [r[0] for r in db.execute("SELECT reason FROM sync_issues")]
    assert any("no SKU" in r for r in reasons)


@pytest.mark.parametrize("products", ["import", "off"])
def test_export_jobs_obey_the_owners_directions(tmp_path: Path, products: str) -> None:
    world = _world(tmp_path, products=products, customers="import")
    _item(world, "item-1", "NX-001")
    _customer(world, "c1", email="ann@example.com", first_name="Ann")
    assert world.sync().outcome == "success"
    with world.emu.lock:
        assert len(world.emu.store.products) == 0
        assert len(world.emu.store.customers) == 0


# -- customers ------------------------------------------------------------------------------


def test_a_ledger_customer_is_created_once_without_invented_consent(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _customer(world, "c1", email="Ann@Example.com", first_name="Ann", last_name="Lee",
              full_name="Ann Lee", phone="0412 345 678")  # fmt: skip
    _customer(world, "c2", email="bo@example.com", first_name="Bo", marketing_consent=1)
    _customer(world, "c3", full_name="Walk-in")  # no email or phone: not exported
    first = world.sync()
    assert first.outcome == "success", first.message
    (ann,) = _remote_customers(world, "Ann@Example.com")
    (bo,) = _remote_customers(world, "bo@example.com")
    assert (ann.first_name, ann.last_name, ann.phone) == ("Ann", "Lee", "+61412345678")
    assert ann.marketing_state == "NOT_SUBSCRIBED"  # the ledger holds no consent for Ann
    assert bo.marketing_state == "SUBSCRIBED"
    with world.emu.lock:
        assert len(world.emu.store.customers) == 2
    again = world.sync()
    assert again.counts.created == again.counts.updated == 0, again.counts
    with world.emu.lock:
        assert len(world.emu.store.customers) == 2


@pytest.mark.parametrize(
    "contact", [{"email": "ann@example.com"}, {"phone": "0412 345 678"}], ids=["email", "phone"]
)
def test_a_crash_after_a_customer_create_finds_it_by_email_or_phone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contact: dict[str, str]
) -> None:
    from nexpura_desktop.sync import customer_merge

    world = _world(tmp_path, customers="export")
    _customer(world, "c1", first_name="Ann", **contact)

    def crash(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(customer_merge, "remember", crash)
        assert world.sync(entity="customers").outcome != "success"
    with world.emu.lock:
        assert len(world.emu.store.customers) == 1
    assert world.sync().outcome == "success"
    with world.emu.lock:
        assert len(world.emu.store.customers) == 1
    with world.db() as db:
        linked = db.execute("SELECT count(*) FROM sync_links WHERE entity = 'customer'").fetchone()
    assert linked == (1,)


def test_customer_fields_merge_both_ways_and_a_conflict_is_recorded(tmp_path: Path) -> None:
    world = _world(tmp_path)
    world.seed(shop_data(1, orders=0))
    assert world.sync().outcome == "success"
    email = "buyer1@larkspur.com.au"
    # Shopify: new last name and note; the ledger: new first name and the same note field.
    with world.emu.lock:
        (remote,) = [c for c in world.emu.store.customers.rows.values() if c.email == email]
        remote.last_name, remote.note = "Lee-Park", "online note"
        remote.updated_at = world.emu.clock.time() + 10
        world.emu.store.customers.put(remote)
    _update(world, "UPDATE customers SET first_name = 'Bea', notes = 'shop note', "
            "updated_at = '2020-01-01T00:00:00Z' WHERE email = ?", email)  # fmt: skip
    result = world.sync()
    assert result.outcome == "success", result.message
    with world.db() as db:
        local = db.execute(
            "SELECT first_name, last_name, full_name, notes FROM customers WHERE email = ?",
            (email,),
        ).fetchone()
        conflicts = db.execute(
            "SELECT reason FROM sync_issues WHERE kind = 'conflict' AND state = 'open'"
        ).fetchall()
    assert local == ("Bea", "Lee-Park", "Bea Lee-Park", "online note")
    assert remote.first_name == "Bea" and remote.last_name == "Lee-Park"
    assert remote.note == "online note"  # Shopify's change was newer
    assert len(conflicts) == 1 and "notes" in conflicts[0][0]
    quiet = world.sync()
    assert quiet.counts.created == quiet.counts.updated == 0, quiet.counts


def test_two_ledger_records_never_fight_over_one_shopify_record(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _item(world, "item-1", "NX-001")
    _item(world, "item-2", "nx-001")  # the same SKU typed twice in the ledger
    _customer(world, "c1", email="ann@example.com", first_name="Ann")
    _customer(world, "c2", email="ANN@example.com", first_name="Annie")
    first = world.sync()
    assert first.outcome == "success", first.message
    assert len(_products_with(world, "NX-001")) == 1
    assert len(_remote_customers(world, "ann@example.com")) == 1
    with world.db() as db:
        owners = db.execute(
            "SELECT entity, local_id FROM sync_links WHERE entity IN ('variant', 'customer') "
            "ORDER BY entity"
        ).fetchall()
        reasons = [r[0] for r in db.execute("SELECT reason FROM sync_issues WHERE state = 'open'")]
        pending = db.execute("SELECT count(*) FROM outbox").fetchone()
    assert owners == [("customer", "c1"), ("variant", "item-1")]
    assert any("same email" in r for r in reasons) and any("this SKU" in r for r in reasons)
    assert pending == (0,)
    again = world.sync()
    assert again.counts.created == again.counts.updated == 0


def test_with_every_direction_on_a_second_sync_writes_nothing(tmp_path: Path) -> None:
    from nexpura_desktop.ledger.changes import latest_seq

    world = _world(tmp_path)
    world.seed(shop_data(3, orders=2))
    _item(world, "item-1", "NX-001")
    _customer(world, "c1", email="ann@example.com", first_name="Ann")
    _customer(world, "c2", email="buyer1@larkspur.com.au", first_name="Known")
    first = world.sync()
    assert first.outcome == "success", first.message
    with world.db() as db:
        seq = latest_seq(db)
    quiet = world.sync()
    assert quiet.counts.created == quiet.counts.updated == 0, quiet.counts
    assert quiet.requests <= 3  # one incremental read per import stream, none for exports
    with world.db() as db:
        assert latest_seq(db) == seq


def test_a_customer_shopify_refuses_is_an_issue_and_the_rest_still_sync(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _customer(world, "bad", email="not an email", first_name="Typo")
    _customer(world, "good", email="good@example.com", first_name="Gus")
    result = world.sync()
    assert result.counts.failed == 1 and result.counts.created == 1
    assert len(_remote_customers(world, "good@example.com")) == 1
    with world.db() as db:
        (reason, local_id) = db.execute(
            "SELECT reason, local_id FROM sync_issues WHERE state = 'open'"
        ).fetchone()
    assert local_id == "bad" and "Email is invalid" in reason
    _update(world, "UPDATE customers SET email = 'typo@example.com' WHERE id = 'bad'")
    fixed = world.sync()
    assert fixed.counts.created == 1, fixed.counts
    with world.db() as db:
        still = db.execute("SELECT count(*) FROM sync_issues WHERE state = 'open'").fetchone()
    assert still == (0,)


def test_a_phone_shopify_cannot_take_is_kept_in_the_ledger_and_never_pushed(
    tmp_path: Path,
) -> None:
    world = _world(tmp_path, customers="export")
    _customer(world, "c1", email="ivy@example.com", first_name="Ivy", phone="9816 3847")
    world.seed({"customers": [{"email": "ivy@example.com", "first_name": "Ivy"}]})  # a create
    first = world.sync()  # that landed before a crash: found by email, linked, no refusal
    assert first.outcome == "success" and first.counts.failed == 0, first.message
    _customer(world, "c2", email="joe@example.com", first_name="Joe", phone="12")
    _update(world, "UPDATE customers SET notes = 'likes opals' WHERE id = 'c1'")
    second = world.sync()
    assert second.counts.failed == 0 and second.counts.created == 1, second.counts
    with world.emu.lock:
        assert len(world.emu.store.customers) == 2
        assert all(c.phone is None for c in world.emu.store.customers.rows.values())
        assert [c.note for c in world.emu.store.customers.rows.values()] == ["likes opals", None]
    with world.db() as db:
        phones = db.execute("SELECT phone FROM customers ORDER BY id").fetchall()
        linked = db.execute("SELECT count(*) FROM sync_links WHERE entity = 'customer'").fetchone()
    assert phones == [("9816 3847",), ("12",)] and linked == (2,)
    quiet = world.sync()
    assert quiet.counts.updated == quiet.counts.created == 0
    assert quiet.requests <= 2  # the product and order imports; the export sends nothing


@pytest.mark.parametrize("crash", [False, True], ids=["clean", "crash-after-first-push"])
def test_ledger_customers_sharing_a_phone_end_the_same_with_or_without_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: bool
) -> None:
    from nexpura_desktop.sync import customer_merge

    world = _world(tmp_path)
    world.seed({"customers": [{"email": "henry@example.com", "first_name": "Henry"}]})
    assert world.sync().outcome == "success"  # Henry is linked; Shopify has no phone for him
    shared = "0412 345 678"
    _update(world, "UPDATE customers SET mobile = ? WHERE email = 'henry@example.com'", shared)
    _customer(world, "zz-max", email="max@example.com", first_name="Max", mobile=shared)
    _customer(world, "zz-emily", email="emily@example.com", first_name="Emily", mobile=shared)
    if crash:
        real = customer_merge.remember

        def once(*args: Any, **kwargs: Any) -> Any:
            patch.undo()
            raise RuntimeError("killed after Henry's phone reached Shopify")

        with monkeypatch.context() as patch:
            patch.setattr(customer_merge, "remember", once)
            assert world.sync().outcome != "success"
        assert customer_merge.remember is real
    assert world.sync().outcome == "success"
    with world.emu.lock:
        remote = sorted((c.email, c.phone) for c in world.emu.store.customers.rows.values())
    assert remote == [("henry@example.com", "+61412345678")]
    with world.db() as db:
        linked = db.execute("SELECT count(*) FROM sync_links WHERE entity = 'customer'").fetchone()
        reasons = sorted(
            r[0] for r in db.execute("SELECT local_id FROM sync_issues WHERE state = 'open'")
        )
    assert linked == (1,) and reasons == ["zz-emily", "zz-max"]
