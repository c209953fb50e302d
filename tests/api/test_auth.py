"""Bearer token, local-only serving, and the token's life in the keyring."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from nexpura_desktop.api import config, tokens
from nexpura_desktop.api.app import LocalOnly
from nexpura_desktop.api.server import ApiServer
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.secrets import MemoryKeyring, SecretStore

from .conftest import Api


def test_missing_token_is_401_with_a_json_body_and_a_bearer_challenge(api: Api) -> None:
    with api.anonymous() as client:
        response = client.get("/api/customers")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"
    assert "missing" in response.json()["error"]["message"]


def test_wrong_token_is_401(api: Api) -> None:
    with api.anonymous() as client:
        response = client.get("/api/customers", headers={"Authorization": "Bearer nope"})
        basic = client.get("/api/customers", headers={"Authorization": f"Basic {api.token}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert basic.status_code == 401


def test_right_token_is_let_in(api: Api) -> None:
    assert api.client.get("/api/customers").status_code == 200
    lower = api.client.get("/api/customers", headers={"Authorization": f"bearer {api.token}"})
    assert lower.status_code == 200


def test_a_rotated_token_replaces_the_old_one(api: Api) -> None:
    new = tokens.rotate_token(api.store)
    assert new != api.token
    with api.anonymous() as client:
        assert client.get("/api/customers", headers={"Authorization": f"Bearer {new}"}).is_success
    # The old token stops working once the cached one is older than the re-read interval.
    gate = tokens.TokenGate(lambda: tokens.current_token(api.store), reread_seconds=0)
    assert not gate.allows(f"Bearer {api.token}")
    assert gate.allows(f"Bearer {new}")


def test_token_gate_rereads_the_keyring_at_most_once_a_second() -> None:
    reads: list[int] = []
    now = [100.0]

    def load() -> str:
        reads.append(1)
        return "secret-token"

    gate = tokens.TokenGate(load, clock=lambda: now[0])
    for _ in range(20):
        assert not gate.allows("Bearer guess")
    assert len(reads) == 1
    now[0] += 1.5
    assert not gate.allows("Bearer guess")
    assert len(reads) == 2
    assert gate.allows("Bearer secret-token")


def test_the_token_is_made_once_and_kept_in_the_keyring_only() -> None:
    store = SecretStore(service="t", backend=MemoryKeyring())
    assert tokens.current_token(store) is None
    first = tokens.ensure_token(store)
    assert len(first) >= 40
    assert tokens.ensure_token(store) == first
    assert store.get(tokens.TOKEN_ITEM) == first


def test_the_token_never_reaches_the_log(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.client.get("/api/customers")
    with api.anonymous() as client:
        client.get("/api/customers", headers={"Authorization": "Bearer wrong"})
    assert api.token not in caplog.text


def test_a_foreign_host_header_is_refused(api: Api) -> None:
    response = api.client.get("/api/customers", headers={"Host": "evil.example:8765"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_host"
    assert api.client.get("/api/customers", headers={"Host": "localhost"}).status_code == 200


def _call(app: Any, client: tuple[str, int], host: bytes) -> int:
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/api/customers", "raw_path": b"/api/customers", "query_string": b"",
        "root_path": "", "headers": [(b"host", host)], "client": client,
        "server": ("127.0.0.1", 8765),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    asyncio.run(LocalOnly(inner, config.ApiConfig().hosts)(scope, receive, send))
    return int(sent[0]["status"])


def test_requests_from_another_machine_are_refused() -> None:
    assert _call(None, ("192.168.1.20", 5000), b"127.0.0.1:8765") == 403
    assert _call(None, ("127.0.0.1", 5000), b"127.0.0.1:8765") == 204
    assert _call(None, ("::1", 5000), b"[::1]:8765") == 204
    assert _call(None, ("127.0.0.1", 5000), b"attacker.example") == 400


def test_proxy_host_names_can_be_allowed() -> None:
    cfg = config.ApiConfig(allowed_hosts=("shop.example",))
    assert "shop.example" in cfg.hosts and "localhost" in cfg.hosts


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_the_server_refuses_to_bind_anything_but_loopback(host: str) -> None:
    with pytest.raises(config.ApiConfigError, match=r"127\.0\.0\.1 only"):
        ApiServer(None, 0, host=host)  # type: ignore[arg-type]


def test_a_taken_port_is_one_clear_sentence(api: Api) -> None:
    port = int(api.url.rsplit(":", 1)[1])
    with pytest.raises(config.ApiConfigError, match="cannot listen"):
        ApiServer(None, port)  # type: ignore[arg-type]


def test_settings_are_off_by_default_and_checked_before_saving(api: Api) -> None:
    with Ledger(api.paths.ledger) as ledger:
        loaded = config.load(ledger.conn)
        assert loaded.enabled is False and loaded.port == config.DEFAULT_PORT
        with pytest.raises(config.ApiConfigError, match="between 1 and 65535"):
            config.save(ledger.conn, config.ApiConfig(enabled=True, port=70000))
        assert config.load(ledger.conn).enabled is False  # nothing was stored
        config.save(ledger.conn, config.ApiConfig(enabled=True, port=9123))
        assert config.load(ledger.conn) == config.ApiConfig(enabled=True, port=9123)
