"""Secrets live in the OS keyring, one entry per item, and nowhere else.

* One keyring entry per secret item (an access token, a refresh token, an API key), never
  one JSON blob: Windows caps a credential at 2560 bytes (UTF-16, ~1280 characters), and an
  item that is still too long is split into numbered chunks.
* "Locked" and "no keyring at all" are different states with different advice.  There is
  no silent plaintext fallback: without a usable keyring the app says so.
* Every value read or written is registered with the log redactor, so it cannot reach a
  log file even inside an exception message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors

from .errors import UserError
from .logs import register_secret

T = TypeVar("T")
APP_SERVICE = "Nexpura Desktop"
CHUNK_CHARS = 1000  # comfortably under Windows' 2560-byte (UTF-16) credential limit
_CHUNK_MARK = "\x00chunked:"


class SecretStoreError(UserError):
    """The keyring could not be used."""


class KeyringUnavailable(SecretStoreError):
    pass


class KeyringLocked(SecretStoreError):
    pass


UNAVAILABLE_MESSAGE = (
    "no system keyring is available, so Nexpura Desktop cannot store passwords or tokens; "
    "on Linux install and start a Secret Service provider (e.g. gnome-keyring), then try again"
)
LOCKED_MESSAGE = (
    "the system keyring is locked; unlock it (log in to the desktop session or open your "
    "password manager) and try again"
)


def keyring_service(home: Path | None) -> str:
    """The keyring service name: per home, so a test or portable home never touches the
    shop's real entries."""
    if home is None:
        return APP_SERVICE
    digest = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:10]
    return f"{APP_SERVICE} [{digest}]"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A process-lifetime keyring for the sandbox demo and tests (never for real shops)."""

    # Negative: keyring auto-detection considers every imported backend class, and a
    # positive priority would make this non-persistent store the silent default on a PC
    # without a real keyring.  It is only ever used when passed explicitly.
    priority = -1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._items: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if (service, username) not in self._items:
                raise keyring.errors.PasswordDeleteError(username)
            del self._items[(service, username)]


class SecretStore:
    """Named secret items of this app in one keyring backend."""

    def __init__(
        self, *, service: str = APP_SERVICE, backend: keyring.backend.KeyringBackend | None = None
    ) -> None:
        self.service = service
        self._backend = backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is None:
            self._backend = keyring.get_keyring()
        return self._backend

    def status(self) -> str:
        """``ok``, ``locked`` or ``unavailable`` — checked by a harmless read."""
        try:
            self._call(self.backend.get_password, self.service, "__probe__")
        except KeyringLocked:
            return "locked"
        except KeyringUnavailable:
            return "unavailable"
        return "ok"

    def describe(self) -> str:
        backend = self.backend
        return f"{type(backend).__module__}.{type(backend).__name__}"

    # -- items ---------------------------------------------------------------------------
    def set(self, item: str, value: str) -> None:
        register_secret(value)
        old_chunks = self._chunk_count(item)
        if len(value) <= CHUNK_CHARS:
            self._call(self.backend.set_password, self.service, item, value)
        else:
            parts = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
            for index, part in enumerate(parts):
                self._call(self.backend.set_password, self.service, f"{item}#{index}", part)
            self._call(self.backend.set_password, self.service, item, f"{_CHUNK_MARK}{len(parts)}")
            for index in range(len(parts), old_chunks):
                self._delete_quietly(f"{item}#{index}")
            return
        for index in range(old_chunks):
            self._delete_quietly(f"{item}#{index}")

    def get(self, item: str) -> str | None:
        head = self._call(self.backend.get_password, self.service, item)
        if head is None:
            return None
        if head.startswith(_CHUNK_MARK):
            count = int(head[len(_CHUNK_MARK) :])
            parts = []
            for index in range(count):
                part = self._call(self.backend.get_password, self.service, f"{item}#{index}")
                if part is None:
                    raise SecretStoreError(
                        f"the keyring entry {item!r} is incomplete; reconnect the service"
                    )
                parts.append(part)
            head = "".join(parts)
        register_secret(head)
        return head

    def delete(self, item: str) -> None:
        for index in range(self._chunk_count(item)):
            self._delete_quietly(f"{item}#{index}")
        self._delete_quietly(item)

    def _chunk_count(self, item: str) -> int:
        head = self._call(self.backend.get_password, self.service, item)
        if head is not None and head.startswith(_CHUNK_MARK):
            return int(head[len(_CHUNK_MARK) :])
        return 0

    def _delete_quietly(self, item: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._call(self.backend.delete_password, self.service, item)

    @staticmethod
    def _call(func: Callable[..., T], *args: str) -> T:
        try:
            return func(*args)
        except keyring.errors.KeyringLocked:
            raise KeyringLocked(LOCKED_MESSAGE) from None
        except (keyring.errors.NoKeyringError, keyring.errors.InitError):
            raise KeyringUnavailable(UNAVAILABLE_MESSAGE) from None
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringError as exc:
            text = str(exc).lower()
            if "locked" in text or "dismissed" in text or "unlock" in text:
                raise KeyringLocked(LOCKED_MESSAGE) from None
            raise SecretStoreError(f"the system keyring failed ({type(exc).__name__})") from None
        except RuntimeError as exc:
            # Some backends (e.g. fail.Keyring via get_keyring) raise plain RuntimeError.
            if "no recommended backend" in str(exc).lower():
                raise KeyringUnavailable(UNAVAILABLE_MESSAGE) from None
            raise


_default_store: SecretStore | None = None


def set_default_store(store: SecretStore | None) -> None:
    """The store background jobs use (set once by the composition root: CLI or window)."""
    global _default_store
    _default_store = store


def default_store() -> SecretStore | None:
    return _default_store


def store_for_jobs() -> SecretStore:
    """The store background jobs read: the one the CLI or window set, else the OS keyring
    under this home's service name (``NEXPURA_DESKTOP_HOME``)."""
    if _default_store is not None:
        return _default_store
    from .paths import HOME_ENV

    home = os.environ.get(HOME_ENV) or None
    return SecretStore(service=keyring_service(Path(home) if home else None))
