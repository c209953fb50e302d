"""What every wc/v3 controller shares: collection params, list responses, date filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from .api import Ctx
from .listing import Page, Predicate, select
from .store import Record
from .wp import Params, wp_response

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator


@dataclass
class Collection:
    """The validated core collection arguments of one list request."""

    params: Params
    page: int
    per_page: int
    offset: int | None
    order: str
    orderby: str
    include: list[int] | None
    exclude: list[int] | None


def collection(
    ctx: Ctx, orderby_allowed: Sequence[str], default_orderby: str, default_order: str
) -> Collection:
    params = Params(ctx.query)
    per_page = params.integer("per_page", 10, minimum=1, maximum=100)
    page = params.integer("page", 1, minimum=1)
    offset = params.integer("offset")
    order = params.enum("order", ("asc", "desc"), default_order)
    orderby = params.enum("orderby", orderby_allowed, default_orderby)
    return Collection(
        params=params,
        page=page or 1,
        per_page=per_page or 10,
        offset=offset,
        order=order or default_order,
        orderby=orderby or default_orderby,
        include=params.int_list("include"),
        exclude=params.int_list("exclude"),
    )


def date_predicates(emu: WooCommerceEmulator, params: Params, *, modified: bool) -> list[Predicate]:
    """after/before on the creation date, modified_after/_before on the modification date."""
    gmt = params.boolean("dates_are_gmt")
    names = [("after", "created", True), ("before", "created", False)]
    if modified:
        names += [("modified_after", "modified", True), ("modified_before", "modified", False)]
    predicates: list[Predicate] = []
    for name, column, is_after in names:
        raw = params.date(name)
        if raw is None:
            continue
        bound = emu.site.query_bound(raw, gmt_column=gmt)
        predicates.append(_bound(column, bound, is_after))
    return predicates


def _bound(column: str, bound: int, is_after: bool) -> Predicate:
    """WP_Date_Query bounds are exclusive ('after' means strictly later)."""
    if is_after:
        return lambda r: bool(r[column] > bound)
    return lambda r: bool(r[column] < bound)


def list_response(
    emu: WooCommerceEmulator,
    ctx: Ctx,
    kind: str | None,
    records: Mapping[int, Record],
    coll: Collection,
    predicates: list[Predicate],
    render: Callable[[Record], dict[str, Any]],
    rest_base: str,
) -> Response:
    coll.params.check()
    if coll.include is not None:
        wanted = set(coll.include)
        predicates.append(lambda r: r["id"] in wanted)
    if coll.exclude:
        unwanted = set(coll.exclude)
        predicates.append(lambda r: r["id"] not in unwanted)
    with emu.lock:
        result: Page = select(
            emu.order_cache,
            emu.store,
            kind,
            records,
            orderby=coll.orderby,
            order=coll.order,
            page=coll.page,
            per_page=coll.per_page,
            offset=coll.offset,
            predicates=predicates,
            include=coll.include,
            filter_key=(emu.site.zone_name, *_filter_key(ctx, coll)),
        )
        items = [render(r) for r in result.records]
    url = f"{emu.rest_root(ctx.request)}/wc/v3/{rest_base}"
    headers = emu.paging_headers(url, ctx.query_items, result)
    response = wp_response(items)
    for name, value in headers:
        response.headers.append(name, value)
    return response


PAGING = frozenset({"page", "per_page", "offset", "_", "context", "_fields"})


def _filter_key(ctx: Ctx, coll: Collection) -> tuple[object, ...]:
    """What decides which records a list request matches (not the page, not the auth)."""
    args = sorted(
        (k, v)
        for k, v in ctx.query_items
        if k not in PAGING and not k.startswith(("oauth_", "consumer_"))
    )
    return (ctx.route.lower(), coll.orderby, coll.order, tuple(args))


def created(payload: dict[str, Any], location: str) -> Response:
    return wp_response(payload, 201, {"Location": location})


def search_predicate(term: str | None, fields: Sequence[str]) -> list[Predicate]:
    if not term:
        return []
    needle = term.lower()

    def matches(record: Record) -> bool:
        return any(needle in str(record.get(f) or "").lower() for f in fields)

    return [matches]
