"""Mailchimp audience sync against the sandbox: consent gating, exits, batches, verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nexpura_desktop.connectors.mailchimp.settings import load_settings
from nexpura_desktop.engine.errors import AuthExpired, ConfigurationError
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox.faults import FaultRule
from tests.integration.mailchimp_sync_support import DOMAIN, World, email


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "ledger.sqlite3")


def test_only_consenting_customers_with_an_email_are_subscribed(world: World) -> None:
    world.customer("a", email("a"), True, full_name="Ann Marie Lee", tags=["VIP", "Trade"])
    world.customer("b", email("b"), False)
    world.customer("c", email("c"), None)
    world.customer("d", None, True)
    world.customer("e", email("e"), True, deleted_at="2026-01-01T00:00:00+00:00")
    world.customer("f", "not-an-address", True)
    run = world.run()
    assert run.outcome == "success", run.message
    assert world.statuses() == {email("a"): "subscribed"}
    member = world.members()[email("a")]
    assert member["merge_fields"]["FNAME"] == "Ann"
    assert member["merge_fields"]["LNAME"] == "Marie Lee"
    assert member["merge_fields"]["PHONE"] == "0412 345 678"
    assert sorted(member["tags"]) == ["Trade", "VIP"]
    assert member["id"] == hashlib.md5(email("a").encode()).hexdigest()
    sent = str(world.batch_bodies())
    for absent in ("b", "c", "e"):
        assert email(absent) not in sent  # never even sent, not merely refused
    assert run.counts.created == 1


def test_withdrawn_consent_unsubscribes_and_never_deletes(world: World) -> None:
    world.customer("a", email("a"), True)
    world.customer("b", email("b"), True)
    world.run()
    world.update("a", marketing_consent=False)
    run = world.run()
    assert run.outcome == "success", run.message
    assert world.statuses() == {email("a"): "unsubscribed", email("b"): "subscribed"}
    # our own unsubscribe is not mistaken for the contact leaving through Mailchimp
    assert world.consent("a")[:2] == (0, None)
    # consent given again in the shop: the unsubscribe we made is reversed
    world.update("a", marketing_consent=True)
    world.run()
    assert world.statuses()[email("a")] == "subscribed"


@pytest.mark.parametrize(
    ("event", "status", "words"),
    [("unsubscribed", "unsubscribed", "nsubscribed"), ("cleaned", "cleaned", "bounced")],
)
def test_audience_side_exit_is_pulled_back_and_never_resubscribed(
    world: World, event: str, status: str, words: str
) -> None:
    world.customer("a", email("a"), True)
    world.customer("twin", email("a").upper(), True)  # a duplicate record, same person
    world.run()
    world.event(email("a"), event)
    run = world.run()
    assert run.outcome == "success", run.message
    for cid in ("a", "twin"):
        consent, source, reason, changed_at = world.consent(cid)
        assert (consent, source) == (0, "mailchimp")
        assert words in reason and changed_at
    assert world.statuses()[email("a")] == status
    # the shop ticks consent again: still never re-subscribed, and the owner is told why
    before = world.log_seq()
    world.update("a", marketing_consent=True)
    world.update("twin", marketing_consent=True)
    run = world.run()
    assert world.statuses()[email("a")] == status
    assert world.batch_bodies(before) == []
    assert run.counts.skipped == 1
    assert any("re-subscribe themselves" in i.reason for i in world.open_issues())


def test_compliance_state_refusal_blocks_the_address_for_good(world: World) -> None:
    world.customer("a", email("a"), True)
    world.run()
    world.update("a", marketing_consent=False)
    world.run()  # we unsubscribe them (reversible on its own)
    world.event(email("a"), "compliance")  # …but Mailchimp puts the address under review
    world.update("a", marketing_consent=True)
    run = world.run()
    assert world.statuses()[email("a")] == "unsubscribed"
    consent, source, reason, _ = world.consent("a")
    assert (consent, source) == (0, "mailchimp") and "compliance" in reason
    assert any("compliance state" in i.reason for i in world.open_issues())
    assert run.counts.skipped == 1 and run.counts.failed == 0
    before = world.log_seq()
    world.update("a", marketing_consent=True)
    world.run()
    assert world.batch_bodies(before) == []


def test_forgotten_address_is_recorded_and_skipped(world: World) -> None:
    gone = email("gone")
    world.emu.seed({"audiences": [{"id": world.list_id, "forgotten": [gone]}]})
    world.customer("g", gone, True)
    world.customer("h", email("h"), True)
    run = world.run()
    assert run.outcome == "success", run.message
    assert world.statuses() == {email("h"): "subscribed"}
    consent, source, reason, _ = world.consent("g")
    assert (consent, source) == (0, "mailchimp") and "permanently deleted" in reason
    assert any("permanently deleted" in i.reason for i in world.open_issues())
    before = world.log_seq()
    world.update("g", marketing_consent=True, full_name="Gone Again")
    world.run()
    assert world.batch_bodies(before) == []


def test_more_than_500_customers_go_in_batches_of_at_most_500(world: World) -> None:
    world.add_customers(
        [
            {"id": f"c{i}", "email": email(i), "full_name": f"Pat {i}", "marketing_consent": 1}
            for i in range(1203)
        ]
    )
    run = world.run()
    assert run.outcome == "success", run.message
    sizes = sorted(len(b["members"]) for b in world.batch_bodies())
    assert sizes == [203, 500, 500]
    assert all(b["update_existing"] is True for b in world.batch_bodies())
    assert len(world.statuses()) == 1203
    assert run.counts.created == 1203


def test_never_more_than_ten_connections_in_flight(world: World) -> None:
    world.add_customers(
        [{"id": f"c{i}", "email": email(i), "marketing_consent": 1} for i in range(5600)]
    )
    # a slow Mailchimp makes every batch overlap the others, so the cap is what limits us
    world.emu.faults.add(FaultRule(kind="slow", delay=0.2, method="POST"))
    run = world.run()
    assert run.outcome == "success", run.message
    conns = world.emu.state()["connections"]
    assert conns["peak"] == 10  # parallel, and never over the cap
    assert all(e["status"] != 429 for e in world.api_log())
    assert len(world.batch_bodies()) == 12


def test_429_backs_off_and_retries(world: World) -> None:
    world.customer("a", email("a"), True)
    world.emu.faults.add(FaultRule(kind="status", status=429, count=2, method="POST"))
    run = world.run()
    assert run.outcome == "success", run.message
    assert world.statuses() == {email("a"): "subscribed"}
    assert len(world.sleeps) >= 2 and all(s > 0 for s in world.sleeps)
    assert run.requests == 2 + 3  # two status pulls, one batch tried three times


def test_incremental_run_after_one_change_touches_one_member(world: World) -> None:
    world.add_customers(
        [
            {"id": f"c{i}", "email": email(i), "full_name": f"Pat {i}", "marketing_consent": 1}
            for i in range(600)
        ]
    )
    world.run()
    before = world.log_seq()
    quiet = world.run()
    assert world.batch_bodies(before) == [] and quiet.counts.created == 0
    world.update("c42", full_name="Patricia Renamed")
    run = world.run()
    (body,) = world.batch_bodies(before)
    assert [m["email_address"] for m in body["members"]] == [email(42)]
    assert world.members()[email(42)]["merge_fields"]["FNAME"] == "Patricia"
    assert run.counts.updated == 1


def test_tag_changes_reach_existing_members(world: World) -> None:
    world.customer("a", email("a"), True, tags=["VIP"])
    world.run()
    world.update("a", tags='["Wholesale"]')
    world.run()
    assert world.members()[email("a")]["tags"] == ["Wholesale"]


def test_verify_reports_differences_and_closes_them_when_fixed(world: World) -> None:
    world.customer("a", email("a"), True)
    world.customer("b", email("b"), True)
    world.customer("n", email("n"), False)
    world.run()
    world.emu.seed(
        {
            "audiences": [
                {
                    "id": world.list_id,
                    "members": [
                        {"email_address": email("n"), "status": "subscribed"},
                        {"email_address": f"walkin@{DOMAIN}", "status": "subscribed"},
                        {
                            "email_address": email("a"),
                            "status": "subscribed",
                            "merge_fields": {"FNAME": "Edited", "LNAME": "A", "PHONE": ""},
                        },
                    ],
                }
            ]
        }
    )
    world.customer("m", email("m"), True)  # consents but was never pushed
    run = world.verify()
    assert run.outcome == "success", run.message
    reasons = sorted(i.reason for i in world.open_issues() if i.kind == "drift")
    assert len(reasons) == 4, reasons
    joined = " | ".join(reasons)
    assert f"{email('a')}: FNAME, PHONE differ" in joined
    assert f"{email('m')} agreed to marketing but is not in the Mailchimp audience" in joined
    assert f"{email('n')} is subscribed in Mailchimp but has no marketing consent" in joined
    assert f"walkin@{DOMAIN} is subscribed in Mailchimp but not a customer" in joined
    assert world.statuses()[email("n")] == "subscribed"  # verify reports; it changes nothing
    world.update("n", marketing_consent=True)
    world.update("a", full_name="Edited A", mobile=None)
    world.verify()
    left = sorted(i.reason for i in world.open_issues() if i.kind == "drift")
    assert not [r for r in left if email("a") in r or "no marketing consent" in r], left
    assert f"{email('n')}: FNAME, LNAME, PHONE differ between the ledger and Mailchimp" in left


def test_a_rejected_key_asks_to_reconnect(world: World) -> None:
    world.customer("a", email("a"), True)
    world.api_key = "0" * 32 + "-us21"
    run = world.run()
    assert run.outcome == "failed"
    assert "reconnect" in (run.message or "").lower()
    with Ledger(world.path) as ledger:
        assert connections.get(ledger.conn, "mailchimp").reconnect_needed
    assert world.statuses() == {}


def test_settings_come_from_the_connection_and_the_keyring(world: World) -> None:
    with Ledger(world.path) as ledger:
        connections.update_config(ledger.conn, "mailchimp", api_base_url="http://mc.test/3.0")
        settings = load_settings(ledger, api_key=lambda: "k" * 32 + "-us21")
        assert (settings.audience_id, settings.base_url) == (world.list_id, "http://mc.test/3.0")
        with pytest.raises(AuthExpired, match="missing"):
            load_settings(ledger, api_key=lambda: None)
        connections.update_config(ledger.conn, "mailchimp", audience_id="")
        with pytest.raises(ConfigurationError, match="Audience ID"):
            load_settings(ledger, api_key=lambda: "k")


def test_missing_audience_is_a_configuration_error(world: World) -> None:
    world.customer("a", email("a"), True)
    world.audience = "nolist"
    run = world.run()
    assert run.outcome == "failed"
    assert "no longer exists" in (run.message or "")
    assert world.statuses() == {}
