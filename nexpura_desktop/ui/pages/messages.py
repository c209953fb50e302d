"""Messages: the WhatsApp and SMS notification log with delivery status."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..backend import Backend
from ..strings import S
from ..widgets import heading, note
from .activity import _fill, _table
from .integrations import _short_time


class MessagesPage(QWidget):
    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.channel = QComboBox(self)
        self.channel.addItem(S.FILTER_ALL, None)
        self.channel.addItem(S.CHANNEL_WHATSAPP, "whatsapp")
        self.channel.addItem(S.CHANNEL_SMS, "sms")
        label = QLabel(S.CHANNEL, self)
        label.setBuddy(self.channel)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.channel)
        row.addStretch(1)
        self.table = _table(
            self,
            [S.COL_CHANNEL, S.COL_SENT, S.COL_PHONE, S.COL_STATUS, S.COL_TEXT, S.COL_ERROR],
            S.PAGE_MESSAGES,
        )
        self.empty = note(S.MESSAGES_EMPTY, self)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(S.PAGE_MESSAGES, self))
        layout.addWidget(note(S.MESSAGES_INTRO, self))
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.channel.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        names = {"whatsapp": S.CHANNEL_WHATSAPP, "sms": S.CHANNEL_SMS}
        found = self.backend.messages(self.channel.currentData())
        rows = [
            [
                names.get(m.channel, m.channel),
                _short_time(m.sent_at),
                m.phone or "",
                m.status or "",
                (m.text or "").replace("\n", " ")[:200],
                m.error or "",
            ]
            for m in found
        ]
        _fill(self.table, rows)
        self.empty.setVisible(not rows)
