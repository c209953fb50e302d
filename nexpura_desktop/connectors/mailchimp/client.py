"""An async Mailchimp Marketing API 3.0 client: auth, the connection cap, backoff, errors.

* The data centre comes from the key's ``-us21`` suffix (real host
  ``https://{dc}.api.mailchimp.com/3.0``); a configured base URL replaces it (sandbox).
* HTTP Basic with any user name and the key as password (service-apis.md §3.1).
* Mailchimp's only limit is 10 simultaneous connections per user, answered with 429 and
  no ``Retry-After`` (§3.6): a semaphore keeps at most ``max_connections`` (≤ 10) requests
  in flight, and a 429 or 5xx backs off exponentially with jitter through the service's
  :class:`~nexpura_desktop.sync.pacing.Pacer` (which turns "too long" into ``Throttled``).
* problem+json errors become engine errors: 401 → reconnect, 403 → configuration, other
  4xx → :class:`MailchimpProblem` for the caller to classify per record.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import httpx

from ...engine.errors import AuthExpired, ConfigurationError, RecordError, Transient
from ...http import RequestSlots, new_client
from ...sync.pacing import AsyncSleeper, Pacer

MAX_CONNECTIONS = 10  # Mailchimp's per-user cap (§3.6)
BATCH_LIMIT = 500  # members per batch-subscribe call (§3.4)
PAGE_SIZE = 1000  # the largest ``count`` Mailchimp serves (§3.2)
_DC_RE = re.compile(r"^[a-z]+[0-9]+$")


def data_centre(api_key: str) -> str:
    """The key's data centre (``…-us21`` → ``us21``), or a configuration error."""
    parts = api_key.strip().split("-")
    if len(parts) != 2 or not parts[0] or not _DC_RE.match(parts[1]):
        raise ConfigurationError(
            "the Mailchimp API key does not end in a data centre such as -us21; "
            "copy the whole key from Mailchimp (Account › Extras › API keys)"
        )
    return parts[1]


def api_root(api_key: str, base_url: str | None = None) -> str:
    """``https://{dc}.api.mailchimp.com/3.0``, or the configured (sandbox) base URL."""
    dc = data_centre(api_key)
    return base_url.rstrip("/") if base_url else f"https://{dc}.api.mailchimp.com/3.0"


class MailchimpProblem(RecordError):
    """A 4xx problem document that is about the request, not the account."""

    def __init__(self, status: int, title: str, detail: str, errors: Any = None) -> None:
        super().__init__(f"{title}: {detail}" if detail else title)
        self.status, self.title, self.problem_detail = status, title, detail
        self.errors = errors if isinstance(errors, list) else []


def _problem(response: httpx.Response) -> tuple[str, str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", "", None
    return str(body.get("title") or ""), str(body.get("detail") or ""), body.get("errors")


class MailchimpClient:
    """Use as ``async with MailchimpClient(key, …) as mc:``; every call is one request."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = MAX_CONNECTIONS,
        pacer: Pacer | None = None,
        sleep: AsyncSleeper = asyncio.sleep,
        cancel: threading.Event | None = None,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        if not 1 <= max_connections <= MAX_CONNECTIONS:
            raise ValueError(f"max_connections must be 1..{MAX_CONNECTIONS}")
        self.root = api_root(api_key, base_url)
        self._http = new_client(
            base_url=self.root,
            transport=transport,
            auth=httpx.BasicAuth("nexpura-desktop", api_key.strip()),
            timeout=httpx.Timeout(130.0, connect=10.0),  # Mailchimp's own limit is ~120 s
        )
        self._slots = RequestSlots(max_connections, on_request)
        self._pacer = pacer or Pacer(
            "mailchimp", rate=1e6, burst=1e6, base_backoff=0.5, max_backoff=30.0, max_retries=8
        )
        self._sleep = sleep
        self._cancel = cancel

    @property
    def requests(self) -> int:
        """Every attempt this client sent, retries included."""
        return self._slots.requests

    @property
    def peak_in_flight(self) -> int:
        return self._slots.peak_in_flight

    async def __aenter__(self) -> MailchimpClient:
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
    ) -> Any:
        """The JSON answer (``None`` for 204); retries 429/5xx/network failures."""
        while True:
            await self._pacer.wait_async(cancel=self._cancel, sleep=self._sleep)
            try:
                response = await self._slots.send(
                    self._http, method, path, params=params, json=json
                )
            except httpx.TransportError as exc:
                self._retry_later(None, f"the connection failed ({type(exc).__name__})")
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                self._retry_later(status, f"Mailchimp kept answering HTTP {status}")
                continue
            if status < 300:
                if status == 204 or not response.content:
                    self._pacer.succeeded()
                    return None
                try:
                    body = response.json()
                except ValueError:
                    self._retry_later(status, "Mailchimp sent an answer that is not JSON")
                    continue
                self._pacer.succeeded()
                return body
            raise self._error(response)

    def _retry_later(self, status: int | None, why: str) -> None:
        """Impose a backoff (the next ``wait_async`` sleeps it), or give up clearly."""
        try:
            self._pacer.backoff(429 if status == 429 else (status or 503))
        except Transient as exc:
            if status == 429:
                raise
            raise Transient(why) from exc

    @staticmethod
    def _error(response: httpx.Response) -> Exception:
        status = response.status_code
        title, detail, errors = _problem(response)
        if status == 401:
            return AuthExpired("Mailchimp no longer accepts the API key")
        if status == 403:
            return ConfigurationError(
                f"Mailchimp refused access ({title or 'Forbidden'}); check the account and key"
            )
        return MailchimpProblem(status, title or f"HTTP {status}", detail, errors)

    # -- endpoints -------------------------------------------------------------------------
    async def get_audience(self, list_id: str) -> dict[str, Any]:
        """The audience, or a configuration error when it no longer exists."""
        try:
            body = await self.request(
                "GET", f"/lists/{list_id}", params={"fields": "id,name,stats.member_count"}
            )
        except MailchimpProblem as exc:
            if exc.status == 404:
                raise ConfigurationError(
                    f"the Mailchimp audience {list_id} no longer exists; choose the audience again"
                ) from None
            raise
        return dict(body or {})

    async def audiences(self) -> list[tuple[str, str]]:
        """Every audience of the account as ``(id, name)``, for the owner to choose from."""
        body = await self.request(
            "GET", "/lists", params={"count": 1000, "fields": "lists.id,lists.name"}
        )
        return [
            (str(a["id"]), str(a.get("name") or a["id"]))
            for a in (body or {}).get("lists") or []
            if a.get("id")
        ]

    async def batch_subscribe(
        self, list_id: str, members: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """``POST /lists/{id}`` with ≤ 500 members and ``update_existing`` (§3.4)."""
        if len(members) > BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {BATCH_LIMIT} members")
        fields = (
            "new_members.email_address,new_members.status,new_members.last_changed,"
            "updated_members.email_address,updated_members.status,updated_members.last_changed,"
            "errors,error_count"
        )
        body = await self.request(
            "POST",
            f"/lists/{list_id}",
            params={"fields": fields},
            json={"members": list(members), "update_existing": True},
        )
        return dict(body or {})

    async def set_tags(self, list_id: str, member_hash: str, tags: list[dict[str, str]]) -> None:
        """Activate/deactivate tags on one member (204); automations are not triggered."""
        await self.request(
            "POST",
            f"/lists/{list_id}/members/{member_hash}/tags",
            json={"tags": tags, "is_syncing": True},
        )

    async def member_pages(
        self,
        list_id: str,
        *,
        status: str | None = None,
        since_last_changed: str | None = None,
        fields: str = (
            "members.email_address,members.status,members.last_changed,"
            "members.unsubscribe_reason,members.merge_fields,total_items"
        ),
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The audience's members, a page (≤ 1000) at a time."""
        offset = 0
        while True:
            params: dict[str, str | int] = {"count": PAGE_SIZE, "offset": offset, "fields": fields}
            if status is not None:
                params["status"] = status
            if since_last_changed is not None:
                params["since_last_changed"] = since_last_changed
            body = await self.request("GET", f"/lists/{list_id}/members", params=params)
            members = list((body or {}).get("members") or [])
            total = int((body or {}).get("total_items") or 0)
            if members:
                yield members
            offset += len(members)
            if not members or offset >= total:
                return
