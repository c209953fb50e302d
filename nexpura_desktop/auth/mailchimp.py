"""Connect Mailchimp with an API key, then pick the audience.

A key is ``<32 hex>-<dc>``; the data centre after the dash names the host
(``https://<dc>.api.mailchimp.com/3.0``).  A malformed key is refused before any request
(sending it to a guessed host would only leak it).  ``/ping`` proves the key; the audience
comes from ``/lists``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from .context import (
    ConnectContext,
    ConnectError,
    ConnectResult,
    fail_for,
    json_body,
    network_error,
    remember,
)

SERVICE = "mailchimp"
LABEL = "Mailchimp"
KEY_ITEM = f"{SERVICE}/api_key"
_KEY = re.compile(r"^[0-9a-f]{32}-([a-z]+[0-9]+)$")


@dataclass(frozen=True)
class MailchimpOptions:
    api_key: str | None = None
    audience: str | None = None


def data_centre(key: str) -> str:
    """The ``dc`` of a well-formed key, else a one-line error (no request is made)."""
    match = _KEY.match(key)
    if match is None:
        raise ConnectError(
            "that is not a Mailchimp API key: it should be 32 letters and digits, a dash and "
            "the data centre (like …-us21); copy it again from Account > Extras > API keys"
        )
    return match.group(1)


async def connect_mailchimp(ctx: ConnectContext, options: MailchimpOptions) -> ConnectResult:
    remember(options.api_key)
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    key = (options.api_key or sandbox.get("api_key") or "").strip()
    if not key:
        raise ConnectError("give the Mailchimp API key (--api-key)")
    dc = data_centre(key)
    api = ctx.endpoints.mailchimp_api(dc)
    async with ctx.client(auth=httpx.BasicAuth("nexpura", key)) as client:
        try:
            ping = await client.get(f"{api}/ping")
            if ping.status_code == 401:
                raise ConnectError(
                    "Mailchimp refused the API key (it may have been disabled); create a new "
                    "key and connect again"
                )
            if ping.status_code != 200:
                raise fail_for(ping, LABEL, "checking the key")
            root = await client.get(f"{api}/", params={"fields": "account_name,email,login_id"})
            account_name = (
                json_body(root, LABEL).get("account_name") if root.status_code == 200 else None
            )
            lists = await client.get(
                f"{api}/lists",
                params={"count": "1000", "fields": "lists.id,lists.name,total_items"},
            )
            if lists.status_code != 200:
                raise fail_for(lists, LABEL, "listing your audiences")
            audiences = [
                (str(a["id"]), str(a.get("name") or a["id"]))
                for a in json_body(lists, LABEL).get("lists") or []
            ]
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    if not audiences:
        raise ConnectError("this Mailchimp account has no audience yet; create one in Mailchimp")
    audience_id = ctx.pick(
        "Which Mailchimp audience should customers go to?",
        audiences,
        given=options.audience,
        option_name="--audience ID",
    )
    config: dict[str, Any] = {
        "dc": dc,
        "audience_id": audience_id,
        "audience_name": dict(audiences)[audience_id],
        "scopes": [],
    }
    if ctx.endpoints.is_sandbox:
        config["api_base_url"] = ctx.endpoints.mailchimp_api(dc)
    account = str(account_name) if account_name else None
    ctx.save(SERVICE, account=account, config=config, secrets={KEY_ITEM: key})
    return ConnectResult(SERVICE, account, config)
