"""WooCommerce webhooks: registration for a delivery URL, and the signature check.

WooCommerce signs each delivery with ``X-WC-Webhook-Signature = base64(HMAC-SHA256(secret,
exact body bytes))`` (service-apis.md §2.6), over the bytes it sent — PHP JSON with ``\\/``
escapes — so :func:`verify` must get the raw body, never a re-serialisation.  We always
send our own secret (WooCommerce's default is derived from the user id and name) and keep
it in the keyring only (``SECRET_ITEM``); the local API reads it with
:func:`load_webhook_secret` and calls :func:`verify` on each delivery.

Registration is idempotent: a webhook already pointing at the delivery URL for a topic is
updated (secret, active) rather than duplicated, so running setup twice leaves one each.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...secrets import SecretStore
from .client import WooClient

TOPICS = ("order.created", "order.updated", "product.updated")
NAME_PREFIX = "Nexpura Desktop"
SECRET_ITEM = "woocommerce/webhook_secret"  # noqa: S105 (a keyring item name, not a secret)


def load_webhook_secret(store: SecretStore) -> str | None:
    """The secret WooCommerce signs our webhook deliveries with (None: none registered)."""
    return store.get(SECRET_ITEM) or None


def save_webhook_secret(store: SecretStore, secret: str) -> None:
    store.set(SECRET_ITEM, secret)


def forget_webhook_secret(store: SecretStore) -> None:
    store.delete(SECRET_ITEM)


def new_secret() -> str:
    """A fresh webhook secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def sign(body: bytes, secret: str) -> str:
    """The ``X-WC-Webhook-Signature`` WooCommerce sends for ``body``."""
    mac = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def verify(body: bytes, signature_header: str, secret: str) -> bool:
    """Whether ``signature_header`` is WooCommerce's signature of ``body`` under ``secret``.

    Constant-time; an empty secret or header, or a header that is not base64, is refused.
    """
    if not secret or not signature_header:
        return False
    try:
        given = base64.b64decode(signature_header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


@dataclass(frozen=True)
class Registration:
    topic: str
    webhook_id: int
    created: bool  # False: an existing webhook for this URL and topic was updated


def _same_url(a: Any, b: str) -> bool:
    return str(a or "").rstrip("/") == b.rstrip("/")


async def register(
    client: WooClient,
    delivery_url: str,
    secret: str,
    *,
    topics: Sequence[str] = TOPICS,
) -> list[Registration]:
    """Make sure one active webhook per topic posts to ``delivery_url`` signed with ``secret``."""
    if not secret:
        raise ValueError("a webhook secret is required")
    existing = await client.list_webhooks()
    done: list[Registration] = []
    for topic in topics:
        matches = [
            w
            for w in existing
            if w.get("topic") == topic and _same_url(w.get("delivery_url"), delivery_url)
        ]
        body = {"secret": secret, "status": "active", "delivery_url": delivery_url}
        if matches:
            hook = await client.update_webhook(int(matches[0]["id"]), body)
            for extra in matches[1:]:  # an earlier interrupted setup left a duplicate
                await client.delete_webhook(int(extra["id"]))
            done.append(Registration(topic, int(hook["id"]), False))
            continue
        hook = await client.create_webhook(
            {"name": f"{NAME_PREFIX}: {topic}", "topic": topic, **body}
        )
        done.append(Registration(topic, int(hook["id"]), True))
    return done


async def unregister(client: WooClient, delivery_url: str) -> list[int]:
    """Delete every webhook posting to ``delivery_url``; returns their ids."""
    removed: list[int] = []
    for hook in await client.list_webhooks():
        if _same_url(hook.get("delivery_url"), delivery_url):
            await client.delete_webhook(int(hook["id"]))
            removed.append(int(hook["id"]))
    return removed
