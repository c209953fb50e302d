"""WooCommerce batch writes: ≤ 100 items per call, per-item results, safe retries.

``POST /{resource}/batch`` takes ``{"create": […], "update": […], "delete": […]}`` with
at most 100 items in total (more is a 413) and answers HTTP 200 with one entry per item,
in order: the resource, or ``{"id", "error": WP_Error}`` for an item that failed while the
rest were applied (service-apis.md §2.5).  A failed item becomes a record-level result so
the sync lists it and goes on.

When a call that creates things ends with an unknown outcome, its creates may already
exist: ``recover`` looks them up (products by SKU) so only the missing ones are re-sent;
without ``recover`` the unknown outcome is raised.  Updates and deletes are idempotent
and are simply re-sent (a delete that finds its item already gone counts as done).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...engine.errors import Transient
from .errors import OutcomeUnknown, WooRecordError, wp_error_parts

BATCH_LIMIT = 100
ACTIONS = ("create", "update", "delete")
Json = dict[str, Any]
Recover = Callable[[Sequence[Mapping[str, Any]]], Awaitable[list[Json | None]]]
Send = Callable[[Json, bool], Awaitable[Any]]


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one item: ``index`` is its position in the caller's list."""

    action: str
    index: int
    ok: bool
    remote_id: int | None = None
    data: Json | None = None
    error: WooRecordError | None = None
    existed: bool = False  # a create that found the object already there (not sent)


@dataclass
class BatchResult:
    items: list[BatchItem] = field(default_factory=list)
    calls: int = 0  # batch calls made (retries of a call included)

    def of(self, action: str) -> list[BatchItem]:
        return sorted((i for i in self.items if i.action == action), key=lambda i: i.index)

    @property
    def failed(self) -> list[BatchItem]:
        return [i for i in self.items if not i.ok]

    @property
    def succeeded(self) -> list[BatchItem]:
        return [i for i in self.items if i.ok]

    def remap_creates(self, positions: Sequence[int], extra: Sequence[BatchItem]) -> BatchResult:
        """Creates numbered in a filtered list → numbered in the caller's list, plus ``extra``."""
        items = [
            BatchItem(i.action, positions[i.index], i.ok, i.remote_id, i.data, i.error, i.existed)
            if i.action == "create"
            else i
            for i in self.items
        ]
        return BatchResult([*items, *extra], self.calls)


@dataclass(frozen=True)
class _Pending:
    action: str
    index: int
    payload: Any


def _item_result(pending: _Pending, entry: Any, resent: bool) -> BatchItem:
    if not isinstance(entry, dict):
        error = WooRecordError("the shop did not report on this item", code="missing_result")
        return BatchItem(pending.action, pending.index, False, error=error)
    raw_error = entry.get("error")
    if isinstance(raw_error, dict):
        code, message = wp_error_parts(raw_error)
        data = raw_error.get("data")
        status = int(data.get("status") or 0) if isinstance(data, dict) else 0
        if resent and pending.action == "delete" and code.endswith("invalid_id"):
            return BatchItem("delete", pending.index, True, remote_id=int(pending.payload))
        detail = f"{message.rstrip('.') or 'the shop refused this item'} ({code or status})"
        error = WooRecordError(detail, code=code, status=status)
        remote = entry.get("id")
        remote_id = int(remote) if isinstance(remote, int) and remote else None
        return BatchItem(pending.action, pending.index, False, remote_id, None, error)
    remote = entry.get("id")
    return BatchItem(
        pending.action, pending.index, True, int(remote) if isinstance(remote, int) else None, entry
    )


def _body(chunk: Sequence[_Pending]) -> Json:
    body: Json = {}
    for action in ACTIONS:
        section = [p.payload for p in chunk if p.action == action]
        if section:
            body[action] = section
    return body


async def _run_chunk(
    send: Send,
    chunk: list[_Pending],
    recover: Recover | None,
    max_attempts: int,
    result: BatchResult,
) -> None:
    resent = False
    for _ in range(max_attempts):
        creates = [p for p in chunk if p.action == "create"]
        result.calls += 1
        try:
            answer = await send(_body(chunk), bool(creates))
        except OutcomeUnknown:
            if recover is None:
                raise
            found = await recover([p.payload for p in creates])
            done = {id(p) for p, hit in zip(creates, found, strict=True) if hit is not None}
            for pending, hit in zip(creates, found, strict=True):
                if hit is not None:
                    remote = hit.get("id")
                    remote_id = int(remote) if isinstance(remote, int) else None
                    result.items.append(BatchItem("create", pending.index, True, remote_id, hit))
            chunk = [p for p in chunk if id(p) not in done]
            resent = True
            if not chunk:
                return
            continue
        sections: Mapping[str, Any] = answer if isinstance(answer, dict) else {}
        for action in ACTIONS:
            entries = sections.get(action)
            listed = entries if isinstance(entries, list) else []
            mine = [p for p in chunk if p.action == action]
            for position, pending in enumerate(mine):
                entry = listed[position] if position < len(listed) else None
                result.items.append(_item_result(pending, entry, resent))
        return
    raise Transient("the shop kept failing while saving a batch of changes")


async def run_batch(
    send: Send,
    create: Sequence[Mapping[str, Any]],
    update: Sequence[Mapping[str, Any]],
    delete: Sequence[int],
    recover: Recover | None,
    max_attempts: int,
) -> BatchResult:
    """Send everything in calls of ≤ 100 items (creates, then updates, then deletes)."""
    queue = [
        *(_Pending("create", i, dict(p)) for i, p in enumerate(create)),
        *(_Pending("update", i, dict(p)) for i, p in enumerate(update)),
        *(_Pending("delete", i, int(d)) for i, d in enumerate(delete)),
    ]
    result = BatchResult()
    for start in range(0, len(queue), BATCH_LIMIT):
        await _run_chunk(send, queue[start : start + BATCH_LIMIT], recover, max_attempts, result)
    return result
