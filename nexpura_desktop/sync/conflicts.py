"""Conflict policy helpers: customers merge field by field, the newest change wins.

Given the ledger's record, the remote record and — when known — the values both sides
had at the last sync (``base``), each field is decided on its own:

* only one side changed it since ``base`` → that side's value, no conflict;
* both changed it to different values → the side whose record changed most recently
  wins and the field is a *conflict*, recorded as a ``sync_issues`` row of kind
  ``conflict`` so the owner can see what was overwritten (never lost silently);
* without ``base`` an empty value never overwrites a filled one (a blank is not a
  change anyone made); two different filled values are a conflict as above.

Ties go to the ledger: it is the shop's own book.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import issues
from ._util import parse_utc


@dataclass(frozen=True)
class FieldConflict:
    field: str
    local_value: Any
    remote_value: Any
    winner: str  # 'local' | 'remote'


@dataclass
class MergeResult:
    merged: dict[str, Any]
    to_local: dict[str, Any] = field(default_factory=dict)  # changes for the ledger row
    to_remote: dict[str, Any] = field(default_factory=dict)  # changes to push
    conflicts: list[FieldConflict] = field(default_factory=list)


def _moment(value: datetime | str | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return parse_utc(value) if isinstance(value, str) else value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge_newest_wins(
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    fields: Iterable[str],
    *,
    local_changed_at: datetime | str | None,
    remote_changed_at: datetime | str | None,
    base: Mapping[str, Any] | None = None,
) -> MergeResult:
    """Decide each of ``fields`` (values compared as given: normalise them first)."""
    remote_newer = _moment(remote_changed_at) > _moment(local_changed_at)
    result = MergeResult(merged={})
    for name in fields:
        lv, rv = local.get(name), remote.get(name)
        if lv == rv:
            result.merged[name] = lv
            continue
        if base is not None and name in base:
            local_changed, remote_changed = lv != base[name], rv != base[name]
        else:
            local_changed, remote_changed = not _empty(lv), not _empty(rv)
        if local_changed and not remote_changed:
            winner = "local"
        elif remote_changed and not local_changed:
            winner = "remote"
        else:
            winner = "remote" if remote_newer else "local"
            result.conflicts.append(FieldConflict(name, lv, rv, winner))
        if winner == "local":
            result.merged[name] = lv
            result.to_remote[name] = lv
        else:
            result.merged[name] = rv
            result.to_local[name] = rv
    return result


def conflict_reason(conflicts: Iterable[FieldConflict], *, remote_name: str) -> str:
    """One plain sentence: which fields differed and which side was kept."""
    parts = []
    for c in conflicts:
        side = remote_name if c.winner == "remote" else "the shop ledger"
        other = c.local_value if c.winner == "remote" else c.remote_value
        parts.append(f"{c.field} kept from {side} (the other value was {other!r})")
    return "Changed in both places since the last sync: " + "; ".join(parts) + "."


def record_conflicts(
    conn: sqlite3.Connection,
    service: str,
    job: str,
    conflicts: list[FieldConflict],
    *,
    remote_name: str,
    local_table: str,
    local_id: object,
    remote_id: object,
    run_id: int | None = None,
) -> issues.Issue | None:
    """Record a merge's conflicts (if any) as one ``conflict`` issue for the record."""
    if not conflicts:
        return None
    detail = "; ".join(
        f"{c.field}: ledger={c.local_value!r} {remote_name}={c.remote_value!r} -> {c.winner}"
        for c in conflicts
    )
    return issues.record(
        conn,
        service,
        job,
        conflict_reason(conflicts, remote_name=remote_name),
        kind="conflict",
        local_table=local_table,
        local_id=local_id,
        remote_id=remote_id,
        detail=detail,
        run_id=run_id,
    )
