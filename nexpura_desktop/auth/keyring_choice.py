"""Which keyring backend holds this home's secrets.

* Default: the operating system's keyring.  If it is locked or missing the app says so in
  one sentence — there is no silent plaintext fallback.
* ``NEXPURA_DESKTOP_KEYRING=memory``: a process-lifetime keyring, for tests only.
* ``NEXPURA_DESKTOP_KEYRING=sandbox-file``: a plain JSON file in the home's data folder,
  accepted ONLY together with ``--sandbox`` (fake credentials of the local emulators), so a
  sandbox demo works across commands on a machine without a Secret Service.  The file says
  what it is in its name and its first key.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from ..errors import UserError
from ..secrets import (
    LOCKED_MESSAGE,
    UNAVAILABLE_MESSAGE,
    MemoryKeyring,
    SecretStore,
    keyring_service,
)

ENV = "NEXPURA_DESKTOP_KEYRING"
SANDBOX_FILE = "sandbox-keyring-NOT-ENCRYPTED.json"
_MEMORY = MemoryKeyring()


class SandboxFileKeyring(keyring.backend.KeyringBackend):
    """Plaintext, for the sandbox's fake credentials only (never chosen automatically)."""

    priority = -1  # never auto-detected (see MemoryKeyring)

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        items = data.get("items") if isinstance(data, dict) else None
        return {str(k): str(v) for k, v in (items or {}).items()}

    def _store(self, items: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        payload = {"warning": "sandbox credentials only, stored in plain text", "items": items}
        tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)

    @staticmethod
    def _key(service: str, username: str) -> str:
        return f"{service}\x1f{username}"

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._load().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            items = self._load()
            items[self._key(service, username)] = password
            self._store(items)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            items = self._load()
            if items.pop(self._key(service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)
            self._store(items)


def secret_store(home: Path | None, data_dir: Path, *, sandbox: bool) -> SecretStore:
    """The store for this home; raises a one-line error when no usable keyring exists."""
    choice = os.environ.get(ENV, "").strip().lower()
    service = keyring_service(home)
    if choice == "memory":
        return SecretStore(service=service, backend=_MEMORY)
    if choice == "sandbox-file":
        if not sandbox:
            raise UserError(
                f"{ENV}=sandbox-file stores secrets unencrypted and is only allowed with --sandbox"
            )
        return SecretStore(service=service, backend=SandboxFileKeyring(data_dir / SANDBOX_FILE))
    if choice not in ("", "system"):
        raise UserError(f"{ENV} must be system, memory or sandbox-file, not {choice!r}")
    store = SecretStore(service=service)
    state = store.status()
    if state == "locked":
        raise UserError(LOCKED_MESSAGE)
    if state == "unavailable":
        hint = f" (for a sandbox demo only: set {ENV}=sandbox-file)" if sandbox else ""
        raise UserError(UNAVAILABLE_MESSAGE + hint)
    return store


def memory_backend() -> MemoryKeyring:
    """The shared test keyring behind ``NEXPURA_DESKTOP_KEYRING=memory``."""
    return _MEMORY
