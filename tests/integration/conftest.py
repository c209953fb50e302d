"""Fixtures shared by the e-commerce reliability tests (``test_ecommerce_*``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .ecommerce_reliability_support import Home, LiveShop


@pytest.fixture(scope="module")
def shop() -> Iterator[LiveShop]:
    """Both shop emulators on loopback, one per test module (each test reseeds it)."""
    with LiveShop() as live:
        yield live


@pytest.fixture(scope="module")
def template(shop: LiveShop, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A shop's home: the demo ledger (items also sold online) connected to both sites."""
    home = Home(tmp_path_factory.mktemp("template") / "home", shop)
    home.cli("demo", "--size", "small")
    home.connect()
    return home
