"""An async client for Xero's Accounting API: bearer + tenant, Xero's limits, errors.

* Every call sends ``Authorization: Bearer …`` from a token provider (the connection's
  :class:`~nexpura_desktop.auth.tokens.TokenManager` in the app), ``xero-tenant-id`` and
  ``Accept: application/json`` (Xero answers XML otherwise, service-apis.md §4.2).
* Limits (§4.6): a semaphore keeps ≤ 5 calls in flight; a token bucket of 60 per minute is
  corrected by every answer's ``X-MinLimit-Remaining`` (and stops at ``X-DayLimit-Remaining``
  0); a 429 waits its ``Retry-After`` (a day-limit 429 ends the run with "resuming at …").
* 401 → one forced token refresh, then :class:`AuthExpired`; 403 → configuration (wrong
  organisation or missing scope); 5xx/network → backoff; a 400 is returned to the caller
  as :class:`XeroProblem` (validation is per record).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import httpx

from ...engine.errors import AuthExpired, ConfigurationError, RecordError, Throttled, Transient
from ...http import RequestSlots, new_client
from ...sync.pacing import AsyncSleeper, Pacer
from .mapping import BATCH_LIMIT

MAX_CONCURRENT = 5
PER_MINUTE = 60
CONTACT_PAGE = 1000


class TokenProvider(Protocol):
    def __call__(self, *, force_refresh: bool = False) -> Awaitable[str]: ...


class XeroProblem(RecordError):
    """A 4xx answer about the request itself (validation, bad query, key reuse)."""

    def __init__(self, status: int, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.status, self.body = status, body


def _message(response: httpx.Response) -> tuple[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or f"HTTP {response.status_code}", None
    if isinstance(body, dict):
        text = body.get("Message") or body.get("Detail") or body.get("Title") or ""
        return str(text) or f"HTTP {response.status_code}", body
    return f"HTTP {response.status_code}", body


class XeroClient:
    """Use as ``async with XeroClient(api, tenant, tokens) as xc:``."""

    def __init__(
        self,
        api_base: str,
        tenant_id: str,
        tokens: TokenProvider,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_concurrent: int = MAX_CONCURRENT,
        pacer: Pacer | None = None,
        sleep: AsyncSleeper = asyncio.sleep,
        cancel: threading.Event | None = None,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        if not 1 <= max_concurrent <= MAX_CONCURRENT:
            raise ValueError(f"max_concurrent must be 1..{MAX_CONCURRENT}")
        if not tenant_id:
            raise ConfigurationError("no Xero organisation is chosen; connect Xero again")
        self.tenant_id = tenant_id
        self._tokens = tokens
        self._http = new_client(
            base_url=api_base.rstrip("/"),
            transport=transport,
            headers={"Accept": "application/json", "xero-tenant-id": tenant_id},
            timeout=httpx.Timeout(120.0, connect=10.0),
        )
        self._slots = RequestSlots(max_concurrent, on_request)
        self._pacer = pacer or Pacer(
            "xero",
            rate=PER_MINUTE / 60.0,
            burst=float(PER_MINUTE),
            base_backoff=1.0,
            max_backoff=60.0,
            max_wait=120.0,
            max_retries=8,
        )
        self._sleep = sleep
        self._cancel = cancel
        self.throttled = 0

    @property
    def requests(self) -> int:
        """Every attempt this client sent, retries included."""
        return self._slots.requests

    @property
    def peak_in_flight(self) -> int:
        return self._slots.peak_in_flight

    async def __aenter__(self) -> XeroClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    # -- the one way requests are made ----------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        refreshed = False
        while True:
            await self._pacer.wait_async(cancel=self._cancel, sleep=self._sleep)
            token = await self._tokens(force_refresh=False)
            headers = {"Authorization": f"Bearer {token}"}
            if idempotency_key is not None:
                headers["Idempotency-Key"] = idempotency_key
            try:
                response = await self._slots.send(
                    self._http, method, path, params=params, json=json, headers=headers
                )
            except httpx.TransportError as exc:
                self._retry_later(None, None, f"the connection failed ({type(exc).__name__})")
                continue
            self._read_limits(response)
            status = response.status_code
            if status == 401 and not refreshed:
                refreshed = True
                await self._tokens(force_refresh=True)
                continue
            if status == 429 or status >= 500:
                self.throttled += status == 429
                self._retry_later(status, response, f"Xero kept answering HTTP {status}")
                continue
            if status < 300:
                try:
                    body = response.json()
                except ValueError:
                    self._retry_later(status, None, "Xero sent an answer that is not JSON")
                    continue
                self._pacer.succeeded()
                return body
            raise self._error(response)

    def _read_limits(self, response: httpx.Response) -> None:
        left = response.headers.get("X-MinLimit-Remaining")
        if left is not None and left.strip().isdigit():
            self._pacer.set_available(float(left))
        day = response.headers.get("X-DayLimit-Remaining")
        if day is not None and day.strip() == "0" and response.status_code < 300:
            self._pacer.set_available(-1e9)  # nothing more today: the next wait says so

    def _retry_later(self, status: int | None, response: httpx.Response | None, why: str) -> None:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        problem = response.headers.get("X-Rate-Limit-Problem") if response is not None else None
        try:
            self._pacer.backoff(429 if status == 429 else (status or 503), retry_after)
        except Throttled as exc:
            if problem == "day":
                raise Throttled(
                    "Xero's daily limit of 5,000 calls for this organisation is used up",
                    resume_at=exc.resume_at,
                ) from None
            raise
        except Transient as exc:
            raise Transient(why) from exc

    @staticmethod
    def _error(response: httpx.Response) -> Exception:
        status = response.status_code
        message, body = _message(response)
        if status == 401:
            return AuthExpired("Xero no longer accepts the sign-in; connect Xero again")
        if status == 403:
            return ConfigurationError(
                "Xero refused access to the organisation (it may have been disconnected, or "
                "the sign-in lacks invoice/contact permissions); connect Xero again"
            )
        return XeroProblem(status, message, body)

    # -- endpoints -------------------------------------------------------------------------
    async def accounts(self) -> list[dict[str, Any]]:
        body = await self.request("GET", "/Accounts")
        return list((body or {}).get("Accounts") or [])

    async def tax_rates(self) -> list[dict[str, Any]]:
        body = await self.request("GET", "/TaxRates")
        return list((body or {}).get("TaxRates") or [])

    async def contact_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        page = 1
        while True:
            body = await self.request(
                "GET", "/Contacts", params={"page": page, "pageSize": CONTACT_PAGE}
            )
            rows = list((body or {}).get("Contacts") or [])
            if rows:
                yield rows
            if len(rows) < CONTACT_PAGE:
                return
            page += 1

    async def create_contacts(
        self, contacts: Sequence[Mapping[str, Any]], key: str
    ) -> list[dict[str, Any]]:
        """``PUT /Contacts?summarizeErrors=false`` (≤ 50); results in the order sent."""
        if len(contacts) > BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {BATCH_LIMIT} contacts")
        body = await self.request(
            "PUT",
            "/Contacts",
            params={"summarizeErrors": "false"},
            json={"Contacts": list(contacts)},
            idempotency_key=key,
        )
        return list((body or {}).get("Contacts") or [])

    async def save_invoices(
        self, method: str, invoices: Sequence[Mapping[str, Any]], key: str
    ) -> list[dict[str, Any]]:
        """``PUT`` (create) or ``POST`` (update) ``/Invoices?summarizeErrors=false`` (≤ 50)."""
        if len(invoices) > BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {BATCH_LIMIT} invoices")
        body = await self.request(
            method,
            "/Invoices",
            params={"summarizeErrors": "false", "unitdp": 4},
            json={"Invoices": list(invoices)},
            idempotency_key=key,
        )
        return list((body or {}).get("Invoices") or [])

    async def invoices_by(
        self, *, ids: Sequence[str] = (), numbers: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Invoices by ``IDs`` or ``InvoiceNumbers`` (≤ 50 per call), with their lines."""
        params: dict[str, str | int] = {"page": 1, "pageSize": 100}
        if ids:
            params["IDs"] = ",".join(ids)
        if numbers:
            params["InvoiceNumbers"] = ",".join(numbers)
        body = await self.request("GET", "/Invoices", params=params)
        return list((body or {}).get("Invoices") or [])
