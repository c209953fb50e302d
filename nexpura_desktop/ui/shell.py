"""The running app: backend, engine bridge, window, tray and the scheduler timer, wired.

``Shell`` is what ``run_gui`` builds and what the GUI tests drive.  Shutdown is in one
place (``shutdown``): stop timers, cancel and wait for worker tasks and every engine
lane, stop the in-process sandbox, then leave the event loop.
"""

from __future__ import annotations

import logging
import sys
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ..engine.runs import RunSummary
from ..errors import UserError
from .backend import Backend
from .bridge import BackgroundTask, EngineBridge
from .gc_policy import IdleCollector
from .main_window import MainWindow
from .strings import S
from .tray import Tray, TrayActions

log = logging.getLogger(__name__)
TICK_MS = 30_000
STARTUP_TICK_MS = 3_000
# The GUI thread competes for the GIL with sync lanes and export workers.  Python hands
# the GIL over only every "switch interval" (5 ms by default), and every Qt callback into
# Python needs it, so a few waits add up to a visible stall; 1 ms keeps the window
# responsive for a few per cent of the workers' throughput.
GIL_SWITCH_INTERVAL = 0.001
IDLE_COLLECT_DELAY_MS = 1_000
LOCAL_API_SERVICE = "nexpura_desktop.api.service"


class Shell(QObject):
    def __init__(
        self,
        backend: Backend,
        *,
        tray_available: bool | None = None,
        window: MainWindow | None = None,
    ) -> None:
        """``window``: the frame already on screen (``ui.launch``) to build the pages into."""
        super().__init__()
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
        self.backend = backend
        if tray_available is None:
            tray_available = (
                window.tray_available if window else QSystemTrayIcon.isSystemTrayAvailable()
            )
        self.tray_available = tray_available
        self.closed = False
        self.bridge = EngineBridge(backend.engine, self)
        if window is None:
            window = MainWindow(backend, tray_available=tray_available, request_quit=self.quit)
        else:
            window.request_quit = self.quit
            window.attach(backend)
        self.window = window
        self.tray = Tray(
            backend,
            TrayActions(
                sync=self.sync,
                export_now=self.export_now,
                toggle_pause=self.toggle_pause,
                open_window=self.window.bring_to_front,
                quit=self.quit,
            ),
            self,
        )
        for target in (self.window.integrations, self.tray):
            self.bridge.runStarted.connect(target.run_started)
            self.bridge.runFinished.connect(target.run_finished)
        self.bridge.runFinished.connect(self.window.messages.run_finished)  # Twilio runs
        self.bridge.runFinished.connect(self._run_finished)
        self.bridge.runProgress.connect(self._run_progress)
        self.bridge.runProgress.connect(self.window.integrations.run_progress)
        self.window.settings.changed.connect(self.tray.update_state)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self._last_tick = time.monotonic()
        self.sandbox_task: BackgroundTask | None = None
        self.keyring_task: BackgroundTask | None = None
        self.tick_task: BackgroundTask | None = None
        self.api_task: BackgroundTask | None = None  # starts the local API (app.py)
        # Full collections hold the GIL for a long walk: only while idle (gc_policy).
        self.collector = IdleCollector(self._busy)
        self.collector.install()
        self.window.exports.exportFinished.connect(self._work_done)

    def start(self) -> None:
        """Show the window (and tray), start the scheduler's timer."""
        if self.tray_available:
            self.tray.show()
        self.window.show()
        self.timer.start()
        QTimer.singleShot(STARTUP_TICK_MS, self.tick)
        if self.backend.setting("sandbox.inprocess") and self.backend.sandbox_url():
            self.restart_sandbox()

    def restart_sandbox(self) -> None:
        """The demo's in-process sandbox died with the last session: serve it again."""
        backend = self.backend
        task = BackgroundTask("sandbox", lambda _p, _c: backend.start_sandbox(), self)
        task.failed.connect(self.window.show_status)
        self.sandbox_task = task
        task.start()

    # -- actions (window and tray) -------------------------------------------------------
    def sync(self, service: str) -> None:
        try:
            for sub in self.backend.sync_now(service):
                self.window.show_status(sub.message)
        except UserError as exc:
            self.window.show_status(str(exc))
            self.tray.notifications.append((S.APP_NAME, str(exc)))
        self.tray.update_state()

    def export_now(self) -> None:
        self.window.show_page("exports")
        self.window.exports.start_export()

    def toggle_pause(self) -> None:
        self.backend.set_paused(not self.backend.paused())
        self.window.refresh()
        self.tray.update_state()

    def tick(self) -> BackgroundTask:
        """Start what is due; a long gap since the last tick means the PC slept (catch-up).

        The scheduler reads the ledger and may record a skipped run — a write that waits
        while a big sync holds the ledger — so it runs on a worker, one tick at a time
        (a tick asked for while one runs is that one).
        """
        if self.tick_task is not None and self.tick_task.running:
            return self.tick_task
        now = time.monotonic()
        if now - self._last_tick > 2 * TICK_MS / 1000:
            log.info("woke after %.0f s: catching up on schedules", now - self._last_tick)
        self._last_tick = now
        backend = self.backend
        task = BackgroundTask("tick", lambda _p, _c: backend.tick(), self)
        task.failed.connect(lambda message: log.warning("scheduler tick: %s", message))
        task.finished.connect(self._tick_done)
        self.tick_task = task
        task.start()
        return task

    def _tick_done(self) -> None:
        if not self.closed:
            self.tray.update_state()
            self.collector.maybe_collect()

    def _busy(self) -> bool:
        return self.backend.busy() or self.window.exports.running or self.window.first_run.running

    def _work_done(self, *_args: object) -> None:
        """Something finished: once the window has caught up, collect if all is idle."""
        QTimer.singleShot(IDLE_COLLECT_DELAY_MS, self, self._collect_if_idle)

    def _collect_if_idle(self) -> None:
        if not self.closed:
            self.collector.maybe_collect()

    def _run_finished(self, run: RunSummary) -> None:
        self._work_done()
        if run.message:
            self.window.show_status(run.message)
        if self.window.current_page() == "activity":
            self.window.activity.refresh()

    def _run_progress(self, service: str, job: str, label: str, done: int, total: object) -> None:
        suffix = f"{done:,}/{total:,}" if isinstance(total, int) else f"{done:,}"
        self.window.statusBar().showMessage(
            S.PROGRESS.format(job=job, label=label, count=suffix), 2000
        )

    # -- shutdown ------------------------------------------------------------------------
    def shutdown(self, timeout: float = 30.0) -> bool:
        """Stop everything and wait for it; idempotent.  False if something did not stop."""
        if self.closed:
            return True
        self.closed = True
        self.window.quitting = True
        self.timer.stop()
        self.tray.hide()
        self.window.hide()
        stopped = self.window.exports.shutdown(timeout)
        stopped = self.window.first_run.shutdown(timeout) and stopped
        stopped = self.window.integrations.shutdown(timeout) and stopped
        stopped = self.window.settings.shutdown(timeout) and stopped
        for task in (self.sandbox_task, self.keyring_task, self.tick_task, self.api_task):
            if task is not None:
                stopped = task.wait(timeout) and stopped
        api = sys.modules.get(LOCAL_API_SERVICE)  # loaded only if the API was used
        if api is not None:
            api.service_for(self.backend).stop()
        self.bridge.detach()
        stopped = self.backend.shutdown(timeout) and stopped
        self.collector.uninstall()
        self.tray.menu.deleteLater()
        return stopped

    def quit(self) -> None:
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()
