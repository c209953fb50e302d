"""The e-commerce reliability bar's world: a live sandbox in this process, the real app in
child processes, and snapshots that compare by natural keys.

* :class:`LiveShop` serves the Shopify and WooCommerce emulators on loopback ports (as
  ``nexpura-desktop sandbox`` does), seeded with the demo shop plus extra products with
  variants, customers and orders, and can put them back to exactly that state;
* :class:`KillSwitch` sits in an emulator's fault-injector slot, counts the requests it
  serves and SIGKILLs the app at the Nth one — after the request body arrived, so the
  emulator still applies the write and only the answer is lost (the worst crash point);
* :class:`Home` is one app home (ledger + sandbox-file keyring) driven through the CLI;
* :func:`ledger_snapshot` / :meth:`LiveShop.snapshot` are what "the same result" means:
  rows by SKU, e-mail, external reference — never generated ids or timestamps.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexpura_desktop.sandbox.core import Emulator
from nexpura_desktop.sandbox.faults import FaultInjector, FaultRule
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.sandbox.shopify import ShopifyEmulator
from nexpura_desktop.sandbox.woocommerce import WooCommerceEmulator

SERVICES = ("shopify", "woocommerce")
DEMO_SIZE, DEMO_SEED = "small", 1
CLI_TIMEOUT_S = 120.0
SANDBOX_KEYRING = "sandbox-keyring-NOT-ENCRYPTED.json"
# The seeded orders are history: placed this long before the reseed, so they are already
# in the seeded stock figures and older than any stock snapshot the app takes.  Placed
# "now", they shared a whole second with a quick first read, and the import rightly
# counted such a sale as newer than the snapshot (it moved stock) — or not, on a slower
# run: the clean run and the crashed ones disagreed by timing alone.
ORDERS_AGO_S = 3600.0


# -- the shop's extra data (on top of the demo shop) ---------------------------------------


def shopify_extra(location: str = "Shop location", placed: float | None = None) -> dict[str, Any]:
    """Online-only pieces (one with sizes), new customers, and orders (placed at ``placed``,
    epoch seconds; default: when seeded) that sell online-only pieces; the stock figures
    already have those orders taken off (the shop's history)."""
    products = [
        {"title": f"Online ring {i}", "status": "ACTIVE", "tags": ["online"],
         "variants": [{"sku": f"ON-R{i:02d}", "price": 150 + i,
                       "inventory": {location: 6}}]}
        for i in range(6)
    ]  # fmt: skip
    products.append(
        {"title": "Stacking band", "status": "ACTIVE",
         "variants": [{"sku": f"ON-B{s}", "price": 90, "title": s,
                       "inventory": {location: 4}} for s in "MNO"]}
    )  # fmt: skip
    customers = [
        {"email": f"online{i}@larkspur.com.au", "phone": f"+6141255500{i}",
         "first_name": f"Online{i}", "last_name": "Buyer"}
        for i in range(5)
    ]  # fmt: skip
    when = {} if placed is None else {"created_at": placed}
    orders = [
        {**when, "customer_email": f"online{i % 5}@larkspur.com.au",
         "line_items": [{"sku": f"ON-R{i % 6:02d}", "quantity": 1},
                        {"sku": f"ON-B{'MNO'[i % 3]}", "quantity": 1}]}
        for i in range(8)
    ]  # fmt: skip
    return {"products": products, "customers": customers, "orders": orders}


def woo_extra(_location: str = "", placed: float | None = None) -> dict[str, Any]:
    """As :func:`shopify_extra`, for WooCommerce (the orders' stock is already taken)."""
    products: list[dict[str, Any]] = [
        {"name": f"Web pendant {i}", "type": "simple", "sku": f"WEB-P{i:02d}",
         "regular_price": "210.00", "manage_stock": True, "stock_quantity": 6,
         "status": "publish"}
        for i in range(6)
    ]  # fmt: skip
    products.append(
        {"name": "Web band", "type": "variable", "status": "publish",
         "attributes": [{"name": "Size", "options": ["M", "N", "O"], "variation": True}],
         "variations": [
             {"sku": f"WEB-B{s}", "regular_price": "95", "manage_stock": True,
              "stock_quantity": 4, "attributes": [{"name": "Size", "option": s}]}
             for s in "MNO"]}
    )  # fmt: skip
    customers = [
        {"email": f"web{i}@larkspur.com.au", "first_name": f"Web{i}", "last_name": "Buyer",
         "billing": {"phone": f"04135550{i:02d}", "country": "AU"}}
        for i in range(5)
    ]  # fmt: skip
    when = {} if placed is None else {"date_created_gmt": _gmt(placed)}
    orders = [
        {**when, "status": "completed", "customer_email": f"web{i % 5}@larkspur.com.au",
         "billing": {"email": f"web{i % 5}@larkspur.com.au"},
         "line_items": [{"sku": f"WEB-P{i % 6:02d}", "quantity": 1},
                        {"sku": f"WEB-B{'MNO'[i % 3]}", "quantity": 1}]}
        for i in range(8)
    ]  # fmt: skip
    return {"products": products, "customers": customers, "orders": orders}


def _gmt(epoch_s: float) -> str:
    return datetime.fromtimestamp(int(epoch_s), UTC).strftime("%Y-%m-%dT%H:%M:%S")


# -- killing the app at its Nth request ------------------------------------------------------


class KillSwitch(FaultInjector):
    """An emulator's fault injector that also SIGKILLs one armed process at its Nth request.

    The emulator calls :meth:`pick` after reading the request body and before handling it;
    the kill happens there, so the emulator still applies the request (a write lands) while
    the app never sees the answer.  Other fault rules keep working as usual.
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self._armed: tuple[int, int] | None = None  # (pid, at request n)
        self._seen = 0
        self._arm_lock = threading.Lock()
        self.kills = 0

    def arm(self, pid: int, at: int) -> None:
        with self._arm_lock:
            self._armed, self._seen = (pid, at), 0

    def disarm(self) -> None:
        with self._arm_lock:
            self._armed = None

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._arm_lock:
            if self._armed is not None:
                self._seen += 1
                pid, at = self._armed
                if self._seen >= at:
                    self._armed = None
                    os.kill(pid, signal.SIGKILL)
                    self.kills += 1
        return super().pick(method, path)


# -- the sandbox, live ----------------------------------------------------------------------------


class LiveShop:
    """Both e-commerce emulators on loopback ports, seeded with a realistic shop."""

    def __init__(self) -> None:
        self.server = SandboxServer(port_base=0, services=list(SERVICES))
        self.switches = {name: KillSwitch() for name in SERVICES}
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._ready = threading.Event()
        self.reseed()

    def _serve(self) -> None:
        asyncio.run(self.server.serve(on_ready=self._ready.set))

    def __enter__(self) -> LiveShop:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the sandbox did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.stop()
        self._thread.join(10)

    @property
    def directory(self) -> str:
        return f"{self.server.hub_url}/_sandbox/services"

    def emu(self, service: str) -> Emulator:
        return self.server.sandbox[service]

    @property
    def shopify(self) -> ShopifyEmulator:
        emu = self.emu("shopify")
        assert isinstance(emu, ShopifyEmulator)
        return emu

    @property
    def woo(self) -> WooCommerceEmulator:
        emu = self.emu("woocommerce")
        assert isinstance(emu, WooCommerceEmulator)
        return emu

    def reseed(self) -> None:
        """Back to the freshly seeded shop (same ids, same keys) with no faults armed."""
        for name in SERVICES:
            emu = self.emu(name)
            with emu.lock:
                emu.reset()
                emu.log.clear()
                switch = self.switches[name] = KillSwitch()
                emu.faults = switch
        self.server.sandbox.seed_demo(DEMO_SIZE, DEMO_SEED)
        placed = self.shopify.clock.time() - ORDERS_AGO_S
        with self.shopify.lock:  # the demo shop's own first location holds the extras too
            first = min(self.shopify.store.locations.rows.values(), key=lambda loc: loc.id)
            self.shopify.seed(shopify_extra(first.name, placed))
        with self.woo.lock:
            self.woo.seed(woo_extra(placed=placed))
        # (the sandbox clock is left alone: it must agree with the app's, or the seeded
        # orders would look newer than the app's stock snapshots)

    def save(self) -> dict[str, dict[str, Any]]:
        """Both shops' data as they are now (see :meth:`restore`)."""
        saved = {}
        for name in SERVICES:
            emu = self.emu(name)
            with emu.lock:
                store: Any = getattr(emu, "store")  # noqa: B009 - every shop emulator has one
                saved[name] = dict(copy.deepcopy(vars(store)))
        return saved

    def restore(self, saved: dict[str, dict[str, Any]]) -> None:
        """Back to what :meth:`save` saw (ids included, so the app's links stay true),
        refilling the store objects in place."""
        for name in SERVICES:
            emu = self.emu(name)
            with emu.lock:
                store: Any = getattr(emu, "store")  # noqa: B009
                vars(store).clear()
                vars(store).update(copy.deepcopy(saved[name]))
                if isinstance(emu, WooCommerceEmulator):
                    emu.order_cache = type(emu.order_cache)()
                emu.log.clear()
                switch = self.switches[name] = KillSwitch()
                emu.faults = switch

    def add_faults(self, service: str, rate: float, *, seed: int) -> None:
        """``rate`` of the API requests fail: 429, 5xx, a dropped slow answer, bad bodies."""
        emu = self.emu(service)
        path = r"/graphql\.json$" if service == "shopify" else r"/wp-json/wc/v3/"
        kinds: list[dict[str, Any]] = [
            {"kind": "status", "status": 429, "retry_after": 1},
            {"kind": "status", "status": 503},
            {"kind": "status", "status": 500},
            {"kind": "timeout", "delay": 0.3},
            {"kind": "malformed"},
        ]
        switch = KillSwitch(seed)
        for extra in kinds:  # each rule sees what the earlier ones let through
            share = rate / len(kinds)
            switch.add(FaultRule.from_json({"path": path, "rate": share, **extra}))
            rate -= share
            rate = max(rate, 0.0)
        with emu.lock:
            self.switches[service] = switch
            emu.faults = switch

    def clear_faults(self, service: str) -> int:
        """Stop injecting faults; how many fired."""
        switch = self.switches[service]
        fired = sum(r.fired for r in switch.rules())
        switch.clear()
        return fired

    def requests(self, service: str) -> list[dict[str, Any]]:
        return [e for e in self.emu(service).log.entries() if not e["path"].startswith("/_")]

    # -- what the shop site holds, by natural key ---------------------------------------------
    def snapshot(self, service: str) -> dict[str, Any]:
        return self._shopify_state() if service == "shopify" else self._woo_state()

    def _shopify_state(self) -> dict[str, Any]:
        emu = self.shopify
        with emu.lock:
            store = emu.store
            variants = []
            for v in store.variants.rows.values():
                product = store.products.rows.get(v.product_id)
                levels = sorted(
                    (lvl.location_id, lvl.quantities.get("available", 0))
                    for lvl in store.levels_of_item(v.inventory_item_id)
                )
                title = product.title if product is not None else None
                variants.append((store.variant_sku(v), title, v.price, tuple(levels)))
            customers = [
                ((c.email or "").lower(), c.phone, c.first_name, c.last_name)
                for c in store.customers.rows.values()
            ]
            orders = [
                (o.name, tuple(sorted((li.sku or "", li.quantity) for li in _lines(store, o))))
                for o in store.orders.rows.values()
            ]
        return {
            "variants": sorted(variants, key=repr),
            "customers": sorted(customers, key=repr),
            "orders": sorted(orders, key=repr),
        }

    def _woo_state(self) -> dict[str, Any]:
        emu = self.woo
        with emu.lock:
            store = emu.store
            products = [
                (p.get("sku"), p.get("name"), p.get("type"), p.get("regular_price"),
                 p.get("stock_quantity"))
                for p in store.products.values()
            ]  # fmt: skip
            variations = [
                (v.get("sku"), v.get("regular_price"), v.get("stock_quantity"))
                for v in store.variations.values()
            ]
            customers = [
                (str(c.get("email") or "").lower(), c.get("first_name"), c.get("last_name"))
                for c in store.customers.values()
            ]
            orders = [
                (o.get("number") or o.get("id"), o.get("status"),
                 tuple(sorted((str(li.get("sku") or ""), li.get("quantity"))
                              for li in o.get("line_items") or [])))
                for o in store.orders.values()
            ]  # fmt: skip
        return {
            "products": sorted(products, key=repr),
            "variations": sorted(variations, key=repr),
            "customers": sorted(customers, key=repr),
            "orders": sorted(orders, key=repr),
        }

    def remote_stock(self, service: str, sku: str) -> int:
        if service == "shopify":
            with self.shopify.lock:
                store = self.shopify.store
                variant = store.variant_by_sku(sku)
                assert variant is not None, sku
                return int(store.available(variant.inventory_item_id))
        with self.woo.lock:
            woo = self.woo.store
            for record in [*woo.products.values(), *woo.variations.values()]:
                if record.get("sku") == sku:
                    return int(record.get("stock_quantity") or 0)
        raise AssertionError(f"no WooCommerce product with SKU {sku}")


def _lines(_store: Any, order: Any) -> list[Any]:
    return list(order.line_items)


def duplicates(values: list[Any]) -> dict[Any, int]:
    """The values that occur more than once (an empty dict: none)."""
    return {v: n for v, n in Counter(values).items() if n > 1 and v not in (None, "")}


# -- one app home -----------------------------------------------------------------------------


@dataclass
class Home:
    path: Path
    shop: LiveShop
    log: list[str] = field(default_factory=list)

    @property
    def ledger(self) -> Path:
        return self.path / "data" / "ledger.sqlite3"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NEXPURA_DESKTOP_HOME": str(self.path),
            "NEXPURA_DESKTOP_KEYRING": "sandbox-file",
        }

    def argv(self, *args: str) -> list[str]:
        if os.environ.get("NEXPURA_RELIABILITY_BARE_CLI"):  # debugging: core commands only
            code = (
                "import sys; from nexpura_desktop import cli; cli.CLI_EXTENSIONS = (); "
                "sys.exit(cli.run(sys.argv[1:]))"
            )
            return [sys.executable, "-c", code, *args]
        return [sys.executable, "-m", "nexpura_desktop", *args]

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.argv(*args), capture_output=True, text=True, env=self.env(),
            timeout=CLI_TIMEOUT_S, check=False,
        )  # fmt: skip
        self.log.append(f"$ {' '.join(args)} -> {done.returncode}")
        if check and done.returncode != 0:
            raise AssertionError(
                f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        return done

    def sync(self, service: str, *args: str, check: bool = True) -> dict[str, Any]:
        """``sync <service> --json`` to the end; its summary."""
        done = self.cli("sync", service, "--json", *args, check=check)
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
        if not lines:
            raise AssertionError(f"no summary from sync {service}:\n{done.stdout}\n{done.stderr}")
        summary: dict[str, Any] = json.loads(lines[-1])
        return summary

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=self.env(),
        )  # fmt: skip

    def connect(self) -> None:
        for service in SERVICES:
            self.cli("connect", "--sandbox", self.shop.directory, service)

    def set_directions(self, service: str, directions: dict[str, str]) -> None:
        from nexpura_desktop.ledger import connections
        from nexpura_desktop.ledger.db import Ledger

        with Ledger(self.ledger) as ledger, ledger.transaction():
            connections.update_config(ledger.conn, service, directions=directions)

    def copy(self, to: Path) -> Home:
        """A copy of this home (the keyring entries are named after the home: renamed)."""
        from nexpura_desktop.secrets import keyring_service

        shutil.copytree(self.path, to, ignore=shutil.ignore_patterns("locks", "logs"))
        keyring = to / "data" / SANDBOX_KEYRING
        if keyring.exists():
            text = keyring.read_text(encoding="utf-8")
            old, new = (json.dumps(keyring_service(p))[1:-1] for p in (self.path, to))
            keyring.write_text(text.replace(old, new), encoding="utf-8")
        return Home(to, self.shop)

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.ledger)


@contextmanager
def ledger_of(home: Home) -> Iterator[sqlite3.Connection]:
    conn = home.db()
    try:
        yield conn
    finally:
        conn.close()


def in_store_sale(home: Home, sku: str, quantity: int = 1, *, tag: str = "") -> None:
    """What the shop's counter does: the item's quantity goes down with a sale movement."""
    from nexpura_desktop.ledger.db import Ledger

    with Ledger(home.ledger) as ledger, ledger.transaction() as db:
        row = db.execute(
            "SELECT id FROM inventory WHERE sku = ? AND deleted_at IS NULL", (sku,)
        ).fetchone()
        assert row is not None, sku
        db.execute("UPDATE inventory SET quantity = quantity - ? WHERE id = ?", (quantity, row[0]))
        db.execute(
            "INSERT INTO stock_movements(id, inventory_id, movement_type, quantity_change, notes) "
            "VALUES (?, ?, 'sale', ?, 'counter sale')",
            (f"counter-{sku}-{tag}", row[0], -quantity),
        )


def ledger_snapshot(home: Home) -> dict[str, Any]:
    """Inventory, customers, sales, lines and stock movements by natural keys."""
    with ledger_of(home) as db:
        q = db.execute
        return {
            "inventory": sorted(
                q("SELECT sku, name, quantity, status, shopify_variant_id IS NOT NULL, "
                  "woo_product_id IS NOT NULL FROM inventory WHERE deleted_at IS NULL").fetchall(),
                key=repr,
            ),
            "customers": sorted(
                q("SELECT lower(email), phone, full_name FROM customers "
                  "WHERE deleted_at IS NULL").fetchall(),
                key=repr,
            ),
            "sales": sorted(
                q("SELECT coalesce(external_reference, sale_number), status, total, "
                  "import_status FROM sales").fetchall(),
                key=repr,
            ),
            "sale_items": sorted(
                q("SELECT coalesce(s.external_reference, s.sale_number), i.sku, i.quantity, "
                  "i.unit_price FROM sale_items i JOIN sales s ON s.id = i.sale_id").fetchall(),
                key=repr,
            ),
            "movements": sorted(
                q("SELECT i.sku, m.movement_type, m.quantity_change, m.quantity_after "
                  "FROM stock_movements m JOIN inventory i ON i.id = m.inventory_id").fetchall(),
                key=repr,
            ),
            "links": sorted(
                q("SELECT service, entity, count(*), count(DISTINCT remote_id), "
                  "count(DISTINCT local_id) FROM sync_links GROUP BY service, entity").fetchall()
            ),
            "outbox": q("SELECT count(*) FROM outbox").fetchone()[0],
        }  # fmt: skip


def differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Per key, what only ``got`` has (``+``) and what only ``want`` has (``-``)."""
    out: dict[str, Any] = {}
    for key in sorted(set(got) | set(want)):
        a, b = got.get(key), want.get(key)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            extra, missing = Counter(map(repr, a)), Counter(map(repr, b))
            out[key] = {"+": sorted((extra - missing).elements())[:8],
                        "-": sorted((missing - extra).elements())[:8]}  # fmt: skip
        else:
            out[key] = {"+": a, "-": b}
    return out


def no_duplicates(home: Home) -> dict[str, dict[Any, int]]:
    """Duplicated natural keys in the ledger (all empty when sound)."""
    with ledger_of(home) as db:
        q = db.execute
        return {
            "sku": duplicates([r[0] for r in q(
                "SELECT upper(sku) FROM inventory WHERE deleted_at IS NULL")]),
            "email": duplicates([r[0] for r in q(
                "SELECT lower(email) FROM customers WHERE deleted_at IS NULL")]),
            "sale": duplicates([r[0] for r in q("SELECT external_reference FROM sales")]),
        }  # fmt: skip


def wait_gone(proc: subprocess.Popen[str], timeout: float) -> int | None:
    """The exit code, or None if it is still running after ``timeout`` seconds."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def now() -> float:
    return time.monotonic()
