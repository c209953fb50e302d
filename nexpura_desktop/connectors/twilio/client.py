"""An async client for Twilio Programmable Messaging (2010-04-01) and the Content API.

* HTTP Basic with the Account SID and Auth Token, or an API key (service-apis.md §6.1).
* ``send`` posts one message; Twilio's synchronous refusals (21211, 21610, 63007, …) come
  back as :class:`TwilioRefused` with the numeric code for the caller to route on.
* 429 / 20429 ("not processed, safe to retry") and 5xx back off and retry a few times,
  then become :class:`~nexpura_desktop.engine.errors.Transient`; 401 is ``AuthExpired``.
* Per-sender pacing: Twilio queues messages beyond a sender's MPS; a :class:`SenderPacer`
  spaces sends so none has to queue (and none is refused where the account rejects
  over-rate sends).  Time is injected so the sandbox clock and tests never sleep for real.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx

from ...engine.errors import AuthExpired, Transient
from ...http import new_client

API_VERSION = "2010-04-01"
PAGE_SIZE = 100
RETRIES = 6
GUARD = 0.001  # seconds added to each gap: request latency varies by a millisecond or so
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class TwilioRefused(Exception):
    """Twilio answered a request with a 4xx error body (``code`` is Twilio's error code)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"Twilio error {code}: {message}")
        self.status, self.code, self.text = status, code, message


class SenderPacer:
    """Spaces requests per sender to ``mps`` messages per second (a leaky bucket)."""

    def __init__(self, mps: Mapping[str, float], *, clock: Clock, sleep: Sleep) -> None:
        self._mps = dict(mps)
        self._next: dict[str, float] = {}
        self._clock, self._sleep = clock, sleep
        self._lock = asyncio.Lock()

    def rate(self, sender: str) -> float | None:
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        return self._mps.get(sender) or self._mps.get(channel)

    async def wait(self, sender: str, units: int = 1) -> None:
        """Wait for the sender's slot; ``units`` is the message's segment count."""
        mps = self.rate(sender)
        if not mps:
            return
        gap = max(1, units) / mps + GUARD
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(sender, now))
            self._next[sender] = slot + gap
        if slot > now:
            await self._sleep(slot - now)
        # Measure the next gap from when this send really goes out: a sleep that ran late
        # (a busy machine) would otherwise leave the next send less than a gap behind it.
        sent = self._clock()
        async with self._lock:
            self._next[sender] = max(self._next[sender], sent + gap)

    def early(self, sender: str, tries: int) -> float:
        """A 429 for this sender: the send was slightly early.  Returns how long to wait
        before retrying it; the sender's later slots move by the same amount."""
        mps = self.rate(sender) or 1.0
        later: float = min(30.0, float(2**tries) * 0.25 / mps)
        now = self._clock()
        self._next[sender] = max(self._next.get(sender, now), now) + later
        return later


class TwilioClient:
    def __init__(
        self,
        account_sid: str,
        username: str,
        password: str,
        *,
        base_url: str = "https://api.twilio.com",
        content_base_url: str = "https://content.twilio.com",
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: SenderPacer | None = None,
        sleep: Sleep = asyncio.sleep,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        self.account_sid = account_sid
        self._api = f"{base_url.rstrip('/')}/{API_VERSION}/Accounts/{account_sid}"
        self._content = content_base_url.rstrip("/")
        self._http = new_client(transport=transport, auth=httpx.BasicAuth(username, password))
        self._pacer = pacer
        self._sleep = sleep
        self._on_request = on_request

    async def __aenter__(self) -> TwilioClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- requests ----------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        sender: str = "",
        units: int = 1,
    ) -> dict[str, Any]:
        delay = 0.5
        paced = False
        for attempt in range(RETRIES + 1):
            if sender and self._pacer is not None and not paced:
                await self._pacer.wait(sender, units)
                paced = True
            if self._on_request is not None:
                self._on_request()
            try:
                response = await self._http.request(method, url, data=data)
            except httpx.TransportError as exc:
                if method != "GET" or attempt == RETRIES:
                    # A POST whose answer was lost may have been processed: never resend here.
                    raise Transient(f"Twilio could not be reached: {exc}") from None
                await self._sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                if attempt == RETRIES:
                    raise Transient(f"Twilio is busy (HTTP {status}); the send will be retried")
                if status == 429 and sender and self._pacer is not None:
                    await self._sleep(self._pacer.early(sender, attempt))
                else:
                    await self._sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            body = _json(response)
            if status == 401:
                raise AuthExpired("Twilio refused the credentials; connect Twilio again")
            if status >= 400:
                code = body.get("code")
                raise TwilioRefused(
                    status,
                    int(code) if isinstance(code, int) else status,
                    str(body.get("message") or response.reason_phrase),
                )
            return body
        raise AssertionError("unreachable")

    async def send(
        self,
        to: str,
        from_: str,
        *,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Create one message (``from_`` a number, ``whatsapp:+…`` or an ``MG…`` service)."""
        form: dict[str, str] = {"To": to}
        if from_.startswith("MG"):
            form["MessagingServiceSid"] = from_
        else:
            form["From"] = from_
        if content_sid:
            form["ContentSid"] = content_sid
            form["ContentVariables"] = json.dumps(dict(content_variables or {}))
        else:
            form["Body"] = body or ""
        units = 1 if content_sid or to.startswith("whatsapp:") else segments(body or "")
        return await self._request(
            "POST", f"{self._api}/Messages.json", data=form, sender=from_, units=units
        )

    async def fetch(self, sid: str) -> dict[str, Any]:
        return await self._request("GET", f"{self._api}/Messages/{sid}.json")

    async def message_pages(
        self, *, to: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Messages newest first, one page at a time."""
        query = urlencode({"PageSize": page_size, **({"To": to} if to else {})})
        url: str | None = f"{self._api}/Messages.json?{query}"
        root = self._api.split(f"/{API_VERSION}/")[0]
        while url is not None:
            page = await self._request("GET", url)
            yield list(page.get("messages") or [])
            nxt = page.get("next_page_uri")
            url = f"{root}{nxt}" if isinstance(nxt, str) and nxt else None

    async def contents(self) -> list[dict[str, Any]]:
        """The account's Content templates (first 1000)."""
        page = await self._request("GET", f"{self._content}/v1/Content?PageSize=1000")
        return list(page.get("contents") or [])


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def segments(body: str) -> int:
    """SMS segments Twilio bills and paces: GSM-7 160/153, otherwise UCS-2 70/67."""
    if all(ch in GSM7 for ch in body):
        size = sum(2 if ch in "^{}\\[~]|€" else 1 for ch in body)
        return 1 if size <= 160 else -(-size // 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)
