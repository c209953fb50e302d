"""One app per home folder: a second launch asks the first to show itself, then exits.

A ``QLocalServer`` named from the home's data folder listens in the first instance; the
second connects, sends ``show``, and leaves.  A stale socket left by a crash (nobody
answers) is removed and taken over.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
TIMEOUT_MS = 1000
MESSAGE = b"show\n"


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"nexpura-desktop-{digest}"


class SingleInstance(QObject):
    """``claim()`` → True in the first instance; ``activated`` fires when another starts."""

    activated = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """Become the instance (True), or hand over to the running one (False)."""
        if self._notify_running():
            return False
        QLocalServer.removeServer(self.name)  # a stale socket from a crash
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
            return True  # never refuse to start because of this
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _notify_running(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(TIMEOUT_MS):
            return False
        socket.write(MESSAGE)
        socket.waitForBytesWritten(TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(TIMEOUT_MS)
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            # The sender writes at once and leaves: read synchronously, no per-socket slots
            # that could outlive the socket.
            arrived = socket.bytesAvailable() > 0 or socket.waitForReadyRead(TIMEOUT_MS)
            if arrived and b"show" in bytes(socket.readAll().data()):
                self.activated.emit()
            socket.abort()
            socket.deleteLater()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
