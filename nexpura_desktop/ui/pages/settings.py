"""Settings: the shop profile syncs use, and how the app behaves on this computer."""

from __future__ import annotations

import os
import zoneinfo

from PySide6.QtCore import QRegularExpression, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import autostart
from ..backend import Backend, ShopProfile
from ..optional import API_PANEL, optional_module
from ..strings import S
from ..widgets import heading


def _api_panel(backend: Backend, parent: QWidget) -> QWidget | None:
    """The local API's panel, where this build has it (loaded with the page)."""
    module = optional_module(API_PANEL)
    if module is None:
        return None
    panel: QWidget = module.ApiPanel(backend, parent)
    return panel


class SettingsPage(QWidget):
    status = Signal(str)
    changed = Signal()

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.timezone = QComboBox(self)
        self.timezone.setEditable(False)
        self.timezone.addItems(sorted(zoneinfo.available_timezones()))
        self.country = QLineEdit(self)
        self.currency = QLineEdit(self)
        self.currency.setMaxLength(3)
        self.currency.setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self.currency)
        )
        self.tax_inclusive = QCheckBox(S.SETTINGS_TAX_INCLUSIVE, self)
        shop = QGroupBox(S.SETTINGS_SHOP, self)
        form = QFormLayout(shop)
        for text, field in (
            (S.SETTINGS_TIMEZONE, self.timezone),
            (S.SETTINGS_COUNTRY, self.country),
            (S.SETTINGS_CURRENCY, self.currency),
        ):
            label = QLabel(text, shop)
            label.setBuddy(field)
            field.setAccessibleName(text.replace("&", "").rstrip(":"))
            form.addRow(label, field)
        form.addRow(self.tax_inclusive)

        self.data_folder = QLabel(str(backend.paths.data), self)
        self.data_folder.setAccessibleName(S.SETTINGS_DATA_FOLDER)
        self.open_data = QPushButton(S.SETTINGS_OPEN_DATA, self)
        self.start_at_login = QCheckBox(S.SETTINGS_START_AT_LOGIN, self)
        self.close_to_tray = QCheckBox(S.SETTINGS_CLOSE_TO_TRAY, self)
        self.sandbox = QCheckBox(S.SETTINGS_SANDBOX, self)
        self.sandbox_url = QLineEdit(self)
        self.sandbox_url.setAccessibleName(S.SETTINGS_SANDBOX_URL)
        app = QGroupBox(S.SETTINGS_APP, self)
        app_form = QFormLayout(app)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_folder, 1)
        folder_row.addWidget(self.open_data)
        app_form.addRow(S.SETTINGS_DATA_FOLDER, folder_row)
        app_form.addRow(self.start_at_login)
        app_form.addRow(self.close_to_tray)
        app_form.addRow(self.sandbox)
        app_form.addRow(S.SETTINGS_SANDBOX_URL, self.sandbox_url)

        self.save_button = QPushButton(S.SETTINGS_SAVE, self)
        self.message = QLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addWidget(heading(S.PAGE_SETTINGS, content))
        layout.addWidget(shop)
        layout.addWidget(app)
        layout.addLayout(buttons)
        self.api_panel = _api_panel(backend, content)  # titles its own section
        if self.api_panel is not None:
            layout.addWidget(self.api_panel)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.save_button.clicked.connect(self.save)
        self.open_data.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(backend.paths.data)))
        )
        self.sandbox.toggled.connect(self.sandbox_url.setEnabled)
        self.load()

    def load(self) -> None:
        profile = self.backend.shop_profile()
        index = self.timezone.findText(profile.timezone)
        self.timezone.setCurrentIndex(max(0, index))
        self.country.setText(profile.country)
        self.currency.setText(profile.currency)
        self.tax_inclusive.setChecked(profile.tax_inclusive)
        self.start_at_login.setChecked(autostart.is_enabled())
        self.close_to_tray.setChecked(self.backend.close_to_tray())
        self.sandbox.setChecked(bool(self.backend.setting("sandbox.enabled", False)))
        self.sandbox_url.setText(str(self.backend.setting("sandbox.url") or ""))
        self.sandbox_url.setEnabled(self.sandbox.isChecked())

    def save(self) -> bool:
        currency = self.currency.text().strip().upper()
        if len(currency) != 3:
            self._say(S.SETTINGS_CURRENCY_INVALID)
            self.currency.setFocus()
            return False
        self.backend.save_shop_profile(
            ShopProfile(
                timezone=self.timezone.currentText(),
                country=self.country.text().strip(),
                currency=currency,
                tax_inclusive=self.tax_inclusive.isChecked(),
            )
        )
        self.backend.set_setting("ui.close_to_tray", self.close_to_tray.isChecked())
        self.backend.set_setting("sandbox.enabled", self.sandbox.isChecked())
        self.backend.set_setting("sandbox.url", self.sandbox_url.text().strip() or None)
        if self.start_at_login.isChecked() != autostart.is_enabled():
            try:
                autostart.set_enabled(
                    self.start_at_login.isChecked(), os.environ.get("NEXPURA_DESKTOP_HOME")
                )
            except OSError as exc:
                self._say(S.SETTINGS_AUTOSTART_FAILED.format(message=exc.strerror or exc))
                return False
        self._say(S.SETTINGS_SAVED)
        self.changed.emit()
        return True

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop what the local API panel runs, if it runs anything."""
        stop = getattr(self.api_panel, "shutdown", None)
        return bool(stop(timeout)) if callable(stop) else True

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status.emit(text)
