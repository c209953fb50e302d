"""Bulk query operations: run a query over the whole shop, serve the result as JSONL.

An operation is CREATED, then RUNNING, then COMPLETED on the sandbox clock (its duration
grows with the number of objects), or CANCELING -> CANCELED when cancelled.  The result file
has one JSON object per line; the nodes of a nested connection are separate lines after
their parent, carrying ``"__parentId"`` (service-apis §1.5 "Bulk operations").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .ids import gid
from .model import Collection

START_DELAY = 1.0
CANCEL_DELAY = 1.0
URL_LIFETIME = 7 * 86400


@dataclass
class BulkOp:
    id: int
    app_key: str
    query: str
    type: str
    created_at: float
    run_seconds: float
    lines: list[str] = field(default_factory=list)
    root_object_count: int = 0
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: float | None = None
    canceled_at: float | None = None
    url: str | None = None
    partial_data_url: str | None = None
    object_count: int = 0
    file_size: int | None = None
    body: bytes = b""

    @property
    def finished(self) -> bool:
        return self.status in ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")


class BulkManager:
    """All bulk operations of the shop, per app."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.ops: dict[int, BulkOp] = {}
        self._by_app: dict[str, Collection[BulkOp]] = {}
        self._next = 3_000_000_001

    def get(self, op_id: int) -> BulkOp | None:
        return self.ops.get(op_id)

    def collection(self, app_key: str) -> Collection[BulkOp]:
        if app_key not in self._by_app:
            self._by_app[app_key] = Collection(
                {
                    "CREATED_AT": lambda r: r.created_at,
                    "COMPLETED_AT": lambda r: r.completed_at or 0.0,
                },
                eager=("ID", "CREATED_AT"),
            )
        return self._by_app[app_key]

    def current(self, app_key: str, op_type: str) -> BulkOp | None:
        ops = [o for o in self.collection(app_key).rows.values() if o.type == op_type]
        return max(ops, key=lambda o: o.id) if ops else None

    def running(self, app_key: str, op_type: str) -> list[BulkOp]:
        return [
            o
            for o in self.collection(app_key).rows.values()
            if o.type == op_type and not o.finished
        ]

    def start(
        self, app_key: str, query: str, now: float, lines: list[str], roots: int, rate: float
    ) -> BulkOp:
        op = BulkOp(
            self._next,
            app_key,
            query,
            "QUERY",
            now,
            run_seconds=START_DELAY + 1.0 + len(lines) / rate,
            lines=lines,
            root_object_count=roots,
        )
        self._next += 1
        self.ops[op.id] = op
        self.collection(app_key).put(op)
        return op

    def cancel(self, op: BulkOp, now: float) -> None:
        op.status = "CANCELING"
        op.canceled_at = now

    def refresh(self, now: float) -> None:
        """Move every operation along to where the clock says it is."""
        for op in self.ops.values():
            if op.status == "CANCELING" and op.canceled_at is not None:
                if now >= op.canceled_at + CANCEL_DELAY:
                    op.status = "CANCELED"
                    op.completed_at = op.canceled_at + CANCEL_DELAY
                continue
            if op.finished:
                continue
            elapsed = now - op.created_at
            if elapsed >= op.run_seconds:
                self._complete(op)
            elif elapsed >= START_DELAY:
                op.status = "RUNNING"
                share = (elapsed - START_DELAY) / (op.run_seconds - START_DELAY)
                op.object_count = int(len(op.lines) * share)

    def _complete(self, op: BulkOp) -> None:
        op.status = "COMPLETED"
        op.completed_at = op.created_at + op.run_seconds
        op.object_count = len(op.lines)
        if op.lines:
            op.body = ("\n".join(op.lines) + "\n").encode()
            op.file_size = len(op.body)
            op.url = f"{self.base_url}/bulk-operation-results/{op.id}.jsonl"

    def result(self, op_id: int, now: float) -> bytes | None:
        """The JSONL file, while its URL is valid (7 days after completion)."""
        op = self.ops.get(op_id)
        if op is None or op.url is None or op.completed_at is None:
            return None
        if now > op.completed_at + URL_LIFETIME:
            return None
        return op.body

    def gid(self, op: BulkOp) -> str:
        return gid("BulkOperation", op.id)


def flatten(data: dict[str, Any]) -> tuple[list[str], int]:
    """Result data of a bulk query as JSONL lines (and how many root objects)."""
    lines: list[str] = []
    roots = 0
    for value in data.values():
        for node in _nodes(value):
            roots += 1
            _emit(node, None, lines)
    return lines, roots


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("edges"), list):
            yield from (e["node"] for e in value["edges"] if isinstance(e, dict) and "node" in e)
        elif isinstance(value.get("nodes"), list):
            yield from value["nodes"]


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list)
    )


def _split(value: dict[str, Any], children: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if _is_connection(item):
            children.append(item)
        elif isinstance(item, dict):
            out[key] = _split(item, children)
        else:
            out[key] = item
    return out


def _emit(node: dict[str, Any], parent: str | None, lines: list[str]) -> None:
    children: list[Any] = []
    line = _split(node, children)
    if parent is not None:
        line["__parentId"] = parent
    lines.append(json.dumps(line, separators=(",", ":")))
    for connection in children:
        for child in _nodes(connection):
            _emit(child, node.get("id"), lines)
