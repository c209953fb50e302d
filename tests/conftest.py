"""Strict, isolated tests: each test gets its own home folder and no ambient configuration."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test runs with its own NEXPURA_DESKTOP_HOME and no sandbox from the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("NEXPURA_DESKTOP_HOME", str(home))
    monkeypatch.delenv("NEXPURA_DESKTOP_SANDBOX", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("NEXPURA_TEST_QPA", "offscreen"))
    yield home


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
