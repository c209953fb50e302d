"""Exports: chosen tables to a folder on a worker thread, with progress, Cancel and history."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...exports import ExportResult, backups, export_customer, export_ledger
from ..backend import Backend
from ..bridge import BackgroundTask, ProgressFn
from ..strings import S
from ..widgets import heading, note

BACKUP_EVERY = [("BACKUP_DAILY", 1440), ("BACKUP_WEEKLY", 10080)]


log = logging.getLogger(__name__)


class ExportsPage(QWidget):
    status = Signal(str)
    exportFinished = Signal(str)  # the outcome sentence

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.task: BackgroundTask | None = None
        self.last_path: Path | None = None

        self.all_tables = QCheckBox(S.EXPORT_ALL_TABLES, self)
        self.all_tables.setChecked(True)
        self.tables = QListWidget(self)
        self.tables.setAccessibleName(S.EXPORT_TABLES_ACCESSIBLE)
        self.folder = QLineEdit(str(backend.export_folder()), self)
        folder_label = QLabel(S.EXPORT_FOLDER, self)
        folder_label.setBuddy(self.folder)
        self.browse = QPushButton(S.EXPORT_BROWSE, self)
        self.excel = QCheckBox(S.EXPORT_EXCEL, self)
        self.zip = QCheckBox(S.EXPORT_ZIP, self)
        self.run_button = QPushButton(S.EXPORT_RUN, self)
        self.cancel_button = QPushButton(S.EXPORT_CANCEL, self)
        self.cancel_button.setEnabled(False)
        self.open_button = QPushButton(S.EXPORT_OPEN_FOLDER, self)
        self.open_button.setEnabled(False)
        self.customer_button = QPushButton(S.EXPORT_CUSTOMER, self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(S.EXPORT_RUN.replace("&", ""))
        self.progress.setVisible(False)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.history = QListWidget(self)
        self.history.setAccessibleName(S.EXPORT_HISTORY)

        folder_row = QHBoxLayout()
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        options = QHBoxLayout()
        options.addWidget(self.excel)
        options.addWidget(self.zip)
        options.addStretch(1)
        actions = QHBoxLayout()
        for button in (self.run_button, self.cancel_button, self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.customer_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(S.PAGE_EXPORTS, self))
        layout.addWidget(note(S.EXPORTS_INTRO, self))
        layout.addWidget(self.all_tables)
        layout.addWidget(self.tables, 2)
        layout.addLayout(folder_row)
        layout.addLayout(options)
        layout.addLayout(actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(QLabel(S.EXPORT_HISTORY, self))
        layout.addWidget(self.history, 1)
        layout.addWidget(self._backup_box())

        self.all_tables.toggled.connect(lambda on: self.tables.setEnabled(not on))
        self.tables.setEnabled(False)
        self.browse.clicked.connect(self.choose_folder)
        self.run_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.open_button.clicked.connect(self.open_folder)
        self.customer_button.clicked.connect(self.ask_customer)
        self.history.itemActivated.connect(
            lambda item: self._open(Path(item.data(Qt.ItemDataRole.UserRole)))
        )
        self.refresh()

    def _backup_box(self) -> QGroupBox:
        box = QGroupBox(S.BACKUP_TITLE, self)
        self.backup_on = QCheckBox(S.BACKUP_ENABLED, box)
        self.backup_every = QComboBox(box)
        for key, minutes in BACKUP_EVERY:
            self.backup_every.addItem(getattr(S, key), minutes)
        self.backup_every.setAccessibleName(S.BACKUP_EVERY)
        self.backup_keep = QSpinBox(box)
        self.backup_keep.setRange(1, 365)
        keep_label = QLabel(S.BACKUP_KEEP, box)
        keep_label.setBuddy(self.backup_keep)
        self.backup_save = QPushButton(S.BACKUP_SAVE, box)
        row = QHBoxLayout(box)
        row.addWidget(self.backup_on)
        row.addWidget(QLabel(S.BACKUP_EVERY, box))
        row.addWidget(self.backup_every)
        row.addWidget(keep_label)
        row.addWidget(self.backup_keep)
        row.addWidget(QLabel(S.BACKUP_KEEP_SUFFIX, box))
        row.addStretch(1)
        row.addWidget(self.backup_save)
        self.backup_save.clicked.connect(self.save_backup_settings)
        return box

    # -- state ---------------------------------------------------------------------------
    def refresh(self) -> None:
        chosen = set(self.chosen_tables() or [])
        self.tables.clear()
        for name in self.backend.table_names():
            item = QListWidgetItem(name, self.tables)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
        self.refresh_history()
        schedule = self.backend.setting(backups.SCHEDULE_KEY) or {}
        self.backup_on.setChecked(schedule.get("kind") == "interval")
        index = self.backup_every.findData(schedule.get("minutes", 1440))
        self.backup_every.setCurrentIndex(max(0, index))
        self.backup_keep.setValue(int(self.backend.setting(backups.KEEP_KEY, backups.DEFAULT_KEEP)))

    def refresh_history(self) -> None:
        self.history.clear()
        for record in self.backend.export_history():
            text = S.EXPORT_DONE.format(rows=f"{record.rows:,}", tables=record.tables,
                                        path=record.path)  # fmt: skip
            item = QListWidgetItem(text, self.history)
            item.setData(Qt.ItemDataRole.UserRole, record.path)

    def chosen_tables(self) -> list[str] | None:
        """``None`` = every table; else the ticked names in list order."""
        if self.all_tables.isChecked():
            return None
        return [
            self.tables.item(i).text()
            for i in range(self.tables.count())
            if self.tables.item(i).checkState() == Qt.CheckState.Checked
        ]

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    # -- actions -------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, S.EXPORT_CHOOSE_FOLDER, self.folder.text())
        if folder:
            self.folder.setText(folder)
            self.backend.set_setting("exports.folder", folder)

    def start_export(self) -> bool:
        """Start a full (or chosen-tables) export; False when refused."""
        tables = self.chosen_tables()
        if tables is not None and not tables:
            self._finish_message(S.EXPORT_NO_TABLES)
            return False
        ledger_path = self.backend.paths.ledger
        out = Path(self.folder.text()).expanduser()
        excel, as_zip = self.excel.isChecked(), self.zip.isChecked()

        def work(progress: ProgressFn, cancel: Any) -> ExportResult:
            result = export_ledger(
                ledger_path, out, tables=tables, excel=excel, as_zip=as_zip,
                progress=progress, cancel=cancel,
            )  # fmt: skip
            self._record(result, "ledger")  # a ledger write: here, never on the GUI thread
            return result

        return self._start("export", work, "ledger")

    def ask_customer(self) -> None:
        text, ok = QInputDialog.getText(self, S.EXPORT_CUSTOMER_TITLE, S.EXPORT_CUSTOMER_PROMPT)
        if ok and text.strip():
            self.start_customer_export(text.strip())

    def start_customer_export(self, customer_id: str) -> bool:
        ledger_path = self.backend.paths.ledger
        out = Path(self.folder.text()).expanduser()
        excel, as_zip = self.excel.isChecked(), self.zip.isChecked()

        def work(progress: ProgressFn, cancel: Any) -> ExportResult:
            result = export_customer(
                ledger_path, customer_id, out, excel=excel, as_zip=as_zip,
                progress=progress, cancel=cancel,
            )  # fmt: skip
            self._record(result, "customer")
            return result

        return self._start("customer-export", work, "customer")

    def _start(self, name: str, work: Any, kind: str) -> bool:
        if self.running:
            self.status.emit(S.EXPORT_BUSY)
            return False
        task = BackgroundTask(name, work, self)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(lambda result: self._succeeded(result, kind))
        task.cancelled.connect(lambda _msg: self._finish_message(S.EXPORT_CANCELLED))
        task.failed.connect(lambda msg: self._finish_message(S.EXPORT_FAILED.format(message=msg)))
        task.finished.connect(self._idle)
        self.task = task
        self.progress.setRange(0, 0)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.run_button.setEnabled(False)
        self.customer_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.result.clear()
        task.start()
        return True

    def cancel_export(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)

    def shutdown(self, timeout: float = 30.0) -> bool:
        if self.task is None:
            return True
        self.task.cancel()
        return self.task.wait(timeout)

    def open_folder(self) -> None:
        if self.last_path is not None:
            self._open(self.last_path)

    def _open(self, path: Path) -> None:
        target = path if path.is_dir() else path.parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def save_backup_settings(self) -> None:
        if self.backup_on.isChecked():
            schedule = {"kind": "interval", "minutes": int(self.backup_every.currentData())}
        else:
            schedule = {"kind": "off"}
        self.backend.set_setting(backups.SCHEDULE_KEY, schedule)
        self.backend.set_setting(backups.KEEP_KEY, self.backup_keep.value())
        self.status.emit(S.BACKUP_SAVED)

    # -- task signals (GUI thread) -------------------------------------------------------
    def _progressed(self, label: str, done: int, total: object) -> None:
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.result.setText(S.EXPORT_RUNNING.format(table=label))

    def _succeeded(self, result: ExportResult, kind: str) -> None:
        self.last_path = result.path
        self.open_button.setEnabled(True)
        message = S.EXPORT_DONE.format(
            rows=f"{result.total_rows:,}", tables=len(result.tables), path=result.path
        )
        self.refresh_history()  # the one thing an export changed
        self._finish_message(message)

    def _record(self, result: ExportResult, kind: str) -> None:
        """Add to the export history (worker thread: it waits for a syncing lane's write).

        A sync holding the ledger's write lock past the busy timeout costs the history line,
        never the export itself.
        """
        try:
            self.backend.add_export_history(
                result.path, result.total_rows, len(result.tables), kind
            )
        except sqlite3.OperationalError as exc:
            log.warning("export history not recorded: %s", exc)

    def _finish_message(self, message: str) -> None:
        self.result.setText(message)
        self.status.emit(message)
        self.exportFinished.emit(message)

    def _idle(self) -> None:
        self.progress.setVisible(False)
        self.run_button.setEnabled(True)
        self.customer_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
