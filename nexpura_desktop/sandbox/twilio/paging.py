"""Twilio list paging: ``PageSize`` (default 50, ≤ 1000), ``Page`` and ``PageToken``.

The 2010 API answers with relative ``*_page_uri`` fields beside the list; the newer APIs
(Content) put absolute ``*_page_url`` fields in a ``meta`` object.  Both use
``PageToken=PA<sid of the last item>`` for the next page and ``PB<sid of the first item>``
for the previous one, as Twilio's OpenAPI examples show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from .errors import bad_request

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass
class Page:
    items: Sequence[Any]
    start: int
    page: int
    page_size: int
    uri: str
    first_page_uri: str
    next_page_uri: str | None
    previous_page_uri: str | None


def paginate(
    items: Sequence[T],
    sids: Sequence[str],
    query: QueryParams,
    path: str,
    filters: list[tuple[str, str]],
) -> Page:
    """Cut one page out of ``items`` (whose SIDs are ``sids``) as the request asks."""
    page_size = _int(query.get("PageSize"), DEFAULT_PAGE_SIZE, "PageSize")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise bad_request(20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
    page = _int(query.get("Page"), 0, "Page")
    if page < 0:
        raise bad_request(20001, "Page must be a non-negative integer")
    token = query.get("PageToken")
    start = _start_from_token(token, sids, page_size) if token else page * page_size
    chunk = items[start : start + page_size]

    def uri(page_no: int, page_token: str | None) -> str:
        params = [*filters, ("PageSize", str(page_size)), ("Page", str(page_no))]
        if page_token:
            params.append(("PageToken", page_token))
        return f"{path}?{urlencode(params)}"

    has_next = start + page_size < len(items) and bool(chunk)
    return Page(
        items=chunk,
        start=start,
        page=page,
        page_size=page_size,
        uri=uri(page, token),
        first_page_uri=uri(0, None),
        next_page_uri=uri(page + 1, "PA" + sids[start + len(chunk) - 1]) if has_next else None,
        previous_page_uri=uri(page - 1, "PB" + sids[start]) if start > 0 and chunk else None,
    )


def _start_from_token(token: str, sids: Sequence[str], page_size: int) -> int:
    kind, ref = token[:2], token[2:]
    if kind not in ("PA", "PB") or ref not in sids:
        raise bad_request(20001, f"Invalid PageToken {token}")
    index = list(sids).index(ref)
    if kind == "PA":
        return index + 1
    return max(0, index - page_size)


def _int(raw: str | None, default: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(20001, f"{name} must be an integer") from None


def list_2010(result: Page, key: str, rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The 2010 API's list envelope (``messages`` + ``*_page_uri`` fields)."""
    return {
        key: rendered,
        "end": result.start + max(0, len(rendered) - 1),
        "first_page_uri": result.first_page_uri,
        "next_page_uri": result.next_page_uri,
        "page": result.page,
        "page_size": result.page_size,
        "previous_page_uri": result.previous_page_uri,
        "start": result.start,
        "uri": result.uri,
    }


def list_v1(result: Page, key: str, rendered: list[dict[str, Any]], base: str) -> dict[str, Any]:
    """The newer APIs' envelope: items plus an absolute-URL ``meta`` object."""

    def absolute(uri: str | None) -> str | None:
        return f"{base}{uri}" if uri is not None else None

    return {
        key: rendered,
        "meta": {
            "first_page_url": absolute(result.first_page_uri),
            "key": key,
            "next_page_url": absolute(result.next_page_uri),
            "page": result.page,
            "page_size": result.page_size,
            "previous_page_url": absolute(result.previous_page_uri),
            "url": absolute(result.uri),
        },
    }
