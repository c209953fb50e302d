"""What every connect step needs: the ledger, the keyring, the endpoints and a way to ask.

The flows themselves never print or prompt: they call ``open_url`` (open the browser, or
print the link) and ``choose`` (a list, e.g. Xero organisations), so the same code runs
under the CLI, the window and the tests.  Without a ``choose`` function a question with
several answers becomes a one-line error that lists them, so scripts know what to pass.
"""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ..errors import UserError
from ..http import new_client
from ..ledger import connections
from ..ledger.db import Ledger
from ..logs import register_secret
from ..secrets import SecretStore
from .endpoints import Endpoints
from .tokens import InvalidGrant

Progress = Callable[[str, int, int | None], None]
Chooser = Callable[[str, Sequence[tuple[str, str]], str | None], str]
"""(question, [(value, label), ...], default) -> the chosen value."""

LABELS = {
    "shopify": "Shopify",
    "woocommerce": "WooCommerce",
    "mailchimp": "Mailchimp",
    "xero": "Xero",
    "google_calendar": "Google Calendar",
    "twilio": "Twilio",
}


class ConnectError(UserError):
    """Connecting failed for a reason the user can act on."""


class ChoiceNeeded(ConnectError):
    """Several answers are possible and nobody can be asked (scripts, --no-input)."""


@dataclass
class ConnectResult:
    service: str
    account: str | None
    config: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        who = f" as {self.account}" if self.account else ""
        return f"{LABELS[self.service]} connected{who}"


def _open_browser(url: str) -> None:
    webbrowser.open(url, new=1)


@dataclass
class ConnectContext:
    ledger: Ledger
    secrets: SecretStore
    endpoints: Endpoints
    transport: httpx.AsyncBaseTransport | None = None
    open_url: Callable[[str], None] = _open_browser
    choose: Chooser | None = None
    progress: Progress | None = None
    flow_timeout: float = 300.0
    clock: Callable[[], float] = time.time

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return new_client(transport=self.transport, **kwargs)

    def step(self, label: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def pick(
        self,
        question: str,
        options: Sequence[tuple[str, str]],
        *,
        given: str | None,
        default: str | None = None,
        option_name: str,
    ) -> str:
        """``given`` if it is one of ``options``; else the only one, the default or a choice."""
        listing = "; ".join(f"{label} ({value})" for value, label in options)
        if given is not None:
            for value, label in options:
                if given == value or given.casefold() == label.casefold():
                    return value
            raise ConnectError(f"{given!r} is not one of the choices: {listing}")
        if not options:
            raise ConnectError(f"there is nothing to choose from for: {question}")
        if len(options) == 1:
            return options[0][0]
        if self.choose is not None:
            chosen = self.choose(question, options, default)
            if chosen not in {v for v, _ in options}:
                raise ConnectError(f"{chosen!r} is not one of the choices: {listing}")
            return chosen
        if default is not None:
            return default
        raise ChoiceNeeded(f"{question} — pass {option_name} with one of: {listing}")

    def save(
        self,
        service: str,
        *,
        account: str | None,
        config: dict[str, Any],
        secrets: dict[str, str],
        token_items: Sequence[str] = (),
    ) -> connections.Connection:
        """Store secrets (one keyring item each), drop stale ones, then mark connected."""
        if self.endpoints.sandbox_url is not None:
            config = {**config, "sandbox": self.endpoints.sandbox_url}
        for name, value in secrets.items():
            self.secrets.set(name, value)
        previous = connections.get(self.ledger.conn, service)
        keep = set(secrets) | set(token_items)
        for stale in previous.secrets:
            if stale not in keep:
                self.secrets.delete(stale)
        return connections.save_connected(
            self.ledger.conn,
            service,
            account=account,
            config=config,
            secrets=sorted(keep),
        )


def remember(*values: str | None) -> None:
    """Register values the user typed, before anything can log them."""
    for value in values:
        register_secret(value)


def iso_time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds")


def fail_for(response: httpx.Response, label: str, what: str) -> ConnectError:
    """A one-line error for an unexpected HTTP answer (no body echo: it may hold secrets)."""
    status = response.status_code
    if status in (401, 403):
        return ConnectError(f"{label} refused the credentials while {what} (HTTP {status})")
    if status == 429:
        return ConnectError(f"{label} is rate limiting this account; try again in a minute")
    if status >= 500:
        return ConnectError(f"{label} had a problem while {what} (HTTP {status}); try again later")
    return ConnectError(f"{label} answered HTTP {status} while {what}")


def network_error(exc: httpx.HTTPError, label: str) -> ConnectError:
    return ConnectError(
        f"could not reach {label} ({type(exc).__name__}); check the internet connection "
        "and try again"
    )


def json_body(response: httpx.Response, label: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ConnectError(f"{label} sent an answer that is not JSON") from None


def token_answer(response: httpx.Response, label: str) -> dict[str, Any]:
    """A token endpoint's JSON, :class:`InvalidGrant` for ``invalid_grant``, else an error."""
    if response.status_code in (400, 401) and error_code(response) == "invalid_grant":
        raise InvalidGrant("invalid_grant")
    if response.status_code != 200:
        raise fail_for(response, label, "renewing the sign-in")
    body = json_body(response, label)
    if not isinstance(body, dict):
        raise ConnectError(f"{label} sent an unexpected token answer")
    return body


def error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""
