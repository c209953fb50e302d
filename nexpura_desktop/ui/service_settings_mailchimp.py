"""Mailchimp settings: the audience (listed from the account), automatic sync, and
"Verify audience" — the full comparison run, whose differences are counted here and
listed under Activity."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtWidgets import QComboBox, QPushButton

from ..connectors.mailchimp import settings as mc
from ..connectors.mailchimp.choices import account_audiences
from ..ledger.db import Ledger
from ..secrets import SecretStore
from .bridge import BackgroundTask
from .service_settings import ScheduleRow, ServiceSettingsDialog, labelled
from .strings import S
from .widgets import note

VERIFY_JOB = "mailchimp.customers.verify"


def open_differences(ledger: Ledger) -> int:
    """Differences the last verify run left open (each one a drift issue)."""
    row = ledger.conn.execute(
        "SELECT COUNT(*) FROM sync_issues WHERE service = 'mailchimp' AND job = ? "
        "AND kind = 'drift' AND state IN ('open', 'retry')",
        (VERIFY_JOB,),
    ).fetchone()
    return int(row[0])


class MailchimpSettingsDialog(ServiceSettingsDialog):
    service = "mailchimp"
    intro_text = S.MC_INTRO
    differences: int | None = None  # what the last Verify found

    def build_form(self) -> None:
        self.audience = QComboBox(self)
        self.schedule = ScheduleRow(self, mc.AUTO_SYNC_MINUTES)
        self.verify_button = QPushButton(S.MC_VERIFY, self)
        self.verify_button.setAccessibleDescription(S.MC_VERIFY_HINT)
        self.verify_result = note("", self)
        self.form.addRow(labelled(self, S.MC_AUDIENCE, self.audience), self.audience)
        self.form.addRow("", self.schedule)
        self.form.addRow("", note(S.MC_VERIFY_HINT, self))
        self.form.addRow(self.verify_button, self.verify_result)
        self.verify_button.clicked.connect(self.verify)

    async def fetch(self, ledger: Ledger, store: SecretStore | None, transport: Any) -> Any:
        return await account_audiences(ledger, store, transport)

    def show_stored(self, config: dict[str, Any]) -> None:
        minutes = mc.auto_sync_minutes(config)
        kind = (config.get("schedule") or {}).get("kind")
        self.schedule.show_minutes(minutes, kind not in (None, "off"))
        current = str(config.get(mc.AUDIENCE_KEY) or "")
        if self.audience.count() == 0 and current:
            name = str(config.get(mc.AUDIENCE_NAME_KEY) or current)
            self.audience.addItem(name, current)

    def show_choices(self, choices: Any, config: dict[str, Any]) -> None:
        current = str(config.get(mc.AUDIENCE_KEY) or "")
        self.audience.clear()
        for audience_id, name in choices:
            self.audience.addItem(name, audience_id)
        if current and self.audience.findData(current) < 0:
            name = str(config.get(mc.AUDIENCE_NAME_KEY) or current)
            self.audience.addItem(S.SVC_CURRENT_UNLISTED.format(name=name), current)
        self.audience.setCurrentIndex(max(0, self.audience.findData(current)))

    def store(self, conn: sqlite3.Connection) -> list[str]:
        notes: list[str] = []
        chosen = self.audience.currentData()
        if chosen and self.choices is not None:
            name = dict(self.choices).get(str(chosen), str(chosen))
            if mc.set_audience(conn, str(chosen), name):
                notes.append(S.MC_AUDIENCE_CHANGED)
        if self.schedule.touched:
            minutes = self.schedule.chosen()
            mc.apply_auto_sync(
                conn, minutes is not None, minutes=minutes or self.schedule.default_minutes
            )
        return notes

    # -- verify (a full comparison run on the Mailchimp lane) -------------------------------
    def verify(self) -> BackgroundTask | None:
        try:
            sub = self.backend.engine.run_jobs(
                "mailchimp", [VERIFY_JOB], trigger="manual", full=True
            )
        except KeyError as exc:
            self.verify_result.setText(S.MC_VERIFY_FAILED.format(problem=str(exc)))
            return None
        if not sub.accepted:
            self.verify_result.setText(sub.message)
            return None
        self.verify_button.setEnabled(False)
        self.verify_result.setText(S.MC_VERIFYING)
        backend = self.backend

        def work(_progress: object, _cancel: object) -> tuple[str | None, str, int]:
            (summary,) = sub.wait(None)
            with backend.ledger() as ledger:
                return summary.outcome, summary.message or "", open_differences(ledger)

        task = BackgroundTask("mailchimp-verify", work)
        task.succeeded.connect(self._verified)
        task.failed.connect(self._verify_failed)
        task.finished.connect(self._verify_done)
        return self.start(task)

    def _verify_failed(self, problem: str) -> None:
        self.verify_result.setText(S.MC_VERIFY_FAILED.format(problem=problem))

    def _verify_done(self) -> None:
        self.verify_button.setEnabled(True)

    def _verified(self, result: tuple[str | None, str, int]) -> None:
        outcome, message, count = result
        if outcome != "success":
            self.verify_result.setText(S.MC_VERIFY_FAILED.format(problem=message or outcome))
        elif count:
            self.verify_result.setText(S.MC_VERIFY_RESULT.format(count=count))
        else:
            self.verify_result.setText(S.MC_VERIFY_NONE)
        self.differences = count


DIALOG = MailchimpSettingsDialog
