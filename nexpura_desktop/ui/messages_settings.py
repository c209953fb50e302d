"""Messaging settings: categories on/off (Nexpura's notification switches), the default
channel order for customers, quiet hours in the shop's time zone, the default country
for phone numbers."""

from __future__ import annotations

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ..messaging import settings as msg_settings
from ..messaging.phones import region_code
from .backend import Backend
from .strings import S
from .widgets import note

CHANNEL_ORDERS: list[list[str]] = [["whatsapp", "sms"], ["sms", "whatsapp"], ["whatsapp"], ["sms"]]


class MessagingSettingsPanel(QWidget):
    status = Signal(str)

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        # one switch per Nexpura key (the urgent switch covers tasks and jobs)
        self.switches: dict[str, QCheckBox] = {
            "job_ready": QCheckBox(S.MSG_SWITCH_JOB_READY, self),
            "task_assigned": QCheckBox(S.MSG_SWITCH_TASK_ASSIGNED, self),
            "task_status": QCheckBox(S.MSG_SWITCH_TASK_STATUS, self),
            "task_urgent": QCheckBox(S.MSG_SWITCH_URGENT, self),
        }
        self.order = QComboBox(self)
        for text, order in zip(
            (S.MSG_ORDER_WA_SMS, S.MSG_ORDER_SMS_WA, S.MSG_ORDER_WA, S.MSG_ORDER_SMS),
            CHANNEL_ORDERS,
            strict=True,
        ):
            self.order.addItem(text, order)
        self.quiet = QCheckBox(S.MSG_QUIET_ON, self)
        self.quiet_start = QTimeEdit(self)
        self.quiet_end = QTimeEdit(self)
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        self.quiet_start.setAccessibleName(S.MSG_QUIET_FROM)
        self.quiet_end.setAccessibleName(S.MSG_QUIET_UNTIL)
        self.zone = note("", self)
        self.country = QLineEdit(self)
        self.country.setPlaceholderText(S.MSG_COUNTRY_HINT)
        self.country.setAccessibleName(S.MSG_COUNTRY)
        self.save_button = QPushButton(S.MSG_SETTINGS_SAVE, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)

        hours = QHBoxLayout()
        hours.addWidget(self.quiet)
        hours.addWidget(QLabel(S.MSG_QUIET_FROM, self))
        hours.addWidget(self.quiet_start)
        hours.addWidget(QLabel(S.MSG_QUIET_UNTIL, self))
        hours.addWidget(self.quiet_end)
        hours.addStretch(1)
        switches = QVBoxLayout()
        for box in self.switches.values():
            switches.addWidget(box)
        form = QFormLayout()
        form.addRow(S.MSG_SWITCHES, switches)
        form.addRow(S.MSG_ORDER, self.order)
        form.addRow(S.MSG_QUIET, hours)
        form.addRow("", self.zone)
        form.addRow(S.MSG_COUNTRY, self.country)
        layout = QVBoxLayout(self)
        layout.addWidget(note(S.MSG_SETTINGS_INTRO, self))
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.quiet.toggled.connect(self._quiet_toggled)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def refresh(self) -> None:
        with self.backend.ledger() as ledger:
            conn = ledger.conn
            shop = msg_settings.load(conn)
            order = list(msg_settings.get_setting(conn, "customer_channels"))
            country = msg_settings.get_setting(conn, "country")
        for category, box in self.switches.items():
            box.setChecked(shop.enabled[category])
        index = self.order.findData(order)
        self.order.setCurrentIndex(max(0, index))
        quiet = shop.quiet_start != shop.quiet_end
        start, end = shop.quiet_start, shop.quiet_end
        self.quiet_start.setTime(QTime(start.hour, start.minute) if quiet else QTime(20, 0))
        self.quiet_end.setTime(QTime(end.hour, end.minute) if quiet else QTime(8, 0))
        self.quiet.setChecked(quiet)
        self._quiet_toggled(quiet)
        self.zone.setText(S.MSG_QUIET_ZONE.format(zone=str(shop.timezone)))
        self.country.setText(str(country or ""))

    def _quiet_toggled(self, on: bool) -> None:
        self.quiet_start.setEnabled(on)
        self.quiet_end.setEnabled(on)

    def save(self) -> bool:
        text = self.country.text().strip()
        try:
            country = region_code(text) if text else None
        except ValueError:
            self._say(S.MSG_COUNTRY_INVALID.format(country=text))
            return False
        start = self.quiet_start.time().toString("HH:mm")
        end = self.quiet_end.time().toString("HH:mm")
        if self.quiet.isChecked() and start == end:
            self._say(S.MSG_QUIET_SAME)
            return False
        try:
            with self.backend.ledger() as ledger, ledger.transaction() as conn:
                for category, box in self.switches.items():
                    msg_settings.set_category(conn, category, box.isChecked())
                msg_settings.set_setting(conn, "customer_channels", self.order.currentData())
                msg_settings.set_setting(
                    conn, "quiet_start", start if self.quiet.isChecked() else "00:00"
                )
                msg_settings.set_setting(
                    conn, "quiet_end", end if self.quiet.isChecked() else "00:00"
                )
                msg_settings.set_setting(conn, "country", country)
        except ValueError as exc:  # no shop in the ledger yet
            self._say(S.MSG_SETTINGS_FAILED.format(problem=str(exc)))
            return False
        self.refresh()
        self._say(S.MSG_SETTINGS_SAVED)
        return True

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status.emit(text)
