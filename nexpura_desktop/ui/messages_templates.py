"""Templates per category and channel: edit with variables, live preview with a sample
customer, "Save and preview" (stored off), then "Enable" (refused unless the text as it
stands was previewed).  WhatsApp slots choose a Content template listed from the Twilio
account, used outside the 24-hour window, with its ``{{n}}`` mapped to our variables."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..connectors.twilio.settings import TwilioSettings, load_settings
from ..ledger.db import Ledger
from ..messaging import contents, templates
from ..messaging.settings import CATEGORIES
from .backend import Backend
from .messages_common import category_names, run_task
from .strings import S
from .widgets import note


class TemplatesPanel(QWidget):
    status = Signal(str)

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        # where the Twilio account is found (tests point it at the in-process sandbox)
        self.twilio_settings: Callable[[Ledger], TwilioSettings] = load_settings
        self.contents: list[contents.ContentTemplate] = []
        self._saved: templates.Template | None = None
        self._previewed = False
        self.category = QComboBox(self)
        for key, name in category_names().items():
            if key in CATEGORIES:
                self.category.addItem(name, key)
        self.channel = QComboBox(self)
        self.channel.addItem(S.CHANNEL_WHATSAPP, "whatsapp")
        self.channel.addItem(S.CHANNEL_SMS, "sms")
        self.body = QPlainTextEdit(self)
        self.body.setAccessibleName(S.MSG_TEMPLATE_TEXT)
        self.body.setTabChangesFocus(True)
        variables = ", ".join("{" + v + "}" for v in templates.VARIABLES)
        self.variables = note(S.MSG_TEMPLATE_VARIABLES.format(names=variables), self)
        self.content = QComboBox(self)
        self.content.setAccessibleName(S.MSG_TEMPLATE_CONTENT)
        self.load_button = QPushButton(S.MSG_TEMPLATE_LOAD, self)
        self.content_vars = QLineEdit(self)
        self.content_vars.setAccessibleName(S.MSG_TEMPLATE_CONTENT_VARS)
        self.content_vars.setPlaceholderText(S.MSG_TEMPLATE_CONTENT_VARS_HINT)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(S.MSG_TEMPLATE_PREVIEW)
        self.preview.setStyleSheet("QLabel { padding: 6px; border: 1px solid palette(mid); }")
        self.state = QLabel(self)
        self.save_button = QPushButton(S.MSG_TEMPLATE_SAVE, self)
        self.enable_button = QPushButton(S.MSG_TEMPLATE_ENABLE, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)

        content_row = QHBoxLayout()
        content_row.addWidget(self.content, 1)
        content_row.addWidget(self.load_button)
        self.content_row = QWidget(self)
        self.content_row.setLayout(content_row)
        content_row.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow(S.MSG_TEMPLATE_CATEGORY, self.category)
        form.addRow(S.MSG_TEMPLATE_CHANNEL, self.channel)
        form.addRow(S.MSG_TEMPLATE_TEXT_LABEL, self.body)
        form.addRow("", self.variables)
        form.addRow(S.MSG_TEMPLATE_CONTENT_LABEL, self.content_row)
        form.addRow(S.MSG_TEMPLATE_CONTENT_VARS_LABEL, self.content_vars)
        form.addRow(S.MSG_TEMPLATE_PREVIEW_LABEL, self.preview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.enable_button)
        buttons.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(note(S.MSG_TEMPLATES_INTRO, self))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self.category.currentIndexChanged.connect(self.load_slot)
        self.channel.currentIndexChanged.connect(self.load_slot)
        self.body.textChanged.connect(self.update_preview)
        self.content.currentIndexChanged.connect(self.update_preview)
        self.content_vars.textChanged.connect(self.update_preview)
        self.save_button.clicked.connect(self.save_and_preview)
        self.enable_button.clicked.connect(self.enable)
        self.load_button.clicked.connect(self.load_contents)
        self.load_slot()

    # -- the slot ------------------------------------------------------------------------
    def slot(self) -> tuple[str, str]:
        return str(self.category.currentData()), str(self.channel.currentData())

    def load_slot(self) -> None:
        category, channel = self.slot()
        with self.backend.ledger() as ledger:
            saved = templates.stored(ledger.conn, category, channel)
            previewed = templates.is_previewed(ledger.conn, category, channel)
        current = saved or templates.get_default(category, channel)
        self._saved, self._previewed = saved, previewed
        self.body.setPlainText(current.body)
        self.content_vars.setText(contents.format_mapping(current.content_variables))
        self._fill_contents(current.content_sid)
        whatsapp = channel == "whatsapp"
        self.content_row.setEnabled(whatsapp)
        self.content_vars.setEnabled(whatsapp)
        self._show_state()
        self.update_preview()

    def _fill_contents(self, chosen: str | None) -> None:
        self.content.blockSignals(True)
        self.content.clear()
        self.content.addItem(S.MSG_TEMPLATE_CONTENT_DEFAULT, None)
        for c in self.contents:
            self.content.addItem(f"{c.friendly_name} ({c.sid})", c.sid)
        if chosen and self.content.findData(chosen) < 0:
            self.content.addItem(chosen, chosen)
        self.content.setCurrentIndex(max(0, self.content.findData(chosen)) if chosen else 0)
        self.content.blockSignals(False)

    def _unchanged(self) -> bool:
        """The form shows exactly what is saved."""
        saved = self._saved
        if saved is None:
            return False
        try:
            mapping = contents.parse_mapping(self.content_vars.text())
        except templates.TemplateError:
            return False
        return (
            saved.body == self.body.toPlainText()
            and saved.content_sid == self.content.currentData()
            and (saved.content_variables == mapping or self.slot()[1] == "sms")
        )

    def _show_state(self) -> None:
        saved = self._saved
        if saved is None:
            text = S.MSG_TEMPLATE_BUILT_IN
        elif saved.enabled:
            text = S.MSG_TEMPLATE_ENABLED
        else:
            text = S.MSG_TEMPLATE_SAVED_OFF
        unchanged = self._unchanged()
        if saved is not None and not unchanged:
            text = S.MSG_TEMPLATE_EDITED
        self.state.setText(text)
        self.enable_button.setEnabled(
            saved is not None and not saved.enabled and unchanged and self._previewed
        )

    # -- preview -------------------------------------------------------------------------
    def update_preview(self) -> None:
        try:
            text = templates.render(self.body.toPlainText(), templates.SAMPLE)
        except templates.TemplateError as exc:
            self.preview.setText(S.MSG_TEMPLATE_PROBLEM.format(problem=str(exc)))
            self._show_state()
            return
        lines = [S.MSG_PREVIEW_FREE.format(text=text)]
        sid = self.content.currentData()
        found = next((c for c in self.contents if c.sid == sid), None)
        if self.slot()[1] == "whatsapp" and found is not None:
            try:
                mapping = contents.parse_mapping(self.content_vars.text())
                lines.append(
                    S.MSG_PREVIEW_TEMPLATE.format(text=found.render(mapping, templates.SAMPLE))
                )
            except templates.TemplateError as exc:
                lines.append(S.MSG_TEMPLATE_PROBLEM.format(problem=str(exc)))
        self.preview.setText("\n\n".join(lines))
        self._show_state()

    # -- actions -------------------------------------------------------------------------
    def save_and_preview(self) -> bool:
        category, channel = self.slot()
        try:
            mapping = contents.parse_mapping(self.content_vars.text())
            with self.backend.ledger() as ledger, ledger.transaction() as conn:
                sid = self.content.currentData() if channel == "whatsapp" else None
                templates.save(
                    conn,
                    category,
                    channel,
                    self.body.toPlainText(),
                    content_sid=sid,
                    content_variables=mapping if channel == "whatsapp" else {},
                )
                shown = templates.preview(conn, category, channel)
        except templates.TemplateError as exc:
            self._say(S.MSG_TEMPLATE_PROBLEM.format(problem=str(exc)))
            return False
        self.load_slot()
        self._say(S.MSG_TEMPLATE_PREVIEWED.format(text=shown))
        return True

    def enable(self) -> bool:
        category, channel = self.slot()
        try:
            with self.backend.ledger() as ledger, ledger.transaction() as conn:
                templates.enable(conn, category, channel)
        except templates.TemplateError as exc:
            self._say(S.MSG_TEMPLATE_PROBLEM.format(problem=str(exc)))
            return False
        self.load_slot()
        self._say(S.MSG_TEMPLATE_NOW_ENABLED)
        return True

    def load_contents(self) -> None:
        path, provider = self.backend.paths.ledger, self.twilio_settings
        self.load_button.setEnabled(False)
        self._say(S.MSG_TEMPLATE_LOADING)
        run_task(
            self,
            "contents",
            lambda: contents.list_contents(path, provider),
            self._contents_loaded,
            self._contents_failed,
        )

    def _contents_loaded(self, found: object) -> None:
        assert isinstance(found, list)
        self.contents = found
        self.load_button.setEnabled(True)
        self._fill_contents(self.content.currentData())
        self.update_preview()
        self._say(S.MSG_TEMPLATE_LOADED.format(count=len(found)))

    def _contents_failed(self, sentence: str) -> None:
        self.load_button.setEnabled(True)
        self._say(S.MSG_TEMPLATE_LOAD_FAILED.format(problem=sentence))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status.emit(text)
