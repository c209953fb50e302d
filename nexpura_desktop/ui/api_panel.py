"""Settings → Local API: switch the API on or off, choose its port, copy or replace the token.

Starting, stopping and every keyring read run on a worker thread (``BackgroundTask``), so
a slow keyring or a port that takes a moment never freezes the window.  The token goes to
the clipboard only; it is never shown or logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..api.config import ApiConfig
from ..api.service import ApiService, service_for
from .backend import Backend
from .bridge import BackgroundTask
from .strings import S
from .widgets import note


def _ask_to_replace(parent: QWidget) -> bool:
    answer = QMessageBox.question(parent, S.API_RENEW_TITLE, S.API_RENEW_QUESTION)
    return answer == QMessageBox.StandardButton.Yes


class ApiPanel(QWidget):
    """The local API's switch, port, token buttons and status line."""

    status = Signal(str)  # the status line's text, for the page's status bar

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.service: ApiService = service_for(backend)
        self.confirm_new_token: Callable[[QWidget], bool] = _ask_to_replace
        self._tasks: list[BackgroundTask] = []

        box = QGroupBox(S.API_TITLE, self)
        self.enabled = QCheckBox(S.API_ENABLE, box)
        self.port = QSpinBox(box)
        self.port.setRange(1024, 65535)
        self.port.setAccessibleName(S.API_PORT.rstrip(":"))
        port_label = QLabel(S.API_PORT, box)
        port_label.setBuddy(self.port)
        self.copy_token = QPushButton(S.API_COPY, box)
        self.new_token = QPushButton(S.API_RENEW, box)
        self.status_line = QLabel(box)
        self.status_line.setWordWrap(True)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line.setAccessibleName(S.API_TITLE)

        row = QHBoxLayout()
        row.addWidget(port_label)
        row.addWidget(self.port)
        row.addStretch(1)
        row.addWidget(self.copy_token)
        row.addWidget(self.new_token)
        inner = QVBoxLayout(box)
        inner.addWidget(note(S.API_INTRO, box))
        inner.addWidget(self.enabled)
        inner.addLayout(row)
        inner.addWidget(self.status_line)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)

        saved = self.service.config()
        self.enabled.setChecked(saved.enabled)
        self.port.setValue(max(1024, saved.port))
        self._show_state()
        self.enabled.toggled.connect(self._apply)
        self.port.editingFinished.connect(self._port_changed)
        self.copy_token.clicked.connect(self._copy_token)
        self.new_token.clicked.connect(self._new_token)

    # -- state ----------------------------------------------------------------------------
    def _show_state(self) -> None:
        if self.service.running and self.service.url:
            text = S.API_STATUS_ON.format(url=self.service.url)
        elif self.service.last_error:
            text = S.API_STATUS_FAILED.format(error=self.service.last_error)
        else:
            text = S.API_STATUS_OFF
        self._say(text)

    def _say(self, text: str) -> None:
        self.status_line.setText(text)
        self.status.emit(text)

    def busy(self) -> bool:
        return any(t.running for t in self._tasks)

    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def job(progress: object, cancel: threading.Event) -> Any:
            return work()

        task = BackgroundTask(name, job, self)
        self._tasks.append(task)
        task.succeeded.connect(done)
        task.failed.connect(lambda text: self._say(S.API_STATUS_FAILED.format(error=text)))
        task.finished.connect(lambda: self._finished(task))
        for widget in (self.enabled, self.port, self.copy_token, self.new_token):
            widget.setEnabled(False)
        self._say(S.API_STATUS_WORKING)
        task.start()

    def _finished(self, task: BackgroundTask) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        task.deleteLater()
        if not self._tasks:
            for widget in (self.enabled, self.port, self.copy_token, self.new_token):
                widget.setEnabled(True)

    # -- actions --------------------------------------------------------------------------
    def _wanted(self) -> ApiConfig:
        saved = self.service.config()
        return ApiConfig(
            enabled=self.enabled.isChecked(),
            port=self.port.value(),
            allowed_hosts=saved.allowed_hosts,
            public_url=saved.public_url,
        )

    def _apply(self) -> None:
        wanted = self._wanted()
        self._run("api-apply", lambda: self.service.apply(wanted), lambda _: self._show_state())

    def _port_changed(self) -> None:
        if self.port.value() != self.service.config().port:
            self._apply()

    def _copy_token(self) -> None:
        self._run("api-token", self.service.token, self._to_clipboard(S.API_COPIED))

    def _new_token(self) -> None:
        if not self.confirm_new_token(self):
            return
        self._run("api-new-token", self.service.rotate_token, self._to_clipboard(S.API_RENEWED))

    def _to_clipboard(self, message: str) -> Callable[[Any], None]:
        def done(token: Any) -> None:
            QGuiApplication.clipboard().setText(str(token))
            self._say(message)

        return done

    def wait(self, timeout: float = 30.0) -> bool:
        """Join the workers (tests, shutdown)."""
        return all(t.wait(timeout) for t in list(self._tasks))
