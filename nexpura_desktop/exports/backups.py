"""Scheduled backup exports: a maintenance job on the exports lane that keeps the last N.

Registered as ``exports.backup.export`` (schedule off by default); the owner's choice is
the ``schedule.exports.backup.export`` app setting the scheduler already reads, so the
GUI's timer and a headless ``run-due`` both make backups.  Pruning deletes only folders
and zips this app named ``nexpura-export-YYYYMMDD-HHMMSS`` inside the backup folder.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from ..engine.job import JobContext
from ..engine.registry import Registry
from . import export_ledger

JOB = "exports.backup.export"
SCHEDULE_KEY = f"schedule.{JOB}"
FOLDER_KEY = "backup.folder"
KEEP_KEY = "backup.keep"
DEFAULT_KEEP = 7
_NAME = re.compile(r"^nexpura-export-\d{8}-\d{6}(-\d+)?(\.zip)?$")


def _setting(ctx: JobContext, key: str) -> Any:
    row = ctx.ledger.conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def default_folder(ledger_path: Path) -> Path:
    return ledger_path.parent.parent / "exports" / "backups"


def backups_in(folder: Path) -> list[Path]:
    """This app's exports in ``folder``, oldest first (the name holds the time)."""
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.iterdir()
        if _NAME.match(p.name) and (p.suffix == ".zip" or (p / "manifest.json").is_file())
    ]
    return sorted(found, key=lambda p: p.name)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    found = backups_in(folder)
    doomed = found[: max(0, len(found) - max(1, keep))]
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return doomed


class BackupJob:
    def run(self, ctx: JobContext) -> None:
        folder_setting = _setting(ctx, FOLDER_KEY)
        folder = Path(folder_setting) if folder_setting else default_folder(ctx.ledger.path)
        keep = _setting(ctx, KEEP_KEY)
        keep = keep if isinstance(keep, int) and keep > 0 else DEFAULT_KEEP
        result = export_ledger(
            ctx.ledger.path, folder, progress=ctx.progress, cancel=ctx.cancel_event
        )
        ctx.count("created", result.total_rows)
        prune(folder, keep)


def register(registry: Registry) -> None:
    if JOB not in registry:
        registry.register_maintenance(
            JOB,
            BackupJob,
            schedule={"kind": "off"},
            description="full CSV backup export, keeping the last N",
        )
