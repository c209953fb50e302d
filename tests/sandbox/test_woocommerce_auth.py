"""WooCommerce key authentication, as class-wc-rest-authentication.php does it (§2.1)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import httpx
import pytest

from tests.sandbox.woocommerce_client import (
    API,
    ORIGIN,
    WooOAuth1,
    keys,
    make_sandbox,
    oauth_params,
    plain_client,
    signed_client,
)

pytestmark = pytest.mark.anyio
HTTPS = {"X-Forwarded-Proto": "https"}


def _auth_error(message: str) -> dict[str, object]:
    return {
        "code": "woocommerce_rest_authentication_error",
        "message": message,
        "data": {"status": 401},
    }


async def test_oauth1_hmac_sha256_over_plain_http_is_accepted() -> None:
    """§2.1: over plain HTTP only OAuth 1.0a one-legged signatures authenticate."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        response = await client.get("/products", params={"per_page": "5", "search": "a b~c"})
    assert response.status_code == 200
    assert response.json() == []


async def test_signed_values_are_rawurlencoded_so_a_slash_must_be_percent_encoded() -> None:
    """§2.1: WooCommerce normalises with PHP rawurlencode, which encodes "/" as %2F.

    wc-api-python's ``quote()`` keeps "/" (its default safe character), so a value with a
    slash signed that way does not match on a real shop; a client must encode it.
    """
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        response = await client.get("/products", params={"search": "14/18ct"})
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - provided signature does not match."


async def test_oauth1_hmac_sha1_and_authorization_header_are_accepted() -> None:
    """§2.1: HMAC-SHA1 is allowed too, and the params may come in an ``OAuth`` header."""
    sandbox, emu = make_sandbox()
    ck, cs = keys(emu)
    url = f"{ORIGIN}{API}/products"
    params = oauth_params(
        "GET", url, ck, cs, timestamp=int(emu.clock.time()), signature_method="HMAC-SHA1"
    )
    # RFC 5849 §3.5.1: values percent-encoded and quoted; realm is ignored.
    header = 'OAuth realm="shop", ' + ", ".join(
        f'{k}="{quote(v, safe="")}"' for k, v in params.items()
    )
    async with plain_client(sandbox) as client:
        as_header = await client.get(f"{API}/products", headers={"Authorization": header})
        params = oauth_params(
            "GET", url, ck, cs, timestamp=int(emu.clock.time()), signature_method="HMAC-SHA1"
        )
        as_query = await client.get(f"{API}/products?{urlencode(params)}")
    assert as_header.status_code == 200, as_header.text
    assert as_query.status_code == 200, as_query.text


async def test_wrong_signature_is_401_with_the_real_body() -> None:
    """§2.1: a bad signature → 401 woocommerce_rest_authentication_error."""
    sandbox, emu = make_sandbox()
    ck, _ = keys(emu)
    async with httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url=ORIGIN + API,
        auth=WooOAuth1(ck, "cs_wrong", emu.clock.time),
    ) as client:
        response = await client.get("/products")
        missing_route = await client.get("/no-such-thing")
    assert response.status_code == 401
    assert response.json() == _auth_error("Invalid signature - provided signature does not match.")
    # Authentication runs before routing, so even an unknown route answers 401.
    assert missing_route.status_code == 401


async def test_signature_base_is_the_store_url_not_the_host_used() -> None:
    """§2.1: the base string uses the site's home URL; signing another host fails."""
    sandbox, emu = make_sandbox()
    ck, cs = keys(emu)
    params = oauth_params(
        "GET", "http://localhost:8080" + API + "/products", ck, cs, timestamp=int(emu.clock.time())
    )
    async with plain_client(sandbox) as client:
        response = await client.get(f"{API}/products?{urlencode(params)}")
    assert response.status_code == 401


async def test_unknown_key_missing_params_stale_timestamp_and_replayed_nonce() -> None:
    """§2.1: unknown key, missing OAuth params, the 15-minute window and nonce reuse."""
    sandbox, emu = make_sandbox()
    ck, cs = keys(emu)
    url = f"{ORIGIN}{API}/products"
    now = int(emu.clock.time())
    async with plain_client(sandbox) as client:
        unknown = await client.get(
            f"{API}/products?{urlencode(oauth_params('GET', url, 'ck_nope', cs, timestamp=now))}"
        )
        partial = await client.get(f"{API}/products?oauth_consumer_key={ck}&oauth_nonce=x")
        stale = oauth_params("GET", url, ck, cs, timestamp=now - 16 * 60)
        stale_response = await client.get(f"{API}/products?{urlencode(stale)}")
        once = oauth_params("GET", url, ck, cs, timestamp=now, nonce="same-nonce")
        first = await client.get(f"{API}/products?{urlencode(once)}")
        replay = await client.get(f"{API}/products?{urlencode(once)}")
    assert unknown.status_code == 401
    assert unknown.json() == _auth_error("Consumer key is invalid.")
    assert partial.status_code == 401
    assert partial.json() == {
        "code": "woocommerce_rest_authentication_missing_parameter",
        "message": "Missing OAuth parameters oauth_timestamp, oauth_signature, "
        "oauth_signature_method",
        "data": {"status": 401},
    }
    assert stale_response.json() == _auth_error("Invalid timestamp.")
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json() == _auth_error("Invalid nonce - nonce has already been used.")


async def test_basic_and_query_keys_are_ignored_over_plain_http() -> None:
    """§2.1: Basic/query credentials only count over HTTPS; on HTTP the request is anonymous."""
    sandbox, emu = make_sandbox()
    ck, cs = keys(emu)
    async with plain_client(sandbox) as client:
        basic = await client.get(f"{API}/products", auth=(ck, cs))
        query = await client.get(
            f"{API}/products", params={"consumer_key": ck, "consumer_secret": cs}
        )
        create = await client.post(f"{API}/products", auth=(ck, cs), json={"name": "x"})
    for response in (basic, query):
        assert response.status_code == 401
        assert response.json() == {
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
            "data": {"status": 401},
        }
    assert create.json()["code"] == "woocommerce_rest_cannot_create"


async def test_basic_and_query_keys_work_over_https() -> None:
    """§2.1: over HTTPS query keys are checked first, then Basic; a bad secret is named."""
    sandbox, emu = make_sandbox()
    ck, cs = keys(emu)
    async with plain_client(sandbox, headers=HTTPS) as client:
        basic = await client.get(f"{API}/products", auth=(ck, cs))
        query = await client.get(
            f"{API}/products", params={"consumer_key": ck, "consumer_secret": cs}
        )
        wrong = await client.get(f"{API}/products", auth=(ck, "cs_wrong"))
    assert basic.status_code == 200
    assert query.status_code == 200
    assert wrong.status_code == 401
    assert wrong.json() == _auth_error("Consumer secret is invalid.")


async def test_read_only_key_is_refused_on_writes() -> None:
    """§2.1: a read key reads, and writes get 401 "does not have write permissions"."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu, "read_only") as client:
        read = await client.get("/orders")
        write = await client.post("/products", json={"name": "Ring"})
        batch = await client.post("/products/batch", json={"create": [{"name": "Ring"}]})
    assert read.status_code == 200
    for response in (write, batch):
        assert response.status_code == 401
        assert response.json() == _auth_error(
            "The API key provided does not have write permissions."
        )


async def test_unknown_route_and_wrong_method_are_rest_no_route() -> None:
    """§2.2: an unknown route, or a known one with the wrong method, is 404 rest_no_route."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        unknown = await client.get("/unicorns")
        wrong_method = await client.delete("/products")
    expected = {
        "code": "rest_no_route",
        "message": "No route was found matching the URL and request method.",
        "data": {"status": 404},
    }
    assert unknown.status_code == wrong_method.status_code == 404
    assert unknown.json() == wrong_method.json() == expected
