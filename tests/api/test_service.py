"""The app's ApiService: off by default, started at launch when switched on, restartable."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nexpura_desktop.api import service as api_service
from nexpura_desktop.api.config import ApiConfig
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.paths import Paths, resolve
from nexpura_desktop.secrets import SecretStore


class FakeBackend:
    """The parts of ui.backend.Backend the service uses."""

    def __init__(self, paths: Paths, store: SecretStore) -> None:
        self.paths = paths
        with Ledger(paths.ledger):
            pass
        self.engine = Engine(paths.ledger, Registry())
        self.store = store
        self.history: list[tuple[Path, int, int, str]] = []

    def secret_store(self) -> SecretStore:
        return self.store

    def export_folder(self) -> Path:
        return self.paths.exports

    def add_export_history(self, path: Path, rows: int, tables: int, kind: str) -> None:
        self.history.append((path, rows, tables, kind))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def backend(isolated_home: Path, store: SecretStore) -> Iterator[FakeBackend]:
    made = FakeBackend(resolve(isolated_home).ensure(), store)
    yield made
    api_service.service_for(made).stop()
    made.engine.shutdown(10)


def test_nothing_starts_while_the_api_is_off(backend: FakeBackend) -> None:
    assert api_service.start_if_enabled(backend) is None
    assert not api_service.service_for(backend).running


def test_switched_on_it_starts_at_launch_with_a_token(backend: FakeBackend) -> None:
    port = _free_port()
    api_service.service_for(backend).save_config(ApiConfig(enabled=True, port=port))
    started = api_service.start_if_enabled(backend)
    assert started is api_service.service_for(backend) and started.running
    assert started.url == f"http://127.0.0.1:{port}"
    token = started.token()
    response = httpx.post(
        f"{started.url}/api/data-export", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    assert backend.history and backend.history[0][3] == "api"  # shown in Exports' history


def test_a_failed_start_is_remembered_not_raised(backend: FakeBackend) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        api_service.service_for(backend).save_config(ApiConfig(enabled=True, port=port))
        found = api_service.start_if_enabled(backend)
    assert found is not None and not found.running
    assert found.last_error and "cannot listen" in found.last_error


def test_apply_restarts_on_a_new_port_and_stops_when_switched_off(backend: FakeBackend) -> None:
    service = api_service.service_for(backend)
    first, second = _free_port(), _free_port()
    assert service.apply(ApiConfig(enabled=True, port=first)) == f"http://127.0.0.1:{first}"
    assert service.apply(ApiConfig(enabled=True, port=second)) == f"http://127.0.0.1:{second}"
    assert service.apply(ApiConfig(enabled=False, port=second)) is None
    assert not service.running
