"""Activity: recent sync runs (filterable) and the records that could not sync."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.runs import OUTCOMES
from ...errors import UserError
from ..backend import SERVICES, Backend
from ..strings import S, outcome_name, service_name, trigger_name
from ..widgets import heading
from .integrations import _short_time


def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAccessibleName(name)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[int] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


class ActivityPage(QWidget):
    status = Signal(str)

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.service_filter = QComboBox(self)
        self.service_filter.addItem(S.FILTER_ALL, None)
        for service in (*SERVICES, "exports"):
            self.service_filter.addItem(service_name(service), service)
        self.outcome_filter = QComboBox(self)
        self.outcome_filter.addItem(S.FILTER_ALL, None)
        for outcome in OUTCOMES:
            self.outcome_filter.addItem(outcome_name(outcome), outcome)
        service_label = QLabel(S.FILTER_SERVICE, self)
        service_label.setBuddy(self.service_filter)
        outcome_label = QLabel(S.FILTER_OUTCOME, self)
        outcome_label.setBuddy(self.outcome_filter)
        filters = QHBoxLayout()
        for widget in (service_label, self.service_filter, outcome_label, self.outcome_filter):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.runs = _table(
            self,
            [S.COL_SERVICE, S.COL_JOB, S.COL_TRIGGER, S.COL_STARTED, S.COL_OUTCOME,
             S.COL_COUNTS, S.COL_MESSAGE],
            S.ACTIVITY_RUNS,
        )  # fmt: skip
        self.issues = _table(
            self,
            [S.COL_SERVICE, S.COL_RECORD, S.COL_REASON, S.COL_ATTEMPTS, S.COL_STATE],
            S.ACTIVITY_ISSUES,
        )
        self.retry_button = QPushButton(S.RETRY, self)
        self.skip_button = QPushButton(S.SKIP, self)
        issue_buttons = QHBoxLayout()
        issue_buttons.addWidget(self.retry_button)
        issue_buttons.addWidget(self.skip_button)
        issue_buttons.addStretch(1)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(heading(S.ACTIVITY_RUNS, top))
        top_layout.addLayout(filters)
        top_layout.addWidget(self.runs)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.addWidget(heading(S.ACTIVITY_ISSUES, bottom))
        bottom_layout.addWidget(self.issues)
        bottom_layout.addLayout(issue_buttons)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.service_filter.currentIndexChanged.connect(self.refresh_runs)
        self.outcome_filter.currentIndexChanged.connect(self.refresh_runs)
        self.retry_button.clicked.connect(self.retry_selected)
        self.skip_button.clicked.connect(self.skip_selected)
        self.issues.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_runs()
        self.refresh_issues()

    def refresh_runs(self) -> None:
        found = self.backend.recent_runs(
            self.service_filter.currentData(), self.outcome_filter.currentData()
        )
        rows = []
        for run in found:
            c = run.counts
            rows.append(
                [
                    service_name(run.service),
                    run.job,
                    trigger_name(run.trigger),
                    _short_time(run.started_at),
                    outcome_name(run.outcome),
                    S.COUNTS.format(
                        created=c.created, updated=c.updated, unchanged=c.unchanged,
                        failed=c.failed,
                    ),
                    run.message or "",
                ]
            )  # fmt: skip
        _fill(self.runs, rows, [r.id for r in found])

    def refresh_issues(self) -> None:
        found = self.backend.open_issues()
        rows = [
            [
                service_name(i.service),
                " ".join(str(p) for p in (i.local_table, i.local_id or i.remote_id) if p),
                i.reason,
                str(i.attempts),
                i.state,
            ]
            for i in found
        ]
        _fill(self.issues, rows, [i.id for i in found])
        self._selection_changed()

    def selected_issue(self) -> int | None:
        rows = self.issues.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.issues.item(rows[0].row(), 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _selection_changed(self) -> None:
        chosen = self.selected_issue() is not None
        self.retry_button.setEnabled(chosen)
        self.skip_button.setEnabled(chosen)

    def retry_selected(self) -> None:
        issue = self.selected_issue()
        if issue is None:
            self.status.emit(S.NO_ISSUE_SELECTED)
            return
        try:
            sub = self.backend.retry_issue(issue)
            self.status.emit(S.RETRY_STARTED.format(message=sub.message))
        except (UserError, KeyError, LookupError) as exc:
            self.status.emit(str(exc))
        self.refresh_issues()

    def skip_selected(self) -> None:
        issue = self.selected_issue()
        if issue is None:
            self.status.emit(S.NO_ISSUE_SELECTED)
            return
        self.backend.skip_issue(issue)
        self.status.emit(S.ISSUE_SKIPPED)
        self.refresh_issues()
