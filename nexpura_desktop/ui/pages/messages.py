"""Messages: the notification log, ready-for-pickup actions, templates and settings.

The log is re-read every few seconds while the page is shown (a cheap indexed query), so
delivery statuses move as the status poll records them; "Retry" re-sends a failed
message's notification through the same path as ``nexpura-desktop notify``.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...engine.runs import RunSummary
from ...messaging import overview
from ...messaging.commands import NotifyResult, retry_and_send
from ..backend import Backend
from ..messages_common import (
    category_name,
    category_names,
    engine_send,
    result_sentence,
    run_task,
    status_name,
)
from ..messages_pickup import PickupPanel
from ..messages_settings import MessagingSettingsPanel
from ..messages_templates import TemplatesPanel
from ..strings import S
from ..widgets import heading, note
from .activity import _fill, _table
from .integrations import _short_time

REFRESH_MS = 5000


class MessagesPage(QWidget):
    status = Signal(str)

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.rows: list[overview.LogRow] = []
        self.busy = False

        # -- the log ---------------------------------------------------------------------
        log = QWidget(self)
        self.channel = QComboBox(log)
        self.channel.addItem(S.FILTER_ALL, None)
        self.channel.addItem(S.CHANNEL_WHATSAPP, "whatsapp")
        self.channel.addItem(S.CHANNEL_SMS, "sms")
        self.status_filter = QComboBox(log)
        self.status_filter.addItem(S.FILTER_ALL, None)
        for key, text in (
            ("pending", S.MSG_FILTER_PENDING),
            ("delivered", S.MSG_FILTER_DELIVERED),
            ("failed", S.MSG_FILTER_FAILED),
        ):
            self.status_filter.addItem(text, key)
        self.category_filter = QComboBox(log)
        self.category_filter.addItem(S.FILTER_ALL, None)
        for key, text in category_names().items():
            self.category_filter.addItem(text, key)
        row = QHBoxLayout()
        for text, combo in (
            (S.CHANNEL, self.channel),
            (S.MSG_FILTER_STATUS, self.status_filter),
            (S.MSG_FILTER_CATEGORY, self.category_filter),
        ):
            label = QLabel(text, log)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo)
        row.addStretch(1)
        self.table = _table(
            log,
            [S.COL_CHANNEL, S.COL_SENT, S.COL_PHONE, S.COL_STATUS, S.COL_TEXT, S.COL_ERROR,
             S.MSG_COL_CATEGORY],
            S.PAGE_MESSAGES,
        )  # fmt: skip
        self.empty = note(S.MESSAGES_EMPTY, log)
        self.retry_button = QPushButton(S.RETRY, log)
        self.message = QLabel(log)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.message, 1)
        log_layout = QVBoxLayout(log)
        log_layout.addWidget(note(S.MESSAGES_INTRO, log))
        log_layout.addLayout(row)
        log_layout.addWidget(self.table, 1)
        log_layout.addWidget(self.empty)
        log_layout.addLayout(buttons)

        # -- the other tabs --------------------------------------------------------------
        self.pickup = PickupPanel(backend, self)
        self.templates = TemplatesPanel(backend, self)
        self.settings = MessagingSettingsPanel(backend, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(log, S.MSG_TAB_LOG)
        self.tabs.addTab(self.pickup, S.MSG_TAB_PICKUP)
        self.tabs.addTab(self.templates, S.MSG_TAB_TEMPLATES)
        self.tabs.addTab(self.settings, S.MSG_TAB_SETTINGS)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(S.PAGE_MESSAGES, self))
        layout.addWidget(self.tabs, 1)

        for panel in (self.pickup, self.templates, self.settings):
            panel.status.connect(self.status)
        self.pickup.sent.connect(self.refresh_log)
        for combo in (self.channel, self.status_filter, self.category_filter):
            combo.currentIndexChanged.connect(self.refresh_log)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.retry_button.clicked.connect(self.retry_selected)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_log)
        self.refresh_log()  # the panels read their own state when built

    # -- refreshing ----------------------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_log()
        self.pickup.refresh()
        self.settings.refresh()

    def refresh_log(self) -> None:
        chosen = self.selected()
        with self.backend.ledger() as ledger:
            self.rows = overview.message_log(
                ledger.conn,
                channel=self.channel.currentData(),
                status=self.status_filter.currentData(),
                category=self.category_filter.currentData(),
            )
        names = {"whatsapp": S.CHANNEL_WHATSAPP, "sms": S.CHANNEL_SMS}
        _fill(
            self.table,
            [
                [
                    names.get(m.channel, m.channel),
                    _short_time(m.sent_at),
                    m.phone or "",
                    status_name(m.status),
                    (m.text or "").replace("\n", " ")[:200],
                    m.problem or "",
                    category_name(m.category),
                ]
                for m in self.rows
            ],
        )
        self.empty.setVisible(not self.rows)
        if chosen is not None:
            for index, m in enumerate(self.rows):
                if m.id == chosen.id:
                    self.table.selectRow(index)
        self._selection_changed()

    def run_finished(self, run: RunSummary) -> None:
        """Slot for the engine bridge: a Twilio run may have changed statuses."""
        if run.service == "twilio":
            self.refresh_log()
            self.pickup.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    # -- retry ---------------------------------------------------------------------------
    def selected(self) -> overview.LogRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.retry_button.setEnabled(not self.busy and chosen is not None and chosen.retryable)

    def retry_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.event_id is None or not chosen.retryable:
            self._say(S.MSG_NOTHING_TO_RETRY)
            return
        path, send, event = self.backend.paths.ledger, engine_send(self.backend), chosen.event_id
        self.busy = True
        self._selection_changed()
        self._say(S.MSG_SENDING)
        run_task(self, "retry", lambda: retry_and_send(path, event, send), self._done, self._fail)

    def _done(self, result: object) -> None:
        assert isinstance(result, NotifyResult)
        self.busy = False
        self._say(result_sentence(result))
        self.refresh_log()
        self.pickup.refresh()

    def _fail(self, sentence: str) -> None:
        self.busy = False
        self._say(sentence)
        self.refresh_log()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status.emit(text)
