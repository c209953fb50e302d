"""Choosing another Google calendar: the old calendar's links and sync tokens are forgotten,
so the next run writes every event into the new calendar instead of editing events the
new calendar does not hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexpura_desktop.connectors.google_calendar.settings import (
    auto_sync_minutes,
    schedule_text,
    set_calendar,
)
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sync import links
from nexpura_desktop.sync.cursors import get_cursor, set_cursor


def test_new_calendar_forgets_links_and_cursors(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        connections.save_connected(
            ledger.conn, "google_calendar", account="A", config={"calendar_id": "a"}, secrets=[]
        )
        with ledger.transaction() as conn:
            links.upsert(conn, "google_calendar", "events", "appointments", "ap1", "ev1")
            set_cursor(conn, "google_calendar", "events.export", "7")
            assert not set_calendar(conn, "a", "A")
            assert links.by_local(conn, "google_calendar", "events", "appointments", "ap1")
            assert set_calendar(conn, "b", "Shop appointments")
            assert links.by_local(conn, "google_calendar", "events", "appointments", "ap1") is None
            assert get_cursor(conn, "google_calendar", "events.export") is None
            with pytest.raises(ValueError):
                set_calendar(conn, "")
        config = connections.get(ledger.conn, "google_calendar").config
    assert (config["calendar_id"], config["calendar_name"]) == ("b", "Shop appointments")


def test_schedule_is_read_from_the_schedule_itself() -> None:
    assert auto_sync_minutes({"schedule": {"kind": "interval", "minutes": 15}}) == 15
    assert auto_sync_minutes({"auto_sync": True, "schedule": {"kind": "off"}}) is None
    assert schedule_text({"schedule": {"kind": "cron", "cron": "0 2 * * *"}}) == (
        "on the schedule 0 2 * * *"
    )
    assert schedule_text({}) == "off"
