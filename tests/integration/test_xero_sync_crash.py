"""Property: a crash at any point of a Xero push — after Xero applied a write and before
the ledger stored its answer — never duplicates an invoice or a contact once rerun."""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_xero_sync_support import Crash, CrashingTransport, World

CUSTOMERS = [(f"c{n}", f"Person Number{n}", f"p{n}@larkspur.test") for n in range(60)]


def check(world: World, invoices: int, customers: int) -> None:
    numbers = Counter(i["InvoiceNumber"] for i in world.xero_invoices().values())
    assert all(count == 1 for count in numbers.values()), numbers
    assert len(numbers) == invoices
    names = Counter(c["Name"] for c in world.xero_contacts())
    assert all(count == 1 for count in names.values()), names
    assert len(names) == customers
    linked = world.sql("SELECT COUNT(*) FROM sync_links WHERE entity = 'invoice'")[0][0]
    assert linked == invoices
    assert world.sql("SELECT COUNT(*) FROM outbox WHERE service = 'xero'") == [(0,)]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    invoices=st.integers(min_value=1, max_value=120),
    crashes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=3),
    edit_between=st.booleans(),
)
def test_crash_anywhere_then_rerun_never_duplicates(
    invoices: int, crashes: list[int], edit_between: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder) / "ledger.sqlite3")
        for cid, name, email in CUSTOMERS:
            world.customer(cid, name, email)
        for n in range(invoices):
            world.invoice(f"i{n}", f"INV-{n:05d}", f"c{n % len(CUSTOMERS)}")
        for k, crash_at in enumerate(crashes):
            with contextlib.suppress(Crash):  # a crash point past the last write: no crash
                world.run(CrashingTransport(world.sandbox.transport(), crash_at))
            if edit_between:  # the shop keeps working between the crash and the rerun
                world.set_lines("i0", [(f"Edited after crash {k}", 1, 99.0 + k, 0)])
                world.invoice(f"x{k}", f"INV-9{k:04d}", "c0")
                invoices += 1
        world.run()
        base = invoices - (len(crashes) if edit_between else 0)
        check(world, invoices, min(base, len(CUSTOMERS)))
        if edit_between:
            assert world.xero_invoices()["INV-00000"]["Total"] == 99.0 + len(crashes) - 1
