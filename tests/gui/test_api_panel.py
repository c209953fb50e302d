"""Settings → Local API panel: switch on/off, token to the clipboard, new token, errors."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from PySide6.QtGui import QGuiApplication

from nexpura_desktop.api.service import ApiService
from nexpura_desktop.ui.api_panel import ApiPanel
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.strings import S


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def panel(
    qtbot: object, backend: Backend, allow_qt_message: Callable[[str], None]
) -> Iterator[ApiPanel]:
    allow_qt_message("This plugin does not support propagateSizeHints()")  # offscreen
    made = ApiPanel(backend)
    qtbot.addWidget(made)  # type: ignore[attr-defined]
    made.show()
    yield made
    made.wait()
    made.service.stop()


def _settle(qtbot: object, panel: ApiPanel) -> None:
    qtbot.waitUntil(lambda: not panel.busy() and panel.enabled.isEnabled(), timeout=20000)  # type: ignore[attr-defined]


def _get(service: ApiService, token: str) -> int:
    url = f"{service.url}/api/integrations"
    return httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def test_off_by_default(panel: ApiPanel) -> None:
    assert not panel.enabled.isChecked()
    assert panel.status_line.text() == S.API_STATUS_OFF
    assert not panel.service.running


def test_switching_on_serves_and_copy_token_gives_a_working_token(
    qtbot: object, panel: ApiPanel
) -> None:
    port = _free_port()
    panel.port.setValue(port)
    panel.enabled.setChecked(True)
    _settle(qtbot, panel)
    assert panel.service.running
    assert panel.service.url == f"http://127.0.0.1:{port}"
    assert panel.status_line.text() == S.API_STATUS_ON.format(url=panel.service.url)
    assert panel.service.config().enabled is True

    panel.copy_token.click()
    _settle(qtbot, panel)
    token = QGuiApplication.clipboard().text()
    assert len(token) >= 40
    assert token not in panel.status_line.text()
    assert panel.status_line.text() == S.API_COPIED
    assert _get(panel.service, token) == 200

    panel.enabled.setChecked(False)
    _settle(qtbot, panel)
    assert not panel.service.running
    assert panel.status_line.text() == S.API_STATUS_OFF
    assert panel.service.config().enabled is False


def test_new_token_replaces_the_old_one_after_asking(qtbot: object, panel: ApiPanel) -> None:
    panel.port.setValue(_free_port())
    panel.enabled.setChecked(True)
    _settle(qtbot, panel)
    old = panel.service.token()
    panel.confirm_new_token = lambda parent: False
    panel.new_token.click()
    assert panel.service.token() == old  # declined: nothing changed

    panel.confirm_new_token = lambda parent: True
    panel.new_token.click()
    _settle(qtbot, panel)
    new = QGuiApplication.clipboard().text()
    assert new != old and panel.service.token() == new
    assert panel.status_line.text() == S.API_RENEWED
    assert _get(panel.service, new) == 200
    assert _get(panel.service, old) == 401


def test_a_taken_port_is_reported_in_the_status_line(qtbot: object, panel: ApiPanel) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        panel.port.setValue(int(taken.getsockname()[1]))
        panel.enabled.setChecked(True)
        _settle(qtbot, panel)
    assert not panel.service.running
    assert panel.status_line.text().startswith(S.API_STATUS_FAILED.format(error="")[:10])
    assert "cannot listen" in panel.status_line.text()
