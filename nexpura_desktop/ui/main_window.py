"""The main window: a page list on the left, the chosen page on the right.

The window is built in two steps so it can be on screen at once: the frame (page list,
banners and a "Loading" page) needs nothing but Qt, and ``attach(backend)`` — run after
the first paint (``ui.launch``) — imports and builds the pages.  Before anything is
configured the window shows only the welcome page (first run).  Closing it hides to the
tray when there is one (and the owner wants that); without a tray it asks before
quitting, because schedules stop with the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .icons import app_icon
from .strings import S

if TYPE_CHECKING:  # the pages (and the core behind them) load after the first paint
    from .backend import Backend
    from .pages.activity import ActivityPage
    from .pages.exports import ExportsPage
    from .pages.first_run import FirstRunPage
    from .pages.integrations import IntegrationsPage
    from .pages.messages import MessagesPage
    from .pages.settings import SettingsPage

PAGES = ("integrations", "activity", "exports", "messages", "settings")
# Ctrl+1…5.  Portable key-sequence text: touching PySide6's ``Qt`` namespace costs tens of
# milliseconds on first use, and the frame must be on screen before anything that slow.
_KEYS = [f"Ctrl+{n}" for n in range(1, len(PAGES) + 1)]


class MainWindow(QMainWindow):
    attached = Signal()  # the pages exist: the window is fully usable

    backend: Backend
    integrations: IntegrationsPage
    activity: ActivityPage
    exports: ExportsPage
    messages: MessagesPage
    settings: SettingsPage
    first_run: FirstRunPage

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        tray_available: bool,
        request_quit: Callable[[], None],
    ) -> None:
        super().__init__()
        self.tray_available = tray_available
        self.request_quit = request_quit
        self.hid_to_tray = False
        self.quitting = False  # set by the shell's shutdown: close without asking
        self.pages: dict[str, QWidget] = {}
        self.setWindowIcon(app_icon())
        self.setWindowTitle(S.WINDOW_TITLE)
        self.setMinimumSize(900, 620)

        self.nav = QListWidget(self)
        self.nav.setAccessibleName(S.NAV_ACCESSIBLE)
        for text in (S.PAGE_INTEGRATIONS, S.PAGE_ACTIVITY, S.PAGE_EXPORTS, S.PAGE_MESSAGES,
                     S.PAGE_SETTINGS):  # fmt: skip
            self.nav.addItem(text)
        self.nav.setFixedWidth(max(160, self.nav.sizeHintForColumn(0) + 40))
        self.nav.setEnabled(False)
        self.stack = QStackedWidget(self)
        self.loading = QLabel(S.LOADING, self.stack)
        self.loading.setStyleSheet("qproperty-alignment: AlignCenter;")  # no ``Qt`` yet
        self.loading.setAccessibleName(S.LOADING)
        self.stack.addWidget(self.loading)

        self.no_tray_banner = QLabel(S.NO_TRAY_BANNER, self)
        self.no_tray_banner.setWordWrap(True)
        self.no_tray_banner.setVisible(not tray_available)
        self.paused_banner = QLabel(S.PAUSED_BANNER, self)
        self.paused_banner.setWordWrap(True)
        self.paused_banner.setVisible(False)
        for banner in (self.no_tray_banner, self.paused_banner):
            banner.setAccessibleName(banner.text())
            banner.setStyleSheet("QLabel { padding: 6px; border: 1px solid palette(mid); }")

        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.no_tray_banner)
        layout.addWidget(self.paused_banner)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        self.nav.currentRowChanged.connect(self._row_changed)
        for index, key in enumerate(_KEYS):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda i=index: self._shortcut(i))
        if backend is not None:
            self.attach(backend)

    @property
    def is_attached(self) -> bool:
        return bool(self.pages)

    def attach(self, backend: Backend) -> None:
        """Build the pages over ``backend`` and show the first one (once)."""
        if self.is_attached:
            raise RuntimeError("the window already has its pages")
        from .pages.activity import ActivityPage
        from .pages.exports import ExportsPage
        from .pages.first_run import FirstRunPage
        from .pages.integrations import IntegrationsPage
        from .pages.messages import MessagesPage
        from .pages.settings import SettingsPage

        self.backend = backend
        self.integrations = IntegrationsPage(backend, self)
        self.activity = ActivityPage(backend, self)
        self.exports = ExportsPage(backend, self)
        self.messages = MessagesPage(backend, self)
        self.settings = SettingsPage(backend, self)
        self.first_run = FirstRunPage(backend, self)
        self.pages = {
            "integrations": self.integrations,
            "activity": self.activity,
            "exports": self.exports,
            "messages": self.messages,
            "settings": self.settings,
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.stack.addWidget(self.first_run)
        for page in (self.integrations, self.activity, self.exports, self.settings,
                     self.first_run):  # fmt: skip
            page.status.connect(self.show_status)
        status = getattr(self.messages, "status", None)  # helper-owned page: if it reports
        if status is not None:
            status.connect(self.show_status)
        self.first_run.ready.connect(self._setup_done)
        self.settings.changed.connect(self.refresh)
        self.nav.setEnabled(True)
        self.refresh()
        if backend.is_configured():
            self.show_page("integrations")
        else:
            self.show_first_run()
        self.stack.removeWidget(self.loading)
        self.loading.deleteLater()
        self.attached.emit()

    # -- pages ---------------------------------------------------------------------------
    def show_page(self, name: str) -> None:
        self.nav.setVisible(True)
        index = PAGES.index(name)
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)
        self.stack.setCurrentWidget(self.pages[name])
        refresh = getattr(self.pages[name], "refresh", None)
        if callable(refresh):
            refresh()

    def show_first_run(self) -> None:
        self.nav.setVisible(False)
        self.stack.setCurrentWidget(self.first_run)
        self.first_run.demo_button.setFocus()

    def current_page(self) -> str:
        """The page shown: one of :data:`PAGES`, ``"first_run"`` or ``"loading"``."""
        widget = self.stack.currentWidget()
        if self.is_attached and widget is self.first_run:
            return "first_run"
        return next((name for name, page in self.pages.items() if page is widget), "loading")

    def _row_changed(self, row: int) -> None:
        if self.is_attached and 0 <= row < len(PAGES) and self.current_page() != PAGES[row]:
            self.show_page(PAGES[row])

    def _shortcut(self, index: int) -> None:
        if self.is_attached:
            self.show_page(PAGES[index])

    def _setup_done(self, sentence: str) -> None:
        self.show_page("integrations")
        self.show_status(sentence)
        self.refresh()

    def refresh(self) -> None:
        if not self.is_attached:
            return
        sandbox = self.backend.sandbox_url() is not None
        self.setWindowTitle(S.WINDOW_TITLE_SANDBOX if sandbox else S.WINDOW_TITLE)
        self.paused_banner.setVisible(self.backend.paused())
        self.integrations.refresh()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def bring_to_front(self) -> None:
        from PySide6.QtCore import Qt

        self.show()
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.raise_()
        self.activateWindow()

    # -- closing -------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.quitting:
            event.accept()
            return
        if self.is_attached and self.tray_available and self.backend.close_to_tray():
            event.ignore()
            self.hide()
            self.hid_to_tray = True
            return
        if not self.tray_available and not self.confirm_quit():
            event.ignore()
            return
        event.accept()
        self.request_quit()

    def confirm_quit(self) -> bool:
        answer = QMessageBox.question(
            self,
            S.QUIT_TITLE,
            S.QUIT_TEXT,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
