"""Pure mapping rules of the Google Calendar sync (no sandbox)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nexpura_desktop.connectors.google_calendar import mapping as m

TZ = "Australia/Sydney"


def appt(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "a1",
        "customer_name": "Jane Smith",
        "scheduled_date": "2026-04-05",
        "scheduled_time": "09:15",
        "duration_minutes": 60,
        "appointment_type": "valuation",
        "status": "confirmed",
    }
    row.update(values)
    return row


def test_timed_event_uses_the_offset_of_that_date_not_utc() -> None:
    # 5 April 2026 is the day Sydney leaves daylight time (03:00 -> 02:00).
    body = m.event_for("appointments", appt(), TZ)
    assert body is not None
    assert body["start"] == {"dateTime": "2026-04-05T09:15:00+10:00", "timeZone": TZ}
    early = m.event_for("appointments", appt(scheduled_time="01:30", duration_minutes=120), TZ)
    assert early is not None
    assert early["start"]["dateTime"] == "2026-04-05T01:30:00+11:00"
    assert early["end"]["dateTime"] == "2026-04-05T02:30:00+10:00"  # two real hours later


def test_a_time_in_the_spring_forward_gap_moves_forward() -> None:
    body = m.event_for(
        "appointments", appt(scheduled_date="2026-10-04", scheduled_time="02:30"), TZ
    )
    assert body is not None
    assert body["start"]["dateTime"] == "2026-10-04T03:30:00+11:00"


def test_other_zones_are_honoured() -> None:
    body = m.event_for("appointments", appt(scheduled_date="2026-07-01"), "Europe/London")
    assert body is not None
    assert body["start"]["dateTime"] == "2026-07-01T09:15:00+01:00"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("scheduled", "Valuation: Jane Smith"), ("completed", "Valuation: Jane Smith (completed)"),
     ("no_show", "Valuation: Jane Smith (no show)"), ("cancelled", None)],
)  # fmt: skip
def test_appointment_status_decides_the_event(status: str, expected: str | None) -> None:
    body = m.event_for("appointments", appt(status=status), TZ)
    assert (body["summary"] if body else None) == expected


def test_appointment_without_time_is_all_day_and_without_date_has_none() -> None:
    body = m.event_for("appointments", appt(scheduled_time=None), TZ)
    assert body is not None
    assert body["start"] == {"date": "2026-04-05"} and body["end"] == {"date": "2026-04-06"}
    assert m.event_for("appointments", appt(scheduled_date=None), TZ) is None


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        m.event_for("appointments", appt(), "Mars/Olympus")


@pytest.mark.parametrize("stage", ["ready", "collected", "completed", "cancelled"])
def test_closed_jobs_have_no_due_event(stage: str) -> None:
    row = {"id": "r1", "due_date": "2026-03-01", "stage": stage}
    assert m.event_for("repairs", row, TZ) is None
    assert m.event_for("bespoke_jobs", row, TZ) is None


def test_open_and_deleted_jobs() -> None:
    row = {"id": "r1", "due_date": "2026-03-01", "stage": "on_hold", "repair_type": "re_tip"}
    body = m.event_for("repairs", row, TZ)
    assert body is not None and body["summary"] == "Repair due: Re tip"
    assert m.event_for("repairs", {**row, "deleted_at": "2026-02-01T00:00:00Z"}, TZ) is None
    assert m.event_for("repairs", {**row, "due_date": None}, TZ) is None


def test_event_ids_are_valid_stable_base32hex() -> None:
    first = m.event_id_for("appointments:a1")
    assert re.fullmatch(r"[a-v0-9]{5,1024}", first)
    assert first == m.event_id_for("appointments:a1") != m.event_id_for("appointments:a2")


def test_every_body_carries_our_ref_and_its_digest() -> None:
    body = m.event_for("appointments", appt(), TZ)
    assert body is not None
    assert m.ref_in(body) == "appointments:a1"
    sealed = m.sealed_digest(body)
    assert sealed is not None
    other = m.event_for("appointments", appt(notes="new"), TZ)
    assert other is not None and m.sealed_digest(other) != sealed
    assert m.ref_in({"extendedProperties": {"private": {"nexpura_ref": "customers:x"}}}) is None


def test_same_times_compares_instants_not_spelling() -> None:
    body = m.event_for("appointments", appt(), TZ)
    assert body is not None
    utc = {
        "start": {"dateTime": "2026-04-04T23:15:00Z"},
        "end": {"dateTime": "2026-04-05T00:15:00Z"},
    }
    assert m.same_times(body, utc)
    later = {"start": {"dateTime": "2026-04-05T00:15:00Z"}, "end": utc["end"]}
    assert not m.same_times(body, later)
    assert not m.same_times(body, {"start": {"date": "2026-04-05"}, "end": {"date": "2026-04-06"}})


def test_ledger_change_reads_a_move_in_the_shops_zone() -> None:
    moved = {
        "start": {"dateTime": "2026-04-06T04:00:00Z"},
        "end": {"dateTime": "2026-04-06T05:30:00Z"},
    }
    assert m.ledger_change("appointments", moved, TZ) == {
        "scheduled_date": "2026-04-06", "scheduled_time": "14:00", "duration_minutes": 90,
    }  # fmt: skip
    day = {"start": {"date": "2026-03-04"}, "end": {"date": "2026-03-05"}}
    assert m.ledger_change("repairs", day, TZ) == {"due_date": "2026-03-04"}
