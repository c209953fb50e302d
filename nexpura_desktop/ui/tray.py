"""The tray icon: state at a glance, a menu rebuilt each time it opens, one note per problem.

The menu is rebuilt on ``aboutToShow`` (Vorta), so it always lists the services connected
*now* and the latest result.  A failure or "reconnect needed" raises one desktop
notification per service until that service succeeds again — never one per retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ..engine.runs import SUCCESSFUL, RunSummary
from .backend import SERVICES, Backend
from .icons import service_icon, tray_icon
from .strings import S, service_name


@dataclass
class TrayActions:
    sync: Callable[[str], None]  # "all" or a service
    export_now: Callable[[], None]
    toggle_pause: Callable[[], None]
    open_window: Callable[[], None]
    quit: Callable[[], None]


class NotificationGate:
    """Decides which finished runs deserve a desktop notification (once per problem)."""

    def __init__(self) -> None:
        self._raised: dict[str, str] = {}

    def check(self, run: RunSummary, reconnect_needed: bool) -> str | None:
        """``"failed"``/``"reconnect"`` to notify now, else ``None``."""
        if run.outcome in SUCCESSFUL:
            self._raised.pop(run.service, None)
            return None
        if run.outcome != "failed":
            return None
        kind = "reconnect" if reconnect_needed else "failed"
        if self._raised.get(run.service) == kind:
            return None
        self._raised[run.service] = kind
        return kind


class Tray(QObject):
    def __init__(
        self, backend: Backend, actions: TrayActions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.actions = actions
        self.gate = NotificationGate()
        self.notifications: list[tuple[str, str]] = []  # (title, text) raised, newest last
        self.state = "ok"
        self.last_message: str | None = None  # the latest run's sentence (tooltip)
        self.syncing: set[str] = set()
        self.icon = QSystemTrayIcon(tray_icon("ok"), self)
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.rebuild()
        self.update_state()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    # -- menu ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Fill the menu from the current state (called each time it opens)."""
        menu = self.menu
        menu.clear()
        connected = [c.service for c in self.backend.connections() if c.status != "disconnected"]
        sync_all = menu.addAction(S.TRAY_SYNC_ALL)
        sync_all.setEnabled(bool(connected))
        sync_all.triggered.connect(lambda: self.actions.sync("all"))
        for service in connected:
            action = menu.addAction(
                service_icon(service), S.TRAY_SYNC_SERVICE.format(service=service_name(service))
            )
            action.setData(service)
            action.setEnabled(not self.backend.busy(service))
            action.triggered.connect(lambda _=False, s=service: self.actions.sync(s))
        if not connected:
            menu.addAction(S.TRAY_NO_SERVICES).setEnabled(False)
        menu.addSeparator()
        last = self.backend.last_run()
        line = S.TRAY_LAST_RESULT.format(message=last.message) if last and last.message else None
        menu.addAction(line or S.TRAY_NO_RESULT).setEnabled(False)
        menu.addSeparator()
        menu.addAction(S.TRAY_EXPORT_NOW).triggered.connect(self.actions.export_now)
        paused = self.backend.paused()
        pause = menu.addAction(S.TRAY_RESUME if paused else S.TRAY_PAUSE)
        pause.triggered.connect(self.actions.toggle_pause)
        menu.addSeparator()
        menu.addAction(S.TRAY_OPEN).triggered.connect(self.actions.open_window)
        menu.addAction(S.TRAY_QUIT).triggered.connect(self.actions.quit)

    def action_texts(self) -> list[str]:
        return [a.text() for a in self.menu.actions() if not a.isSeparator()]

    # -- state ---------------------------------------------------------------------------
    def compute_state(self, last: RunSummary | bool | None = False) -> str:
        """``last``: the latest run if the caller already read it (``False``: read it)."""
        if self.syncing or self.backend.busy():
            return "syncing"
        if any(c.status == "error" for c in self.backend.connections()):
            return "attention"
        if last is False:
            last = self.backend.last_run()
        if isinstance(last, RunSummary) and last.outcome == "failed":
            return "attention"
        if self.backend.paused():
            return "paused"
        return "ok"

    def update_state(self) -> None:
        last = self.backend.last_run()
        state = self.compute_state(last)
        if state != self.state or self.icon.icon().isNull():
            self.icon.setIcon(tray_icon(state))
        self.state = state
        words = {
            "ok": S.STATE_OK,
            "syncing": S.STATE_SYNCING,
            "attention": S.STATE_ATTENTION,
            "paused": S.STATE_PAUSED,
        }[self.state]
        self.last_message = last.message if last is not None else None
        if last is not None and last.message:
            tip = S.TRAY_TOOLTIP_LAST.format(state=words, message=last.message)
        else:
            tip = S.TRAY_TOOLTIP.format(state=words)
        self.icon.setToolTip(tip)

    def run_started(self, run: RunSummary) -> None:
        """Syncing now: icon and tooltip from what is known, no ledger read."""
        self.syncing.add(run.service)
        if self.state != "syncing":
            self.state = "syncing"
            self.icon.setIcon(tray_icon("syncing"))
        self.icon.setToolTip(
            S.TRAY_TOOLTIP_LAST.format(state=S.STATE_SYNCING, message=self.last_message)
            if self.last_message
            else S.TRAY_TOOLTIP.format(state=S.STATE_SYNCING)
        )

    def run_finished(self, run: RunSummary) -> None:
        self.syncing.discard(run.service)
        reconnect = (
            run.service in SERVICES and self.backend.connection(run.service).reconnect_needed
        )
        kind = self.gate.check(run, reconnect)
        if kind is not None:
            name = service_name(run.service)
            title = S.NOTIFY_RECONNECT_TITLE if kind == "reconnect" else S.NOTIFY_FAILED_TITLE
            self.notify(title.format(service=name), run.message or "")
        self.update_state()

    def notify(self, title: str, text: str) -> None:
        self.notifications.append((title, text))
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 15000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.actions.open_window()
