"""HTTP Basic authentication the way Twilio checks it (service-apis.md §6.1, §6.4).

The user name is the Account SID (password: Auth Token) or an API key SID ``SK…``
(password: the key's secret); either way the account in the URL must be the one the
credentials belong to.  Anything else is 401 / 20003.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.requests import Request

from .errors import auth_failed
from .state import TwilioState


def authenticate(request: Request, state: TwilioState, url_account: str | None = None) -> str:
    """The authenticated account SID, or raise the 401 Twilio sends."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise auth_failed()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise auth_failed() from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise auth_failed()
    if user == state.account_sid:
        ok = hmac.compare_digest(password, state.auth_token)
    elif user in state.api_keys:
        ok = hmac.compare_digest(password, state.api_keys[user])
    else:
        ok = False
    if not ok or (url_account is not None and url_account != state.account_sid):
        raise auth_failed()
    return state.account_sid
