"""An async Google Calendar v3 client: batches, incremental listing, tokens, quota pacing.

* Writes go through ``POST /batch/calendar/v3`` (``multipart/mixed``, at most
  :data:`BATCH_SIZE` calls per batch — Google allows 1000 and recommends about 50).
  Every call inside a batch counts against the per-user quota (600 calls/minute), so a
  token bucket (:class:`~nexpura_desktop.sync.pacing.Pacer`) is charged per call, not per
  HTTP request, and keeps a sliding minute under the limit.
* A 401 (outer or in a part) asks the token source for a fresh token once; a second 401
  is :class:`AuthExpired`.  ``usageLimits`` 403/429 and 5xx back off and retry just the
  calls that failed; other per-call answers go back to the caller to judge.
* ``events.list`` follows ``nextPageToken``; the last page's ``nextSyncToken`` is handed
  back; a 410 on a ``syncToken`` raises :class:`SyncTokenExpired` (full resync needed).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from ...engine.errors import AuthExpired, ConfigurationError, Transient
from ...http import new_client
from ...sync.pacing import AsyncSleeper, Pacer

BATCH_SIZE = 50
MAX_BATCH = 1000
PAGE_SIZE = 2500
CALLS_PER_MINUTE = 600  # Google's per-user Calendar quota (service-apis.md §5.5)
API_PREFIX = "/calendar/v3"
RETRYABLE = frozenset({500, 502, 503, 504})

TokenSource = Callable[[bool], Awaitable[str]]  # force_refresh -> access token


class SyncTokenExpired(Exception):
    """Google answered 410 to a ``syncToken``: the stored token is useless, resync fully."""


@dataclass
class Call:
    method: str
    path: str  # below /calendar/v3, e.g. /calendars/{cid}/events
    body: dict[str, Any] | None = None


@dataclass
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        errors = (self.body.get("error") or {}).get("errors") or [{}]
        return str(errors[0].get("reason") or "")

    @property
    def message(self) -> str:
        return str((self.body.get("error") or {}).get("message") or f"HTTP {self.status}")


def calendar_path(calendar_id: str, event_id: str | None = None) -> str:
    base = f"/calendars/{quote(calendar_id, safe='@.')}/events"
    return f"{base}/{quote(event_id, safe='')}" if event_id else base


def _throttle(status: int, body: dict[str, Any]) -> bool:
    errors = (body.get("error") or {}).get("errors") or [{}]
    domain = str(errors[0].get("domain") or "")
    return status == 429 or (status == 403 and domain == "usageLimits")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def compact(path: str) -> str:
    """``path`` asking for compact JSON (``prettyPrint=false``, a standard Google API
    parameter): the indented default costs both sides time and bytes on every answer."""
    return f"{path}{'&' if '?' in path else '?'}prettyPrint=false"


def encode_batch(calls: Sequence[Call], boundary: str) -> bytes:
    out: list[bytes] = []
    for i, call in enumerate(calls):
        body = b"" if call.body is None else json.dumps(call.body).encode()
        head = (
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <item{i}>\r\n\r\n"
            f"{call.method} {API_PREFIX}{compact(call.path)} HTTP/1.1\r\n"
        )
        if call.body is not None:
            head += "Content-Type: application/json; charset=UTF-8\r\n"
            head += f"Content-Length: {len(body)}\r\n"
        out.append(head.encode() + b"\r\n" + body + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def _head_and_rest(blob: bytes) -> tuple[list[str], bytes]:
    blob = blob.lstrip(b"\r\n")
    head, found, rest = blob.partition(b"\r\n\r\n")
    if not found:
        head, found, rest = blob.partition(b"\n\n")
    return head.decode("latin-1").splitlines(), rest


def decode_batch(content_type: str, raw: bytes, count: int) -> list[Answer]:
    """One :class:`Answer` per call, matched by ``Content-ID`` (else by position)."""
    marker = "boundary="
    if marker not in content_type:
        raise Transient("Google answered a batch without a multipart body")
    boundary = content_type.split(marker, 1)[1].split(";")[0].strip().strip('"')
    answers: list[Answer | None] = [None] * count
    for position, chunk in enumerate(raw.split(b"--" + boundary.encode())[1:]):
        if chunk.startswith(b"--"):
            break
        mime, message = _head_and_rest(chunk)
        index = position
        for line in mime:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-id":
                digits = value.strip().strip("<>").removeprefix("response-").removeprefix("item")
                if digits.isdigit():
                    index = int(digits)
        lines, body = _head_and_rest(message)
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            status = 502
        if 0 <= index < count:
            answers[index] = Answer(status, _json(body.rstrip(b"\r\n")))
    return [a if a is not None else Answer(502, {}) for a in answers]


class CalendarClient:
    """One run's client; ``on_request`` counts HTTP requests, ``on_wait`` shows pacing."""

    def __init__(
        self,
        api_origin: str,
        token: TokenSource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        sleep: AsyncSleeper | None = None,
        cancel: threading.Event | None = None,
        on_request: Callable[[int], None] | None = None,
        bucket: float = float(BATCH_SIZE),
    ) -> None:
        self._origin = api_origin.rstrip("/")
        self._token = token
        self._pacer = pacer or default_pacer()
        self._bucket = bucket  # the pacer's burst: the most one wait may take
        self._sleep = sleep
        self._cancel = cancel
        self._on_request = on_request
        self._http = new_client(transport=transport, timeout=60.0)
        self.calls_sent = 0

    async def __aenter__(self) -> CalendarClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def _wait(self, cost: float) -> None:
        if self._sleep is not None:
            await self._pacer.wait_async(cost, cancel=self._cancel, sleep=self._sleep)
        else:
            await self._pacer.wait_async(cost, cancel=self._cancel)

    async def _charge(self, calls: int) -> None:
        """Take ``calls`` from the bucket, a bucketful at a time (a batch may exceed it)."""
        left = float(calls)
        while left > 0:
            step = min(left, self._bucket)
            await self._wait(step)
            left -= step

    async def _send(self, request: Callable[[str], Awaitable[httpx.Response]]) -> httpx.Response:
        """One HTTP request with token refresh, throttle backoff and 5xx retries."""
        refreshed = False
        while True:
            token = await self._token(False)
            try:
                response = await request(token)
            except httpx.HTTPError:
                self._count()
                await self._backoff(503, None)  # unreachable: retried like a 503
                continue
            self._count()
            if response.status_code == 401:
                if refreshed:
                    raise AuthExpired("Google no longer accepts the sign-in")
                await self._token(True)
                refreshed = True
                continue
            body = _json(response.content) if response.status_code >= 400 else {}
            if _throttle(response.status_code, body) or response.status_code in RETRYABLE:
                await self._backoff(response.status_code, response.headers.get("retry-after"))
                continue
            self._pacer.succeeded()
            return response

    def _count(self) -> None:
        if self._on_request is not None:
            self._on_request(1)

    async def _backoff(self, status: int | None, retry_after: str | None) -> None:
        code = 429 if status in (403, 429) else status
        self._pacer.backoff(code, retry_after if code == 429 else None)
        await self._wait(0.0)  # the pacer now holds the backoff; wait it out, no extra cost

    # -- calls ----------------------------------------------------------------------------
    async def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        await self._wait(1)

        async def go(token: str) -> httpx.Response:
            return await self._http.get(
                f"{self._origin}{API_PREFIX}{path}",
                params={**(params or {}), "prettyPrint": "false"},
                headers={"Authorization": f"Bearer {token}"},
            )

        response = await self._send(go)
        return Answer(response.status_code, _json(response.content))

    async def batch(self, calls: Sequence[Call]) -> list[Answer]:
        """Run ``calls`` (≤ 1000) as one batch; throttled/5xx/401 parts are retried."""
        if len(calls) > MAX_BATCH:
            raise ValueError(f"a Google batch holds at most {MAX_BATCH} calls")
        answers: list[Answer | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        refreshed = False
        while pending:
            await self._charge(len(pending))
            got = await self._batch_once([calls[i] for i in pending])
            retry: list[int] = []
            throttled = server = unauthorised = False
            for i, answer in zip(pending, got, strict=True):
                if answer.status == 401:
                    unauthorised = True
                    retry.append(i)
                elif _throttle(answer.status, answer.body):
                    throttled = True
                    retry.append(i)
                elif answer.status in RETRYABLE:
                    server = True
                    retry.append(i)
                else:
                    answers[i] = answer
            if unauthorised:
                if refreshed:
                    raise AuthExpired("Google no longer accepts the sign-in")
                await self._token(True)
                refreshed = True
            if len(retry) < len(pending):
                self._pacer.succeeded()  # progress: the backoff starts small again
            if throttled or server:
                # Raises Throttled/Transient once rounds without progress pile up.
                await self._backoff(429 if throttled else 503, None)
            pending = retry
        return [a if a is not None else Answer(502) for a in answers]

    async def _batch_once(self, calls: Sequence[Call]) -> list[Answer]:
        boundary = "nexpura_" + secrets.token_hex(8)
        payload = encode_batch(calls, boundary)

        async def go(token: str) -> httpx.Response:
            return await self._http.post(
                f"{self._origin}/batch/calendar/v3",
                content=payload,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": f"multipart/mixed; boundary={boundary}",
                },
            )

        response = await self._send(go)
        if response.status_code != 200:
            answer = Answer(response.status_code, _json(response.content))
            raise Transient(f"Google refused a batch: {answer.message}")
        self.calls_sent += len(calls)
        return decode_batch(response.headers.get("content-type", ""), response.content, len(calls))

    async def event_pages(
        self, calendar_id: str, sync_token: str | None
    ) -> AsyncIterator[tuple[list[dict[str, Any]], str | None]]:
        """Pages of events (deleted ones included); the last page's sync token with it."""
        page_token: str | None = None
        while True:
            params = {"maxResults": str(PAGE_SIZE), "showDeleted": "true"}
            if sync_token:
                params["syncToken"] = sync_token
            if page_token:
                params["pageToken"] = page_token
            answer = await self.get(calendar_path(calendar_id), params)
            if answer.status == 410 and sync_token:
                raise SyncTokenExpired
            if answer.status == 404:
                raise ConfigurationError(
                    f"the Google calendar {calendar_id} is gone or not shared with this account;"
                    " choose the calendar again"
                )
            if answer.status >= 400:
                raise Transient(f"Google refused to list events: {answer.message}")
            items = [e for e in answer.body.get("items") or [] if isinstance(e, dict)]
            page_token = answer.body.get("nextPageToken")
            next_sync = answer.body.get("nextSyncToken")
            yield items, (str(next_sync) if next_sync and not page_token else None)
            if not page_token:
                return

    async def calendar_time_zone(self, calendar_id: str) -> str | None:
        answer = await self.get(f"/users/me/calendarList/{quote(calendar_id, safe='@.')}")
        return str(answer.body.get("timeZone") or "") or None if answer.status == 200 else None


def default_pacer(calls_per_minute: int = CALLS_PER_MINUTE, **kw: Any) -> Pacer:
    """A bucket that can never put more than ``calls_per_minute`` in any sliding minute.

    Burst ``B`` plus a minute's refill ``60 r`` stays ten calls under the limit (room for a
    listing call); the bucket is charged per call inside a batch.
    """
    burst = bucket_size(calls_per_minute)
    rate = max((_budget(calls_per_minute) - burst) / 60.0, 0.01)
    return Pacer("google_calendar", rate=rate, burst=burst, max_wait=900.0, **kw)


def _budget(calls_per_minute: int) -> float:
    return max(calls_per_minute - 10, 1) * 1.0


def bucket_size(calls_per_minute: int = CALLS_PER_MINUTE) -> float:
    """The burst of :func:`default_pacer`: one batch (a twelfth of a larger budget)."""
    budget = _budget(calls_per_minute)
    return max(min(float(BATCH_SIZE), budget), budget / 12)
