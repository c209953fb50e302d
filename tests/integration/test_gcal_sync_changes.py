"""Changes made in Google to our events: detected by syncToken, applied or reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .gcal_sync_support import World


def _world(tmp_path: Path, changes: str) -> World:
    world = World(tmp_path / "ledger.sqlite3", changes=changes)
    world.appointment("a1")
    world.insert("repairs", id="r1", customer_name="Jane Smith", due_date="2026-03-01",
                 stage="in_progress")  # fmt: skip
    assert world.run().outcome == "success"
    return world


def _move(world: World, ref: str, body: dict[str, Any]) -> None:
    response = world.user_edit(world.event_of(ref)["id"], body)
    assert response.status_code == 200, response.text


MOVED: dict[str, Any] = {
    "start": {"dateTime": "2026-01-16T15:00:00+11:00"},
    "end": {"dateTime": "2026-01-16T16:00:00+11:00"},
}


def test_a_move_in_google_is_reported_and_the_ledger_left_alone(tmp_path: Path) -> None:
    world = _world(tmp_path, "report")
    _move(world, "appointments:a1", MOVED)
    mark = world.log_seq()
    summary = world.run()
    assert summary.outcome == "success", summary.message
    (issue,) = world.open_issues()
    assert "moved in Google Calendar to 2026-01-16 15:00" in issue.reason
    assert "2026-01-15 10:30" in issue.reason
    assert world.sql("SELECT scheduled_date, scheduled_time FROM appointments") == [
        ("2026-01-15", "10:30")
    ]
    assert [c["method"] for c in world.api_calls(mark)] == ["GET"]  # Google's move stays
    world.run()
    assert len(world.open_issues()) == 1  # not reported again


def test_a_move_in_google_is_applied_and_not_echoed_back(tmp_path: Path) -> None:
    world = _world(tmp_path, "apply")
    _move(world, "appointments:a1", MOVED)
    _move(world, "repairs:r1", {"start": {"date": "2026-03-04"}, "end": {"date": "2026-03-05"}})
    summary = world.run()
    assert summary.outcome == "success", summary.message
    assert summary.counts.updated == 2
    assert world.sql(
        "SELECT scheduled_date, scheduled_time, duration_minutes FROM appointments"
    ) == [("2026-01-16", "15:00", 60)]
    assert world.sql("SELECT due_date FROM repairs") == [("2026-03-04",)]
    assert world.open_issues() == []
    mark = world.log_seq()
    again = world.run()
    assert again.counts.updated == again.counts.created == 0
    assert [c["method"] for c in world.api_calls(mark)] == ["GET"]  # nothing pushed back


def test_our_own_edits_are_not_imported(tmp_path: Path) -> None:
    world = _world(tmp_path, "apply")
    world.update("appointments", "a1", scheduled_time="12:00")
    world.run()  # pushes the change
    summary = world.run()  # sees our own write in the sync feed
    assert summary.counts.updated == 0
    assert world.sql("SELECT scheduled_time FROM appointments") == [("12:00",)]
    assert world.open_issues() == []


def test_an_event_deleted_in_google_is_reported(tmp_path: Path) -> None:
    world = _world(tmp_path, "apply")
    response = world.user_edit(world.event_of("appointments:a1")["id"], None)
    assert response.status_code == 204
    world.run()
    (issue,) = world.open_issues()
    assert "deleted in Google Calendar" in issue.reason
    assert world.sql("SELECT status FROM appointments") == [("scheduled",)]
    world.update("appointments", "a1", notes="Now with a new note")
    world.run()
    assert "new note" in world.event_of("appointments:a1")["description"]


def test_an_expired_sync_token_triggers_a_full_resync(tmp_path: Path) -> None:
    world = _world(tmp_path, "report")
    _move(world, "appointments:a1", MOVED)
    with world.emu.lock:
        world.emu.data.sync_generation += 1  # what /_sandbox/google/expire-sync-tokens does
    mark = world.log_seq()
    summary = world.run()
    assert summary.outcome == "success", summary.message
    statuses = [c["status"] for c in world.api_calls(mark)]
    assert statuses[0] == 410 and statuses[1] == 200
    (issue,) = world.open_issues()
    assert "moved in Google Calendar" in issue.reason
    assert len(world.events()) == 2  # the resync duplicated nothing
    assert summary.counts.created == 0


@pytest.mark.parametrize("mode", ["sometimes", "never"])
def test_unknown_change_mode_is_a_configuration_error(tmp_path: Path, mode: str) -> None:
    from nexpura_desktop.connectors.google_calendar.settings import changes_mode
    from nexpura_desktop.engine.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        changes_mode({"google_changes": mode})
    assert changes_mode({}) == "report"
