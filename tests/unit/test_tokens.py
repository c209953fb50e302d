"""Token lifecycle: single-flight refresh, rotation persisted first, lost responses,
invalid_grant → reconnect needed with credentials kept; chunked keyring items."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from nexpura_desktop.auth.tokens import (
    InvalidGrant,
    ReconnectNeeded,
    TokenManager,
    TokenSet,
    TokenStore,
)
from nexpura_desktop.secrets import CHUNK_CHARS, MemoryKeyring, SecretStore

pytestmark = pytest.mark.anyio


class FakeProvider:
    """A rotating token endpoint (like Xero's): each refresh token works once."""

    def __init__(self) -> None:
        self.generation = 0
        self.calls = 0
        self.lose_next_response = 0
        self.revoked = False
        self.gate: asyncio.Event | None = None

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.revoked:
            raise InvalidGrant()
        if refresh_token not in (f"rt-{self.generation}", f"rt-{self.generation - 1}"):
            raise InvalidGrant()
        if refresh_token == f"rt-{self.generation}":
            self.generation += 1
        body = {
            "access_token": f"at-{self.generation}",
            "refresh_token": f"rt-{self.generation}",
            "expires_in": 1800,
        }
        if self.lose_next_response:
            self.lose_next_response -= 1
            raise httpx.ReadError("connection reset after the server answered")
        return body


@pytest.fixture
def store() -> TokenStore:
    token_store = TokenStore(SecretStore(service="test", backend=MemoryKeyring()), "xero")
    token_store.save(TokenSet("at-0", "rt-0", expires_at=0.0))  # already expired
    return token_store


async def test_two_concurrent_callers_make_exactly_one_refresh(store: TokenStore) -> None:
    provider = FakeProvider()
    provider.gate = asyncio.Event()
    manager = TokenManager(store, provider.refresh, clock=lambda: 1000.0)
    first = asyncio.create_task(manager.access_token())
    second = asyncio.create_task(manager.access_token())
    await asyncio.sleep(0.05)
    provider.gate.set()
    assert await first == await second == "at-1"
    assert provider.calls == 1


def test_threads_share_one_refresh(store: TokenStore) -> None:
    provider = FakeProvider()
    results: list[str] = []

    def lane() -> None:
        manager = TokenManager(store, provider.refresh, clock=lambda: 1000.0)
        results.append(asyncio.run(manager.access_token()))

    threads = [threading.Thread(target=lane) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["at-1"] * 4
    assert provider.calls == 1


async def test_rotated_refresh_token_is_persisted_before_use(store: TokenStore) -> None:
    provider = FakeProvider()
    writes: list[str] = []
    original = store.secrets.set

    def spy(item: str, value: str) -> None:
        writes.append(item.split("/")[-1])
        original(item, value)

    store.secrets.set = spy  # type: ignore[method-assign]
    manager = TokenManager(store, provider.refresh, clock=lambda: 1000.0)
    assert await manager.access_token() == "at-1"
    assert writes.index("refresh_token") < writes.index("access_token")
    assert store.load() == TokenSet("at-1", "rt-1", expires_at=2800.0)


async def test_lost_refresh_response_recovers_with_the_previous_token(store: TokenStore) -> None:
    provider = FakeProvider()
    provider.lose_next_response = 1
    manager = TokenManager(store, provider.refresh, clock=lambda: 1000.0)
    assert await manager.access_token() == "at-1"
    assert provider.calls == 2  # the retry used rt-0 inside the grace window
    assert store.load() is not None and store.load().refresh_token == "rt-1"  # type: ignore[union-attr]


async def test_invalid_grant_marks_reconnect_and_keeps_credentials(store: TokenStore) -> None:
    provider = FakeProvider()
    provider.revoked = True
    reasons: list[str] = []
    manager = TokenManager(
        store, provider.refresh, on_reconnect_needed=reasons.append, service_label="Xero"
    )
    with pytest.raises(ReconnectNeeded, match="reconnect Xero"):
        await manager.access_token()
    assert reasons and "no longer accepts" in reasons[0]
    assert store.load() == TokenSet("at-0", "rt-0", expires_at=0.0)


async def test_valid_token_needs_no_request(store: TokenStore) -> None:
    store.save(TokenSet("fresh", "rt-0", expires_at=10_000.0))
    provider = FakeProvider()
    manager = TokenManager(store, provider.refresh, clock=lambda: 1000.0)
    assert await manager.access_token() == "fresh"
    assert provider.calls == 0


def test_google_style_response_keeps_the_old_refresh_token() -> None:
    previous = TokenSet("a", "keep-me", 0.0, "calendar")
    fresh = TokenSet.from_response(
        {"access_token": "b", "expires_in": 3599}, now=0, previous=previous
    )
    assert fresh == TokenSet("b", "keep-me", 3599.0, "calendar")


def test_long_secrets_are_chunked_and_reassembled() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(service="svc", backend=backend)
    long_value = "x" * (CHUNK_CHARS * 2 + 17)
    secrets.set("google/access_token", long_value)
    assert backend.get_password("svc", "google/access_token") != long_value
    assert all(
        len(backend.get_password("svc", f"google/access_token#{i}") or "") <= CHUNK_CHARS
        for i in range(3)
    )
    assert secrets.get("google/access_token") == long_value
    secrets.set("google/access_token", "short")  # leftover chunks are removed
    assert backend.get_password("svc", "google/access_token#0") is None
    secrets.delete("google/access_token")
    assert secrets.get("google/access_token") is None
