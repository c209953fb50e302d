"""The UI's one door into the core: engine, scheduler, ledger reads, settings, demo, import.

Widgets never open the ledger or call the engine themselves; they call this facade, so
the window stays a thin layer (Syncthing Tray style) and tests can drive the real
thing.  Reads here are small and indexed (a card's row, the last 200 runs), fine on the
GUI thread; anything bulky (demo load, import, export) is a function the UI runs on a
worker thread (see ``bridge.BackgroundTask``), each opening its own ``Ledger``.

Connecting runs the real flows of ``nexpura_desktop.auth.connect`` (``connect_async``,
``disconnect_service``); they touch the keyring and the network, so the UI calls them on a
worker thread (``ui.connect_dialog.ConnectRunner``, ``bridge.BackgroundTask``), never on
the GUI thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine import runs as runs_module
from ..engine.engine import Engine, Submission
from ..engine.errors import UnknownSync
from ..engine.registry import Registry
from ..engine.runs import RunSummary, recent_runs
from ..engine.schedule import Schedule
from ..engine.scheduler import Scheduler, is_paused, set_paused
from ..errors import UserError
from ..ledger import connections
from ..ledger.connections import Connection
from ..ledger.db import Ledger
from ..paths import Paths
from ..secrets import SecretStore
from ..sync import issues as sync_issues
from .strings import S, service_name

if TYPE_CHECKING:  # the auth flows load on first use: they are not needed to show the window
    import httpx

    from ..auth.connect import DisconnectResult, Options
    from ..auth.context import Chooser, ConnectResult
    from ..auth.endpoints import Endpoints

log = logging.getLogger(__name__)
Progress = Callable[[str, int, "int | None"], None]

SERVICES = connections.SERVICES
HISTORY_KEY = "ui.export_history"
HISTORY_LIMIT = 20


@dataclass(frozen=True)
class ShopProfile:
    """The shop facts syncs need (prices, dates, tax): stored in ``app_settings``."""

    timezone: str = "Australia/Sydney"
    country: str = "Australia"
    currency: str = "AUD"
    tax_inclusive: bool = True


@dataclass(frozen=True)
class MessageRow:
    channel: str  # whatsapp | sms
    sent_at: str | None
    phone: str | None
    status: str | None
    text: str | None
    error: str | None


@dataclass(frozen=True)
class ExportRecord:
    path: str
    at: str
    rows: int
    tables: int
    kind: str  # ledger | customer | backup


class Backend:
    """Everything the window needs, built once per app from the home's ``Paths``."""

    def __init__(
        self,
        paths: Paths,
        registry: Registry,
        *,
        sandbox_url: str | None = None,
        secrets: SecretStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.paths = paths.ensure()
        self._secrets = secrets  # None: chosen lazily (keyring_choice), off the GUI thread
        self._sandbox_file = False  # the chosen store is the sandbox's plain file
        self._secrets_lock = threading.Lock()
        self.transport = transport  # tests: an in-process sandbox
        self._home_thread = threading.get_ident()
        self._kept: Ledger | None = None  # the home thread's read connection
        with Ledger(paths.ledger):
            pass  # create / migrate once, before any thread opens it
        self.registry = registry
        self.engine = Engine(paths.ledger, registry)
        self.scheduler = Scheduler(self.engine)
        self._sandbox: Any = None  # SandboxServer started in-process for the demo
        self._sandbox_lock = threading.Lock()
        if sandbox_url:
            self.set_setting("sandbox.inprocess", False)
            self.set_setting("sandbox.url", sandbox_url)
            self.set_setting("sandbox.enabled", True)

    # -- ledger access -------------------------------------------------------------------
    def ledger(self) -> Ledger:
        """A short-lived connection for the calling thread (close it: ``with``)."""
        return Ledger(self.paths.ledger)

    @contextmanager
    def _reading(self) -> Iterator[Ledger]:
        """A ledger for the small reads the window makes: on the thread that built the
        backend (the GUI thread) one connection kept open, so a card refresh is a few
        indexed queries — not a connect, pragmas and a schema check each time, all of
        which wait for the GIL behind busy workers.  Other threads get a fresh one.
        Autocommit reads only: never a transaction on the kept connection.
        """
        if threading.get_ident() != self._home_thread:
            with Ledger(self.paths.ledger) as ledger:
                yield ledger
            return
        if self._kept is None:
            self._kept = Ledger(self.paths.ledger)
        yield self._kept

    def has_shop(self) -> bool:
        with self._reading() as ledger:
            return ledger.row_count("tenants") > 0

    def is_configured(self) -> bool:
        """Anything set up at all: a shop in the ledger or a service connected."""
        if self.has_shop():
            return True
        return any(c.status != "disconnected" for c in self.connections())

    def table_names(self) -> list[str]:
        with self._reading() as ledger:
            return [t.name for t in ledger.tenant_tables()]

    # -- settings ------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        with self._reading() as ledger:
            row = ledger.conn.execute(
                "SELECT value FROM app_settings WHERE key = ?", (key,)
            ).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.ledger() as ledger:
            ledger.conn.execute(
                "INSERT INTO app_settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                "SET value = excluded.value, updated_at = "
                "strftime('%Y-%m-%dT%H:%M:%f+00:00','now')",
                (key, json.dumps(value)),
            )

    def shop_profile(self) -> ShopProfile:
        """Saved profile, else what the shop's own ``tenants``/``settings`` rows say."""
        saved = self.setting("shop.profile")
        if isinstance(saved, dict):
            return ShopProfile(
                timezone=str(saved.get("timezone") or ShopProfile.timezone),
                country=str(saved.get("country") or ShopProfile.country),
                currency=str(saved.get("currency") or ShopProfile.currency),
                tax_inclusive=bool(saved.get("tax_inclusive", True)),
            )
        with self._reading() as ledger:
            row = ledger.conn.execute(
                "SELECT timezone, country, currency, tax_inclusive FROM tenants "
                "WHERE deleted_at IS NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
        if row is None:
            return ShopProfile()
        return ShopProfile(
            timezone=row[0] or ShopProfile.timezone,
            country=row[1] or ShopProfile.country,
            currency=row[2] or ShopProfile.currency,
            tax_inclusive=bool(row[3]) if row[3] is not None else True,
        )

    def save_shop_profile(self, profile: ShopProfile) -> None:
        self.set_setting(
            "shop.profile",
            {
                "timezone": profile.timezone,
                "country": profile.country,
                "currency": profile.currency.upper(),
                "tax_inclusive": profile.tax_inclusive,
            },
        )

    def close_to_tray(self) -> bool:
        return bool(self.setting("ui.close_to_tray", True))

    def sandbox_url(self) -> str | None:
        if not self.setting("sandbox.enabled", False):
            return None
        url = self.setting("sandbox.url")
        return str(url) if url else None

    # -- connections ---------------------------------------------------------------------
    def connections(self) -> list[Connection]:
        with self._reading() as ledger:
            return connections.all_connections(ledger.conn)

    def connection(self, service: str) -> Connection:
        with self._reading() as ledger:
            return connections.get(ledger.conn, service)

    def keyring_home(self) -> Path | None:
        """The home naming the keyring entries, as the CLI's ``--home`` would (None: default)."""
        root = self.paths.data.parent
        if self.paths.data == root / "data" and self.paths.logs == root / "logs":
            return root
        return None

    def secret_store(self) -> SecretStore:
        """The keyring store for this home (may probe the keyring: call off the GUI thread).

        Raises a one-line ``UserError`` when no usable keyring exists — except in sandbox
        mode, where the emulators' fake credentials go to the sandbox-file store instead
        (``NEXPURA_DESKTOP_KEYRING=sandbox-file`` semantics), so the demo connects every
        integration on a bare machine.  The chosen store becomes the one jobs read.
        """
        from ..auth import keyring_choice
        from ..secrets import keyring_service, set_default_store

        sandbox = self.sandbox_url() is not None
        with self._secrets_lock:
            if self._secrets is not None and self._sandbox_file and not sandbox:
                self._secrets = None  # sandbox mode is off: never keep real secrets in a file
            if self._secrets is None:
                try:
                    store = keyring_choice.secret_store(
                        self.keyring_home(), self.paths.data, sandbox=sandbox
                    )
                    self._sandbox_file = isinstance(
                        store.backend, keyring_choice.SandboxFileKeyring
                    )
                except UserError as exc:
                    chosen = os.environ.get(keyring_choice.ENV, "").strip().lower()
                    if not sandbox or chosen not in ("", "system"):
                        raise
                    path = self.paths.data / keyring_choice.SANDBOX_FILE
                    log.warning("%s; sandbox credentials go to %s", exc, path)
                    store = SecretStore(
                        service=keyring_service(self.keyring_home()),
                        backend=keyring_choice.SandboxFileKeyring(path),
                    )
                    self._sandbox_file = True
                self._secrets = store
                set_default_store(store)
            return self._secrets

    async def endpoints(self, sandbox_url: str | None = None) -> Endpoints:
        from ..auth.endpoints import load_endpoints

        return await load_endpoints(sandbox_url or self.sandbox_url(), transport=self.transport)

    async def connect_async(
        self,
        options: Options | Callable[[Endpoints], Options],
        *,
        open_url: Callable[[str], None],
        choose: Chooser | None,
        progress: Progress | None = None,
    ) -> ConnectResult:
        """Run the service's connect flow (worker thread: keyring, network, loopback).

        ``options`` may be a function of the endpoints, for choices that depend on the
        sandbox's own test accounts (the dialog cannot know them before they load).
        """
        from ..auth.connect import connect
        from ..auth.context import ConnectContext

        endpoints = await self.endpoints()
        if callable(options):
            options = options(endpoints)
        store = self.secret_store()
        with self.ledger() as ledger:
            schedules = {
                c.service: c.config.get("schedule")
                for c in connections.all_connections(ledger.conn)
            }
            ctx = ConnectContext(
                ledger=ledger,
                secrets=store,
                endpoints=endpoints,
                transport=self.transport,
                open_url=open_url,
                choose=choose,
                progress=progress,
            )
            result = await connect(ctx, options)
            connections.update_config(
                ledger.conn,
                result.service,
                schedule=schedules.get(result.service) or {"kind": "interval", "minutes": 60},
            )
        return result

    async def disconnect_async(self, service: str) -> DisconnectResult:
        """Remote revoke (where the service has one), keyring clean-up, row kept."""
        from ..auth.connect import disconnect
        from ..auth.context import ConnectContext
        from ..auth.endpoints import SandboxUnreachable, load_endpoints

        self.engine.cancel(service)
        recorded = self.connection(service).config.get("sandbox")
        notes: list[str] = []
        remote = True
        try:
            endpoints = await self.endpoints(str(recorded) if recorded else None)
        except SandboxUnreachable as exc:
            notes.append(str(exc))
            endpoints = await load_endpoints(None)
            remote = False
        store = self.secret_store()
        with self.ledger() as ledger:
            ctx = ConnectContext(
                ledger=ledger, secrets=store, endpoints=endpoints, transport=self.transport
            )
            result = await disconnect(ctx, service, remote=remote)
        result.notes[:0] = notes
        return result

    def disconnect_service(self, service: str) -> str:
        """Blocking disconnect for a worker thread; returns the sentence to show."""
        result = asyncio.run(self.disconnect_async(service))
        text = S.DISCONNECTED_MESSAGE.format(service=service_name(service))
        if result.revoked:
            text = S.DISCONNECTED_REVOKED.format(service=service_name(service))
        return " ".join([text, *(f"{n[:1].upper()}{n[1:]}." for n in result.notes)])

    def set_schedule(self, service: str, schedule: dict[str, Any]) -> None:
        Schedule.from_config(schedule)  # refuse a bad one before storing it
        with self.ledger() as ledger:
            connections.update_config(ledger.conn, service, schedule=schedule)

    def entities(self, service: str) -> list[str]:
        """Entities with sync jobs for ``service`` (for the Directions dialog)."""
        if service not in self.registry.services():
            return []
        names = [spec.name.entity for spec in self.registry.sync_jobs(service)]
        return list(dict.fromkeys(names))

    def set_directions(self, service: str, directions: dict[str, str]) -> None:
        with self.ledger() as ledger:
            connections.update_config(ledger.conn, service, directions=directions)

    # -- syncing -------------------------------------------------------------------------
    def sync_now(self, service: str = "all") -> list[Submission]:
        """Start a manual sync; ``UserError`` (one sentence) when there is nothing to run."""
        try:
            return self.engine.sync_now(service, trigger="manual")
        except UnknownSync:
            raise
        except KeyError as exc:  # a registry gap is a bug, but say it plainly
            raise UserError(str(exc)) from exc

    def busy(self, service: str | None = None) -> bool:
        names = [service] if service else [*SERVICES, "exports"]
        return any(self.engine.busy(n) for n in names)

    def recent_runs(
        self, service: str | None = None, outcome: str | None = None, limit: int = 200
    ) -> list[RunSummary]:
        with self._reading() as ledger:
            found = recent_runs(ledger.conn, service, limit=limit if outcome is None else 2000)
        if outcome is not None:
            found = [r for r in found if r.outcome == outcome][:limit]
        return found

    def last_run(self) -> RunSummary | None:
        found = self.recent_runs(limit=1)
        return found[0] if found else None

    def last_runs(self, services: Sequence[str] = SERVICES) -> dict[str, RunSummary]:
        """Each service's latest run, in one statement (one index probe per service)."""
        if not services:
            return {}
        part = (
            f"SELECT * FROM (SELECT {runs_module._COLS} FROM sync_runs WHERE service = ? "
            "ORDER BY started_at DESC, id DESC LIMIT 1)"
        )
        sql = " UNION ALL ".join([part] * len(services))
        with self._reading() as ledger:
            found = [runs_module._summary(r) for r in ledger.conn.execute(sql, list(services))]
        return {run.service: run for run in found}

    def last_run_of(self, service: str) -> RunSummary | None:
        found = self.recent_runs(service, limit=1)
        return found[0] if found else None

    def open_issues(self, service: str | None = None) -> list[sync_issues.Issue]:
        with self._reading() as ledger:
            return sync_issues.list_open(ledger.conn, service)

    def retry_issue(self, issue_id: int) -> Submission:
        return self.engine.retry_issue(issue_id)

    def skip_issue(self, issue_id: int) -> None:
        with self.ledger() as ledger:
            sync_issues.skip(ledger.conn, issue_id)

    def paused(self) -> bool:
        with self._reading() as ledger:
            return is_paused(ledger.conn)

    def set_paused(self, paused: bool) -> None:
        with self.ledger() as ledger:
            set_paused(ledger.conn, paused)

    def tick(self) -> int:
        """One scheduler tick; returns how many entries were started or skipped."""
        return len(self.scheduler.tick())

    # -- messages ------------------------------------------------------------------------
    def messages(self, channel: str | None = None, limit: int = 500) -> list[MessageRow]:
        parts = []
        if channel in (None, "whatsapp"):
            parts.append(
                "SELECT 'whatsapp', sent_at, phone, status, message, error_message "
                "FROM whatsapp_sends"
            )
        if channel in (None, "sms"):
            parts.append(
                "SELECT 'sms', sent_at, phone, status, message, error_message FROM sms_sends"
            )
        sql = " UNION ALL ".join(parts) + " ORDER BY 2 DESC LIMIT ?"
        with self._reading() as ledger:
            return [MessageRow(*r) for r in ledger.conn.execute(sql, (limit,))]

    # -- export history ------------------------------------------------------------------
    def export_history(self) -> list[ExportRecord]:
        raw = self.setting(HISTORY_KEY, [])
        found = []
        for item in raw if isinstance(raw, list) else []:
            try:
                found.append(ExportRecord(**item))
            except TypeError:
                continue
        return found

    def add_export_history(self, path: Path, rows: int, tables: int, kind: str) -> None:
        record = {
            "path": str(path),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": rows,
            "tables": tables,
            "kind": kind,
        }
        items = [record, *[vars(r) for r in self.export_history()]][:HISTORY_LIMIT]
        self.set_setting(HISTORY_KEY, items)

    def export_folder(self) -> Path:
        saved = self.setting("exports.folder")
        return Path(saved) if saved else self.paths.exports

    # -- first run: demo and import (call on a worker thread) ----------------------------
    def load_demo(self, progress: Progress | None = None) -> int:
        """Load the small demo shop (if the ledger holds none); returns rows written."""
        from ..ledger import demo

        with self.ledger() as ledger:
            if ledger.row_count("tenants") > 0:
                return 0
            counts = demo.load_demo(ledger, "small", 1, progress=progress)
        return sum(counts.values())

    def start_sandbox(self) -> str:
        """Serve every emulator in-process on free loopback ports; returns the hub URL."""
        from ..sandbox.runner import SandboxServer

        with self._sandbox_lock:
            if self._sandbox is None:
                try:
                    server = SandboxServer(port_base=0, seed_demo="small").start_in_thread()
                except (OSError, RuntimeError) as exc:
                    raise UserError(str(exc)) from exc
                self._sandbox = server
            url = str(self._sandbox.hub_url)
        self.set_setting("sandbox.url", url)
        self.set_setting("sandbox.enabled", True)
        self.set_setting("sandbox.inprocess", True)
        return url

    def import_file(
        self, path: Path, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> int:
        from ..ledger.importer import import_export

        with self.ledger() as ledger:
            result = import_export(ledger, path, progress=progress, cancel=cancel)
        return result.total("inserted") + result.total("updated")

    # -- shutdown ------------------------------------------------------------------------
    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel every lane, wait for them, stop the in-process sandbox."""
        stopped = self.engine.shutdown(timeout)
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()
        with self._sandbox_lock:
            server, self._sandbox = self._sandbox, None
        if server is not None:
            server.close()
        return stopped
