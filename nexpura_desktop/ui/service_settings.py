"""Per-service settings dialogs (Mailchimp, Xero, Google Calendar): the public entry points
and the frame they share.

Each dialog reads the owner's choices from the service itself (audiences, accounts and
tax rates, calendars) on a worker thread (:class:`~.bridge.BackgroundTask`) — those are
network calls through the keyring's sign-in — and stores them through the connector's own
settings module, the same functions the ``*-settings`` CLI commands use, so the window
and the command line always show the same thing.  The dialogs are non-modal: the window
stays usable while one reads the account.
"""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..errors import UserError
from ..ledger.db import Ledger
from ..secrets import SecretStore
from .backend import Backend
from .bridge import BackgroundTask
from .strings import S, service_name
from .widgets import heading, note

DIALOGS = {
    "mailchimp": "nexpura_desktop.ui.service_settings_mailchimp",
    "xero": "nexpura_desktop.ui.service_settings_xero",
    "google_calendar": "nexpura_desktop.ui.service_settings_google",
}
Fetch = Callable[[Ledger, SecretStore | None, Any], Awaitable[Any]]
_open: dict[str, ServiceSettingsDialog] = {}
# Workers are not children of their dialog: a dialog closed (and deleted) while its worker
# still reads the account must not leave the worker emitting on a deleted object.  Their
# results reach the dialog through its own slots, which Qt drops with the dialog.
_running: set[BackgroundTask] = set()


def has_settings(service: str) -> bool:
    """Whether ``service`` has a settings dialog of its own."""
    return service in DIALOGS


def shutdown(timeout: float = 10.0) -> bool:
    """Wait for every settings worker still reading an account (app shutdown)."""
    return all(task.wait(timeout) for task in list(_running))


def start_task(task: BackgroundTask) -> BackgroundTask:
    """Run ``task`` (created without a parent), keeping it alive until it finishes."""
    _running.add(task)
    task.finished.connect(lambda: _running.discard(task))
    task.start()
    return task


def open_service_settings(service: str, backend: Backend, parent: QWidget | None) -> QDialog:
    """Show the service's settings dialog (non-modal) and return it; an open one is raised."""
    if service not in DIALOGS:
        raise KeyError(f"{service} has no settings dialog")
    found = _open.get(service)
    alive = found is not None and shiboken6.isValid(found)  # not deleted with its parent
    if found is not None and alive and found.backend is backend and found.isVisible():
        found.raise_()
        found.activateWindow()
        return found
    module = importlib.import_module(DIALOGS[service])
    dialog: ServiceSettingsDialog = module.DIALOG(backend, parent)
    dialog.setModal(False)
    _open[service] = dialog
    dialog.show()
    return dialog


class ScheduleRow(QWidget):
    """ "Sync automatically every N minutes": a switch and a minutes box.

    ``touched`` says whether the owner changed either, so saving never overwrites a
    schedule set elsewhere (the card's daily choice) that this row cannot show.
    """

    def __init__(self, parent: QWidget, default_minutes: int) -> None:
        super().__init__(parent)
        self.default_minutes = default_minutes
        self.switch = QCheckBox(S.SVC_SCHEDULE_ON, self)
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setSuffix(S.SVC_MINUTES)
        self.minutes.setAccessibleName(S.SVC_EVERY_ACCESSIBLE)
        every = QLabel(S.SVC_EVERY, self)
        every.setBuddy(self.minutes)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.switch)
        row.addWidget(every)
        row.addWidget(self.minutes)
        row.addStretch(1)
        self.touched = False
        self.switch.toggled.connect(self._changed)
        self.minutes.valueChanged.connect(self._changed)

    def show_minutes(self, minutes: int | None, on: bool) -> None:
        self.switch.blockSignals(True)
        self.minutes.blockSignals(True)
        self.switch.setChecked(on)
        self.minutes.setValue(minutes or self.default_minutes)
        self.minutes.setEnabled(on)
        self.switch.blockSignals(False)
        self.minutes.blockSignals(False)
        self.touched = False

    def chosen(self) -> int | None:
        """Minutes between runs, or ``None`` for off."""
        return self.minutes.value() if self.switch.isChecked() else None

    def _changed(self, *_args: object) -> None:
        self.touched = True
        self.minutes.setEnabled(self.switch.isChecked())


class ServiceSettingsDialog(QDialog):
    """Intro, the service's form, a status line, Read again / Save / Close.

    Subclasses set ``service`` and implement :meth:`build_form`, :meth:`fetch` (network,
    worker thread), :meth:`show_choices` (GUI thread), :meth:`show_stored` and
    :meth:`store` (inside the ledger transaction of Save).
    """

    service = ""
    intro_text = ""

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.tasks: list[BackgroundTask] = []
        self.choices: Any = None  # what fetch() returned, once read
        name = service_name(self.service)
        self.setWindowTitle(S.SVC_TITLE.format(service=name))
        self.setAccessibleName(S.SVC_TITLE.format(service=name))
        self.form = QFormLayout()
        self.build_form()  # first, so Tab goes through the fields before the buttons
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.reload_button = QPushButton(S.SVC_RELOAD, self)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(S.SAVE, QDialogButtonBox.ButtonRole.ApplyRole)
        self.close_button = buttons.addButton(S.CLOSE, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(S.SVC_TITLE.format(service=name), self))
        layout.addWidget(note(self.intro_text, self))
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.reload_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.reload_button.clicked.connect(self.load)
        self.show_stored(self.backend.connection(self.service).config)
        self.load()

    # -- subclass hooks -----------------------------------------------------------------
    def build_form(self) -> None:
        raise NotImplementedError

    async def fetch(
        self, ledger: Ledger, store: SecretStore | None, transport: Any
    ) -> Any:  # pragma: no cover - every dialog overrides it
        raise NotImplementedError

    def show_choices(self, choices: Any, config: dict[str, Any]) -> None:
        raise NotImplementedError

    def show_stored(self, config: dict[str, Any]) -> None:
        raise NotImplementedError

    def store(self, conn: sqlite3.Connection) -> list[str]:
        """Write the choices; returns extra sentences to show (e.g. what happens next)."""
        raise NotImplementedError

    # -- reading the account (worker thread) --------------------------------------------
    def load(self) -> BackgroundTask:
        name = service_name(self.service)
        self.say(S.SVC_LOADING.format(service=name))
        self.reload_button.setEnabled(False)
        self.save_button.setEnabled(False)
        backend, fetch = self.backend, self.fetch

        def work(_progress: object, _cancel: object) -> Any:
            store = backend.secret_store()
            with backend.ledger() as ledger:
                return asyncio.run(fetch(ledger, store, backend.transport))

        task = BackgroundTask(f"{self.service}-settings", work)
        task.succeeded.connect(self._loaded)
        task.failed.connect(self._load_failed)
        task.finished.connect(self._load_done)
        return self.start(task)

    def start(self, task: BackgroundTask) -> BackgroundTask:
        self.tasks = [t for t in self.tasks if t.running] + [task]
        return start_task(task)

    def _load_failed(self, problem: str) -> None:
        name = service_name(self.service)
        self.say(S.SVC_LOAD_FAILED.format(service=name, problem=problem))

    def _load_done(self) -> None:
        self.reload_button.setEnabled(True)

    def _loaded(self, choices: Any) -> None:
        self.choices = choices
        self.show_choices(choices, self.backend.connection(self.service).config)
        self.save_button.setEnabled(True)
        self.say(S.SVC_LOADED.format(service=service_name(self.service)))

    # -- saving (GUI thread: one small ledger write) --------------------------------------
    def save(self) -> bool:
        try:
            with self.backend.ledger() as ledger, ledger.transaction() as conn:
                notes = self.store(conn)
        except (ValueError, UserError) as exc:
            self.say(S.SVC_SAVE_FAILED.format(problem=str(exc)))
            return False
        self.show_stored(self.backend.connection(self.service).config)
        if self.choices is not None:
            self.show_choices(self.choices, self.backend.connection(self.service).config)
        self.say(" ".join([S.SVC_SAVED.format(service=service_name(self.service)), *notes]))
        return True

    def say(self, text: str) -> None:
        self.message.setText(text)

    def shutdown(self, timeout: float = 10.0) -> bool:
        return all(t.wait(timeout) for t in self.tasks)


def labelled(parent: QWidget, text: str, field: QWidget) -> QLabel:
    """A form label whose mnemonic focuses ``field`` (keyboard access)."""
    label = QLabel(text, parent)
    label.setBuddy(field)
    field.setAccessibleName(text.replace("&", ""))
    return label
