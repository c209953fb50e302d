"""Webhooks: topics, the delivery queue, signatures, pings and the failure rule.

service-apis.md §2.6 [SRC class-wc-webhook.php]:

* a delivery is ``POST`` with ``Content-Type: application/json``, the body being the REST
  representation of the resource (``{"id": N}`` for ``*.deleted``), the ``X-WC-Webhook-*``
  headers and ``X-WC-Webhook-Signature = base64(HMAC-SHA256(secret, exact body bytes))``;
* creating (or re-activating) an active webhook sends a ping: form body ``webhook_id=N``,
  no signature and no topic headers;
* deliveries are queued (Action Scheduler) rather than sent inline: they appear at
  ``GET /_sandbox/deliveries`` and are sent by ``POST /_sandbox/deliveries/flush``;
* a response of 200–302 resets ``failure_count``; anything else (or no response) counts a
  failure, and WC_Webhook::failed_delivery disables the webhook once the count already
  exceeds 5 (so the 7th consecutive failure sets ``status=disabled``). No retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from .schema import WEBHOOK_STATUSES
from .serialize import WC_VERSION, WP_VERSION
from .store import Record, Store
from .wp import WPError, php_json

RESOURCES = ("coupon", "customer", "order", "product")
EVENTS = ("created", "updated", "deleted", "restored")
MAX_FAILURES = 5
HOOKS: dict[str, list[str]] = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "customer.created": [
        "user_register",
        "woocommerce_created_customer",
        "woocommerce_new_customer",
    ],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
}


def valid_topic(topic: str) -> bool:
    if topic.startswith("action.") and len(topic) > len("action."):
        return True
    resource, _, event = topic.partition(".")
    return resource in RESOURCES and event in EVENTS


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def new_webhook(store: Store, body: Mapping[str, Any], clock_now: datetime) -> Record:
    topic = str(body.get("topic") or "").lower()
    if not topic or not valid_topic(topic):
        raise WPError(
            "woocommerce_rest_shop_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
            400,
        )
    url = str(body.get("delivery_url") or "")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise WPError(
            "woocommerce_rest_shop_webhook_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            400,
        )
    status = str(body.get("status") or "active")
    if status not in WEBHOOK_STATUSES:
        status = "active"
    now = store.now()
    default_name = "Webhook created on " + clock_now.strftime("%b %d, %Y @ %I:%M %p")
    # Without a secret WooCommerce derives one from the user's ID|username (§2.6).
    default_secret = hmac.new(b"sandbox-salt", b"1|admin", hashlib.md5).hexdigest()
    record: Record = {
        "id": store.next_webhook_id(),
        "name": str(body.get("name") or default_name),
        "status": status,
        "topic": topic,
        "delivery_url": url,
        "secret": str(body.get("secret") or default_secret),
        "hooks": HOOKS.get(topic, [topic.removeprefix("action.")]),
        "failure_count": 0,
        "created": now,
        "modified": now,
    }
    store.webhooks[record["id"]] = record
    store.bump("webhooks")
    return record


class Deliveries:
    """The queue of webhook deliveries and pings, and their sending."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.transport: httpx.AsyncBaseTransport | None = None  # tests may inject one

    def clear(self) -> None:
        self.items.clear()

    def ping(self, webhook: Record, home: str, now_iso: str) -> None:
        self.items.append(
            {
                "seq": len(self.items) + 1,
                "kind": "ping",
                "webhook_id": webhook["id"],
                "delivery_url": webhook["delivery_url"],
                "headers": {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "User-Agent": f"WordPress/{WP_VERSION}; {home}/",
                },
                "body": f"webhook_id={webhook['id']}",
                "status": "queued",
                "queued_at": now_iso,
            }
        )

    def enqueue(
        self,
        webhook: Record,
        resource_id: int,
        payload: Any,
        home: str,
        now_iso: str,
    ) -> None:
        resource, _, event = webhook["topic"].partition(".")
        body = php_json(payload).decode("ascii")
        delivery_id = secrets.token_hex(16)
        self.items.append(
            {
                "seq": len(self.items) + 1,
                "kind": "delivery",
                "delivery_id": delivery_id,
                "webhook_id": webhook["id"],
                "topic": webhook["topic"],
                "resource_id": resource_id,
                "delivery_url": webhook["delivery_url"],
                "headers": {
                    "Content-Type": "application/json",
                    "User-Agent": f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})",
                    "X-WC-Webhook-Source": f"{home}/",
                    "X-WC-Webhook-Topic": webhook["topic"],
                    "X-WC-Webhook-Resource": resource,
                    "X-WC-Webhook-Event": event,
                    "X-WC-Webhook-Signature": signature(body.encode(), webhook["secret"]),
                    "X-WC-Webhook-ID": str(webhook["id"]),
                    "X-WC-Webhook-Delivery-ID": delivery_id,
                },
                "body": body,
                "status": "queued",
                "queued_at": now_iso,
            }
        )

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [d for d in self.items if d["seq"] > seq]

    async def flush(
        self,
        lock: Any,
        webhooks: Mapping[int, Record],
        now_iso: Callable[[], str],
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """POST every queued item; returns the items sent (with their outcome)."""
        with lock:
            queued = [d for d in self.items if d["status"] == "queued"]
        async with httpx.AsyncClient(
            transport=self.transport, timeout=timeout, follow_redirects=False
        ) as client:
            for item in queued:
                code: int | None = None
                error: str | None = None
                try:
                    response = await client.post(
                        item["delivery_url"], content=item["body"].encode(), headers=item["headers"]
                    )
                    code = response.status_code
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                ok = code is not None and 200 <= code < 303
                with lock:
                    item.update(
                        status="delivered" if ok else "failed",
                        response_code=code,
                        error=error,
                        delivered_at=now_iso(),
                    )
                    webhook = webhooks.get(item["webhook_id"])
                    if webhook is not None and item["kind"] == "delivery":
                        _record_outcome(webhook, ok)
        return queued


def _record_outcome(webhook: Record, ok: bool) -> None:
    if ok:
        webhook["failure_count"] = 0
    elif webhook["failure_count"] > MAX_FAILURES:
        webhook["status"] = "disabled"
    else:
        webhook["failure_count"] += 1
