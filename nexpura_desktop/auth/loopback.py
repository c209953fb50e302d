"""Receives the OAuth redirect on a loopback address (RFC 8252 §7.3).

The lessons of comparable tools (reference/prior-art.md B, C1) shape it:

* bind ``127.0.0.1`` only — never all interfaces; an ephemeral port where the provider
  accepts any port, else the first free port of a registered list;
* answer 404 to stray requests (favicon, prefetch) and keep listening until the real
  callback, a timeout or a Cancel — the first browser hit does not decide the outcome;
* refuse a ``Host`` header that is not the loopback address (DNS-rebinding pages);
* check ``state`` in constant time; turn ``error=access_denied`` and any other error into
  a clear message; close the listener at once afterwards;
* the browser gets an HTML-escaped result page.

It is plain asyncio, so it runs on the GUI's qasync loop or under ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import string
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ..errors import UserError
from ..resource_files import read_text
from .pkce import same_state

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
DEFAULT_TIMEOUT_S = 300.0
_MAX_REQUEST_BYTES = 16 * 1024
# POSIX: SO_REUSEADDR only lets a new listener bind past the previous attempt's TIME_WAIT
# sockets (a retry on the same registered port); two listeners still cannot share a port.
# Windows: SO_REUSEADDR would let a second listener steal the port, so never there.
_REUSE_ADDRESS = os.name != "nt"

ERROR_WORDS = {
    "access_denied": "you declined access, so nothing was connected",
    "consent_required": "the service needs you to approve access again",
    "invalid_scope": "the service refused the permissions the app asked for",
    "unauthorized_client": "the service does not recognise this app registration",
    "server_error": "the service had a problem; try again in a few minutes",
    "temporarily_unavailable": "the service is busy; try again in a few minutes",
}


class OAuthFlowError(UserError):
    """A sign-in attempt ended without a usable authorisation code."""


class AccessDenied(OAuthFlowError):
    pass


class StateMismatch(OAuthFlowError):
    pass


class FlowTimeout(OAuthFlowError):
    pass


class FlowCancelled(OAuthFlowError):
    pass


class PortsBusy(OAuthFlowError):
    pass


@dataclass(frozen=True)
class Callback:
    """What arrived on the redirect: every query parameter (first value of each)."""

    params: dict[str, str]

    @property
    def code(self) -> str:
        return self.params["code"]


def _result_page(title: str, message: str, ok: bool) -> bytes:
    template_text = _template()
    page = string.Template(template_text).safe_substitute(
        title=html.escape(title),
        message=html.escape(message),
        css="ok" if ok else "fail",
    )
    return page.encode("utf-8")


def _template() -> str:
    return read_text(
        "oauth_result.html", "<!doctype html><title>$title</title><h1>$title</h1><p>$message</p>"
    )


class LoopbackReceiver:
    """One sign-in attempt's listener.  Use as ``async with``; call :meth:`wait`."""

    def __init__(
        self,
        *,
        ports: Sequence[int] = (0,),
        path: str = "/callback",
        host_name: str = LOOPBACK,
        service_label: str = "the service",
    ) -> None:
        self.ports = list(ports) or [0]
        self.path = path
        self.host_name = host_name  # what goes in redirect_uri: 127.0.0.1 or localhost
        self.service_label = service_label
        self.port = 0
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[Callback] | None = None
        self._expected_state = ""
        self.stray_requests = 0

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host_name}:{self.port}{self.path}"

    def bound_addresses(self) -> list[str]:
        """The addresses the listener is bound to (only ever the loopback address)."""
        if self._server is None:
            return []
        return sorted({str(s.getsockname()[0]) for s in self._server.sockets})

    async def __aenter__(self) -> LoopbackReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._result = asyncio.get_running_loop().create_future()
        last_error: OSError | None = None
        for port in self.ports:
            try:
                self._server = await asyncio.start_server(
                    self._handle, host=LOOPBACK, port=port, reuse_address=_REUSE_ADDRESS
                )
            except OSError as exc:
                last_error = exc
                continue
            self.port = int(self._server.sockets[0].getsockname()[1])
            return
        listed = ", ".join(str(p) for p in self.ports)
        raise PortsBusy(
            f"cannot receive the sign-in: ports {listed} on this PC are all in use "
            f"({last_error.strerror if last_error else 'busy'}); close the program using them "
            "or register another port"
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def cancel(self) -> None:
        """The user pressed Cancel (safe to call from the loop's thread)."""
        if self._result is not None and not self._result.done():
            self._result.set_exception(FlowCancelled("sign-in cancelled; nothing was connected"))

    async def wait(self, expected_state: str, timeout: float = DEFAULT_TIMEOUT_S) -> Callback:
        """The callback's parameters once a valid redirect arrives (then the port is closed)."""
        assert self._result is not None, "start() first"
        self._expected_state = expected_state
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except TimeoutError:
            raise FlowTimeout(
                f"no answer from {self.service_label} within {int(timeout // 60) or 1} minutes; "
                "start the sign-in again (if the browser did not open, use Copy link)"
            ) from None
        finally:
            await self.close()

    # -- HTTP -------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            writer.close()
            return
        if len(head) > _MAX_REQUEST_BYTES:
            await self._respond(
                writer, 431, "Request too large", "The request was too large.", False
            )
            return
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            await self._respond(
                writer, 400, "Bad request", "The request was not understood.", False
            )
            return
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        if headers.get("host", "").lower() not in self._allowed_hosts():
            await self._respond(
                writer, 421, "Wrong address", "This address is not served here.", False
            )
            return
        url = urlsplit(target)
        if method != "GET" or url.path != self.path:
            self.stray_requests += 1
            await self._respond(writer, 404, "Not found", "Nothing here.", False)
            return
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        outcome = self._judge(params)
        if isinstance(outcome, OAuthFlowError):
            await self._respond(writer, 400, "Not connected", str(outcome), False)
            self._finish(exception=outcome)
        else:
            await self._respond(
                writer,
                200,
                "Signed in",
                f"Nexpura Desktop received the sign-in from {self.service_label}.",
                True,
            )
            self._finish(result=outcome)

    def _allowed_hosts(self) -> set[str]:
        return {f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"}

    def _judge(self, params: dict[str, str]) -> Callback | OAuthFlowError:
        if "error" in params:
            code = params["error"]
            words = ERROR_WORDS.get(code, f"{self.service_label} reported an error ({code})")
            detail = params.get("error_description")
            message = f"{self.service_label}: {words}" + (f" ({detail})" if detail else "")
            if not same_state(self._expected_state, params.get("state")):
                return StateMismatch(
                    "the sign-in answer did not match this attempt; start the sign-in again"
                )
            return AccessDenied(message) if code == "access_denied" else OAuthFlowError(message)
        if not same_state(self._expected_state, params.get("state")):
            return StateMismatch(
                "the sign-in answer did not match this attempt (it may be from an older tab); "
                "start the sign-in again"
            )
        if not params.get("code"):
            return OAuthFlowError(
                f"{self.service_label} sent no authorisation code; start the sign-in again"
            )
        return Callback(params)

    def _finish(
        self, *, result: Callback | None = None, exception: OAuthFlowError | None = None
    ) -> None:
        if self._result is None or self._result.done():
            return
        if exception is not None:
            self._result.set_exception(exception)
        else:
            assert result is not None
            self._result.set_result(result)

    @staticmethod
    async def _respond(
        writer: asyncio.StreamWriter, status: int, title: str, message: str, ok: bool
    ) -> None:
        body = _result_page(title, message, ok)
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 421: "Misdirected Request",
                  431: "Request Header Fields Too Large"}.get(status, "Error")  # fmt: skip
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "Connection: close\r\n\r\n"
        ).encode("ascii")
        try:
            writer.write(head + body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
