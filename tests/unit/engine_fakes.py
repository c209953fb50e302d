"""A fake connector for the engine tests: jobs are plain functions given a JobContext."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sync.cursors import get_cursor, set_cursor

Body = Callable[[JobContext], None]
WAIT = 10.0  # generous upper bound for cross-thread events; never hit when things work


class FnJob:
    def __init__(self, body: Body) -> None:
        self.body = body

    def run(self, ctx: JobContext) -> None:
        self.body(ctx)


def job(body: Body) -> Callable[[], FnJob]:
    return lambda: FnJob(body)


def make_ledger(tmp_path: Path, *services: str, config: dict[str, Any] | None = None) -> Path:
    """A ledger with a ``fake_items`` table and the given services connected."""
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        ledger.conn.execute(
            "CREATE TABLE IF NOT EXISTS fake_items (id TEXT PRIMARY KEY, name TEXT NOT NULL)"
        )
        for service in services:
            connections.save_connected(
                ledger.conn, service, account=f"{service}-acct", config=config or {}, secrets=[]
            )
    return path


def rows(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with Ledger(path) as ledger:
        return [tuple(r) for r in ledger.conn.execute(sql, params)]


def paged_import(
    pages: list[list[str]],
    *,
    after_page: Callable[[int, JobContext], None] | None = None,
    stream: str = "items",
) -> Body:
    """A job that stores pages of ``fake_items`` with the cursor in the same transaction."""

    def body(ctx: JobContext) -> None:
        start = int(get_cursor(ctx.ledger.conn, ctx.service, stream) or 0)
        for number, page in enumerate(pages[start:], start=start + 1):
            ctx.request()
            with ctx.ledger.transaction() as conn:
                for item in page:
                    cur = conn.execute(
                        "INSERT INTO fake_items(id, name) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
                        (item, item.upper()),
                    )
                    ctx.count("created" if cur.rowcount else "unchanged")
                set_cursor(conn, ctx.service, stream, str(number))
            ctx.progress("pages", number, len(pages))
            if after_page is not None:
                after_page(number, ctx)
            ctx.raise_if_cancelled()

    return body


class Gate:
    """Lets a test hold a job at a known point: the job calls ``arrive()``."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.thread: threading.Thread | None = None

    def arrive(self, *_: object) -> None:
        self.thread = threading.current_thread()
        self.reached.set()
        assert self.release.wait(WAIT), "the test never released the gate"

    def wait_reached(self) -> None:
        assert self.reached.wait(WAIT), "the job never reached the gate"


def new_engine(path: Path, registry: Registry, **kwargs: Any) -> Engine:
    return Engine(path, registry, **kwargs)
