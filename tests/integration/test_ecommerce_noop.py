"""Reliability bar: a second sync with nothing changed writes nothing — no ledger row, no
change-feed entry, no outbox row, no write to the shop site — and makes at most one request
per stream.  Both services, the real app in a child process against the live sandbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.ledger.changes import latest_seq

from .ecommerce_reliability_support import Home, LiveShop

# Bookkeeping a sync must write even when nothing changed: its own run row, and the
# integration's "last synced" time.
BOOKKEEPING = ("sync_runs", "connections", "sqlite_sequence")


def dump(home: Home) -> dict[str, list[tuple[Any, ...]]]:
    """Every ledger table but the sync bookkeeping, row by row."""
    with sqlite3.connect(home.ledger) as db:
        tables = [
            str(r[0])
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if str(r[0]) not in BOOKKEEPING
        ]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def seq_and_outbox(home: Home) -> tuple[int, int]:
    with sqlite3.connect(home.ledger) as db:
        return latest_seq(db), int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])


def jobs_run(home: Home, after_id: int) -> list[str]:
    with sqlite3.connect(home.ledger) as db:
        return [
            str(r[0])
            for r in db.execute("SELECT job FROM sync_runs WHERE id > ? ORDER BY id", (after_id,))
        ]


def last_run_id(home: Home) -> int:
    with sqlite3.connect(home.ledger) as db:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM sync_runs").fetchone()[0])


def writes(requests: list[dict[str, Any]]) -> list[str]:
    """Requests that change the shop site (REST writes, GraphQL mutations)."""
    out = []
    for r in requests:
        body = str(r.get("body") or "")
        if r["path"].endswith("graphql.json"):
            if body.lstrip('{ "query:').startswith("mutation") or '"mutation' in body[:40]:
                out.append(body[:120])
        elif r["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            out.append(f"{r['method']} {r['path']}")
    return out


def describe(requests: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r['method']} {r['path']}?{r['query'][:80]} {str(r.get('body'))[:90]}" for r in requests
    ]


@pytest.mark.parametrize("service", ["shopify", "woocommerce"])
def test_second_sync_with_nothing_changed_writes_nothing(
    shop: LiveShop, template: Home, tmp_path: Path, service: str
) -> None:
    shop.reseed()
    home = template.copy(tmp_path / "home")
    first = home.sync(service)
    assert first["outcome"] in ("success", "partial"), first
    assert first["counts"]["created"] > 0
    home.sync(service)  # anything the first pass left to confirm (e.g. a stock push)
    before, (seq, outbox) = dump(home), seq_and_outbox(home)
    runs_before = last_run_id(home)
    shop.emu(service).log.clear()

    again = home.sync(service)

    requests = shop.requests(service)
    streams = jobs_run(home, runs_before)
    assert again["outcome"] in ("success", "partial"), again
    assert again["counts"]["created"] == again["counts"]["updated"] == 0, again
    assert seq_and_outbox(home) == (seq, outbox) and outbox == 0
    after = dump(home)
    changed = {t: len(after[t]) for t in after if after[t] != before.get(t)}
    assert changed == {}, changed  # not a single ledger row written
    assert writes(requests) == []
    assert len(requests) <= len(streams), (streams, describe(requests))
    assert again["requests"] == len(requests)
