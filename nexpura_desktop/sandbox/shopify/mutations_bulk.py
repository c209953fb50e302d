"""Bulk-operation mutations: ``bulkOperationRunQuery`` (with the per-shop concurrency limit)
and ``bulkOperationCancel``."""

from __future__ import annotations

from typing import Any

from .bulk import flatten
from .context import Info
from .ids import parse_gid
from .mutation_common import ctx_of, ue


def bulk_run_query(_s: Any, info: Info, query: str, **_args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    limit = int(
        ctx.settings.get("bulk_query_concurrency") or (5 if ctx.version >= "2026-01" else 1)
    )
    running = ctx.bulk_ops.running(ctx.app_key, "QUERY")
    if len(running) >= limit:
        if limit == 1:
            message = (
                "A bulk query operation for this app and shop is already in progress: "
                f"{ctx.bulk_ops.gid(running[0])}."
            )
            error = ue(None, message, "OPERATION_IN_PROGRESS")
        else:
            error = ue(
                None,
                f"A maximum of {limit} bulk query operations can run at the same time "
                "for this app and shop.",
                "LIMIT_REACHED",
            )
        return {"bulkOperation": None, "userErrors": [error]}
    assert ctx.run_bulk is not None
    data, problems = ctx.run_bulk(query)
    if problems or data is None:
        return {
            "bulkOperation": None,
            "userErrors": [ue(["query"], f"Invalid bulk query: {p}", "INVALID") for p in problems],
        }
    lines, roots = flatten(data)
    rate = float(ctx.settings.get("bulk_objects_per_second", 5000))
    op = ctx.bulk_ops.start(ctx.app_key, query, ctx.now, lines, roots, rate)
    return {"bulkOperation": op, "userErrors": []}


def bulk_cancel(_s: Any, info: Info, id: str) -> dict[str, Any]:
    ctx = ctx_of(info)
    number = parse_gid(id, "BulkOperation")
    op = ctx.bulk_ops.get(number) if number is not None else None
    if op is None or op.app_key != ctx.app_key:
        return {"bulkOperation": None, "userErrors": [ue(["id"], "Bulk operation does not exist")]}
    if op.finished or op.status == "CANCELING":
        message = f"A bulk operation cannot be canceled when it is {op.status.lower()}"
        return {"bulkOperation": op, "userErrors": [ue(None, message)]}
    ctx.bulk_ops.cancel(op, ctx.now)
    return {"bulkOperation": op, "userErrors": []}
