"""Where the vendors' machine-readable contracts live (``../shared/specs`` beside the repo).

CI always has them; on a machine without them the contract tests skip with the reason,
except under CI (``CI=true``) where a missing folder is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def specs_dir() -> Path:
    candidates = [
        Path(os.environ["NEXPURA_SPECS_DIR"]) if os.environ.get("NEXPURA_SPECS_DIR") else None,
        REPO.parent / "shared" / "specs",
    ]
    for path in candidates:
        if path is not None and path.is_dir():
            return path
    message = (
        "vendor API contracts not found "
        "(set NEXPURA_SPECS_DIR or place shared/specs beside the repo)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def spec_file(relative: str) -> Path:
    path = specs_dir() / relative
    if not path.is_file():
        pytest.fail(f"missing vendor contract {path}")
    return path
