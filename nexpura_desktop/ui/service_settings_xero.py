"""Xero settings: the sales account and tax rate invoice lines use — offered from the
organisation's own ``Accounts`` and ``TaxRates``, its defaults first — and the optional
schedule (manual by default, as in Nexpura)."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtWidgets import QComboBox

from ..connectors.xero import settings as xs
from ..connectors.xero.choices import OrganisationChoices, organisation_choices
from ..connectors.xero.mapping import AccountMapping
from ..ledger.db import Ledger
from ..secrets import SecretStore
from .service_settings import ScheduleRow, ServiceSettingsDialog, labelled
from .strings import S
from .widgets import note

SCHEDULE_MINUTES = 60  # what the minutes box offers when the owner turns the schedule on


class XeroSettingsDialog(ServiceSettingsDialog):
    service = "xero"
    intro_text = S.XERO_INTRO

    def build_form(self) -> None:
        self.account = QComboBox(self)
        self.tax = QComboBox(self)
        self.schedule = ScheduleRow(self, SCHEDULE_MINUTES)
        self.form.addRow(labelled(self, S.XERO_ACCOUNT, self.account), self.account)
        self.form.addRow(labelled(self, S.XERO_TAX, self.tax), self.tax)
        self.form.addRow("", self.schedule)
        self.form.addRow("", note(S.XERO_SCHEDULE_NOTE, self))

    async def fetch(self, ledger: Ledger, store: SecretStore | None, transport: Any) -> Any:
        return await organisation_choices(ledger, store, transport)

    def show_stored(self, config: dict[str, Any]) -> None:
        minutes = xs.schedule_minutes(config)
        kind = (config.get("schedule") or {}).get("kind")
        self.schedule.show_minutes(minutes, kind not in (None, "off"))

    def show_choices(self, choices: Any, config: dict[str, Any]) -> None:
        assert isinstance(choices, OrganisationChoices)
        chosen = xs.chosen_mapping(config)
        default = choices.default
        self._fill(
            self.account,
            choices.accounts,
            default.account_code if default else None,
            chosen.account_code if chosen else None,
        )
        self._fill(
            self.tax,
            choices.tax_types,
            default.tax_type if default else None,
            chosen.tax_type if chosen else None,
        )

    @staticmethod
    def _fill(
        combo: QComboBox, options: list[tuple[str, str]], default: str | None, chosen: str | None
    ) -> None:
        """ "Organisation's default (…)" first (data ``None``), then every option."""
        labels = dict(options)
        combo.clear()
        if default is not None:
            combo.addItem(S.XERO_DEFAULT.format(choice=labels.get(default, default)), None)
        else:
            combo.addItem(S.XERO_DEFAULT_NONE, None)
        for value, label in options:
            combo.addItem(label, value)
        if chosen is not None and combo.findData(chosen) < 0:
            combo.addItem(S.SVC_CURRENT_UNLISTED.format(name=chosen), chosen)
        combo.setCurrentIndex(0 if chosen is None else combo.findData(chosen))

    def chosen_mapping(self) -> AccountMapping | None:
        """The pair to store; ``None`` when both follow the organisation's defaults."""
        account, tax = self.account.currentData(), self.tax.currentData()
        if account is None and tax is None:
            return None
        default = self.choices.default if self.choices is not None else None
        account = account or (default.account_code if default else None)
        tax = tax or (default.tax_type if default else None)
        if not account or not tax:
            raise ValueError("choose both the sales account and the tax rate")
        return AccountMapping(str(account), str(tax))

    def store(self, conn: sqlite3.Connection) -> list[str]:
        if self.choices is not None:
            xs.set_mapping(conn, self.chosen_mapping())
        if self.schedule.touched:
            xs.set_schedule(conn, self.schedule.chosen())
        return []


DIALOG = XeroSettingsDialog
