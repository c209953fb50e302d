"""The Xero push reads the change feed: only invoices touched since the last run.

Also pinned: ``--full`` re-reads everything; a new account mapping or shop tax setting
re-reads everything (every draft's content moves); a refused invoice is retried on the
next run without a ledger change; an edit made while a run is sending is not lost.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from nexpura_desktop.connectors.xero.mapping import AccountMapping
from tests.integration.test_xero_sync_support import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path / "ledger.sqlite3")
    w.customer("c1", "Ann Lee", "ann@larkspur.test")
    for n in range(1, 6):
        w.invoice(f"i{n}", f"INV-{n:05d}", "c1")
    return w


def listed_ids(world: World, since: int) -> list[str]:
    """The InvoiceIDs the run asked Xero about (its status checks before an update)."""
    out: list[str] = []
    for entry in world.emu.log.entries(since):
        if entry["method"] == "GET" and entry["path"].endswith("/Invoices"):
            out += parse_qs(entry["query"]).get("IDs", [""])[0].split(",")
    return out


def test_only_changed_invoices_are_read_and_sent(world: World) -> None:
    first = world.run()
    assert first.counts.created == 5
    quiet = world.run()
    assert (quiet.counts.created, quiet.counts.unchanged, quiet.counts.updated) == (0, 0, 0)
    ids = {n: i["InvoiceID"] for n, i in world.xero_invoices().items()}
    world.sql("UPDATE invoice_line_items SET unit_price = 210 WHERE id = 'i3-0'")
    world.invoice("i6", "INV-00006", "c1")
    before = world.log_seq()
    ctx = world.run()
    assert (ctx.counts.created, ctx.counts.updated, ctx.counts.unchanged) == (1, 1, 0)
    assert listed_ids(world, before) == [ids["INV-00003"]]
    assert world.xero_invoices()["INV-00003"]["Total"] == 210.0
    # --full re-reads every sent invoice: all six are already right
    full = world.run(full=True)
    assert (full.counts.unchanged, full.counts.created, full.counts.updated) == (6, 0, 0)


def test_a_referenced_sale_number_change_reaches_the_draft(world: World) -> None:
    world.sql("INSERT INTO sales(id, sale_number) VALUES ('s1', 'SALE-1')")
    world.sql("UPDATE invoices SET sale_id = 's1' WHERE id = 'i2'")
    world.run()
    assert world.xero_invoices()["INV-00002"]["Reference"] == "SALE-1"
    world.sql("UPDATE sales SET sale_number = 'SALE-1B' WHERE id = 's1'")
    ctx = world.run()
    assert ctx.counts.updated == 1
    assert world.xero_invoices()["INV-00002"]["Reference"] == "SALE-1B"


def test_new_mapping_or_tax_setting_rereads_everything(world: World) -> None:
    world.sql("INSERT INTO tenants(id, tax_inclusive, tax_rate) VALUES ('t', 1, 0.1)")
    world.sql("UPDATE invoices SET tax_inclusive = NULL WHERE id = 'i1'")
    world.run()
    world.mapping = AccountMapping("260", "OUTPUT")
    moved = world.run()
    assert moved.counts.updated == 5
    codes = {li["AccountCode"] for i in world.xero_invoices().values() for li in i["LineItems"]}
    assert codes == {"260"}
    world.sql("UPDATE tenants SET tax_inclusive = 0")
    taxed = world.run()
    assert (taxed.counts.updated, taxed.counts.unchanged) == (1, 4)
    assert world.xero_invoices()["INV-00001"]["LineAmountTypes"] == "Exclusive"


def test_line_deleted_alone_is_noticed(world: World) -> None:
    """A deleted line row no longer says whose it was: that run reads everything."""
    world.set_lines("i4", [("Ring", 1, 100.0, 0), ("Box", 1, 20.0, 0)])
    world.run()
    world.sql("DELETE FROM invoice_line_items WHERE id = 'i4-e1'")
    ctx = world.run()
    assert (ctx.counts.updated, ctx.counts.unchanged) == (1, 4)
    assert world.xero_invoices()["INV-00004"]["Total"] == 100.0


def test_refused_invoice_is_retried_without_a_ledger_change(world: World) -> None:
    world.invoice("i9", "INV-00009", "c1", currency="NZD")
    world.run()
    assert [i.local_id for i in world.open_issues()] == ["i9"]
    world.emu.organisations[world.tenant].base_currency = "NZD"  # the bookkeeper fixed Xero
    ctx = world.run()
    assert ctx.counts.created == 1 and ctx.counts.unchanged == 0
    assert "INV-00009" in world.xero_invoices() and world.open_issues() == []


class EditsWhileSending(httpx.AsyncBaseTransport):
    """The shop edits an invoice while the run's first invoice batch is in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport, world: World) -> None:
        self.inner, self.world, self.done = inner, world, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.endswith("/Invoices") and not self.done:
            self.done = True
            self.world.sql(
                "UPDATE invoice_line_items SET description = 'Edited mid-run', unit_price = 77 "
                "WHERE id = 'i1-0'"
            )
        return await self.inner.handle_async_request(request)


def test_an_edit_during_a_run_is_sent_by_the_next(world: World) -> None:
    world.run(EditsWhileSending(world.sandbox.transport(), world))
    sent = world.xero_invoices()["INV-00001"]
    assert sent["Total"] == 120.0  # the run planned it before the edit
    ctx = world.run()
    assert ctx.counts.updated == 1
    assert world.xero_invoices()["INV-00001"]["Total"] == 77.0
    body = json.dumps(world.xero_invoices()["INV-00001"]["LineItems"])
    assert "Edited mid-run" in body
