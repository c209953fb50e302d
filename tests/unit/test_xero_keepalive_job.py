"""The Xero keep-alive is a scheduled maintenance job of every registry the app builds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nexpura_desktop.connectors.registry import build_registry
from nexpura_desktop.connectors.xero.streams import KEEP_ALIVE_JOB
from nexpura_desktop.engine.run_due import run_due
from nexpura_desktop.ledger.db import Ledger


def test_keepalive_is_registered_daily() -> None:
    registry = build_registry()
    assert KEEP_ALIVE_JOB in registry
    spec = registry.get(KEEP_ALIVE_JOB)
    assert spec in registry.maintenance_jobs()


def test_keepalive_does_nothing_while_xero_is_not_connected(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    Ledger(path).close()
    runs = run_due(path, build_registry(), now=datetime(2026, 11, 27, tzinfo=UTC))
    keepalive = [r for r in runs if r.job == KEEP_ALIVE_JOB]
    assert all(r.outcome in ("success", "skipped") for r in keepalive)
    assert all(r.counts.updated == 0 for r in keepalive)
