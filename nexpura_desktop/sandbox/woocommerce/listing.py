"""Collection listing: WP's collection params, filters, ordering and paging headers.

service-apis.md §2.4: ``per_page`` defaults to 10 and must be 1–100 (else 400
``rest_invalid_param``), ``page`` is 1-based (a page past the end is an empty list),
``offset`` overrides it; ``X-WP-Total``/``X-WP-TotalPages`` headers and ``Link`` rel
``prev``/``next`` built like WC_REST_CRUD_Controller does: the collection URL with *every*
query argument of the request (OAuth parameters included) and ``page`` replaced.

Paging cost is O(page) when no filter applies: ordered ID lists are cached per
(collection, orderby, order) until that collection changes; filters scan compact records
without serialising them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any
from urllib.parse import urlencode

from .store import Record, Store

Predicate = Callable[[Record], bool]


def _name(record: Record) -> str:
    return str(record.get("name") or record.get("username") or "").lower()


SORT_KEYS: dict[str, Callable[[Record], Any]] = {
    "date": lambda r: (r["created"], r["id"]),
    "registered_date": lambda r: (r["created"], r["id"]),
    "modified": lambda r: (r["modified"], r["id"]),
    "id": lambda r: r["id"],
    "title": lambda r: (_name(r), r["id"]),
    "name": lambda r: (_name(r), r["id"]),
    "slug": lambda r: (str(r.get("slug", "")), r["id"]),
    "menu_order": lambda r: (r.get("menu_order", 0), r["id"]),
    "price": lambda r: (_as_float(r.get("sale_price") or r.get("regular_price")), r["id"]),
    "popularity": lambda r: (r.get("total_sales", 0), r["id"]),
    "rating": lambda r: (0, r["id"]),
}


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass
class Page:
    records: list[Record]
    total: int
    total_pages: int
    page: int


@dataclass
class OrderCache:
    """Sorted ID lists, valid while the collection's version is unchanged."""

    entries: dict[tuple[str, str, str], tuple[int, list[int]]] = field(default_factory=dict)
    # The ids a filtered query matched (like a database index): keyed by the request's
    # filter arguments, valid while the collection's version is unchanged.
    matches: dict[tuple[object, ...], tuple[int, list[int]]] = field(default_factory=dict)

    def matching(
        self,
        store: Store,
        kind: str,
        key: tuple[object, ...],
        ids: list[int],
        records: Mapping[int, Record],
        predicates: Sequence[Predicate],
    ) -> list[int]:
        version = store.versions[kind]
        cached = self.matches.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        found = [i for i in ids if all(p(records[i]) for p in predicates)]
        if len(self.matches) > 64:
            self.matches.clear()
        self.matches[key] = (version, found)
        return found

    def ordered(
        self, store: Store, kind: str, records: Mapping[int, Record], orderby: str, order: str
    ) -> list[int]:
        key = (kind, orderby, order)
        version = store.versions[kind]
        cached = self.entries.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        sort_key = SORT_KEYS[orderby]
        ids = sorted(records, key=lambda i: sort_key(records[i]), reverse=order == "desc")
        self.entries[key] = (version, ids)
        return ids


def select(
    cache: OrderCache,
    store: Store,
    kind: str | None,
    records: Mapping[int, Record],
    *,
    orderby: str,
    order: str,
    page: int,
    per_page: int,
    offset: int | None,
    predicates: Sequence[Predicate],
    include: list[int] | None,
    filter_key: tuple[object, ...] | None = None,
) -> Page:
    if orderby == "include" and include:
        position = {rid: n for n, rid in enumerate(include)}
        ids = sorted((i for i in include if i in records), key=position.__getitem__)
        if order == "desc":
            ids.reverse()
    else:
        by = "id" if orderby == "include" else orderby
        if kind is None:  # an ad-hoc set (e.g. a SKU lookup): small, sorted on the spot
            sort_key = SORT_KEYS[by]
            ids = sorted(records, key=lambda i: sort_key(records[i]), reverse=order == "desc")
        else:
            ids = cache.ordered(store, kind, records, by, order)
    start = offset if offset is not None else (page - 1) * per_page
    if predicates and kind is not None and filter_key is not None:
        ids = cache.matching(store, kind, (kind, filter_key), ids, records, predicates)
        predicates = ()
    if not predicates:
        total = len(ids)
        chosen = [records[i] for i in ids[start : start + per_page]]
    else:
        total = 0
        chosen = []
        for rid in ids:
            record = records[rid]
            if all(p(record) for p in predicates):
                if start <= total < start + per_page:
                    chosen.append(record)
                total += 1
    return Page(chosen, total, ceil(total / per_page) if per_page else 0, page)


def paging_headers(
    collection_url: str, query: Sequence[tuple[str, str]], result: Page
) -> list[tuple[str, str]]:
    headers = [("X-WP-Total", str(result.total)), ("X-WP-TotalPages", str(result.total_pages))]

    def with_page(number: int) -> str:
        items = list(query)
        if any(k == "page" for k, _ in items):
            items = [(k, str(number) if k == "page" else v) for k, v in items]
        else:
            items.append(("page", str(number)))
        return f"{collection_url}?{urlencode(items)}"

    if result.page > 1:
        previous = min(result.page - 1, result.total_pages)
        headers.append(("Link", f'<{with_page(previous)}>; rel="prev"'))
    if result.total_pages > result.page:
        headers.append(("Link", f'<{with_page(result.page + 1)}>; rel="next"'))
    return headers
