"""The main window: a page list on the left, the chosen page on the right.

Before anything is configured the window shows only the welcome page (first run).
Closing it hides to the tray when there is one (and the owner wants that); without a
tray it asks before quitting, because schedules stop with the app.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
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

from .backend import Backend
from .icons import app_icon
from .pages.activity import ActivityPage
from .pages.exports import ExportsPage
from .pages.first_run import FirstRunPage
from .pages.integrations import IntegrationsPage
from .pages.messages import MessagesPage
from .pages.settings import SettingsPage
from .strings import S

PAGES = ("integrations", "activity", "exports", "messages", "settings")
_KEYS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5]


class MainWindow(QMainWindow):
    def __init__(
        self,
        backend: Backend,
        *,
        tray_available: bool,
        request_quit: Callable[[], None],
    ) -> None:
        super().__init__()
        self.backend = backend
        self.tray_available = tray_available
        self.request_quit = request_quit
        self.hid_to_tray = False
        self.quitting = False  # set by the shell's shutdown: close without asking
        self.setWindowIcon(app_icon())
        self.setMinimumSize(900, 620)

        self.integrations = IntegrationsPage(backend, self)
        self.activity = ActivityPage(backend, self)
        self.exports = ExportsPage(backend, self)
        self.messages = MessagesPage(backend, self)
        self.settings = SettingsPage(backend, self)
        self.first_run = FirstRunPage(backend, self)
        self.pages: dict[str, QWidget] = {
            "integrations": self.integrations,
            "activity": self.activity,
            "exports": self.exports,
            "messages": self.messages,
            "settings": self.settings,
        }

        self.nav = QListWidget(self)
        self.nav.setAccessibleName(S.NAV_ACCESSIBLE)
        for text in (S.PAGE_INTEGRATIONS, S.PAGE_ACTIVITY, S.PAGE_EXPORTS, S.PAGE_MESSAGES,
                     S.PAGE_SETTINGS):  # fmt: skip
            self.nav.addItem(text)
        self.nav.setFixedWidth(max(160, self.nav.sizeHintForColumn(0) + 40))
        self.stack = QStackedWidget(self)
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.stack.addWidget(self.first_run)

        self.no_tray_banner = QLabel(S.NO_TRAY_BANNER, self)
        self.no_tray_banner.setWordWrap(True)
        self.no_tray_banner.setVisible(not tray_available)
        self.paused_banner = QLabel(S.PAUSED_BANNER, self)
        self.paused_banner.setWordWrap(True)
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
            shortcut = QShortcut(QKeySequence(Qt.KeyboardModifier.ControlModifier | key), self)
            shortcut.activated.connect(lambda i=index: self.show_page(PAGES[i]))
        for page in (self.integrations, self.activity, self.exports, self.settings,
                     self.first_run):  # fmt: skip
            page.status.connect(self.show_status)
        self.first_run.ready.connect(self._setup_done)
        self.settings.changed.connect(self.refresh)
        self.refresh()
        if backend.is_configured():
            self.show_page("integrations")
        else:
            self.show_first_run()

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
        widget = self.stack.currentWidget()
        if widget is self.first_run:
            return "first_run"
        return next(name for name, page in self.pages.items() if page is widget)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(PAGES) and self.current_page() != PAGES[row]:
            self.show_page(PAGES[row])

    def _setup_done(self, sentence: str) -> None:
        self.show_page("integrations")
        self.show_status(sentence)
        self.refresh()

    def refresh(self) -> None:
        sandbox = self.backend.sandbox_url() is not None
        self.setWindowTitle(S.WINDOW_TITLE_SANDBOX if sandbox else S.WINDOW_TITLE)
        self.paused_banner.setVisible(self.backend.paused())
        self.integrations.refresh()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def bring_to_front(self) -> None:
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
        if self.tray_available and self.backend.close_to_tray():
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
