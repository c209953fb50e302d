"""The local API served for real on a free loopback port, over an engine with fake jobs.

``api`` gives the base URL, the token and an ``httpx.Client`` that sends it; ``jobs``
decides what the fake sync jobs do (``hold`` keeps a lane busy until released).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from nexpura_desktop.api import tokens
from nexpura_desktop.api.app import ApiDeps, build_app
from nexpura_desktop.api.config import ApiConfig
from nexpura_desktop.api.server import ApiServer
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.paths import Paths, resolve
from nexpura_desktop.secrets import MemoryKeyring, SecretStore

JOBS = (
    "shopify.products.import",
    "woocommerce.products.import",
    "woocommerce.customers.import",
    "woocommerce.orders.import",
    "google_calendar.events.export",
)


class Jobs:
    """Fake sync jobs: record what ran; ``hold`` blocks them until it is set."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.hold: threading.Event | None = None
        self.started = threading.Event()
        self._lock = threading.Lock()

    def factory(self) -> object:
        outer = self

        class _Job:
            def run(self, ctx: JobContext) -> None:
                with outer._lock:
                    outer.ran.append(str(ctx.name))
                outer.started.set()
                if outer.hold is not None:
                    outer.hold.wait(20)
                ctx.count("unchanged", 1)

        return _Job()


@dataclass
class Api:
    url: str
    token: str
    client: httpx.Client
    deps: ApiDeps
    store: SecretStore
    paths: Paths
    engine: Engine
    jobs: Jobs

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=20)

    def connect(self, *services: str) -> None:
        with Ledger(self.paths.ledger) as ledger:
            for service in services:
                connections.save_connected(
                    ledger.conn, service, account=f"{service} shop", config={}, secrets=[]
                )


@pytest.fixture
def store() -> SecretStore:
    return SecretStore(service="Nexpura Desktop [api test]", backend=MemoryKeyring())


def serve(paths: Paths, store: SecretStore, config: ApiConfig | None = None) -> Iterator[Api]:
    jobs = Jobs()
    registry = Registry()
    for name in JOBS:
        registry.register(name, jobs.factory)  # type: ignore[arg-type]
    with Ledger(paths.ledger):
        pass
    engine = Engine(paths.ledger, registry)
    deps = ApiDeps(
        ledger_path=paths.ledger,
        engine=engine,
        secrets=lambda: store,
        export_folder=lambda: paths.exports,
    )
    token = tokens.ensure_token(store)
    app = build_app(deps, config or ApiConfig(enabled=True))
    server = ApiServer(app, 0).start_in_thread()
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=20
    )
    try:
        yield Api(server.url, token, client, deps, store, paths, engine, jobs)
    finally:
        client.close()
        if jobs.hold is not None:
            jobs.hold.set()
        app.state.deferred.close()
        server.close()
        engine.shutdown(10)


@pytest.fixture
def api(isolated_home: Path, store: SecretStore) -> Iterator[Api]:
    yield from serve(resolve(isolated_home).ensure(), store)
