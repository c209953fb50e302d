"""Xero draft-invoice push against the sandbox: drafts, contacts, batches, edits, voids."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from nexpura_desktop.connectors.xero.mapping import AccountMapping
from nexpura_desktop.connectors.xero.streams import EXPORT_JOB, register
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.errors import ConfigurationError
from nexpura_desktop.engine.registry import Registry
from tests.integration.test_xero_sync_support import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "ledger.sqlite3")


def test_sent_invoices_become_draft_accrec_invoices(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1", [("Gold band", 2, 450.0, 10), ("Engraving", 1, 35.5, 0)])
    world.invoice("i2", "DRAFT-0001", "c1", status="draft")
    world.invoice("i3", "INV-00002", "c1", status="voided")  # never sent: nothing to void
    world.invoice("i4", "INV-00003", "c1", status="paid")
    ctx = world.run()
    found = world.xero_invoices()
    assert sorted(found) == ["INV-00001", "INV-00003"]
    inv = found["INV-00001"]
    assert (inv["Type"], inv["Status"], inv["LineAmountTypes"]) == ("ACCREC", "DRAFT", "Inclusive")
    assert inv["CurrencyCode"] == "AUD" and inv["DateString"].startswith("2026-03-02")
    assert inv["Contact"]["Name"] == "Ann Lee"
    lines = inv["LineItems"]
    assert [(li["Description"], li["Quantity"], li["UnitAmount"]) for li in lines] == [
        ("Gold band", 2.0, 450.0),
        ("Engraving", 1.0, 35.5),
    ]
    assert lines[0]["DiscountRate"] == 10.0
    # defaults read from the organisation: its "Sales" account and GST on Income at 10 %
    assert {(li["AccountCode"], li["TaxType"]) for li in lines} == {("200", "OUTPUT")}
    assert inv["Total"] == 845.5
    assert ctx.counts.created == 2 and ctx.counts.failed == 0
    (put,) = [w for w in world.writes() if w["path"].endswith("/Invoices")]
    assert put["method"] == "PUT"
    assert parse_qs(put["query"])["summarizeErrors"] == ["false"]
    assert put["headers"]["idempotency-key"].startswith("nexpura-invoices-")
    assert world.sql("SELECT xero_invoice_id IS NOT NULL FROM invoices WHERE id = 'i1'") == [(1,)]
    # a second run reads nothing (the change feed is quiet) and sends nothing; --full
    # re-reads every sent invoice and finds them all unchanged
    before = world.log_seq()
    again = world.run()
    assert world.writes(before) == [] and again.counts.unchanged == 0
    full = world.run(full=True)
    assert world.writes(before) == [] and full.counts.unchanged == 2


def test_batches_hold_at_most_fifty_invoices(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    for n in range(120):
        world.invoice(f"i{n}", f"INV-{n:05d}", "c1")
    world.run()
    puts = [w for w in world.writes() if w["path"].endswith("/Invoices")]
    assert [len(world.body(w)["Invoices"]) for w in puts] == [50, 50, 20]
    assert len({w["headers"]["idempotency-key"] for w in puts}) == 3
    assert len(world.xero_invoices()) == 120


def test_contacts_matched_by_link_email_then_name_and_created_once(world: World) -> None:
    world.emu.seed(
        {
            "organisations": [
                {
                    "tenantId": world.tenant,
                    "contacts": [
                        {"Name": "B. Stone (old)", "EmailAddress": "BEN@larkspur.test"},
                        {"Name": "Cara Wu"},
                    ],
                }
            ]
        }
    )
    world.customer("a", "Ann Lee", "ann@larkspur.test")
    world.customer("b", "Ben Stone", "ben@larkspur.test")
    world.customer("c", "Cara  Wu", None)
    world.customer("d", "Dev Rao", "dev@larkspur.test")
    world.customer("d2", "Dev Rao", None)  # same name: one contact, not a clash
    for n, cid in enumerate(["a", "b", "c", "d", "d2", "a"]):
        world.invoice(f"i{n}", f"INV-{n:05d}", cid)
    world.run()
    contacts = {c["Name"]: c for c in world.xero_contacts()}
    assert sorted(contacts) == ["Ann Lee", "B. Stone (old)", "Cara Wu", "Dev Rao"]
    assert contacts["Ann Lee"]["ContactNumber"] == "a"
    by_number = {n: i["Contact"]["Name"] for n, i in world.xero_invoices().items()}
    assert by_number == {
        "INV-00000": "Ann Lee",
        "INV-00001": "B. Stone (old)",
        "INV-00002": "Cara Wu",
        "INV-00003": "Dev Rao",
        "INV-00004": "Dev Rao",
        "INV-00005": "Ann Lee",
    }
    # a later invoice for a linked customer does not list or create contacts again
    world.invoice("i9", "INV-00009", "b")
    before = world.log_seq()
    world.run()
    assert [e for e in world.emu.log.entries(before) if "/Contacts" in e["path"]] == []
    assert len(world.xero_contacts()) == 4


def test_validation_errors_become_plain_issues_and_others_are_saved(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1")
    world.invoice("i2", "INV-00002", "c1", currency="NZD")
    ctx = world.run()
    assert sorted(world.xero_invoices()) == ["INV-00001"]
    (issue,) = world.open_issues()
    assert issue.local_id == "i2"
    assert issue.reason == (
        "Xero did not accept INV-00002: Organisation is not subscribed to currency NZD"
    )
    assert ctx.counts.failed == 1 and ctx.counts.created == 1
    world.sql("UPDATE invoices SET currency = 'AUD' WHERE id = 'i2'")
    world.run()
    assert sorted(world.xero_invoices()) == ["INV-00001", "INV-00002"]
    assert world.open_issues() == []


def test_edit_updates_the_draft_until_approved_then_is_reported(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1")
    world.invoice("i2", "INV-00002", "c1")
    world.run()
    ids = {n: i["InvoiceID"] for n, i in world.xero_invoices().items()}
    world.set_lines("i1", [("Silver ring, resized", 1, 150.0, 0)])
    world.approve("INV-00002")
    world.set_lines("i2", [("Platinum ring", 1, 990.0, 0)])
    ctx = world.run()
    found = world.xero_invoices()
    assert found["INV-00001"]["InvoiceID"] == ids["INV-00001"]  # updated, not re-created
    assert found["INV-00001"]["Status"] == "DRAFT" and found["INV-00001"]["Total"] == 150.0
    assert found["INV-00002"]["Total"] == 120.0  # approved: left alone
    assert len(found) == 2 and ctx.counts.updated == 1 and ctx.counts.skipped == 1
    (issue,) = world.open_issues()
    assert issue.local_id == "i2"
    assert "after it was authorised in Xero, so Xero was left alone" in issue.reason
    assert "the shop's lines total 990.00 but Xero's total 120.00" in issue.reason
    before = world.log_seq()
    world.run()  # reported once per change, not re-sent
    assert world.writes(before) == []


def test_voided_invoice_deletes_the_xero_draft(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1")
    world.invoice("i2", "INV-00002", "c1")
    world.run()
    world.sql("UPDATE invoices SET status = 'voided' WHERE id IN ('i1', 'i2')")
    world.approve("INV-00002")
    world.run()
    found = world.xero_invoices()
    assert found["INV-00001"]["Status"] == "DELETED"
    assert found["INV-00002"]["Status"] == "AUTHORISED"
    (issue,) = world.open_issues()
    assert "it was voided in the shop" in issue.reason
    before = world.log_seq()
    world.run()
    assert world.writes(before) == []


def test_owner_mapping_is_used_and_checked_against_the_organisation(world: World) -> None:
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1", tax_inclusive=0)
    world.mapping = AccountMapping("999", "OUTPUT")
    with pytest.raises(ConfigurationError, match="account code 999 is not an active revenue"):
        world.run()
    world.mapping = AccountMapping("260", "EXEMPTOUTPUT")
    world.run()
    inv = world.xero_invoices()["INV-00001"]
    assert inv["LineAmountTypes"] == "Exclusive"
    assert {(li["AccountCode"], li["TaxType"]) for li in inv["LineItems"]} == {
        ("260", "EXEMPTOUTPUT")
    }


def test_job_is_registered_manual_by_default_and_runs_through_the_engine(world: World) -> None:
    registry = Registry()
    register(registry, settings=world.provider)
    assert EXPORT_JOB in registry and "xero.token.keepalive" in registry
    assert [str(s.name) for s in registry.sync_jobs("xero")] == [EXPORT_JOB]
    assert "schedule" not in world.sql("SELECT config FROM connections WHERE service='xero'")[0][0]
    world.customer("c1", "Ann Lee", "ann@larkspur.test")
    world.invoice("i1", "INV-00001", "c1")
    engine = Engine(world.path, registry)
    try:
        sub = engine.run_jobs("xero", [EXPORT_JOB], trigger="manual")
        assert sub.accepted, sub.message
        (summary,) = sub.wait(60)
    finally:
        engine.shutdown()
    assert summary.outcome == "success", summary.message
    assert summary.counts.created == 1 and summary.requests >= 4


def test_settings_command_stores_mapping_and_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from nexpura_desktop.connectors.xero.commands import add_cli_commands
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.paths import resolve

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")

    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--home")
        p.set_defaults(handler=handler)
        return p

    add_cli_commands(command)
    home = str(tmp_path / "home")
    ledger_path = resolve(home).ensure().ledger
    with Ledger(ledger_path) as ledger:
        connections.save_connected(
            ledger.conn, "xero", account="Org", config={"tenant_id": "t"}, secrets=[]
        )

    def run(*argv: str) -> str:
        args = parser.parse_args(["xero-settings", "--home", home, *argv])
        assert args.handler(args) == 0
        return capsys.readouterr().out

    assert "organisation's defaults" in run() and "manual only" in run()
    out = run("--account", "260", "--tax-type", "OUTPUT", "--schedule", "120")
    assert "sales account: 260; tax type: OUTPUT" in out and "every 120 minutes" in out
    assert "organisation's defaults" in run("--defaults", "--schedule", "off")
