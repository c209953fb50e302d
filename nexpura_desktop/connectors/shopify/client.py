"""An async client for Shopify's GraphQL Admin API (the only Shopify API the sync uses).

What it takes care of, so streams only see data or a classified error
(ARCHITECTURE §4.6, §4.8):

* **pacing** — a :class:`~.limiter.CostLimiter` per shop waits until a query's requested
  cost is back in the bucket; ``THROTTLED`` (HTTP 200 or 429) refills our mirror from the
  answer's ``throttleStatus`` and retries after exactly the restore time;
* **retries** — 429/5xx, timeouts, dropped connections and malformed or truncated bodies
  back off with jitter, bounded, cancellable.  A mutation that is not idempotent (a
  create) is *not* retried after an ambiguous failure (it may have been applied): it
  raises ``Transient`` and the outbox replays it after a lookup (§4.2);
* **errors** — 401 → ``AuthExpired``; 402/403/404/423 → ``ConfigurationError``; mutation
  ``userErrors`` → ``UserErrors`` (record-level); a stale compare-quantity →
  ``StockChanged``;
* **paging** — ``iterate`` walks a connection with ``pageInfo.endCursor``, shrinking the
  page if Shopify says the query is too expensive;
* a request counter (``requests``) for the run summary.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import httpx

from ...engine.errors import (
    AuthExpired,
    ConfigurationError,
    SyncCancelled,
    Throttled,
    Transient,
)
from .errors import STALE_CODES as _STALE
from .errors import QueryCostTooHigh, QueryRejected, ShopifyUserError, StockChanged, UserErrors
from .limiter import CostLimiter, limiter_for

DEFAULT_API_VERSION = "2026-01"
DEFAULT_TIMEOUT_S = 30.0
MAX_THROTTLED_RETRIES = 8
TokenSource = str | Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class Page:
    """One page of a connection: its nodes and where the next page starts."""

    nodes: list[dict[str, Any]]
    end_cursor: str | None
    has_next: bool
    number: int


class _Retry(Exception):
    """Internal: the attempt failed in a way that is safe to try again."""


def _dig(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class ShopifyClient:
    """GraphQL Admin API calls for one shop; share one ``httpx.AsyncClient`` per process."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: TokenSource,
        api_version: str = DEFAULT_API_VERSION,
        limiter: CostLimiter | None = None,
        cancel: threading.Event | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.limiter = limiter or limiter_for(self.base_url)
        self.cancel = cancel
        self.timeout = timeout
        self._token = token
        self._rng = rng or random.Random()
        self.requests = 0  # HTTP requests sent, retries included
        self.throttled = 0  # THROTTLED answers received (the limiter should keep this at 0)
        self.points = 0.0  # actual query cost Shopify charged, summed

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    # -- one GraphQL call ------------------------------------------------------------------
    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """Run one document and return its ``data`` (errors raised as classified above)."""
        variables = dict(variables or {})
        key = _cost_key(query, variables)
        throttled = 0
        while True:
            self._check_cancel()
            estimate = self.limiter.estimate(key)
            maximum = self.limiter.maximum
            if maximum is not None and estimate > maximum:
                raise QueryCostTooHigh(estimate, maximum)
            await self.limiter.acquire(estimate, self.cancel)
            try:
                body = await self._post(query, variables, idempotent=idempotent)
            except _Retry:
                continue
            cost = _dig(body, ("extensions", "cost")) or {}
            self.limiter.observe(cost.get("throttleStatus"))
            requested = cost.get("requestedQueryCost")
            if isinstance(requested, int | float):
                self.limiter.learn(key, float(requested))
            actual = cost.get("actualQueryCost")
            if isinstance(actual, int | float):
                self.points += float(actual)
            errors = body.get("errors")
            if errors:
                codes = _codes(errors)
                if "THROTTLED" in codes:
                    throttled += 1
                    self.throttled += 1
                    self._on_throttled(throttled, requested, "throttleStatus" in cost)
                    continue
                self._raise_errors(errors, codes, body.get("data"))
            data = body.get("data")
            if not isinstance(data, dict):
                if not idempotent:
                    raise Transient("Shopify answered without data")
                self._backoff(None, "Shopify answered without data")
                continue
            self.limiter.succeeded()
            return data

    async def mutate(
        self,
        mutation: str,
        variables: Mapping[str, Any],
        *,
        idempotent: bool,
    ) -> dict[str, Any]:
        """Run a mutation and return its payload; ``userErrors`` raise ``UserErrors``."""
        data = await self.execute(mutation, variables, idempotent=idempotent)
        if len(data) != 1:
            raise QueryRejected("a mutation document must contain exactly one mutation")
        operation, payload = next(iter(data.items()))
        payload = payload if isinstance(payload, dict) else {}
        raw_errors = payload.get("userErrors") or []
        if raw_errors:
            errors = [ShopifyUserError.from_json(e) for e in raw_errors]
            if any(e.code in _STALE for e in errors):
                stale = [_index_of(e.field) for e in errors if e.code in _STALE]
                raise StockChanged(operation, errors, [i for i in stale if i is not None])
            raise UserErrors(operation, errors)
        return payload

    # -- paging ------------------------------------------------------------------------------
    async def iterate(
        self,
        query: str,
        variables: Mapping[str, Any],
        path: Sequence[str],
        *,
        after: str | None = None,
        page_size_var: str = "first",
    ) -> AsyncIterator[Page]:
        """Walk the connection at ``path`` page by page (``pageInfo.endCursor``).

        ``after`` resumes from a saved cursor.  A page Shopify finds too expensive is
        retried smaller (``page_size_var``), so a shop with a small bucket still syncs.
        """
        values = dict(variables)
        cursor = after
        number = 0
        while True:
            values["after"] = cursor
            try:
                data = await self.execute(query, values)
            except QueryCostTooHigh as exc:
                size = values.get(page_size_var)
                if not isinstance(size, int) or size <= 1:
                    raise
                values[page_size_var] = max(1, int(size * exc.limit / exc.requested * 0.95))
                continue
            connection = _dig(data, path)
            if not isinstance(connection, dict):
                return
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [e.get("node") for e in connection.get("edges") or [] if e]
            info = connection.get("pageInfo") or {}
            cursor = info.get("endCursor")
            has_next = bool(info.get("hasNextPage")) and cursor is not None
            number += 1
            yield Page([n for n in nodes if isinstance(n, dict)], cursor, has_next, number)
            if not has_next:
                return

    async def nodes(
        self, query: str, variables: Mapping[str, Any], path: Sequence[str]
    ) -> AsyncIterator[dict[str, Any]]:
        """Every node of a connection, one by one (for small connections like locations)."""
        async for page in self.iterate(query, variables, path):
            for node in page.nodes:
                yield node

    # -- plain downloads (bulk results) ---------------------------------------------------
    async def download_lines(self, url: str, *, max_attempts: int = 5) -> AsyncIterator[str]:
        """The lines of a file at a signed URL (no Shopify token is sent to it).

        A dropped download is restarted and the lines already delivered are skipped, so
        callers see every line exactly once.
        """
        delivered = 0
        attempts = 0
        while True:
            self._check_cancel()
            attempts += 1
            seen = 0
            self.requests += 1
            try:
                async with self.http.stream("GET", url, timeout=self.timeout) as response:
                    if response.status_code in (403, 404, 410):
                        raise Transient("the bulk export file is no longer available")
                    if response.status_code >= 400:
                        raise httpx.HTTPStatusError(
                            f"status {response.status_code}",
                            request=response.request,
                            response=response,
                        )
                    async for line in response.aiter_lines():
                        if not line.strip():
                            continue
                        seen += 1
                        if seen <= delivered:
                            continue
                        delivered += 1
                        yield line
                return
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                if attempts >= max_attempts:
                    raise Transient("the bulk export download kept failing") from exc
                self._backoff(None, "the bulk export download failed")
                await self.limiter.acquire(0.0, self.cancel)  # waits out the backoff

    # -- internals -----------------------------------------------------------------------------
    async def _token_value(self) -> str:
        if isinstance(self._token, str):
            return self._token
        return await self._token()

    async def _post(
        self, query: str, variables: dict[str, Any], *, idempotent: bool
    ) -> dict[str, Any]:
        headers = {
            "X-Shopify-Access-Token": await self._token_value(),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        payload = {"query": query, "variables": variables}
        self.requests += 1
        try:
            response = await self.http.post(
                self.graphql_url, json=payload, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            self._ambiguous(idempotent, "Shopify did not answer in time", exc)
        except httpx.TransportError as exc:
            self._ambiguous(idempotent, "the connection to Shopify failed", exc)
        status = response.status_code
        if status == 401:
            raise AuthExpired("the store no longer accepts the saved access token")
        if status == 402:
            raise ConfigurationError("the Shopify store is frozen or unpaid (Shopify says 402)")
        if status == 403:
            raise ConfigurationError(
                "the Shopify app lacks a permission it needs; reinstall it with the "
                "products, inventory, customers and orders scopes"
            )
        if status == 404:
            raise ConfigurationError(
                f"the store address or API version {self.api_version} was not found"
            )
        if status == 423:
            raise ConfigurationError("the Shopify store is locked (Shopify says 423)")
        body = _json_or_none(response)
        if status == 429:
            if isinstance(body, dict) and _dig(body, ("extensions", "cost", "throttleStatus")):
                return body  # a THROTTLED answer sent as 429: handled like the 200 one
            self._backoff(429, "Shopify asked us to slow down", response.headers.get("Retry-After"))
            raise _Retry
        if status >= 500:
            self._ambiguous(idempotent, f"Shopify had a server error ({status})", None, status)
        if status >= 400:
            raise QueryRejected(f"Shopify rejected the request ({status}: {_first_error(body)})")
        if not isinstance(body, dict):
            self._ambiguous(idempotent, "Shopify sent an unreadable answer", None)
        return body

    def _ambiguous(
        self,
        idempotent: bool,
        what: str,
        exc: BaseException | None,
        status: int | None = None,
    ) -> NoReturn:
        """A failure after which the request may or may not have been applied."""
        if not idempotent:
            raise Transient(what) from exc
        self._backoff(status, what)
        raise _Retry from exc

    def _backoff(self, status: int | None, what: str, retry_after: str | None = None) -> float:
        try:
            return self.limiter.backoff(status, retry_after)
        except Throttled:
            raise
        except Transient as exc:
            raise Transient(what) from exc

    def _on_throttled(self, count: int, requested: Any, reported: bool) -> None:
        maximum = self.limiter.maximum
        if isinstance(requested, int | float) and maximum is not None and requested > maximum:
            raise QueryCostTooHigh(float(requested), maximum)
        if count > MAX_THROTTLED_RETRIES:
            rate = self.limiter.restore_rate or 1.0
            wait = (float(requested) if isinstance(requested, int | float) else 0.0) / rate
            raise Throttled(
                "Shopify kept throttling", resume_at=datetime.now(UTC) + timedelta(seconds=wait)
            )
        if not reported:  # no bucket figures to wait on: plain backoff
            self._backoff(429, "Shopify asked us to slow down")
            return
        # observe() has mirrored the bucket, so the next acquire() waits exactly until the
        # points are back; a little jitter keeps two lanes of one shop out of lock-step.
        self.limiter.pacer.reserve(self._rng.uniform(0.0, 2.0))

    def _raise_errors(self, errors: Any, codes: set[str], data: Any) -> None:
        first = _first_error({"errors": errors})
        if "MAX_COST_EXCEEDED" in codes:
            cost, limit = _max_cost(errors)
            raise QueryCostTooHigh(cost, limit)
        if "ACCESS_DENIED" in codes:
            raise ConfigurationError(
                f"the Shopify app is missing a permission ({first}); reinstall it with the "
                "scopes the sync needs"
            )
        if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"}:
            raise Transient(f"Shopify failed on its side ({first})")
        raise QueryRejected(f"Shopify rejected a query ({first})")

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncCancelled


def _cost_key(query: str, variables: Mapping[str, Any]) -> str:
    """Documents cost the same for the same sizes; cursors and filters do not matter."""
    sizes = sorted((k, v) for k, v in variables.items() if isinstance(v, int))
    return f"{hash(query)}:{sizes}"


def _codes(errors: Any) -> set[str]:
    codes: set[str] = set()
    if isinstance(errors, list):
        for error in errors:
            code = _dig(error, ("extensions", "code"))
            if isinstance(code, str):
                codes.add(code)
    return codes


def _max_cost(errors: Any) -> tuple[float, float]:
    for error in errors if isinstance(errors, list) else []:
        ext = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(ext, dict) and ext.get("code") == "MAX_COST_EXCEEDED":
            return float(ext.get("cost") or 0), float(ext.get("maxCost") or 1000)
    return 0.0, 1000.0


def _first_error(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors:
        first = errors[0]
        return str(first.get("message") if isinstance(first, dict) else first)[:200]
    if isinstance(errors, dict):
        return "; ".join(f"{k}: {v}" for k, v in errors.items())[:200]
    if isinstance(errors, str):
        return errors[:200]
    return "no details"


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _index_of(field: tuple[str, ...]) -> int | None:
    """``("input", "quantities", "2", "changeFromQuantity")`` → 2."""
    for part in field:
        if part.isdigit():
            return int(part)
    return None
