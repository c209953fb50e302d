"""``X-Twilio-Signature``: HMAC-SHA1 over the full URL plus the sorted POST parameters.

Twilio signs ``url + name1 + value1 + name2 + value2 ...`` (parameters sorted by name, each
value of a repeated name in sorted order) with the account's Auth Token and sends it
base64-encoded (service-apis.md §6.5).  Because URL ports are handled differently by
Twilio's own libraries over time, a URL is accepted with and without its default port.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

Params = Iterable[tuple[str, str]]


def signed_text(url: str, params: Params) -> str:
    ordered = sorted(params, key=lambda kv: (kv[0], kv[1]))
    return url + "".join(name + value for name, value in ordered)


def signature(auth_token: str, url: str, params: Params) -> str:
    mac = hmac.new(
        auth_token.encode("utf-8"), signed_text(url, params).encode("utf-8"), hashlib.sha1
    )
    return base64.b64encode(mac.digest()).decode("ascii")


def _port_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.username or default is None:
        return [url]
    if parts.port is None:
        other = parts._replace(netloc=f"{host}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=host)
    else:
        return [url]
    return [url, urlunsplit(other)]


def verify(auth_token: str, url: str, params: Params, header: str | None) -> bool:
    """Whether ``header`` is Twilio's signature of this request (constant-time compare)."""
    if not auth_token or not header:
        return False
    items = list(params)
    given = header.strip().encode("ascii", "replace")
    return any(
        hmac.compare_digest(signature(auth_token, variant, items).encode("ascii"), given)
        for variant in _port_variants(url)
    )
