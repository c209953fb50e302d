"""Helpers shared by the mutation modules."""

from __future__ import annotations

from typing import Any

from .context import Ctx, Info


def ue(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def ctx_of(info: Info) -> Ctx:
    ctx: Ctx = info.context
    return ctx
