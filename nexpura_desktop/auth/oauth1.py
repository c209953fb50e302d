"""OAuth 1.0a one-legged request signing, the way WooCommerce checks it over plain HTTP.

WooCommerce ignores Basic credentials on a site without HTTPS, so a shop on ``http://``
must sign every request (service-apis.md §2.1, ``class-wc-rest-authentication.php``):
the base string is ``METHOD&enc(url-without-query)&`` followed by every query parameter
plus the ``oauth_*`` ones, sorted by key, each pair encoded as ``enc(enc(k)=enc(v))`` and
joined by ``%26``; the key is ``consumer_secret&``.  Parameters go in the query string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Generator, Mapping
from urllib.parse import quote

import httpx

SIGNATURE_METHOD = "HMAC-SHA256"


def _enc(value: str) -> str:
    return quote(value, safe="-_.~")


def base_string(method: str, url: str, params: Mapping[str, str]) -> str:
    ordered = sorted(params.items(), key=lambda kv: kv[0].encode("utf-8"))
    pairs = "%26".join(_enc(f"{_enc(k)}={_enc(v)}") for k, v in ordered)
    return f"{method.upper()}&{_enc(url)}&{pairs}"


def signature(base: str, consumer_secret: str, method: str = SIGNATURE_METHOD) -> str:
    algorithm = hashlib.sha256 if method == "HMAC-SHA256" else hashlib.sha1
    digest = hmac.new(f"{consumer_secret}&".encode(), base.encode(), algorithm).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_params(
    method: str,
    url: str,
    params: Mapping[str, str],
    consumer_key: str,
    consumer_secret: str,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The ``oauth_*`` parameters (signature included) to add to the request's query."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": SIGNATURE_METHOD,
    }
    base = base_string(method, url, {**params, **oauth})
    oauth["oauth_signature"] = signature(base, consumer_secret)
    return oauth


class OAuth1(httpx.Auth):
    """httpx auth that signs each request's URL (the body is JSON, so it is not signed)."""

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        self._key = consumer_key
        self._secret = consumer_secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = request.url
        bare = str(url.copy_with(query=None, fragment=None))
        params = {k: v for k, v in url.params.multi_items()}
        oauth = sign_params(request.method, bare, params, self._key, self._secret)
        request.url = url.copy_merge_params(oauth)
        yield request
