"""Where everything lives on disk.

platformdirs gives each OS its usual folders; ``--home DIR`` or ``NEXPURA_DESKTOP_HOME``
relocates everything under one folder (tests, portable installs, support sessions).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

HOME_ENV = "NEXPURA_DESKTOP_HOME"
APP_DIR_NAME = "NexpuraDesktop"


@dataclass(frozen=True)
class Paths:
    data: Path
    logs: Path
    exports: Path

    @property
    def ledger(self) -> Path:
        return self.data / "ledger.sqlite3"

    @property
    def crash_dir(self) -> Path:
        return self.logs / "crashes"

    def ensure(self) -> Paths:
        for folder in (self.data, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve(home: str | os.PathLike[str] | None = None) -> Paths:
    """Paths for ``home`` (explicit), else ``$NEXPURA_DESKTOP_HOME``, else the OS folders."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser().resolve()
        return Paths(data=root / "data", logs=root / "logs", exports=root / "exports")
    return Paths(
        data=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
        exports=Path(platformdirs.user_documents_dir()) / "Nexpura exports",
    )
