"""The audiences the owner can send customers to, read from their Mailchimp account."""

from __future__ import annotations

import httpx

from ...engine.errors import AuthExpired, ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import SecretStore, store_for_jobs
from .client import MailchimpClient
from .settings import API_KEY_ITEM, BASE_URL_KEY


async def account_audiences(
    ledger: Ledger, store: SecretStore | None, transport: httpx.AsyncBaseTransport | None
) -> list[tuple[str, str]]:
    """Every audience of the connected account as ``(id, name)`` (one request)."""
    conn = connections.get(ledger.conn, "mailchimp")
    if conn.status == "disconnected":
        raise ConfigurationError("Mailchimp is not connected")
    key = (store or store_for_jobs()).get(API_KEY_ITEM)
    if not key:
        raise AuthExpired("the Mailchimp API key is missing from the keyring; connect again")
    base = conn.config.get(BASE_URL_KEY)
    async with MailchimpClient(
        key, base_url=str(base) if base else None, transport=transport, max_connections=1
    ) as mc:
        return await mc.audiences()
