"""Ready for pickup: open repair and bespoke jobs with "Mark ready and notify" and
"Notify again" (only where the rules allow: never a second message for the same ready)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..messaging import overview
from ..messaging.commands import NotifyResult, notify_and_send
from .backend import Backend
from .messages_common import engine_send, event_state_name, result_sentence, run_task
from .pages.activity import _fill, _table
from .strings import S
from .widgets import note


class PickupPanel(QWidget):
    status = Signal(str)
    sent = Signal()  # a send finished: the log has news

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.jobs: list[overview.PickupJob] = []
        self.table = _table(
            self,
            [S.MSG_COL_JOB, S.MSG_COL_CUSTOMER, S.MSG_COL_ITEM, S.MSG_COL_STAGE,
             S.MSG_COL_NOTIFIED],
            S.MSG_TAB_PICKUP,
        )  # fmt: skip
        self.mark_button = QPushButton(S.MSG_MARK_READY, self)
        self.again_button = QPushButton(S.MSG_NOTIFY_AGAIN, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.empty = note(S.MSG_PICKUP_EMPTY, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.mark_button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note(S.MSG_PICKUP_INTRO, self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.mark_button.clicked.connect(self.mark_ready)
        self.again_button.clicked.connect(self.notify_again)
        self.busy = False
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        with self.backend.ledger() as ledger:
            self.jobs = overview.pickup_jobs(ledger.conn)
        kinds = {"repair": S.MSG_KIND_REPAIR, "bespoke": S.MSG_KIND_BESPOKE}
        rows = [
            [
                f"{kinds[j.kind]} {j.tracking_id}".strip(),
                j.customer,
                j.item,
                j.stage.replace("_", " "),
                event_state_name(j.event_state) if j.ready else "",
            ]
            for j in self.jobs
        ]
        _fill(self.table, rows)
        self.empty.setVisible(not rows)
        if chosen is not None:
            for index, job in enumerate(self.jobs):
                if (job.kind, job.id) == (chosen.kind, chosen.id):
                    self.table.selectRow(index)
        self._selection_changed()

    def selected(self) -> overview.PickupJob | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.jobs):
            return None
        return self.jobs[rows[0].row()]

    def select(self, kind: str, job_id: str) -> None:
        for index, job in enumerate(self.jobs):
            if (job.kind, job.id) == (kind, job_id):
                self.table.selectRow(index)
                return
        raise LookupError(f"{kind} {job_id} is not listed")

    def _selection_changed(self) -> None:
        job = self.selected()
        self.mark_button.setEnabled(not self.busy and job is not None and job.can_mark_ready)
        self.again_button.setEnabled(not self.busy and job is not None and job.can_notify_again)

    # -- actions -------------------------------------------------------------------------
    def mark_ready(self) -> None:
        self._notify(again=False)

    def notify_again(self) -> None:
        self._notify(again=True)

    def _notify(self, *, again: bool) -> None:
        job = self.selected()
        if job is None:
            self._say(S.MSG_NO_JOB_SELECTED)
            return
        path, send = self.backend.paths.ledger, engine_send(self.backend)
        self.busy = True
        self._selection_changed()
        self._say(S.MSG_SENDING)
        run_task(
            self,
            "notify",
            lambda: notify_and_send(path, job.kind, job.id, send, again=again),
            self._done,
            self._failed,
        )

    def _done(self, result: object) -> None:
        assert isinstance(result, NotifyResult)
        self.busy = False
        self._say(result_sentence(result))
        self.refresh()
        self.sent.emit()

    def _failed(self, sentence: str) -> None:
        self.busy = False
        self._say(sentence)
        self.refresh()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status.emit(text)
