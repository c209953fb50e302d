"""Async WooCommerce REST v3 client: auth, paging, retries, error mapping, request count.

* Auth (service-apis.md §2.1): HTTP Basic over ``https://`` (or the key in the query
  string, for hosts that strip the ``Authorization`` header, prior-art D3); OAuth 1.0a
  signed query over plain ``http://`` — the only thing WooCommerce accepts there.
* Paging (§2.4): ``page``/``per_page=100``, stopping at ``X-WP-TotalPages`` (re-read on
  every page, since it changes while the shop changes); pages after the first are fetched
  a few ahead, at most ``concurrency`` requests in flight (WooCommerce has no rate limit
  of its own: a site's PHP workers are the limit).  Products and orders are read
  ``orderby=modified&order=asc`` with ``modified_after`` and ``dates_are_gmt=true``, so a
  page's last ``date_modified_gmt`` is a watermark the caller may commit page by page
  (prior-art C6: filter and cursor on the same field, always GMT).  Customers have no
  modified filter: they are read in full, by id.
* Retries: 429, 5xx, timeouts, dropped connections and malformed JSON are retried with
  the service's ``Pacer`` (backoff with jitter, ``Retry-After`` honoured, bounded, a
  cancel event ends every wait).  A *write* whose outcome is unknown is never re-sent
  blindly: creates look the object up (SKU, email) first; other writes raise
  ``OutcomeUnknown`` (a ``Transient``).
* Errors: WP_Error bodies become engine errors (:mod:`.errors`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from ...auth.oauth1 import OAuth1
from ...auth.woocommerce import normalise_store_url
from ...engine.errors import SyncCancelled, Throttled, Transient
from ...http import new_client
from ...sync.pacing import Pacer
from .batch import BatchItem, BatchResult, Recover, run_batch
from .errors import OutcomeUnknown, WooRecordError, from_wp_error

API_PATH = "/wp-json/wc/v3"
PER_PAGE = 100
SKU_LOOKUP_CHUNK = 50  # SKUs per ``?sku=a,b,…`` lookup (keeps URLs short)
SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
AsyncSleeper = Callable[[float], Awaitable[None]]
Json = dict[str, Any]


def default_pacer() -> Pacer:
    """WooCommerce publishes no rate limit: requests are sequential and self-paced by the
    shop's response time, so the bucket is wide and the pacer mostly does backoff."""
    return Pacer("woocommerce", rate=200.0, burst=200.0, base_backoff=1.0, max_backoff=30.0)


def gmt_param(value: datetime | str) -> str:
    """A date filter as WooCommerce wants it with ``dates_are_gmt=true``: GMT, no offset."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class Page:
    """One page of a collection, with the totals the shop reported alongside it."""

    items: list[Json]
    page: int
    total: int | None
    total_pages: int | None
    sent_at: float = 0.0  # the shop's clock when the request went out (stock snapshots)

    @property
    def last_modified_gmt(self) -> str | None:
        """The newest ``date_modified_gmt`` on this page (the cursor to commit with it)."""
        stamps = [str(i["date_modified_gmt"]) for i in self.items if i.get("date_modified_gmt")]
        return max(stamps) if stamps else None


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any
    headers: httpx.Headers


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


class WooClient:
    """One shop's REST v3 API.  Use as ``async with WooClient(...) as client``."""

    def __init__(
        self,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        cancel: threading.Event | None = None,
        sleep: AsyncSleeper = asyncio.sleep,
        max_attempts: int = 6,
        timeout: float | None = None,
        query_string_auth: bool = False,
        concurrency: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store_url = normalise_store_url(store_url)
        self.pacer = pacer or default_pacer()
        self.cancel = cancel
        self.max_attempts = max_attempts
        self.requests = 0  #: HTTP requests sent, retries included
        self.concurrency = max(1, concurrency)  #: requests in flight at once, at most
        self.clock = clock  # the shop's "now" in epoch seconds
        self._slots: asyncio.Semaphore | None = None
        self._sleep = sleep
        self._query_keys: dict[str, str] = {}
        auth: httpx.Auth | None
        if self.store_url.lower().startswith("https://"):
            if query_string_auth:
                auth = None
                self._query_keys = {
                    "consumer_key": consumer_key,
                    "consumer_secret": consumer_secret,
                }
            else:
                auth = httpx.BasicAuth(consumer_key, consumer_secret)
        else:
            auth = OAuth1(consumer_key, consumer_secret)  # the connection flow's signer
        self._http = new_client(
            base_url=self.store_url + API_PATH, transport=transport, auth=auth, timeout=timeout
        )

    async def __aenter__(self) -> WooClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one request, retried ---------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        safe: bool | None = None,
    ) -> Reply:
        """Send one API call, retrying what may be retried; raises engine errors.

        ``safe`` says whether re-sending after an unknown outcome is harmless (default: by
        method; a POST is not).  An unsafe call that fails ambiguously raises
        :class:`OutcomeUnknown` at once instead of risking a duplicate.
        """
        method = method.upper()
        safe = method in SAFE_METHODS if safe is None else safe
        query = {**{k: str(v) for k, v in (params or {}).items()}, **self._query_keys}
        attempt = 0
        while True:
            attempt += 1
            if self.cancel is not None and self.cancel.is_set():
                raise SyncCancelled
            await self.pacer.wait_async(cancel=self.cancel, sleep=self._sleep)
            self.requests += 1
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.concurrency)
            try:
                async with self._slots:
                    response = await self._http.request(method, path, params=query, json=json)
            except httpx.TransportError as exc:
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                reason = (
                    "the connection timed out"
                    if isinstance(exc, httpx.TimeoutException)
                    else ("the connection failed" if unsent else "the connection dropped")
                )
                self._retry_or_raise(attempt, 599, None, reason, ambiguous=not (safe or unsent))
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                reason = (
                    "the shop is busy (429)" if status == 429 else f"the shop failed ({status})"
                )
                # 429 and 503 are refusals: nothing was done, so even a create may be re-sent.
                ambiguous = not safe and status not in (429, 503)
                retry_after = response.headers.get("Retry-After")
                self._retry_or_raise(attempt, status, retry_after, reason, ambiguous=ambiguous)
                continue
            try:
                data = response.json() if response.content.strip() else None
            except ValueError:
                if status >= 400:
                    raise from_wp_error(status, None) from None
                self._retry_or_raise(
                    attempt, 599, None, "the shop sent a broken reply", ambiguous=not safe
                )
                continue
            if status >= 400:
                raise from_wp_error(status, data)
            self.pacer.succeeded()
            return Reply(status, data, response.headers)

    def _retry_or_raise(
        self,
        attempt: int,
        status: int,
        retry_after: str | None,
        reason: str,
        *,
        ambiguous: bool,
    ) -> None:
        if ambiguous:
            raise OutcomeUnknown(
                f"{reason} after a change was sent; it will be checked and retried"
            )
        if attempt >= self.max_attempts:
            raise Transient(f"{reason}, {attempt} times in a row")
        try:
            # Asked to wait (429, or Retry-After on a 503): "throttled, resuming at …".
            asked = status == 429 or retry_after is not None
            self.pacer.backoff(None if asked else status, retry_after)
        except Throttled:
            raise
        except Transient:
            raise Transient(f"{reason}, too many times in a row") from None

    # -- paging ----------------------------------------------------------------------------
    async def pages(
        self,
        resource: str,
        params: Mapping[str, str | int] | None = None,
        *,
        per_page: int = PER_PAGE,
        start_page: int = 1,
    ) -> AsyncIterator[Page]:
        """Every page of a collection, in order, until ``X-WP-TotalPages`` (or a short page).

        Once the first page has told how many there are, up to ``concurrency`` of the
        following pages are fetched ahead while the caller works on the current one (the
        shop serves several requests at once; the caller still sees them in order).
        """
        first = await self.page(resource, params, start_page, per_page)
        yield first
        if not first.items or first.total_pages is None:
            number = start_page
            last = first
            while last.items and len(last.items) >= per_page:
                number += 1
                last = await self.page(resource, params, number, per_page)
                yield last
            return
        planned = first.total_pages
        ahead: deque[asyncio.Task[Page]] = deque()
        number = start_page

        def fill() -> None:
            nonlocal number
            while number < planned and len(ahead) < max(1, self.concurrency):
                number += 1
                ahead.append(asyncio.ensure_future(self.page(resource, params, number, per_page)))

        try:
            fill()
            while ahead:
                page = await ahead.popleft()
                yield page
                if not page.items:
                    return
                if page.total_pages is not None and page.total_pages > planned:
                    planned = page.total_pages  # the shop grew while we read
                fill()
        finally:
            for task in ahead:
                task.cancel()
            if ahead:
                await asyncio.gather(*ahead, return_exceptions=True)

    async def page(
        self,
        resource: str,
        params: Mapping[str, str | int] | None,
        number: int,
        per_page: int = PER_PAGE,
    ) -> Page:
        """One page of a collection, with the totals the shop sent alongside it."""
        sent_at = self.clock()
        reply = await self.request(
            "GET", resource, params={**(params or {}), "page": number, "per_page": per_page}
        )
        if not isinstance(reply.data, list):
            raise Transient(f"the shop sent something other than a list for {resource}")
        return Page(
            [i for i in reply.data if isinstance(i, dict)],
            number,
            _header_int(reply.headers, "X-WP-Total"),
            _header_int(reply.headers, "X-WP-TotalPages"),
            sent_at,
        )

    @staticmethod
    def changed_since(modified_after: datetime | str | None) -> dict[str, str | int]:
        params: dict[str, str | int] = {
            "orderby": "modified",
            "order": "asc",
            "dates_are_gmt": "true",
        }
        if modified_after is not None:
            params["modified_after"] = gmt_param(modified_after)
        return params

    def products(
        self, *, modified_after: datetime | str | None = None, start_page: int = 1
    ) -> AsyncIterator[Page]:
        """Products (not trashed), oldest change first; variable products' variations are
        separate (:meth:`variations`)."""
        return self.pages("products", self.changed_since(modified_after), start_page=start_page)

    def variations(
        self, product_id: int, *, modified_after: datetime | str | None = None
    ) -> AsyncIterator[Page]:
        return self.pages(
            f"products/{int(product_id)}/variations", self.changed_since(modified_after)
        )

    def orders(
        self, *, modified_after: datetime | str | None = None, start_page: int = 1
    ) -> AsyncIterator[Page]:
        return self.pages("orders", self.changed_since(modified_after), start_page=start_page)

    def customers(self, *, role: str = "customer", start_page: int = 1) -> AsyncIterator[Page]:
        """All customers by id: WooCommerce has no modified filter for them, so callers
        compare a content hash (``mapping.customer_hash``) to find changes."""
        params: dict[str, str | int] = {"orderby": "id", "order": "asc", "role": role}
        return self.pages("customers", params, start_page=start_page)

    # -- lookups ---------------------------------------------------------------------------
    async def find_by_sku(self, skus: Sequence[str]) -> dict[str, Json]:
        """Products *and variations* by SKU (case-insensitive), keyed by the SKU asked for."""
        wanted = {s.strip().casefold(): s for s in skus if s and s.strip()}
        found: dict[str, Json] = {}
        keys = list(wanted)
        for start in range(0, len(keys), SKU_LOOKUP_CHUNK):
            chunk = [wanted[k].strip() for k in keys[start : start + SKU_LOOKUP_CHUNK]]
            async for page in self.pages("products", {"sku": ",".join(chunk)}):
                for item in page.items:
                    key = str(item.get("sku") or "").casefold()
                    if key in wanted and wanted[key] not in found:
                        found[wanted[key]] = item
        return found

    async def find_customer_by_email(self, email: str) -> Json | None:
        reply = await self.request(
            "GET", "customers", params={"email": email.strip().lower(), "role": "all"}
        )
        items = reply.data if isinstance(reply.data, list) else []
        return next((i for i in items if isinstance(i, dict)), None)

    async def get(self, path: str) -> Json:
        reply = await self.request("GET", path)
        if not isinstance(reply.data, dict):
            raise Transient(f"the shop sent something unexpected for {path}")
        return reply.data

    # -- single writes ---------------------------------------------------------------------
    async def _create_once(
        self, path: str, payload: Mapping[str, Any], lookup: Callable[[], Awaitable[Json | None]]
    ) -> tuple[Json, bool]:
        """Look up, create if missing; after an unknown outcome look up again, then retry.

        Returns ``(object, created)``; ``created`` is also true when our own create was
        found by the lookup after its answer was lost.
        """
        sent = False  # a create went out and its outcome is unknown
        for _ in range(self.max_attempts):
            existing = await lookup()
            if existing is not None:
                return existing, sent
            try:
                reply = await self.request("POST", path, json=dict(payload))
            except OutcomeUnknown:
                sent = True
                continue
            if not isinstance(reply.data, dict):
                raise Transient(f"the shop sent something unexpected creating {path}")
            return reply.data, True
        raise Transient("the shop kept failing while creating a record")

    async def create_product(self, payload: Mapping[str, Any]) -> tuple[Json, bool]:
        """``(product, created)``: an existing product with the SKU is returned instead."""
        return await self._create_once("products", payload, self._sku_lookup(payload))

    async def create_variation(
        self, product_id: int, payload: Mapping[str, Any]
    ) -> tuple[Json, bool]:
        path = f"products/{int(product_id)}/variations"
        return await self._create_once(path, payload, self._sku_lookup(payload))

    async def create_customer(self, payload: Mapping[str, Any]) -> tuple[Json, bool]:
        """``(customer, created)``: an existing customer with the email is returned instead."""
        email = str(payload.get("email") or "")
        if not email:
            raise WooRecordError("a customer needs an email address to be created in the shop")

        async def lookup() -> Json | None:
            return await self.find_customer_by_email(email)

        return await self._create_once("customers", payload, lookup)

    def _sku_lookup(self, payload: Mapping[str, Any]) -> Callable[[], Awaitable[Json | None]]:
        sku = str(payload.get("sku") or "").strip()

        async def lookup() -> Json | None:
            return (await self.find_by_sku([sku])).get(sku) if sku else None

        return lookup

    async def update(self, path: str, payload: Mapping[str, Any]) -> Json:
        """``PUT`` one object (idempotent, so retried like a read)."""
        reply = await self.request("PUT", path, json=dict(payload))
        if not isinstance(reply.data, dict):
            raise Transient(f"the shop sent something unexpected updating {path}")
        return reply.data

    async def update_product(self, product_id: int, payload: Mapping[str, Any]) -> Json:
        return await self.update(f"products/{int(product_id)}", payload)

    async def update_variation(
        self, product_id: int, variation_id: int, payload: Mapping[str, Any]
    ) -> Json:
        return await self.update(
            f"products/{int(product_id)}/variations/{int(variation_id)}", payload
        )

    async def update_customer(self, customer_id: int, payload: Mapping[str, Any]) -> Json:
        return await self.update(f"customers/{int(customer_id)}", payload)

    async def delete(self, path: str) -> Json:
        reply = await self.request("DELETE", path, params={"force": "true"})
        return reply.data if isinstance(reply.data, dict) else {}

    # -- batches ---------------------------------------------------------------------------
    async def batch(
        self,
        resource: str,
        *,
        create: Sequence[Mapping[str, Any]] = (),
        update: Sequence[Mapping[str, Any]] = (),
        delete: Sequence[int] = (),
        recover: Recover | None = None,
    ) -> BatchResult:
        """``POST {resource}/batch`` in calls of at most 100 items; per-item results."""

        async def send(body: Json, has_creates: bool) -> Any:
            reply = await self.request("POST", f"{resource}/batch", json=body, safe=not has_creates)
            return reply.data

        return await run_batch(
            send, list(create), list(update), list(delete), recover, self.max_attempts
        )

    async def batch_products(
        self,
        *,
        create: Sequence[Mapping[str, Any]] = (),
        update: Sequence[Mapping[str, Any]] = (),
        delete: Sequence[int] = (),
        parent_id: int | None = None,
    ) -> BatchResult:
        """Products (or one product's variations) in batches, with a SKU lookup first:
        a create whose SKU already exists comes back as ``existed`` and is not sent."""
        resource = "products" if parent_id is None else f"products/{int(parent_id)}/variations"
        skus = [str(p.get("sku") or "").strip() for p in create]
        known = await self.find_by_sku([s for s in skus if s])
        fresh: list[Mapping[str, Any]] = []
        existed: list[BatchItem] = []
        for index, (payload, sku) in enumerate(zip(create, skus, strict=True)):
            if sku and sku in known:
                item = known[sku]
                existed.append(
                    BatchItem("create", index, True, int(item["id"]), item, existed=True)
                )
            else:
                fresh.append(payload)
        positions = [i for i, s in enumerate(skus) if not (s and s in known)]

        async def recover(items: Sequence[Mapping[str, Any]]) -> list[Json | None]:
            wanted = [str(p.get("sku") or "").strip() for p in items]
            found = await self.find_by_sku([s for s in wanted if s])
            return [found.get(s) if s else None for s in wanted]

        result = await self.batch(
            resource, create=fresh, update=update, delete=delete, recover=recover
        )
        return result.remap_creates(positions, existed)

    # -- webhooks --------------------------------------------------------------------------
    async def list_webhooks(self) -> list[Json]:
        hooks: list[Json] = []
        async for page in self.pages("webhooks", {"orderby": "id", "order": "asc"}):
            hooks.extend(page.items)
        return hooks

    async def create_webhook(self, payload: Mapping[str, Any]) -> Json:
        reply = await self.request("POST", "webhooks", json=dict(payload))
        if not isinstance(reply.data, dict):
            raise Transient("the shop sent something unexpected creating a webhook")
        return reply.data

    async def update_webhook(self, webhook_id: int, payload: Mapping[str, Any]) -> Json:
        return await self.update(f"webhooks/{int(webhook_id)}", payload)

    async def delete_webhook(self, webhook_id: int) -> Json:
        return await self.delete(f"webhooks/{int(webhook_id)}")
