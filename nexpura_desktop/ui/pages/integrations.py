"""Integrations: a card per service with status, account, last sync, and its controls."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...engine.runs import RunSummary
from ...errors import UserError
from ...ledger.connections import Connection
from ..backend import SERVICES, Backend
from ..bridge import BackgroundTask
from ..optional import SERVICE_SETTINGS, optional_module
from ..strings import S, service_name
from ..widgets import ServiceMark, StatusBadge, heading, note

if TYPE_CHECKING:
    from ..connect_dialog import ConnectDialog

SCHEDULES: list[tuple[str, dict[str, Any]]] = [
    ("SCHEDULE_OFF", {"kind": "off"}),
    ("SCHEDULE_15", {"kind": "interval", "minutes": 15}),
    ("SCHEDULE_60", {"kind": "interval", "minutes": 60}),
    ("SCHEDULE_DAILY", {"kind": "cron", "cron": "0 2 * * *"}),
]
DIRECTIONS = [
    ("both", "DIRECTION_BOTH"),
    ("import", "DIRECTION_IMPORT"),
    ("export", "DIRECTION_EXPORT"),
    ("off", "DIRECTION_OFF"),
]


def _service_settings() -> ModuleType | None:
    """The per-service settings dialogs, where this build has them (loaded on first use)."""
    return optional_module(SERVICE_SETTINGS)


def has_service_settings(service: str) -> bool:
    module = _service_settings()
    return module is not None and bool(module.has_settings(service))


def _short_time(text: str | None) -> str:
    if not text:
        return ""
    from ...sync._util import parse_utc

    try:
        return parse_utc(text).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return text


class ServiceCard(QFrame):
    """One service: badge, account, last sync and result, and its buttons."""

    def __init__(self, page: IntegrationsPage, service: str) -> None:
        super().__init__(page)
        self.page = page
        self.service = service
        name = service_name(service)
        self.setObjectName(f"card-{service}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(name)
        self.mark = ServiceMark(service, 32, self)
        self.title = heading(name, self)
        self.conn: Connection | None = None
        self.last: RunSummary | None = None
        self.badge = StatusBadge(self)
        self.account = QLabel(self)
        self.last_sync = QLabel(self)
        self.result = note("", self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(S.SYNC_PROGRESS_ACCESSIBLE.format(service=name))
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.connect_button = QPushButton(self)
        self.disconnect_button = QPushButton(S.DISCONNECT, self)
        self.sync_button = QPushButton(S.SYNC_NOW, self)
        self.directions_button = QPushButton(S.DIRECTIONS, self)
        self.settings_button = QPushButton(S.SERVICE_SETTINGS, self)
        self.settings_button.setVisible(has_service_settings(service))
        self.schedule = QComboBox(self)
        for key, _config in SCHEDULES:
            self.schedule.addItem(getattr(S, key))
        self.schedule.setAccessibleName(S.SCHEDULE_ACCESSIBLE.format(service=name))
        for button, text in (
            (self.disconnect_button, S.DISCONNECT),
            (self.sync_button, S.SYNC_NOW),
            (self.directions_button, S.DIRECTIONS),
            (self.settings_button, S.SERVICE_SETTINGS),
        ):
            button.setAccessibleName(f"{text.replace('&', '')} {name}")

        top = QHBoxLayout()
        top.addWidget(self.mark)
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.badge)
        buttons = QHBoxLayout()
        for widget in (
            self.connect_button,
            self.disconnect_button,
            self.sync_button,
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        schedule_row = QHBoxLayout()
        schedule_label = QLabel(S.SCHEDULE, self)
        schedule_label.setBuddy(self.schedule)
        schedule_row.addWidget(schedule_label)
        schedule_row.addWidget(self.schedule, 1)
        schedule_row.addWidget(self.directions_button)
        schedule_row.addWidget(self.settings_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.account)
        layout.addWidget(self.last_sync)
        layout.addWidget(self.result)
        layout.addWidget(self.progress)
        layout.addLayout(schedule_row)
        layout.addLayout(buttons)
        self.setTabOrder(self.connect_button, self.disconnect_button)
        self.setTabOrder(self.disconnect_button, self.sync_button)
        self.setTabOrder(self.sync_button, self.schedule)
        self.setTabOrder(self.schedule, self.directions_button)
        self.setTabOrder(self.directions_button, self.settings_button)

        self.connect_button.clicked.connect(lambda: page.connect_service(service))
        self.disconnect_button.clicked.connect(lambda: page.disconnect_service(service))
        self.sync_button.clicked.connect(lambda: page.sync_service(service))
        self.directions_button.clicked.connect(lambda: page.edit_directions(service))
        self.settings_button.clicked.connect(lambda: page.open_settings(service))
        self.schedule.activated.connect(self._schedule_chosen)

    def show_progress(self, label: str, done: int, total: int | None) -> None:
        """A running job's progress: a bar when the total is known, else a busy bar."""
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            text = S.SYNC_PROGRESS_OF.format(label=label, done=f"{done:,}", total=f"{total:,}")
        else:
            self.progress.setRange(0, 0)
            text = S.SYNC_PROGRESS.format(label=label, done=f"{done:,}")
        self.progress.setFormat(text.replace("%", "%%"))
        self.progress.show()

    def show_state(self, conn: Connection, syncing: bool, last: RunSummary | None) -> None:
        self.conn, self.last = conn, last  # what the card shows, for updates without a read
        name = service_name(self.service)
        connected = conn.status != "disconnected"
        if syncing:
            self.badge.set_state("syncing", S.STATUS_SYNCING)
        elif conn.status == "connected":
            self.badge.set_state("connected", S.STATUS_CONNECTED)
        elif conn.status == "error":
            text = S.STATUS_RECONNECT if conn.reconnect_needed else S.STATUS_ERROR
            self.badge.set_state("error", text)
        else:
            self.badge.set_state("disconnected", S.STATUS_DISCONNECTED)
        self.account.setText(
            S.ACCOUNT.format(account=conn.account) if conn.account and connected else S.NO_ACCOUNT
        )
        when = _short_time(conn.last_sync_at)
        self.last_sync.setText(S.LAST_SYNC.format(when=when) if when else S.LAST_SYNC_NEVER)
        message = conn.last_error or (last.message if last is not None else None)
        self.result.setText(S.LAST_RESULT.format(message=message) if message else "")
        if not syncing:
            self.progress.hide()
        self.connect_button.setText(S.RECONNECT if conn.status == "error" else S.CONNECT)
        self.connect_button.setAccessibleName(
            f"{self.connect_button.text().replace('&', '')} {name}"
        )
        self.connect_button.setVisible(conn.status != "connected")
        self.disconnect_button.setEnabled(connected)
        self.sync_button.setEnabled(connected and not syncing)
        self.directions_button.setEnabled(connected)
        self.schedule.setEnabled(connected)
        self._show_schedule(conn.config.get("schedule"))

    def _show_schedule(self, config: Any) -> None:
        config = config if isinstance(config, dict) else {"kind": "off"}
        for index, (_key, known) in enumerate(SCHEDULES):
            if known == config or (known["kind"] == "off" == config.get("kind")):
                self.schedule.setCurrentIndex(index)
                return
        custom = S.SCHEDULE_CUSTOM.format(text=config.get("cron") or config.get("minutes"))
        if self.schedule.count() > len(SCHEDULES):
            self.schedule.setItemText(len(SCHEDULES), custom)
        else:
            self.schedule.addItem(custom)
        self.schedule.setCurrentIndex(len(SCHEDULES))

    def _schedule_chosen(self, index: int) -> None:
        if index < len(SCHEDULES):
            self.page.set_schedule(self.service, SCHEDULES[index][1])


class DirectionsDialog(QDialog):
    """Per-entity direction choice (both / import / export / off)."""

    def __init__(
        self, parent: QWidget, service: str, entities: list[str], current: dict[str, str]
    ) -> None:
        super().__init__(parent)
        name = service_name(service)
        self.setWindowTitle(S.DIRECTIONS_TITLE.format(service=name))
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for entity in entities:
            combo = QComboBox(self)
            for value, key in DIRECTIONS:
                combo.addItem(getattr(S, key), value)
            combo.setCurrentIndex(max(0, combo.findData(current.get(entity, "both"))))
            combo.setAccessibleName(entity)
            form.addRow(entity.replace("_", " ").capitalize(), combo)
            self.combos[entity] = combo
        layout = QVBoxLayout(self)
        if not entities:
            layout.addWidget(QLabel(S.DIRECTIONS_NONE.format(service=name), self))
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        if entities:
            buttons.addButton(S.SAVE, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(S.CANCEL if entities else S.CLOSE, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> dict[str, str]:
        return {entity: str(combo.currentData()) for entity, combo in self.combos.items()}


class IntegrationsPage(QWidget):
    status = Signal(str)

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.syncing: set[str] = set()
        self.cards: dict[str, ServiceCard] = {}
        self.connect_dialog: ConnectDialog | None = None
        self.open_url: Callable[[str], None] | None = None  # None: the system browser
        self.tasks: list[BackgroundTask] = []
        inner = QWidget(self)
        grid = QGridLayout(inner)
        for index, service in enumerate(SERVICES):
            card = ServiceCard(self, service)
            self.cards[service] = card
            grid.addWidget(card, index // 2, index % 2)
        grid.setRowStretch(len(SERVICES) // 2 + 1, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(S.PAGE_INTEGRATIONS, self))
        layout.addWidget(note(S.INTEGRATIONS_INTRO, self))
        layout.addWidget(scroll, 1)
        previous: QWidget | None = None
        for card in self.cards.values():
            if previous is not None:
                self.setTabOrder(previous, card.connect_button)
            previous = card.settings_button
        self.refresh()

    # -- state ---------------------------------------------------------------------------
    def refresh(self) -> None:
        last = self.backend.last_runs(list(self.cards))
        for conn in self.backend.connections():
            card = self.cards.get(conn.service)
            if card is not None:
                busy = conn.service in self.syncing or self.backend.busy(conn.service)
                card.show_state(conn, busy, last.get(conn.service))

    def refresh_card(self, service: str) -> None:
        """One card from the ledger: two indexed reads (a run just finished)."""
        card = self.cards.get(service)
        if card is None:
            return
        conn = self.backend.connection(service)
        last = self.backend.last_runs([service]).get(service)
        card.show_state(conn, service in self.syncing or self.backend.busy(service), last)

    def run_started(self, run: RunSummary) -> None:
        """The card turns to "Syncing" from what it already shows: no ledger read while
        the lanes are busy writing."""
        self.syncing.add(run.service)
        card = self.cards.get(run.service)
        if card is None:
            return
        if card.conn is None:
            self.refresh_card(run.service)
        else:
            card.show_state(card.conn, True, card.last)

    def run_finished(self, run: RunSummary) -> None:
        self.syncing.discard(run.service)
        self.refresh_card(run.service)
        self._recheck_when_idle(run.service)

    def _recheck_when_idle(self, service: str) -> None:
        """The lane may still be winding down when a run's end arrives: look again until it
        is idle, so the card never stays on "Syncing" after the last run of a batch."""
        if service in self.syncing or not self.backend.busy(service):
            return

        def again() -> None:
            if service not in self.syncing:
                self.refresh_card(service)
                self._recheck_when_idle(service)

        QTimer.singleShot(200, self, again)

    def run_progress(self, service: str, job: str, label: str, done: int, total: object) -> None:
        card = self.cards.get(service)
        if card is not None and service in self.syncing:
            card.show_progress(label or job, done, total if isinstance(total, int) else None)

    # -- actions -------------------------------------------------------------------------
    def connect_service(self, service: str) -> None:
        """Open the service's connect dialog (its flow runs on a worker thread)."""
        if self.connect_dialog is not None and self.connect_dialog.isVisible():
            self.connect_dialog.raise_()
            return
        from ..connect_dialog import ConnectDialog  # the auth flows load on first use

        self.status.emit(S.CONNECTING.format(service=service_name(service)))
        dialog = ConnectDialog(self.backend, service, self, open_url=self.open_url)
        dialog.setModal(True)
        dialog.connected.connect(self.status.emit)
        dialog.finished.connect(lambda _code: self.refresh())
        self.connect_dialog = dialog
        dialog.open()

    def disconnect_service(self, service: str) -> None:
        name = service_name(service)
        answer = QMessageBox.question(
            self,
            S.CONFIRM_DISCONNECT_TITLE.format(service=name),
            S.CONFIRM_DISCONNECT.format(service=name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.start_disconnect(service)

    def start_disconnect(self, service: str) -> BackgroundTask:
        """Revoke and clear the keyring on a worker thread; the card follows when done."""
        backend = self.backend
        self.status.emit(S.DISCONNECTING.format(service=service_name(service)))
        self.cards[service].disconnect_button.setEnabled(False)
        task = BackgroundTask(
            f"disconnect-{service}", lambda _p, _c: backend.disconnect_service(service), self
        )
        task.succeeded.connect(lambda text: self.status.emit(str(text)))
        task.failed.connect(self.status.emit)
        task.finished.connect(self.refresh)
        self.tasks = [t for t in self.tasks if t.running] + [task]
        task.start()
        return task

    def shutdown(self, timeout: float = 10.0) -> bool:
        stopped = all(t.wait(timeout) for t in self.tasks)
        settings = sys.modules.get(SERVICE_SETTINGS)  # its dialogs' work, if any was opened
        stop = getattr(settings, "shutdown", None)
        if callable(stop):
            stopped = bool(stop(timeout)) and stopped
        if self.connect_dialog is not None:
            stopped = self.connect_dialog.shutdown(timeout) and stopped
        return stopped

    def sync_service(self, service: str) -> None:
        try:
            for sub in self.backend.sync_now(service):
                self.status.emit(S.SYNC_STARTED.format(message=sub.message))
        except UserError as exc:
            self.status.emit(str(exc))
        self.refresh()

    def set_schedule(self, service: str, schedule: dict[str, Any]) -> None:
        try:
            self.backend.set_schedule(service, schedule)
        except UserError as exc:
            self.status.emit(str(exc))
        self.refresh()

    def edit_directions(self, service: str) -> None:
        current = self.backend.connection(service).config.get("directions") or {}
        dialog = DirectionsDialog(self, service, self.backend.entities(service), dict(current))
        dialog.setModal(True)
        dialog.accepted.connect(lambda: self._save_directions(service, dialog))
        dialog.open()
        self.directions_dialog = dialog

    def open_settings(self, service: str) -> None:
        """The service's own settings dialog (stock rules, templates, …), where it has one."""
        module = _service_settings()
        if module is None or not module.has_settings(service):
            self.status.emit(S.SERVICE_SETTINGS_NONE.format(service=service_name(service)))
            return
        module.open_service_settings(service, self.backend, self)

    def _save_directions(self, service: str, dialog: DirectionsDialog) -> None:
        self.backend.set_directions(service, dialog.chosen())
        self.refresh()
