"""The API inside the running app: one :class:`ApiService` per backend, started at launch
when switched on (``start_if_enabled``), restarted when its settings change.

This module does not import Qt: the window's panel (``ui/api_panel.py``) calls it, on a
worker thread where the keyring is touched.
"""

from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path
from typing import Any, Protocol

from ..engine.engine import Engine
from ..errors import UserError
from ..exports.engine import ExportResult
from ..ledger.db import Ledger
from ..paths import Paths
from ..secrets import SecretStore
from . import config as api_config
from . import tokens
from .app import ApiDeps, build_app
from .config import ApiConfig
from .server import ApiServer

log = logging.getLogger(__name__)


class BackendLike(Protocol):
    """What the service needs of ``ui.backend.Backend`` (no Qt here)."""

    paths: Paths
    engine: Engine

    def secret_store(self) -> SecretStore: ...

    def export_folder(self) -> Path: ...

    def add_export_history(self, path: Path, rows: int, tables: int, kind: str) -> None: ...


class ApiService:
    """Start/stop the API for one backend; reads and saves its settings."""

    def __init__(self, backend: BackendLike) -> None:
        self._backend = backend
        self._server: ApiServer | None = None
        self._app: Any = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    # -- settings -------------------------------------------------------------------------
    def config(self) -> ApiConfig:
        with Ledger(self._backend.paths.ledger) as ledger:
            return api_config.load(ledger.conn)

    def save_config(self, config: ApiConfig) -> None:
        with Ledger(self._backend.paths.ledger) as ledger:
            api_config.save(ledger.conn, config)

    # -- token (keyring: call off the GUI thread) -----------------------------------------
    def token(self) -> str:
        return tokens.ensure_token(self._backend.secret_store())

    def rotate_token(self) -> str:
        return tokens.rotate_token(self._backend.secret_store())

    # -- serving --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running

    @property
    def url(self) -> str | None:
        return self._server.url if self._server is not None else None

    def _record_export(self, result: ExportResult) -> None:
        self._backend.add_export_history(result.path, result.total_rows, len(result.tables), "api")

    def start(self, port: int | None = None) -> str:
        """Serve on the configured port (or ``port``); returns the base URL.

        Makes sure a token exists first, so the owner can copy it at once.  Raises a
        one-sentence ``UserError`` (port taken, keyring missing) and records it.
        """
        with self._lock:
            if self.running and self._server is not None:
                return self._server.url
            try:
                self.token()
                cfg = self.config()
                deps = ApiDeps(
                    ledger_path=self._backend.paths.ledger,
                    engine=self._backend.engine,
                    secrets=self._backend.secret_store,
                    export_folder=self._backend.export_folder,
                    on_export=self._record_export,
                )
                self._app = build_app(deps, cfg)
                self._server = ApiServer(self._app, cfg.port if port is None else port)
                self._server.start_in_thread()
            except UserError as exc:
                self.last_error = str(exc)
                self._server = None
                raise
            self.last_error = None
            log.info("local API serving on %s", self._server.url)
            return self._server.url

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            app, self._app = self._app, None
        if app is not None:
            app.state.deferred.close()
        if server is not None:
            server.close()
            log.info("local API stopped")

    def apply(self, config: ApiConfig) -> str | None:
        """Save ``config`` and start, restart or stop to match it; returns the URL or None."""
        self.save_config(config)
        self.stop()
        return self.start() if config.enabled else None


_services: weakref.WeakKeyDictionary[Any, ApiService] = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def service_for(backend: BackendLike) -> ApiService:
    """The one service of ``backend`` (created, not started, on first use)."""
    with _services_lock:
        found = _services.get(backend)
        if found is None:
            found = _services[backend] = ApiService(backend)
        return found


def start_if_enabled(backend: BackendLike) -> ApiService | None:
    """At launch: start the API when the owner switched it on (None when it is off).

    A failure to start (port taken, keyring locked) is logged and kept in
    ``last_error`` for the Settings panel; the app carries on without the API.
    """
    service = service_for(backend)
    if not service.config().enabled:
        return None
    try:
        service.start()
    except UserError as exc:
        log.warning("the local API did not start: %s", exc)
    return service
