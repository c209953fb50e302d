"""Logging: one rotating file per home, with secrets redacted from every record.

The redaction filter sits on the handler, so no code path (a library's debug log, an
exception message with a URL in it) can write a registered secret or an
``Authorization``-type header value to disk.
"""

from __future__ import annotations

import logging
import re
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "nexpura-desktop.log"
REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 6

# Header-style and query-style credentials, whatever the value is.
_PATTERNS = [
    re.compile(
        r"(?i)\b(authorization|proxy-authorization|x-shopify-access-token|x-api-key|cookie|"
        r"set-cookie)(\s*[:=]\s*)([^\r\n,;]+)"
    ),
    re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(
        r"(?i)\b(access_token|refresh_token|client_secret|consumer_secret|consumer_key|api_key|"
        r"apikey|auth_token|password|code_verifier|oauth_signature|id_token)"
        r"(\"?\s*[:=]\s*\"?)([^\"&\s,;}]+)"
    ),
]


class SecretRegistry:
    """Secret values known to the process (tokens read from the keyring, pasted keys)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str | None) -> None:
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._pattern = None

    def redact(self, text: str) -> str:
        with self._lock:
            if self._values and self._pattern is None:
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        for rule in _PATTERNS:
            text = rule.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        return text


SECRETS = SecretRegistry()


def register_secret(value: str | None) -> None:
    """Make sure ``value`` never reaches a log file."""
    SECRETS.add(value)


def redact(text: str) -> str:
    return SECRETS.redact(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message (and traceback text) with secrets removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> logging.Handler:
    """Attach the rotating, redacting file handler to the root logger (idempotent)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    target = str(log_dir / LOG_FILE)
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and handler.baseFilename == target:
            return handler
    handler = RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    # httpx logs every request URL at INFO; keep it, redaction covers query secrets.
    return handler
