"""Connect Twilio: Account SID with its Auth Token or an API key, then the senders.

An API key (``SK…`` + secret) is the better choice for a shop PC: it can be revoked on its
own without changing the account's master token.  Either way the account resource is
fetched to prove the credentials and that the account is active.  Senders are an SMS
number, a WhatsApp sender (``whatsapp:+…``) or a Messaging Service (``MG…``) for either.
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

SERVICE = "twilio"
LABEL = "Twilio"
TOKEN_ITEM = f"{SERVICE}/auth_token"
KEY_SECRET_ITEM = f"{SERVICE}/api_key_secret"
_ACCOUNT = re.compile(r"^AC[0-9a-f]{32}$")
_API_KEY = re.compile(r"^SK[0-9a-f]{32}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-f]{32}$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@dataclass(frozen=True)
class TwilioOptions:
    account_sid: str | None = None
    auth_token: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    whatsapp_from: str | None = None
    sms_from: str | None = None


def sender(value: str, *, whatsapp: bool) -> str:
    """A Messaging Service SID, or an E.164 number (``whatsapp:`` added for WhatsApp)."""
    text = value.strip().replace(" ", "")
    if _SERVICE_SID.match(text):
        return text
    number = text.removeprefix("whatsapp:")
    if not _E164.match(number):
        kind = "WhatsApp sender" if whatsapp else "SMS number"
        raise ConnectError(
            f"{value!r} is not a {kind}: give it in international form like +61491570006, "
            "or a Messaging Service SID (MG…)"
        )
    return f"whatsapp:{number}" if whatsapp else number


async def connect_twilio(ctx: ConnectContext, options: TwilioOptions) -> ConnectResult:
    remember(options.auth_token, options.api_secret)
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    sid = (options.account_sid or sandbox.get("account_sid") or "").strip()
    if options.auth_token and (options.api_key or options.api_secret):
        raise ConnectError("give either --auth-token or --api-key with --api-secret, not both")
    if options.api_key or options.api_secret:
        user, password = options.api_key or "", options.api_secret or ""
    elif options.auth_token:
        user, password = sid, options.auth_token
    else:
        user, password = sid, str(sandbox.get("auth_token") or "")
    user, password = user.strip(), password.strip()
    if not _ACCOUNT.match(sid):
        raise ConnectError("a Twilio Account SID is AC followed by 32 letters and digits")
    if user != sid and not _API_KEY.match(user):
        raise ConnectError("a Twilio API key SID is SK followed by 32 letters and digits")
    if not password:
        raise ConnectError(
            "give the Auth Token (--auth-token) or an API key (--api-key, --api-secret)"
        )
    if user == sid and not _HEX32.match(password):
        raise ConnectError("a Twilio Auth Token is 32 letters and digits; copy it again")
    sms = options.sms_from or sandbox.get("sms_from")
    whatsapp = options.whatsapp_from or sandbox.get("whatsapp_from")
    if not sms and not whatsapp:
        raise ConnectError(
            "give at least one sender: --sms-from +61… and/or --whatsapp-from +61… "
            "(or a Messaging Service SID MG…)"
        )
    senders = {
        "sms_from": sender(sms, whatsapp=False) if sms else None,
        "whatsapp_from": sender(whatsapp, whatsapp=True) if whatsapp else None,
    }
    api = ctx.endpoints.twilio_api()
    async with ctx.client(auth=httpx.BasicAuth(user, password)) as client:
        try:
            response = await client.get(f"{api}/2010-04-01/Accounts/{sid}.json")
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    if response.status_code in (401, 403):
        raise ConnectError(
            "Twilio refused the credentials; check the Account SID and the token or API key"
        )
    if response.status_code == 404:
        raise ConnectError(f"Twilio has no account {sid}; check the Account SID")
    if response.status_code != 200:
        raise fail_for(response, LABEL, "reading the account")
    account = json_body(response, LABEL)
    if account.get("status") not in (None, "active"):
        raise ConnectError(
            f"the Twilio account is {account.get('status')}; reactivate it in the Twilio console"
        )
    using_key = user != sid
    config: dict[str, Any] = {
        "account_sid": sid,
        "auth": "api_key" if using_key else "auth_token",
        "api_key_sid": user if using_key else None,
        **senders,
        "scopes": [],
    }
    name = account.get("friendly_name")
    secrets = {KEY_SECRET_ITEM if using_key else TOKEN_ITEM: password}
    ctx.save(SERVICE, account=str(name) if name else sid, config=config, secrets=secrets)
    return ConnectResult(SERVICE, str(name) if name else sid, config)
