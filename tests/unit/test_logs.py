"""The log file never holds a registered secret or an Authorization-type header value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nexpura_desktop.logs import LOG_FILE, register_secret, setup_logging


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    handler = setup_logging(tmp_path / "logs")
    yield tmp_path / "logs"
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_registered_secret_and_headers_are_redacted(log_dir: Path) -> None:
    secret = "shpat_0123456789abcdef"
    register_secret(secret)
    log = logging.getLogger("nexpura_desktop.test")
    log.warning("token is %s", secret)
    log.warning("headers: Authorization: Bearer abc.def.ghi, X-Shopify-Access-Token: tok123456")
    log.warning("url https://x.test/cb?code=1&access_token=qwerty123&state=s")
    try:
        raise ValueError(f"refresh failed for {secret}")
    except ValueError:
        log.exception("refresh error")
    text = (log_dir / LOG_FILE).read_text(encoding="utf-8")
    for leaked in (secret, "abc.def.ghi", "tok123456", "qwerty123"):
        assert leaked not in text
    assert text.count("[redacted]") >= 5
    assert "state=s" in text  # non-secret parts survive


def test_setup_is_idempotent(log_dir: Path) -> None:
    before = len(logging.getLogger().handlers)
    setup_logging(log_dir)
    assert len(logging.getLogger().handlers) == before
