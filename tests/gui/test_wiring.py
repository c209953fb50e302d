"""Optional pieces wired into the window: per-service settings, the local API panel.

They are separate modules a build may lack; fakes stand in here so the wiring is tested
on its own (the real modules have their own tests).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from nexpura_desktop.ui import optional
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S, service_name

from .conftest import connect


def _fake(monkeypatch: pytest.MonkeyPatch, name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_a_card_offers_settings_only_where_the_service_has_them(
    monkeypatch: pytest.MonkeyPatch, make_shell: Callable[..., Shell], backend: Backend
) -> None:
    opened: list[tuple[str, Backend, QWidget]] = []
    _fake(
        monkeypatch,
        optional.SERVICE_SETTINGS,
        has_settings=lambda service: service in ("shopify", "twilio"),
        open_service_settings=lambda service, b, parent: opened.append((service, b, parent)),
    )
    connect(backend, "shopify")
    shell = make_shell()
    cards = shell.window.integrations.cards
    assert cards["shopify"].settings_button.isVisible()
    assert cards["twilio"].settings_button.isVisibleTo(shell.window)
    assert not cards["mailchimp"].settings_button.isVisibleTo(shell.window)
    cards["shopify"].settings_button.click()
    assert opened == [("shopify", backend, shell.window.integrations)]


def test_without_the_settings_module_no_card_shows_the_button(
    monkeypatch: pytest.MonkeyPatch, make_shell: Callable[..., Shell]
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    monkeypatch.delitem(sys.modules, optional.SERVICE_SETTINGS, raising=False)
    shell = make_shell()
    page = shell.window.integrations
    assert not any(card.settings_button.isVisibleTo(shell.window) for card in page.cards.values())
    said: list[str] = []
    page.status.connect(said.append)
    page.open_settings("xero")
    assert said == [S.SERVICE_SETTINGS_NONE.format(service=service_name("xero"))]


def test_settings_page_holds_the_local_api_panel(
    monkeypatch: pytest.MonkeyPatch, make_shell: Callable[..., Shell], backend: Backend
) -> None:
    stopped: list[float] = []

    class Panel(QLabel):
        def __init__(self, b: Backend, parent: QWidget | None = None) -> None:
            super().__init__("local api", parent)
            self.backend = b

        def shutdown(self, timeout: float) -> bool:
            stopped.append(timeout)
            return True

    _fake(monkeypatch, optional.API_PANEL, ApiPanel=Panel)
    shell = make_shell()
    settings = shell.window.settings
    assert isinstance(settings.api_panel, Panel) and settings.api_panel.backend is backend
    shell.window.show_page("settings")
    assert settings.api_panel.isVisible()
    assert shell.shutdown(10)
    assert stopped == [10]


def test_settings_page_without_the_local_api(
    monkeypatch: pytest.MonkeyPatch, make_shell: Callable[..., Shell]
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    monkeypatch.delitem(sys.modules, optional.API_PANEL, raising=False)
    shell = make_shell()
    assert shell.window.settings.api_panel is None
