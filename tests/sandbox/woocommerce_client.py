"""Test support for the WooCommerce emulator: a client-side OAuth 1.0a signer, clients and
the wc/v3 contract (gerbrand OpenAPI schemas).

The signer is written from woocommerce/wc-api-python ``oauth.py`` (service-apis.md §2.1),
independently of the emulator's verifier, so the tests check interoperability rather than
the emulator agreeing with itself.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import httpx
from jsonschema import Draft202012Validator

from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.woocommerce import WooCommerceEmulator
from tests.specs import spec_file

ORIGIN = "http://woocommerce.sandbox.test"
API = "/wp-json/wc/v3"


def oauth_params(
    method: str,
    url: str,
    consumer_key: str,
    consumer_secret: str,
    *,
    timestamp: int,
    nonce: str | None = None,
    signature_method: str = "HMAC-SHA256",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Query parameters (original ones + oauth_*) exactly as wc-api-python sends them."""
    base_url, _, query = url.partition("?")
    params: dict[str, str] = dict(parse_qsl(query, keep_blank_values=True))
    params.update(extra or {})
    params["oauth_consumer_key"] = consumer_key
    params["oauth_timestamp"] = str(timestamp)
    params["oauth_nonce"] = nonce or secrets.token_hex(20)
    params["oauth_signature_method"] = signature_method
    normalized = {
        quote(unquote(k)).replace("%", "%25"): quote(unquote(v)).replace("%", "%25")
        for k, v in sorted(params.items())
    }
    query_string = "%26".join(f"{k}%3D{v}" for k, v in normalized.items())
    to_sign = f"{method.upper()}&{quote(base_url, '')}&{query_string}"
    digest = hashlib.sha256 if signature_method == "HMAC-SHA256" else hashlib.sha1
    mac = hmac.new(f"{consumer_secret}&".encode(), to_sign.encode(), digest).digest()
    params["oauth_signature"] = base64.b64encode(mac).decode()
    return params


class WooOAuth1(httpx.Auth):
    """Signs every request with one-legged OAuth 1.0a in the query string."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        now: Callable[[], float],
        *,
        signature_method: str = "HMAC-SHA256",
    ) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.now = now
        self.signature_method = signature_method

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = str(request.url)
        params = oauth_params(
            request.method,
            url,
            self.consumer_key,
            self.consumer_secret,
            timestamp=int(self.now()),
            signature_method=self.signature_method,
        )
        request.url = httpx.URL(url.partition("?")[0] + "?" + urlencode(params))
        yield request


def keys(emu: WooCommerceEmulator, which: str = "read_write") -> tuple[str, str]:
    creds = emu.credentials()[which]
    return creds["consumer_key"], creds["consumer_secret"]


def make_sandbox() -> tuple[Sandbox, WooCommerceEmulator]:
    sandbox = Sandbox(services=["woocommerce"])
    emu = sandbox["woocommerce"]
    assert isinstance(emu, WooCommerceEmulator)
    return sandbox, emu


def signed_client(
    sandbox: Sandbox, emu: WooCommerceEmulator, which: str = "read_write"
) -> httpx.AsyncClient:
    ck, cs = keys(emu, which)
    return httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url=ORIGIN + API,
        auth=WooOAuth1(ck, cs, emu.clock.time),
    )


def plain_client(sandbox: Sandbox, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sandbox.transport(), base_url=ORIGIN, **kwargs)


# -- the contract ---------------------------------------------------------------------------
def _normalise(node: Any) -> Any:
    """Make the generated document valid JSON Schema.

    It uses WordPress's own type names ("date-time", "bool", "mixed"), which JSON Schema
    does not know.  Dates may be null in real responses (unset sale/paid dates), and where
    a real shop returns null or another type than the generated schema says (stock_quantity
    when stock is unmanaged, a variation without an image, a line item's parent_name when
    it is not a variation, shipping_class_id, an order's version) the real behaviour is
    followed — see the serialize module's docstring.
    """
    if isinstance(node, list):
        return [_normalise(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _normalise(v) for k, v in node.items()}
    kind = out.get("type")
    if kind == "date-time":
        out["type"] = ["string", "null"]
    elif kind == "bool":
        out["type"] = "boolean"
    elif kind == "mixed":
        del out["type"]
    props = out.get("properties")
    if isinstance(props, dict):
        nullable = (("stock_quantity", "integer"), ("image", "object"), ("parent_name", "string"))
        for name, kind in nullable:
            if name in props and props[name].get("type") == kind:
                props[name]["type"] = [kind, "null"]
        for name in ("shipping_class_id", "version"):
            if name in props:
                props[name].pop("type", None)
    return out


@functools.cache
def _schemas() -> dict[str, Any]:
    document = json.loads(spec_file("woocommerce/woocommerce-openapi-3.1.0.json").read_text())
    return {k: _normalise(copy.deepcopy(v)) for k, v in document["components"]["schemas"].items()}


def assert_matches(schema_name: str, body: Any) -> None:
    """Validate one wc/v3 object against the named component schema."""
    validator = Draft202012Validator(_schemas()[schema_name])
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
