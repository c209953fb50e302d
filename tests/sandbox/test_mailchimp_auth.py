"""Mailchimp emulator: keys, data centres, auth and error shapes (service-apis.md §3.1, §3.6)."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.sandbox.mailchimp_support import assert_problem, mailchimp

pytestmark = pytest.mark.anyio


async def test_ping_with_basic_auth_and_any_user_name() -> None:
    """§3.1: Basic auth with any user name and the key as password; /ping is chimpy."""
    async with mailchimp() as mc:
        for user in ("anystring", "nexpura", ""):
            token = base64.b64encode(f"{user}:{mc.creds['api_key']}".encode()).decode()
            r = await mc.client.get("/ping", auth=None, headers={"Authorization": f"Basic {token}"})
            assert r.status_code == 200
            assert r.json() == {"health_status": "Everything's Chimpy!"}


async def test_key_is_dc_suffixed_and_base_url_is_the_same_for_every_dc() -> None:
    """§3.1: key ``<32 hex>-<dc>``; the sandbox serves any dc at ``{base}/3.0``."""
    async with mailchimp() as mc:
        key = mc.creds["api_key"]
        hexpart, _, dc = key.partition("-")
        assert len(hexpart) == 32 and dc == mc.creds["dc"] == "us21"
        assert mc.creds["api_base_url"].endswith("/3.0")
        assert mc.creds["real_api_base_url"] == "https://us21.api.mailchimp.com/3.0"
        assert {a["id"] for a in mc.creds["audiences"]} >= {mc.creds["audience_id"]}
        assert len(mc.creds["audiences"]) == 2


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79", id="no-dc-suffix"),
        pytest.param("3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us6", id="wrong-dc"),
        pytest.param("00000000000000000000000000000000-us21", id="unknown-key-right-dc"),
        pytest.param("3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us21-x", id="two-dashes"),
    ],
)
async def test_bad_keys_get_api_key_invalid(password: str) -> None:
    """§3.1/§3.6: a key without exactly one -dc, or for another dc, is 401 API Key Invalid."""
    async with mailchimp() as mc:
        r = await mc.client.get("/lists", auth=("user", password))
        body = assert_problem(r, 401, "API Key Invalid")
        assert "wrong datacenter" in body["detail"]


async def test_missing_credentials_and_bearer_tokens() -> None:
    """§3.1: OAuth tokens go in ``Authorization: Bearer``; nothing at all is a 401 too."""
    async with mailchimp() as mc:
        r = await mc.client.get("/ping", auth=None)
        assert_problem(r, 401, "API Key Missing")
        token = mc.creds["oauth_access_token"]
        r = await mc.client.get("/ping", auth=None, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        r = await mc.client.get("/ping", auth=None, headers={"Authorization": "Bearer nope"})
        assert_problem(r, 401, "API Key Invalid")


async def test_404_and_405_are_problem_documents() -> None:
    """§3.6: 404 "Resource Not Found" and 405 "Method Not Allowed" are problem+json."""
    async with mailchimp() as mc:
        assert_problem(await mc.client.get("/lists/nosuchlist"), 404, "Resource Not Found")
        assert_problem(await mc.client.get("/no/such/thing"), 404, "Resource Not Found")
        r = await mc.client.delete("/ping")
        assert_problem(r, 405, "Method Not Allowed")
        assert "GET" in r.headers["allow"]


async def test_bad_json_is_a_problem_document() -> None:
    """§3.6: even a body that is not JSON is answered with problem+json (400)."""
    async with mailchimp() as mc:
        r = await mc.client.put(
            mc.member_path("a@mail.com"),
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert_problem(r, 400, "JSON Parse Error")


async def test_injected_429_fault_has_the_real_body_and_no_retry_after() -> None:
    """§3.6: 429 "Too Many Requests", no Retry-After even if the rule asks for one."""
    async with mailchimp() as mc:
        r = await mc.control.post(
            "/_sandbox/faults", json={"kind": "status", "status": 429, "count": 1, "retry_after": 5}
        )
        assert r.status_code == 200
        r = await mc.client.get("/lists")
        assert_problem(r, 429, "Too Many Requests")
        assert "retry-after" not in r.headers
        assert (await mc.client.get("/lists")).status_code == 200
        log = (await mc.control.get("/_sandbox/requests")).json()["requests"]
        assert [e["status"] for e in log] == [429, 200]
        assert log[0]["fault"] == "status"


async def test_injected_500_and_malformed_bodies() -> None:
    """Faults: a 500 is Mailchimp's problem body; "malformed" is not JSON at all."""
    async with mailchimp() as mc:
        await mc.control.post(
            "/_sandbox/faults",
            json=[
                {"kind": "status", "status": 500, "count": 1, "path": "/ping"},
                {"kind": "malformed", "count": 1, "path": "/lists"},
            ],
        )
        assert_problem(await mc.client.get("/ping"), 500, "Internal Server Error")
        r = await mc.client.get("/lists")
        with pytest.raises(ValueError):
            r.json()


async def test_dropped_connection_is_an_httpx_error() -> None:
    async with mailchimp() as mc:
        await mc.control.post("/_sandbox/faults", json={"kind": "drop", "count": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            await mc.client.get("/ping")
