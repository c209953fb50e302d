"""Bulk operations: the first full load of a shop in one server-side export.

``bulkOperationRunQuery`` → poll ``node(id:)`` until the operation finishes → stream the
JSONL result line by line → put each child line (``__parentId``) back under its parent, so
callers receive whole products/orders in the same shape the paged queries return.  Memory
holds one root object at a time: Shopify writes children right after their parent
(service-apis §1.5).

A stale operation of ours blocking a new one is waited for (or cancelled) rather than
failing the run (prior-art C6, gatsby-source-shopify / estuary); a job that never
finishes is cancelled after ``timeout`` so a sync cannot hang for hours (airbyte #39499).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from .client import ShopifyClient
from .errors import BulkOperationFailed, UserErrors
from .queries import BULK_CANCEL, BULK_CHILD_PATHS, BULK_CURRENT, BULK_POLL, BULK_RUN_QUERY

FINISHED = frozenset({"COMPLETED", "CANCELED", "FAILED", "EXPIRED"})
BUSY_CODES = frozenset({"OPERATION_IN_PROGRESS", "LIMIT_REACHED"})


@dataclass(frozen=True)
class BulkResult:
    """A finished bulk operation as Shopify reported it."""

    id: str
    status: str
    url: str | None
    object_count: int
    root_object_count: int
    error_code: str | None = None
    partial_data_url: str | None = None
    created_at: str | None = None  # when Shopify began reading: the data's "as of"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BulkResult:
        return cls(
            id=str(raw.get("id")),
            status=str(raw.get("status")),
            url=raw.get("url"),
            object_count=int(raw.get("objectCount") or 0),
            root_object_count=int(raw.get("rootObjectCount") or 0),
            error_code=raw.get("errorCode"),
            partial_data_url=raw.get("partialDataUrl"),
            created_at=raw.get("createdAt"),
        )


async def start(client: ShopifyClient, query: str, *, busy_retries: int = 20) -> str:
    """Start a bulk query; returns the operation id.  Waits while the shop's slots are busy."""
    attempt = 0
    while True:
        attempt += 1
        try:
            payload = await client.mutate(BULK_RUN_QUERY, {"query": query}, idempotent=False)
        except UserErrors as exc:
            if not (exc.codes & BUSY_CODES) or attempt > busy_retries:
                raise
            await client.limiter.sleep(_poll_delay(attempt))
            continue
        op = payload.get("bulkOperation") or {}
        if not op.get("id"):
            raise BulkOperationFailed("Shopify did not start the bulk export")
        return str(op["id"])


async def wait(
    client: ShopifyClient,
    op_id: str,
    *,
    poll_interval: float = 2.0,
    timeout: float = 3600.0,
    first_poll: float = 0.25,
) -> BulkResult:
    """Poll until the operation finishes; cancels it and raises after ``timeout`` seconds.

    The pause between polls starts at ``first_poll`` and doubles up to ``poll_interval``:
    a small shop's export is picked up within a fraction of a second, a big one is not
    polled more than every ``poll_interval`` seconds.
    """
    waited = 0.0
    delay = min(first_poll, poll_interval)
    while True:
        data = await client.execute(BULK_POLL, {"id": op_id})
        node = data.get("node")
        if not isinstance(node, dict):
            raise BulkOperationFailed(f"the bulk export {op_id} disappeared on Shopify")
        result = BulkResult.from_json(node)
        if result.status in FINISHED:
            if result.status != "COMPLETED":
                code = f", {result.error_code}" if result.error_code else ""
                raise BulkOperationFailed(f"the bulk export ended {result.status.lower()}{code}")
            return result
        if waited >= timeout:
            await cancel(client, op_id)
            raise BulkOperationFailed("the bulk export took too long and was cancelled")
        await client.limiter.sleep(delay)
        waited += delay
        delay = min(poll_interval, delay * 2)


async def cancel(client: ShopifyClient, op_id: str) -> None:
    """Ask Shopify to cancel an operation (a refusal because it already finished is fine)."""
    with contextlib.suppress(UserErrors):
        await client.mutate(BULK_CANCEL, {"id": op_id}, idempotent=True)


async def current(client: ShopifyClient) -> BulkResult | None:
    """The shop's latest bulk query operation of this app, if any."""
    data = await client.execute(BULK_CURRENT)
    raw = data.get("currentBulkOperation")
    return BulkResult.from_json(raw) if isinstance(raw, dict) else None


async def records(
    client: ShopifyClient,
    url: str | None,
    child_paths: Mapping[str, tuple[str, ...]] = BULK_CHILD_PATHS,
) -> AsyncIterator[dict[str, Any]]:
    """The result file as whole root objects, children nested back under their parents."""
    if not url:  # Shopify gives no file when nothing matched
        return
    assembler = Assembler(child_paths)
    async for line in client.download_lines(url):
        done = assembler.feed(line)
        if done is not None:
            yield done
    last = assembler.finish()
    if last is not None:
        yield last


async def run_query(
    client: ShopifyClient,
    query: str,
    *,
    poll_interval: float = 2.0,
    timeout: float = 3600.0,
    child_paths: Mapping[str, tuple[str, ...]] = BULK_CHILD_PATHS,
) -> AsyncIterator[dict[str, Any]]:
    """Start, wait for and stream one bulk query: the whole round trip."""
    op_id = await start(client, query)
    result = await wait(client, op_id, poll_interval=poll_interval, timeout=timeout)
    async for record in records(client, result.url, child_paths):
        yield record


class Assembler:
    """Turns JSONL lines into root objects (children after parents, as Shopify writes)."""

    def __init__(self, child_paths: Mapping[str, tuple[str, ...]] = BULK_CHILD_PATHS) -> None:
        self.child_paths = dict(child_paths)
        self._root: dict[str, Any] | None = None
        self._by_id: dict[str, dict[str, Any]] = {}

    def feed(self, line: str) -> dict[str, Any] | None:
        """Take one line; returns the previous root object once it is complete."""
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise BulkOperationFailed("the bulk export file is damaged") from exc
        if not isinstance(obj, dict):
            raise BulkOperationFailed("the bulk export file is damaged")
        parent_id = obj.pop("__parentId", None)
        if parent_id is None:
            finished = self.finish()
            self._root = obj
            self._remember(obj)
            return finished
        parent = self._by_id.get(str(parent_id))
        if parent is None:
            raise BulkOperationFailed("the bulk export file lists a child before its parent")
        self._attach(parent, obj)
        self._remember(obj)
        return None

    def finish(self) -> dict[str, Any] | None:
        root, self._root = self._root, None
        self._by_id.clear()
        return root

    def _remember(self, obj: dict[str, Any]) -> None:
        if isinstance(obj.get("id"), str):
            self._by_id[obj["id"]] = obj

    def _attach(self, parent: dict[str, Any], child: dict[str, Any]) -> None:
        kind = _gid_type(child.get("id"))
        path = self.child_paths.get(kind or "", (f"{kind or 'children'}",))
        target = parent
        for key in path[:-1]:
            nested = target.get(key)
            if not isinstance(nested, dict):
                nested = {}
                target[key] = nested
            target = nested
        connection = target.get(path[-1])
        if not isinstance(connection, dict) or not isinstance(connection.get("nodes"), list):
            connection = {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
            target[path[-1]] = connection
        connection["nodes"].append(child)


def _gid_type(value: Any) -> str | None:
    """``gid://shopify/ProductVariant/1`` → ``ProductVariant``."""
    if not isinstance(value, str) or not value.startswith("gid://"):
        return None
    parts = value.split("/")
    return parts[3] if len(parts) > 4 else None


def _poll_delay(attempt: int) -> float:
    return float(min(30, 2 * attempt))
