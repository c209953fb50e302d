"""Google Calendar sync against the in-process sandbox: push, echo, lost links, batching."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexpura_desktop.connectors.google_calendar.mapping import event_id_for

from .gcal_sync_support import TZ, World


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "ledger.sqlite3")


def test_appointments_become_timed_events_in_the_shops_time_zone(world: World) -> None:
    world.appointment("a-summer")  # 15 Jan: Sydney is on daylight time (+11:00)
    world.appointment("a-winter", scheduled_date="2026-07-15", scheduled_time="09:00",
                      duration_minutes=None, customer_name="Ravi Patel")  # fmt: skip
    summary = world.run()
    assert summary.outcome == "success", summary.message
    assert summary.counts.created == 2
    summer = world.event_of("appointments:a-summer")
    assert summer["start"] == {"dateTime": "2026-01-15T10:30:00+11:00", "timeZone": TZ}
    assert summer["end"] == {"dateTime": "2026-01-15T11:15:00+11:00", "timeZone": TZ}
    assert summer["summary"] == "Ring consultation: Jane Smith"
    assert "Bring grandmother's ring" in summer["description"]
    assert "Jane Smith, 0412 345 678" in summer["description"]
    assert summer["location"] == "Larkspur, 12 King St, Newtown NSW 2042"
    assert summer["id"] == event_id_for("appointments:a-summer")
    winter = world.event_of("appointments:a-winter")
    assert winter["start"]["dateTime"] == "2026-07-15T09:00:00+10:00"
    assert winter["end"]["dateTime"] == "2026-07-15T09:30:00+10:00"  # default 30 minutes


def test_repair_and_bespoke_due_dates_become_all_day_events(world: World) -> None:
    world.insert("repairs", id="r1", customer_name="Jane Smith", repair_type="resize",
                 repair_number="R-0042", due_date="2026-03-01", stage="in_progress")  # fmt: skip
    world.insert("repairs", id="r2", due_date="2026-03-02", stage="collected")
    world.insert("bespoke_jobs", id="b1", title="Sapphire halo ring", customer_name="Ravi",
                 due_date="2026-04-10", stage="design")  # fmt: skip
    assert world.run().outcome == "success"
    repair = world.event_of("repairs:r1")
    assert repair["start"] == {"date": "2026-03-01"}
    assert repair["end"] == {"date": "2026-03-02"}  # exclusive end: one day
    assert repair["summary"] == "Repair due: Resize - Jane Smith"
    assert repair["description"].startswith("Job #R-0042")
    bespoke = world.event_of("bespoke_jobs:b1")
    assert bespoke["start"] == {"date": "2026-04-10"}
    assert bespoke["summary"] == "Bespoke due: Sapphire halo ring - Ravi"
    refs = {e["extendedProperties"]["private"]["nexpura_ref"] for e in world.events()}
    assert "repairs:r2" not in refs  # a collected repair has no due date to show


def test_a_second_run_writes_nothing_and_imports_nothing(world: World) -> None:
    world.appointment("a1")
    world.insert("repairs", id="r1", due_date="2026-03-01", stage="intake")
    world.run()
    mark = world.log_seq()
    summary = world.run()
    assert summary.outcome == "success"
    assert summary.counts.created == summary.counts.updated == 0
    calls = world.api_calls(mark)
    assert [c["method"] for c in calls] == ["GET"]  # one incremental listing, no writes
    assert world.open_issues() == []
    assert world.sql("SELECT scheduled_time FROM appointments")[0][0] == "10:30"


def test_ledger_edits_update_and_cancellations_remove_events(world: World) -> None:
    world.appointment("a1")
    world.appointment("a2", customer_name="Ravi Patel")
    world.appointment("a3", customer_name="Mia Chen")
    world.insert("repairs", id="r1", due_date="2026-03-01", stage="in_progress")
    world.run()
    world.update("appointments", "a1", scheduled_time="14:00")
    world.update("appointments", "a2", status="cancelled")
    world.update("appointments", "a3", status="completed")
    world.update("repairs", "r1", stage="collected")
    summary = world.run()
    assert summary.outcome == "success", summary.message
    assert summary.counts.updated == 4
    assert world.event_of("appointments:a1")["start"]["dateTime"] == "2026-01-15T14:00:00+11:00"
    assert world.event_of("appointments:a3")["summary"].endswith("(completed)")
    refs = {e["extendedProperties"]["private"]["nexpura_ref"] for e in world.events()}
    assert refs == {"appointments:a1", "appointments:a3"}
    world.update("appointments", "a2", status="confirmed")  # reinstated: same event back
    world.run()
    assert world.event_of("appointments:a2")["id"] == event_id_for("appointments:a2")
    assert len(world.events()) == 3


def test_a_deleted_ledger_row_removes_its_event(world: World) -> None:
    world.appointment("a1")
    world.run()
    world.sql("DELETE FROM appointments WHERE id = 'a1'")
    assert world.run().outcome == "success"
    assert world.events() == []


@pytest.mark.parametrize("keep_sync_token", [False, True])
def test_a_lost_link_is_found_again_not_duplicated(world: World, keep_sync_token: bool) -> None:
    world.appointment("a1")
    world.insert("repairs", id="r1", due_date="2026-03-01", stage="intake")
    world.run()
    world.run()  # its listing sees the first run's writes: the stored token is past them
    world.sql("DELETE FROM sync_links")
    if not keep_sync_token:
        world.sql("DELETE FROM sync_cursors WHERE stream LIKE 'events.sync_token%'")
    world.update("appointments", "a1", notes="Changed after the links were lost")
    # Without a sync token the full listing finds our events by their private property;
    # with one, the insert of the changed row meets its own id (409) and becomes an update.
    summary = world.run()
    assert summary.outcome == "success", summary.message
    assert len(world.events()) == 2
    assert "Changed after" in world.event_of("appointments:a1")["description"]
    linked = world.sql("SELECT local_id FROM sync_links WHERE service = 'google_calendar'")
    assert sorted(r[0] for r in linked) == (["a1"] if keep_sync_token else ["a1", "r1"])
    assert summary.counts.created == 0
    assert summary.counts.updated == 1


def test_writes_go_in_batches_of_fifty(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.sqlite3", time_scale=600)  # pacing waits in sandbox time
    for i in range(120):
        world.appointment(f"a{i:03d}", customer_name=f"Customer {i}")
    mark = world.log_seq()
    summary = world.run()
    assert summary.counts.created == 120
    batches = [c for c in world.api_calls(mark) if c["path"].startswith("/batch/")]
    assert len(batches) == 3
    assert summary.requests == 4  # one listing + three batches
    assert len(world.events()) == 120


def test_an_expired_access_token_is_refreshed_once(world: World) -> None:
    world.appointment("a1")
    world.emu.data.access_tokens.clear()  # Google forgot the token (expired/revoked)
    summary = world.run()
    assert summary.outcome == "success", summary.message
    assert world.refreshes == 1
    assert len(world.events()) == 1


def test_a_refused_event_becomes_an_issue(world: World) -> None:
    world.appointment("a1", scheduled_date="2026-01-15", scheduled_time="25:99")
    world.appointment("a2")
    summary = world.run()
    # 25:99 is not a time: the appointment is treated as having none (all-day), so it goes.
    assert summary.counts.created == 2
    assert world.event_of("appointments:a1")["start"] == {"date": "2026-01-15"}


def test_pacing_keeps_every_call_under_the_per_user_quota(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.sqlite3", time_scale=600)
    world.emu.quota.settings.user_per_minute = 100
    for i in range(150):
        world.appointment(f"a{i:03d}")
    started = world.sandbox.clock.time()
    ctx = world.run_direct(world.settings(calls_per_minute=100))
    assert ctx.counts.created == 150
    assert all(e["status"] < 400 for e in world.api_calls())
    assert world.sandbox.clock.time() - started >= 30  # 150 calls cannot fit in one minute


def test_quota_refusals_inside_a_batch_are_retried(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.sqlite3", time_scale=600)
    world.emu.quota.settings.user_per_minute = 40
    for i in range(100):
        world.appointment(f"a{i:03d}")
    ctx = world.run_direct(world.settings(calls_per_minute=100_000))
    assert ctx.counts.created == 100
    assert ctx.counts.failed == 0
    assert len(world.events()) == 100
