"""First run: with nothing configured, offer the demo shop or an import of a Nexpura export."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..backend import Backend
from ..bridge import BackgroundTask, ProgressFn, Work
from ..strings import S
from ..widgets import heading, note


class FirstRunPage(QWidget):
    status = Signal(str)
    ready = Signal(str)  # set-up finished; the sentence to show

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.task: BackgroundTask | None = None
        self.demo_button = QPushButton(S.WELCOME_DEMO, self)
        self.import_button = QPushButton(S.WELCOME_IMPORT, self)
        for button in (self.demo_button, self.import_button):
            button.setMinimumHeight(button.sizeHint().height() * 2)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(S.PAGE_WELCOME)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading(S.WELCOME_TITLE, self), 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(note(S.WELCOME_TEXT, self))
        layout.addWidget(self.demo_button)
        layout.addWidget(note(S.WELCOME_DEMO_HINT, self))
        layout.addWidget(self.import_button)
        layout.addWidget(note(S.WELCOME_IMPORT_HINT, self))
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(2)
        self.setTabOrder(self.demo_button, self.import_button)
        self.demo_button.clicked.connect(self.start_demo)
        self.import_button.clicked.connect(self.choose_import)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start_demo(self) -> bool:
        backend = self.backend

        def work(progress: ProgressFn, cancel: threading.Event) -> str:
            backend.load_demo(
                lambda t, d, n: progress(S.WELCOME_LOADING_DEMO.format(table=t), d, n)
            )
            progress(S.WELCOME_STARTING_SANDBOX, 0, None)
            backend.start_sandbox()
            return S.WELCOME_DEMO_READY

        return self._start("demo", work)

    def choose_import(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, S.WELCOME_CHOOSE_FILE, str(Path.home()), S.WELCOME_FILE_FILTER
        )
        if name:
            self.start_import(Path(name))

    def start_import(self, path: Path) -> bool:
        backend = self.backend

        def work(progress: ProgressFn, cancel: threading.Event) -> str:
            rows = backend.import_file(
                path,
                lambda t, d, n: progress(S.WELCOME_IMPORTING.format(table=t), d, n),
                cancel,
            )
            return S.WELCOME_IMPORT_DONE.format(rows=f"{rows:,}", file=path.name)

        return self._start("import", work)

    def _start(self, name: str, work: Work) -> bool:
        if self.running:
            return False
        task = BackgroundTask(name, work, self)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._failed)
        task.finished.connect(self._idle)
        self.task = task
        self.demo_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        task.start()
        return True

    def shutdown(self, timeout: float = 30.0) -> bool:
        if self.task is None:
            return True
        self.task.cancel()
        return self.task.wait(timeout)

    def _progressed(self, label: str, done: int, total: object) -> None:
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)
        self.message.setText(label)

    def _succeeded(self, sentence: object) -> None:
        self.message.setText(str(sentence))
        self.ready.emit(str(sentence))

    def _failed(self, sentence: str) -> None:
        text = S.WELCOME_FAILED.format(message=sentence)
        self.message.setText(text)
        self.status.emit(text)

    def _idle(self) -> None:
        self.progress.setVisible(False)
        self.demo_button.setEnabled(True)
        self.import_button.setEnabled(True)
