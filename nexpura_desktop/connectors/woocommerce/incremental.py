"""Incremental reads that cost one request when nothing changed.

Products and orders are read ``modified_after`` the watermark minus an overlap (second
granularity: a change in the watermark's own second must not be missed).  The overlap
re-reads what was already stored, and when many objects share the watermark's second
(a bulk edit, a seeded shop) that is several pages per sync for nothing.  So the first
request asks for the window **newest first** and reads its ``X-WP-Total``:

* one page holds the whole window → that page is all there is to process;
* every object on it is already stored at its version, and the window holds exactly as
  many objects as we have stored with a version inside it → nothing changed (a changed
  object has a newer version, so it sorts onto this first page; a new one raises the
  total) → done;
* otherwise the window is read in the usual oldest-first order, committing page by page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from .client import Page, WooClient, gmt_param

Json = dict[str, Any]


async def first_page(client: WooClient, resource: str, params: dict[str, str | int]) -> Page:
    async for page in client.pages(resource, params):
        return page
    raise AssertionError("pages() always yields a first page")  # pragma: no cover


async def changed_pages(
    client: WooClient,
    resource: str,
    since: str | None,
    *,
    unchanged: Callable[[Json], bool],
    known_in_window: Callable[[str], int],
) -> AsyncIterator[Page]:
    """The pages of ``resource`` modified after ``since`` (all of them when ``None``)."""
    params = WooClient.changed_since(since)
    if since is not None:
        probe = await first_page(client, resource, {**params, "order": "desc"})
        if probe.total_pages is not None and probe.total_pages <= 1:
            yield probe
            return
        quiet = all(unchanged(item) for item in probe.items)
        if quiet and probe.total is not None and probe.total == known_in_window(gmt_param(since)):
            yield probe
            return
    async for page in client.pages(resource, params):
        yield page
