"""The control surface every emulator shares: request log, faults, clock, seed, reset,
and the in-process transport's mapping of modelled network failures to httpx errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from nexpura_desktop.sandbox.clock import SandboxClock
from nexpura_desktop.sandbox.core import Emulator
from nexpura_desktop.sandbox.transport import SandboxTransport

ORIGIN = "http://toy.sandbox.test"


class ToyEmulator(Emulator):
    """A one-resource service, enough to exercise the shared machinery."""

    name = "toy"

    def reset(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def routes(self) -> list[BaseRoute]:
        async def items(request: Request) -> Response:
            if request.method == "POST":
                body = await request.json()
                with self.lock:
                    self.items[body["id"]] = body
                return JSONResponse(body, status_code=201)
            return JSONResponse({"items": list(self.items.values())})

        return [Route("/items", items, methods=["GET", "POST"])]

    def state(self) -> dict[str, Any]:
        return {"items": self.items}

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        for item in data.get("items", []):
            self.items[item["id"]] = item
        return {"items": len(data.get("items", []))}

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        return JSONResponse({"toy_error": status}, status_code=status)


@pytest.fixture
def toy() -> ToyEmulator:
    return ToyEmulator(SandboxClock(time_scale=10), base_url=ORIGIN)


def client(emulator: Emulator, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=SandboxTransport({ORIGIN: emulator.app}), base_url=ORIGIN, **kwargs
    )


@pytest.mark.anyio
async def test_request_log_records_writes_with_bodies_and_redacts_auth(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        await http.post("/items", json={"id": "a"}, headers={"Authorization": "Bearer s3cret"})
        await http.get("/items", params={"page": "2"})
        log = (await http.get("/_sandbox/requests")).json()["requests"]
        assert [(e["method"], e["path"], e["status"]) for e in log] == [
            ("POST", "/items", 201),
            ("GET", "/items", 200),
        ]
        assert log[0]["body"] == '{"id":"a"}'
        assert log[0]["headers"]["authorization"] == "[redacted]"
        assert log[1]["query"] == "page=2" and "body" not in log[1]
        since = (await http.get("/_sandbox/requests", params={"since": log[0]["seq"]})).json()
        assert len(since["requests"]) == 1
        assert (await http.delete("/_sandbox/requests")).status_code == 204
        assert (await http.get("/_sandbox/requests")).json()["requests"] == []


@pytest.mark.anyio
async def test_seed_state_and_reset(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        seeded = await http.post("/_sandbox/seed", json={"items": [{"id": "x"}]})
        assert seeded.json() == {"seeded": {"items": 1}}
        assert (await http.get("/_sandbox/state")).json() == {"items": {"x": {"id": "x"}}}
        await http.post("/_sandbox/reset")
        assert (await http.get("/_sandbox/state")).json() == {"items": {}}
        bad = await http.post("/_sandbox/seed", content=b"not json")
        assert bad.status_code == 400


@pytest.mark.anyio
async def test_status_fault_uses_the_service_error_body_and_counts(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        rule = {"kind": "status", "status": 503, "path": "^/items$", "count": 2}
        assert (await http.post("/_sandbox/faults", json=rule)).status_code == 200
        first = await http.get("/items")
        second = await http.get("/items")
        third = await http.get("/items")
        assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
        assert first.json() == {"toy_error": 503}
        faults = (await http.get("/_sandbox/faults")).json()["faults"]
        assert faults[0]["fired"] == 2
        # control paths are never faulted
        assert (await http.get("/_sandbox/state")).status_code == 200


@pytest.mark.anyio
async def test_bad_fault_rules_are_refused(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        for rule in ({"kind": "explode"}, {"kind": "status", "rate": 2}, {"nope": 1}):
            assert (await http.post("/_sandbox/faults", json=rule)).status_code == 400


@pytest.mark.anyio
async def test_drop_and_timeout_become_real_httpx_errors(toy: ToyEmulator) -> None:
    async with client(toy, timeout=httpx.Timeout(0.2)) as http:
        await http.post("/_sandbox/faults", json={"kind": "drop", "count": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/items")
        await http.post("/_sandbox/faults", json={"kind": "timeout", "count": 1, "delay": 5})
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/items")
        assert (await http.get("/items")).status_code == 200


@pytest.mark.anyio
async def test_truncated_and_malformed_bodies(toy: ToyEmulator) -> None:
    toy.items["a"] = {"id": "a", "name": "x" * 50}
    async with client(toy) as http:
        await http.post("/_sandbox/faults", json={"kind": "truncate", "count": 1})
        truncated = await http.get("/items")
        with pytest.raises(ValueError):
            truncated.json()
        await http.post("/_sandbox/faults", json={"kind": "malformed", "count": 1})
        malformed = await http.get("/items")
        assert malformed.status_code == 200
        with pytest.raises(ValueError):
            malformed.json()


@pytest.mark.anyio
async def test_rate_faults_fire_about_as_often_as_asked(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        await http.post("/_sandbox/faults", json={"kind": "status", "status": 429, "rate": 0.3})
        statuses = [(await http.get("/items")).status_code for _ in range(200)]
        assert 30 <= statuses.count(429) <= 90


@pytest.mark.anyio
async def test_clock_is_scaled_and_advances(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        before = toy.clock.time()
        reply = await http.post("/_sandbox/clock", json={"advance": 1800})
        assert reply.json()["time_scale"] == 10
        assert toy.clock.time() - before >= 1800
        assert (await http.post("/_sandbox/clock", json={"advance": -1})).status_code == 400


@pytest.mark.anyio
async def test_unknown_origin_is_a_connect_error(toy: ToyEmulator) -> None:
    async with client(toy) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("http://elsewhere.sandbox.test/items")
