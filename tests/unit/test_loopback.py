"""The loopback OAuth receiver (RFC 8252): every way a sign-in attempt can end."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket

import httpx
import pytest

from nexpura_desktop.auth.loopback import (
    AccessDenied,
    FlowCancelled,
    FlowTimeout,
    LoopbackReceiver,
    OAuthFlowError,
    PortsBusy,
    StateMismatch,
)
from nexpura_desktop.auth.pkce import new_pkce, new_state, same_state

pytestmark = pytest.mark.anyio


async def hit(url: str, **params: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url, params=params)


async def test_success_after_stray_requests() -> None:
    state = new_state()
    async with LoopbackReceiver(service_label="Google") as receiver:
        assert receiver.redirect_uri.startswith("http://127.0.0.1:")
        waiter = asyncio.create_task(receiver.wait(state, timeout=10))
        base = f"http://127.0.0.1:{receiver.port}"
        assert (await hit(f"{base}/favicon.ico")).status_code == 404
        assert (await hit(f"{base}/")).status_code == 404
        page = await hit(receiver.redirect_uri, code="abc", state=state, scope="x")
        assert page.status_code == 200 and "Signed in" in page.text
        callback = await waiter
    assert callback.code == "abc" and callback.params["scope"] == "x"
    assert receiver.stray_requests == 2
    with pytest.raises(httpx.ConnectError):  # closed at once afterwards
        await hit(receiver.redirect_uri, code="again", state=state)


async def test_access_denied_ends_the_attempt_with_a_clear_message() -> None:
    state = new_state()
    async with LoopbackReceiver(service_label="Xero") as receiver:
        waiter = asyncio.create_task(receiver.wait(state, timeout=10))
        page = await hit(receiver.redirect_uri, error="access_denied", state=state)
        assert page.status_code == 400
        with pytest.raises(AccessDenied, match="Xero: you declined access"):
            await waiter


async def test_other_errors_are_escaped_in_the_page() -> None:
    state = new_state()
    async with LoopbackReceiver() as receiver:
        waiter = asyncio.create_task(receiver.wait(state, timeout=10))
        page = await hit(
            receiver.redirect_uri,
            error="server_error",
            error_description="<script>alert(1)</script>",
            state=state,
        )
        assert "<script>" not in page.text and "&lt;script&gt;" in page.text
        with pytest.raises(OAuthFlowError, match="had a problem"):
            await waiter


async def test_state_mismatch_and_missing_code() -> None:
    async with LoopbackReceiver() as receiver:
        waiter = asyncio.create_task(receiver.wait(new_state(), timeout=10))
        await hit(receiver.redirect_uri, code="abc", state="forged")
        with pytest.raises(StateMismatch):
            await waiter
    state = new_state()
    async with LoopbackReceiver() as receiver:
        waiter = asyncio.create_task(receiver.wait(state, timeout=10))
        await hit(receiver.redirect_uri, state=state)
        with pytest.raises(OAuthFlowError, match="no authorisation code"):
            await waiter


async def test_timeout_and_cancel_close_the_listener() -> None:
    async with LoopbackReceiver() as receiver:
        with pytest.raises(FlowTimeout, match="no answer"):
            await receiver.wait(new_state(), timeout=0.2)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", receiver.port)) != 0
    async with LoopbackReceiver() as receiver:
        waiter = asyncio.create_task(receiver.wait(new_state(), timeout=10))
        await asyncio.sleep(0)
        receiver.cancel()
        with pytest.raises(FlowCancelled):
            await waiter


async def test_foreign_host_header_is_refused() -> None:
    state = new_state()
    async with LoopbackReceiver() as receiver:
        waiter = asyncio.create_task(receiver.wait(state, timeout=10))
        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        writer.write(
            f"GET /callback?code=x&state={state} HTTP/1.1\r\nHost: evil.example\r\n\r\n".encode()
        )
        await writer.drain()
        reply = await reader.read()
        writer.close()
        assert reply.startswith(b"HTTP/1.1 421")
        assert not waiter.done()
        await hit(receiver.redirect_uri, code="ok", state=state)
        assert (await waiter).code == "ok"


async def test_listens_on_loopback_only_and_falls_back_to_the_next_registered_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with socket.socket() as spare:
            spare.bind(("127.0.0.1", 0))
            free = spare.getsockname()[1]
        async with LoopbackReceiver(ports=[taken, free], host_name="localhost") as receiver:
            assert receiver.port == free
            assert receiver.redirect_uri == f"http://localhost:{free}/callback"
            assert receiver.bound_addresses() == ["127.0.0.1"]
        with pytest.raises(PortsBusy, match="in use"):
            async with LoopbackReceiver(ports=[taken]):
                pass


def test_pkce_is_s256_and_fresh() -> None:
    one, two = new_pkce(), new_pkce()
    assert one.verifier != two.verifier and 43 <= len(one.verifier) <= 128
    digest = hashlib.sha256(one.verifier.encode()).digest()
    assert one.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert same_state("abc", "abc") and not same_state("abc", "abd")
    assert not same_state("abc", None)
