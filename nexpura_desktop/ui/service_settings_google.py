"""Google Calendar settings: the calendar (listed from the account), what to do with our
events moved in Google (apply to the appointment or job, or report), automatic sync."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtWidgets import QButtonGroup, QComboBox, QLabel, QRadioButton, QVBoxLayout, QWidget

from ..connectors.google_calendar import settings as gs
from ..connectors.google_calendar.choices import CalendarChoice, writable_calendars
from ..ledger.db import Ledger
from ..secrets import SecretStore
from .service_settings import ScheduleRow, ServiceSettingsDialog, labelled
from .strings import S


class GoogleSettingsDialog(ServiceSettingsDialog):
    service = "google_calendar"
    intro_text = S.GCAL_INTRO

    def build_form(self) -> None:
        self.calendar = QComboBox(self)
        self.apply = QRadioButton(S.GCAL_APPLY, self)
        self.report = QRadioButton(S.GCAL_REPORT, self)
        self.changes = QButtonGroup(self)
        self.changes.addButton(self.apply)
        self.changes.addButton(self.report)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.apply)
        column.addWidget(self.report)
        self.schedule = ScheduleRow(self, gs.AUTO_SYNC_MINUTES)
        self.form.addRow(labelled(self, S.GCAL_CALENDAR, self.calendar), self.calendar)
        self.form.addRow(QLabel(S.GCAL_CHANGES, self), box)
        self.form.addRow("", self.schedule)

    async def fetch(self, ledger: Ledger, store: SecretStore | None, transport: Any) -> Any:
        return await writable_calendars(ledger, store, transport)

    def show_stored(self, config: dict[str, Any]) -> None:
        mode = str(config.get(gs.CHANGES_KEY) or "report")
        (self.apply if mode == "apply" else self.report).setChecked(True)
        minutes = gs.auto_sync_minutes(config)
        kind = (config.get("schedule") or {}).get("kind")
        self.schedule.show_minutes(minutes, kind not in (None, "off"))
        current = str(config.get(gs.CALENDAR_KEY) or "")
        if self.calendar.count() == 0 and current:
            self.calendar.addItem(str(config.get(gs.CALENDAR_NAME_KEY) or current), current)

    def show_choices(self, choices: Any, config: dict[str, Any]) -> None:
        current = str(config.get(gs.CALENDAR_KEY) or "")
        self.calendar.clear()
        for choice in choices:
            assert isinstance(choice, CalendarChoice)
            label = S.GCAL_PRIMARY.format(name=choice.name) if choice.primary else choice.name
            self.calendar.addItem(label, choice.id)
        if current and self.calendar.findData(current) < 0:
            name = str(config.get(gs.CALENDAR_NAME_KEY) or current)
            self.calendar.addItem(S.SVC_CURRENT_UNLISTED.format(name=name), current)
        self.calendar.setCurrentIndex(max(0, self.calendar.findData(current)))

    def store(self, conn: sqlite3.Connection) -> list[str]:
        notes: list[str] = []
        chosen = self.calendar.currentData()
        if chosen and self.choices is not None:
            names = {c.id: c.name for c in self.choices}
            if gs.set_calendar(conn, str(chosen), names.get(str(chosen))):
                notes.append(S.GCAL_CALENDAR_CHANGED)
        gs.set_changes_mode(conn, "apply" if self.apply.isChecked() else "report")
        if self.schedule.touched:
            minutes = self.schedule.chosen()
            gs.apply_auto_sync(
                conn, minutes is not None, minutes=minutes or self.schedule.default_minutes
            )
        return notes


DIALOG = GoogleSettingsDialog
