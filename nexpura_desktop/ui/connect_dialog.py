"""The connect dialog: a key form or a browser sign-in per service, running the real flows.

The flow (``Backend.connect_async`` → ``auth.connect.connect``) runs on its own asyncio
loop in a worker thread (``ConnectRunner``): it reads and writes the keyring, which may
block for seconds (a Secret Service unlock prompt), and the loopback listener of a browser
sign-in lives there too, so the GUI thread never waits.  Everything the flow needs from
the person comes back through queued signals:

* ``open_url`` → the browser is opened (``QDesktopServices``) and "Copy link" is enabled;
* ``choose`` (an organisation, calendar or audience) → a choice row appears in the dialog
  and the worker waits for Continue (or Cancel);
* ``progress`` → the status line.

Cancel cancels the flow's task on its loop, which closes the loopback listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..auth import google, mailchimp, shopify, twilio, woocommerce, xero
from ..auth.connect import Options
from ..auth.context import ConnectResult
from ..auth.endpoints import Endpoints
from ..errors import UserError
from .backend import Backend
from .icons import service_icon
from .strings import S, service_name
from .widgets import ServiceMark, heading, note

log = logging.getLogger(__name__)
Validator = Callable[[str], str | None]  # text -> error sentence, or None when fine

_CK = re.compile(r"^ck_[0-9a-f]{40}$")
_CS = re.compile(r"^cs_[0-9a-f]{40}$")
_AC = re.compile(r"^AC[0-9a-f]{32}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_XERO_ID = re.compile(r"^[0-9A-Za-z]{32}$")


def _raises(check: Callable[[str], object]) -> Validator:
    """A validator from an auth helper that raises a one-line ``UserError``."""

    def validate(text: str) -> str | None:
        try:
            check(text)
        except UserError as exc:
            return str(exc)
        return None

    return validate


def _pattern(regex: re.Pattern[str], message: str) -> Validator:
    return lambda text: None if regex.match(text.strip()) else message


@dataclass(frozen=True)
class Field:
    name: str  # the Options attribute
    label: str
    validate: Validator | None = None
    secret: bool = False
    required: bool = True  # outside the sandbox
    placeholder: str = ""


Values = dict[str, str | None]
Build = Callable[[Values], "Options | Callable[[Endpoints], Options]"]


@dataclass(frozen=True)
class ServiceForm:
    fields: tuple[Field, ...]
    hint: str
    browser: bool  # the flow signs in through the browser
    build: Build  # the Options, or a function of the endpoints (sandbox defaults)
    method: str = ""  # how this form connects, where a service offers more than one way


def _shopify_app(values: Values) -> Options | Callable[[Endpoints], Options]:
    """Sign in with the shop's own custom app (OAuth, loopback redirect).

    In the sandbox, empty id and secret mean the sandbox's test app: read from the
    endpoints once the flow has loaded them (on the worker thread).
    """
    shop, client_id, secret = values["shop"], values["client_id"], values["client_secret"]
    if client_id or secret:
        return shopify.ShopifyOptions(shop=shop, client_id=client_id, client_secret=secret)

    def from_sandbox(endpoints: Endpoints) -> Options:
        app = dict(endpoints.sandbox_credentials("shopify").get("app") or {})
        return shopify.ShopifyOptions(
            shop=shop, client_id=app.get("client_id"), client_secret=app.get("client_secret")
        )

    return from_sandbox


def _forms() -> dict[str, tuple[ServiceForm, ...]]:
    """Each service's ways to connect; the first is the one the dialog opens with."""

    def sender(whatsapp: bool) -> Validator:
        return _raises(lambda t: twilio.sender(t, whatsapp=whatsapp))

    shop = Field(
        "shop", S.FIELD_SHOP, _raises(shopify.normalise_shop), placeholder=S.FIELD_SHOP_PLACEHOLDER
    )
    forms: dict[str, ServiceForm | tuple[ServiceForm, ...]] = {
        "shopify": (
            ServiceForm(
                (
                    shop,
                    Field(
                        "token",
                        S.FIELD_TOKEN,
                        lambda t: (
                            None if t.strip().startswith("shpat_") else S.INVALID_SHOPIFY_TOKEN
                        ),
                        secret=True,
                    ),
                ),
                S.HINT_SHOPIFY,
                False,
                lambda v: shopify.ShopifyOptions(shop=v["shop"], token=v["token"]),
                S.METHOD_SHOPIFY_TOKEN,
            ),
            ServiceForm(
                (
                    shop,
                    Field("client_id", S.FIELD_CLIENT_ID),
                    Field("client_secret", S.FIELD_CLIENT_SECRET, secret=True),
                ),
                S.HINT_SHOPIFY_APP.format(
                    url=f"http://localhost:{shopify.DEFAULT_PORTS[0]}/shopify/callback"
                ),
                True,
                _shopify_app,
                S.METHOD_SHOPIFY_APP,
            ),
        ),
        "woocommerce": ServiceForm(
            (
                Field(
                    "url",
                    S.FIELD_STORE_URL,
                    _raises(woocommerce.normalise_store_url),
                    placeholder=S.FIELD_STORE_URL_PLACEHOLDER,
                ),
                Field("key", S.FIELD_CONSUMER_KEY, _pattern(_CK, S.INVALID_CONSUMER_KEY)),
                Field(
                    "secret",
                    S.FIELD_CONSUMER_SECRET,
                    _pattern(_CS, S.INVALID_CONSUMER_SECRET),
                    secret=True,
                ),
            ),
            S.HINT_WOOCOMMERCE,
            False,
            lambda v: woocommerce.WooOptions(url=v["url"], key=v["key"], secret=v["secret"]),
        ),
        "mailchimp": ServiceForm(
            (
                Field(
                    "api_key",
                    S.FIELD_API_KEY,
                    _raises(lambda t: mailchimp.data_centre(t.strip())),
                    secret=True,
                ),
            ),
            S.HINT_MAILCHIMP,
            False,
            lambda v: mailchimp.MailchimpOptions(api_key=v["api_key"]),
        ),
        "twilio": ServiceForm(
            (
                Field("account_sid", S.FIELD_ACCOUNT_SID, _pattern(_AC, S.INVALID_ACCOUNT_SID)),
                Field(
                    "auth_token",
                    S.FIELD_AUTH_TOKEN,
                    _pattern(_HEX32, S.INVALID_HEX32),
                    secret=True,
                ),
                Field(
                    "whatsapp_from",
                    S.FIELD_WHATSAPP_FROM,
                    sender(True),
                    required=False,
                    placeholder=S.FIELD_SENDER_PLACEHOLDER,
                ),
                Field(
                    "sms_from",
                    S.FIELD_SMS_FROM,
                    sender(False),
                    required=False,
                    placeholder=S.FIELD_SENDER_PLACEHOLDER,
                ),
            ),
            S.HINT_TWILIO,
            False,
            lambda v: twilio.TwilioOptions(
                account_sid=v["account_sid"],
                auth_token=v["auth_token"],
                whatsapp_from=v["whatsapp_from"],
                sms_from=v["sms_from"],
            ),
        ),
        "xero": ServiceForm(
            (Field("client_id", S.FIELD_CLIENT_ID, _pattern(_XERO_ID, S.INVALID_HEX32)),),
            S.HINT_XERO,
            True,
            lambda v: xero.XeroOptions(client_id=v["client_id"]),
        ),
        "google_calendar": ServiceForm(
            (
                Field("client_id", S.FIELD_CLIENT_ID),
                Field("client_secret", S.FIELD_CLIENT_SECRET, secret=True),
            ),
            S.HINT_GOOGLE,
            True,
            lambda v: google.GoogleOptions(
                client_id=v["client_id"], client_secret=v["client_secret"]
            ),
        ),
    }
    return {name: form if isinstance(form, tuple) else (form,) for name, form in forms.items()}


class ConnectRunner(QObject):
    """Runs one connect flow on a worker thread with its own asyncio loop.

    Exactly one of ``succeeded`` (ConnectResult), ``failed`` (sentence) or ``cancelled``
    is emitted, then ``finished``.
    """

    urlOpened = Signal(str)
    progressed = Signal(str, int, object)
    choiceNeeded = Signal(str, object, object)  # question, [(value, label)], default
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        backend: Backend,
        options: Options | Callable[[Endpoints], Options],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.options = options
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[ConnectResult] | None = None
        self._ready = threading.Event()
        self._cancelled = threading.Event()
        self._answered = threading.Event()
        self._answer: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="connect", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Cancel the flow (closes a waiting loopback listener); safe from the GUI thread."""
        self._cancelled.set()
        self._answered.set()  # a waiting choice gives up
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(task.cancel)

    def answer(self, value: str | None) -> None:
        """The person's choice (None: cancel)."""
        self._answer = value
        self._answered.set()

    def _reset_answer(self) -> None:
        self._answered.clear()
        self._answer = None

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- worker thread -------------------------------------------------------------------
    def _open_url(self, url: str) -> None:
        self.urlOpened.emit(url)

    def _progress(self, label: str, done: int, total: int | None) -> None:
        self.progressed.emit(label, done, total)

    def _choose(
        self, question: str, options: Sequence[tuple[str, str]], default: str | None
    ) -> str:
        self._reset_answer()
        self.choiceNeeded.emit(question, list(options), default)
        self._answered.wait()
        chosen = self._answer
        if self._cancelled.is_set() or chosen is None:
            raise asyncio.CancelledError
        return chosen

    async def _main(self) -> ConnectResult:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.ensure_future(
            self.backend.connect_async(
                self.options,
                open_url=self._open_url,
                choose=self._choose,
                progress=self._progress,
            )
        )
        if self._cancelled.is_set():
            self._task.cancel()
        return await self._task

    def _run(self) -> None:
        try:
            result = asyncio.run(self._main())
        except asyncio.CancelledError:
            self.cancelled.emit()
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("connect flow failed")
            self.failed.emit(S.UNEXPECTED.format(kind=type(exc).__name__))
        else:
            self.succeeded.emit(result)
        self.finished.emit()


class ConnectDialog(QDialog):
    """Connect one service: the form (or browser sign-in), progress, Cancel, Copy link."""

    connected = Signal(str)  # the sentence to show

    def __init__(
        self,
        backend: Backend,
        service: str,
        parent: QWidget | None = None,
        *,
        open_url: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.service = service
        self.forms = _forms()[service]
        self.form = self.forms[0]
        self.sandbox = backend.sandbox_url() is not None
        self.open_url = open_url or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.runner: ConnectRunner | None = None
        self.link: str | None = None
        self.connect_result: ConnectResult | None = None
        name = service_name(service)
        self.setObjectName(f"connect-{service}")
        self.setWindowTitle(S.CONNECT_TITLE.format(service=name))
        self.setMinimumWidth(460)

        self.setWindowIcon(service_icon(service))
        intro = S.CONNECT_INTRO_BROWSER if self.form.browser else S.CONNECT_INTRO_KEYS
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(ServiceMark(service, 40, self))
        header.addWidget(heading(name, self), 1)
        layout.addLayout(header)
        self.intro = note(intro.format(service=name, hint=self.form.hint), self)
        self.methods: list[QRadioButton] = []
        if len(self.forms) > 1:
            method_row = QHBoxLayout()
            for index, form in enumerate(self.forms):
                button = QRadioButton(form.method, self)
                button.setChecked(index == 0)
                button.toggled.connect(lambda on, i=index: self._method_toggled(i, on))
                method_row.addWidget(button)
                self.methods.append(button)
            method_row.addStretch(1)
            layout.addLayout(method_row)
        layout.addWidget(self.intro)
        if self.sandbox:
            layout.addWidget(note(S.CONNECT_SANDBOX_NOTE, self))
        self.fields = QFormLayout()
        fields = self.fields
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, int] = {}
        every = {spec.name: spec for form in self.forms for spec in form.fields}
        for spec in every.values():
            edit = QLineEdit(self)
            edit.setObjectName(f"field-{spec.name}")
            edit.setAccessibleName(spec.label)
            if spec.placeholder:
                edit.setPlaceholderText(spec.placeholder)
            if spec.secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            error = QLabel(self)
            error.setObjectName(f"error-{spec.name}")
            error.setWordWrap(True)
            error.setStyleSheet("color: #c62828;")  # readable on light and dark
            error.hide()
            column = QVBoxLayout()
            column.addWidget(edit)
            column.addWidget(error)
            fields.addRow(spec.label, column)
            self.rows[spec.name] = fields.rowCount() - 1
            edit.textChanged.connect(self._validate)
            self.edits[spec.name] = edit
            self.errors[spec.name] = error
        layout.addLayout(fields)

        self.choice_label = QLabel(self)
        self.choice_label.setWordWrap(True)
        self.choice = QComboBox(self)
        self.choice.setAccessibleName(S.CONNECT_CHOOSE.replace("&", ""))
        self.choose_button = QPushButton(S.CONNECT_CHOOSE, self)
        self.choose_button.clicked.connect(self._chosen)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self.choice, 1)
        choice_row.addWidget(self.choose_button)
        layout.addWidget(self.choice_label)
        layout.addLayout(choice_row)
        self._show_choice(False)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()
        layout.addWidget(self.status)
        layout.addWidget(self.progress)

        self.start_button = QPushButton(
            S.CONNECT_SIGN_IN if self.form.browser else S.CONNECT_START, self
        )
        self.start_button.setDefault(True)
        self.copy_button = QPushButton(S.COPY_LINK, self)
        self.copy_button.setEnabled(False)
        self.copy_button.setVisible(self.form.browser)
        self.cancel_button = QPushButton(S.CANCEL, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        self.copy_button.clicked.connect(self.copy_link)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_method(0)

    def _method_toggled(self, index: int, on: bool) -> None:
        if on:
            self.use_method(index)

    def use_method(self, index: int) -> None:
        """Switch to the service's ``index``-th way to connect (its fields, hint, button)."""
        if self.runner is not None:
            return
        self.form = self.forms[index]
        name = service_name(self.service)
        intro = S.CONNECT_INTRO_BROWSER if self.form.browser else S.CONNECT_INTRO_KEYS
        self.intro.setText(intro.format(service=name, hint=self.form.hint))
        wanted = {spec.name for spec in self.form.fields}
        for field_name, edit in self.edits.items():
            self.fields.setRowVisible(self.rows[field_name], field_name in wanted)
            edit.setEnabled(field_name in wanted)
        self.start_button.setText(S.CONNECT_SIGN_IN if self.form.browser else S.CONNECT_START)
        self.copy_button.setVisible(self.form.browser)
        if self.methods and not self.methods[index].isChecked():
            self.methods[index].setChecked(True)
        self._validate()
        if self.isVisible():
            self.adjustSize()

    # -- form ----------------------------------------------------------------------------
    def values(self) -> Values:
        """The chosen way's fields (empty → None)."""
        return {
            spec.name: (self.edits[spec.name].text().strip() or None) for spec in self.form.fields
        }

    def _validate(self) -> bool:
        """Show each field's problem under it; enable Connect only when all are fine."""
        ok = True
        changed = False
        for spec in self.form.fields:
            text = self.edits[spec.name].text().strip()
            problem: str | None = None
            if text and spec.validate is not None:
                problem = spec.validate(text)
            elif not text and spec.required and not self.sandbox:
                ok = False  # empty: nothing to complain about yet, but not ready
            label = self.errors[spec.name]
            label.setText(problem or "")
            if label.isVisibleTo(self) != (problem is not None):
                label.setVisible(problem is not None)
                changed = True
            ok = ok and problem is None
        busy = self.runner is not None
        self.start_button.setEnabled(ok and not busy)
        if changed and self.isVisible():
            self.adjustSize()  # room for the message that appeared (or gone)
        return ok

    def _set_busy(self, busy: bool) -> None:
        for spec in self.form.fields:
            self.edits[spec.name].setEnabled(not busy)
        for button in self.methods:
            button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self._validate()

    # -- flow ----------------------------------------------------------------------------
    def start(self) -> None:
        if self.runner is not None or not self._validate():
            return
        options = self.form.build(self.values())
        runner = ConnectRunner(self.backend, options, self)
        runner.urlOpened.connect(self._url_opened)
        runner.progressed.connect(self._progressed)
        runner.choiceNeeded.connect(self._choice_needed)
        runner.succeeded.connect(self._succeeded)
        runner.failed.connect(self._failed)
        runner.cancelled.connect(self._cancelled)
        runner.finished.connect(self._finished)
        self.runner = runner
        self.status.setText(S.CONNECT_WORKING)
        self._set_busy(True)
        runner.start()

    def cancel(self) -> None:
        """Cancel a running flow (the dialog closes once it has stopped), else close."""
        if self.runner is not None:
            self.runner.cancel()
            self.cancel_button.setEnabled(False)
            return
        self.reject()

    def reject(self) -> None:
        if self.runner is not None:  # Esc / window close while signing in
            self.runner.cancel()
            self.runner.wait(10)
        super().reject()

    def copy_link(self) -> None:
        if self.link:
            QGuiApplication.clipboard().setText(self.link)
            self.status.setText(S.LINK_COPIED)

    def shutdown(self, timeout: float = 10.0) -> bool:
        if self.runner is None:
            return True
        self.runner.cancel()
        return self.runner.wait(timeout)

    def _url_opened(self, url: str) -> None:
        self.link = url
        self.copy_button.setEnabled(True)
        self.status.setText(S.CONNECT_WAITING_BROWSER)
        self.open_url(url)

    def _progressed(self, label: str, done: int, total: Any) -> None:
        if not self.link or label:
            self.status.setText(label)

    def _show_choice(self, visible: bool) -> None:
        for widget in (self.choice_label, self.choice, self.choose_button):
            widget.setVisible(visible)

    def _choice_needed(self, question: str, options: Any, default: Any) -> None:
        self.choice_label.setText(question)
        self.choice.clear()
        for value, label in options:
            self.choice.addItem(label, value)
        if default is not None:
            self.choice.setCurrentIndex(max(0, self.choice.findData(default)))
        self._show_choice(True)
        self.choice.setFocus()

    def _chosen(self) -> None:
        if self.runner is not None:
            self._show_choice(False)
            self.runner.answer(str(self.choice.currentData()))

    def _succeeded(self, result: ConnectResult) -> None:
        self.connect_result = result
        self.status.setText(S.CONNECT_DONE.format(summary=result.summary()))

    def _failed(self, message: str) -> None:
        self.status.setText(message)

    def _cancelled(self) -> None:
        self.status.setText(S.CONNECT_CANCELLED.format(service=service_name(self.service)))

    def _finished(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.wait(5)
            runner.deleteLater()
        self._show_choice(False)
        self.cancel_button.setEnabled(True)
        self._set_busy(False)
        if self.connect_result is not None:
            self.connected.emit(self.status.text())
            self.accept()
