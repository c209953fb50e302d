"""The calendars the owner can send events to, read from their Google account.

Only calendars the account can write to are offered (``minAccessRole=writer``), as in the
connect flow; the primary calendar is marked so the dialog can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ...engine.errors import ConfigurationError
from ...ledger.db import Ledger
from ...secrets import SecretStore
from .client import CalendarClient
from .settings import load_settings


@dataclass(frozen=True)
class CalendarChoice:
    id: str
    name: str
    primary: bool = False


async def writable_calendars(
    ledger: Ledger, store: SecretStore | None, transport: httpx.AsyncBaseTransport | None
) -> list[CalendarChoice]:
    """The account's writable calendars (one request)."""
    settings = await load_settings(ledger, store=store, transport=transport)
    async with CalendarClient(settings.api_origin, settings.token, transport=transport) as gc:
        answer = await gc.get(
            "/users/me/calendarList", {"minAccessRole": "writer", "maxResults": "250"}
        )
    if answer.status != 200:
        raise ConfigurationError(f"Google did not list the calendars: {answer.message}")
    return [
        CalendarChoice(
            str(c["id"]),
            str(c.get("summaryOverride") or c.get("summary") or c["id"]),
            bool(c.get("primary")),
        )
        for c in answer.body.get("items") or []
        if c.get("id")
    ]
