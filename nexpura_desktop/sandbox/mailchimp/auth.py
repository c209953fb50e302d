"""API-key and OAuth-token checks (reference/service-apis.md §3.1).

Real clients send HTTP Basic with any user name and the key ``<32 hex>-<dc>`` as password
(or ``Authorization: Bearer <oauth token>``) to ``https://<dc>.api.mailchimp.com/3.0``.  The
sandbox serves every data centre at its own ``{base}/3.0`` but still insists the key is
well formed and that its ``-dc`` suffix names the data centre the account lives in.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection

from .errors import MailchimpError

KEY_RE = re.compile(r"^[0-9a-f]{32}-([a-z]+[0-9]+)$")


def data_centre(key: str) -> str | None:
    """The SDK's rule: the server is the text after the one ``-`` (else invalid)."""
    match = KEY_RE.match(key)
    return match.group(1) if match else None


def check_authorization(header: str | None, *, api_key: str, oauth_tokens: Collection[str]) -> None:
    """Raise the real 401 problem unless ``header`` carries the account's key or token."""
    if not header or not header.strip():
        # [MEM] the real wording when no credentials are sent at all.
        raise MailchimpError(401, "API Key Missing", "Your request did not include an API key.")
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise MailchimpError(401) from None
        _, sep, key = decoded.partition(":")
        if not sep:
            raise MailchimpError(401)
        if data_centre(key) is None or data_centre(key) != data_centre(api_key):
            # A key with no "-dc", or one for another data centre: the wrong-host case.
            raise MailchimpError(401)
        if key != api_key:
            raise MailchimpError(401)
        return
    if scheme == "bearer" and value in oauth_tokens:
        return
    raise MailchimpError(401)
