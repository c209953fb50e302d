"""Relay cursor connections the way Shopify serves them.

``first``/``after`` walk forward, ``last``/``before`` backward (``reverse`` flips the sort);
one of ``first``/``last`` is required and at most 250 (bulk operations page without limit);
cursors are opaque and carry the sort value, so a page is a bisect into the sorted index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError

from .ids import decode_cursor, encode_cursor
from .model import SortedIndex

MAX_PAGE = 250
Predicate = Callable[[Any], bool]


def page_args(args: dict[str, Any], bulk: bool) -> tuple[int | None, int | None]:
    first, last = args.get("first"), args.get("last")
    if bulk:
        return None, None
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(
                f"The {name} argument must be between 0 and {MAX_PAGE}.",
                extensions={"code": "BAD_REQUEST"},
            )
    return first, last


def _start(cursor: str | None) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    decoded = decode_cursor(cursor)
    if decoded is None:
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_REQUEST"})
    last_id, last_value = decoded
    return (last_value, last_id)


def connection(
    index: SortedIndex,
    rows: dict[int, Any],
    args: dict[str, Any],
    *,
    bulk: bool = False,
    predicate: Predicate | None = None,
    sort_value: Callable[[Any], Any],
) -> dict[str, Any]:
    """One page of ``rows`` in ``index`` order as ``{edges, nodes, pageInfo}``."""
    first, last = page_args(args, bulk)
    descending = bool(args.get("reverse"))
    after, before = _start(args.get("after")), _start(args.get("before"))

    def matching(
        start: tuple[Any, int] | None, desc: bool, inclusive: bool = False
    ) -> Iterator[Any]:
        for row_id in index.iter_ids(start, descending=desc, inclusive=inclusive):
            row = rows.get(row_id)
            if row is not None and (predicate is None or predicate(row)):
                yield row

    def stop_at(bound: tuple[Any, int] | None, desc: bool) -> Callable[[Any], bool]:
        def beyond(row: Any) -> bool:
            if bound is None:
                return False
            key = (sort_value(row), row.id)
            return key <= bound if desc else key >= bound

        return beyond

    found: list[Any] = []
    if last is not None and first is None:
        beyond = stop_at(after, not descending)
        for row in matching(before, not descending):
            if beyond(row) or len(found) > last:
                break
            found.append(row)
        has_previous = len(found) > last
        found = list(reversed(found[:last]))
        has_next = before is not None and next(matching(before, descending, True), None) is not None
    else:
        beyond = stop_at(before, descending)
        limit = first if first is not None else None
        for row in matching(after, descending):
            if beyond(row) or (limit is not None and len(found) > limit):
                break
            found.append(row)
        has_next = limit is not None and len(found) > limit
        found = found if limit is None else found[:limit]
        has_previous = (
            after is not None and next(matching(after, not descending, True), None) is not None
        )
    edges = [{"cursor": encode_cursor(r.id, sort_value(r)), "node": r} for r in found]
    return {
        "edges": edges,
        "nodes": found,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def list_connection(
    items: list[Any], args: dict[str, Any], *, bulk: bool = False
) -> dict[str, Any]:
    """A connection over a short in-memory list (a product's variants, an order's lines)."""
    index = SortedIndex()
    index.keys = [(pos, item.id) for pos, item in enumerate(items)]
    positions = {item.id: pos for pos, item in enumerate(items)}
    return connection(
        index,
        {item.id: item for item in items},
        args,
        bulk=bulk,
        sort_value=lambda row: positions[row.id],
    )
