"""The WooCommerce emulator: a WordPress shop with WooCommerce's REST API v3.

Clients form URLs as ``{store_url}/wp-json/wc/v3/{resource}``; the sandbox serves plain
HTTP, so requests must carry OAuth 1.0a one-legged signatures (service-apis.md §2.1).
Behind a TLS proxy (``X-Forwarded-Proto: https``) Basic or ``consumer_key`` query auth work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..core import Emulator
from . import seeding
from .api import RestServer
from .auth import ApiKey, Authenticator
from .catalog import Catalog
from .control import control_routes
from .dates import DEFAULT_TIMEZONE, SiteTime
from .listing import OrderCache, Page, paging_headers
from .sales import Sales
from .serialize import WC_VERSION, WP_VERSION, Serializer
from .store import Store
from .webhooks import Deliveries
from .wp import WPError, error_response, no_route, php_json, wp_response

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SHOP_NAME = "Nexpura Demo Jewellers"


def _fixed_key(label: str) -> tuple[str, str]:
    """Stable keys, so the directory's credentials survive a reset."""
    digest = hashlib.sha256(f"nexpura-sandbox-woocommerce-{label}".encode()).hexdigest()
    return "ck_" + digest[:40], "cs_" + hashlib.sha256(digest.encode()).hexdigest()[:40]


READ_WRITE_KEY = _fixed_key("read_write")
READ_ONLY_KEY = _fixed_key("read")


class WooCommerceEmulator(Emulator):
    """REST v3 products, variations, customers, orders, webhooks and system status."""

    name = "woocommerce"

    # -- lifecycle ------------------------------------------------------------------------
    def reset(self) -> None:
        self.site = SiteTime(DEFAULT_TIMEZONE)
        self.store = Store(lambda: int(self.clock.time()), self.site)
        self.serializer = Serializer(self.store, self.site, self.base_url or "http://testserver")
        self.authenticator = Authenticator()
        for key_id, (label, (ck, cs)) in enumerate(
            (("read_write", READ_WRITE_KEY), ("read", READ_ONLY_KEY)), start=1
        ):
            self.authenticator.add(ApiKey(key_id, 1, f"Nexpura Desktop ({label})", label, ck, cs))
        self.deliveries = Deliveries()
        self.order_cache = OrderCache()

    def routes(self) -> list[BaseRoute]:
        server = RestServer(self, [*Catalog(self).routes(), *Sales(self).routes()])
        return [
            *control_routes(self),
            Route("/wp-json", server.handle, methods=ALL_METHODS),
            Route("/wp-json/{rest:path}", server.handle, methods=ALL_METHODS),
            Route("/", self._storefront, methods=["GET"]),
        ]

    # -- URLs -----------------------------------------------------------------------------
    def home_url(self, request: Request) -> str:
        return self.base_url or f"{request.url.scheme}://{request.url.netloc}"

    def rest_root(self, request: Request) -> str:
        home = self.home_url(request)
        forwarded = request.headers.get("x-forwarded-proto", "").lower() == "https"
        if forwarded and home.startswith("http://"):
            home = "https://" + home[len("http://") :]
        return f"{home}/wp-json"

    def paging_headers(
        self, url: str, query: list[tuple[str, str]], result: Page
    ) -> list[tuple[str, str]]:
        return paging_headers(url, query, result)

    def site_now(self) -> datetime:
        return self.clock.now().astimezone(self.site.zone)

    # -- webhooks -------------------------------------------------------------------------
    def queue_ping(self, webhook: dict[str, Any]) -> None:
        self.deliveries.ping(webhook, self.serializer.home, self.clock.now().isoformat())

    def dispatch_events(self, request: Request | None = None) -> None:
        """Turn the store's change events into queued deliveries (one per webhook/resource)."""
        with self.lock:
            events, self.store.events = self.store.events, []
            seen: set[tuple[int, str, int]] = set()
            for topic, resource_id in events:
                for webhook in self.store.webhooks.values():
                    key = (webhook["id"], topic, resource_id)
                    if webhook["status"] != "active" or webhook["topic"] != topic or key in seen:
                        continue
                    seen.add(key)
                    payload = self._payload(topic, resource_id)
                    if payload is not None:
                        self.deliveries.enqueue(
                            webhook,
                            resource_id,
                            payload,
                            self.serializer.home,
                            self.clock.now().isoformat(),
                        )

    def _payload(self, topic: str, resource_id: int) -> dict[str, Any] | None:
        resource, _, event = topic.partition(".")
        if event == "deleted":
            return {"id": resource_id}
        if resource == "product":
            record = self.store.product_or_variation(resource_id)
            return self.serializer.product(record) if record else None
        if resource == "order":
            order = self.store.orders.get(resource_id)
            return self.serializer.order(order) if order else None
        if resource == "customer":
            customer = self.store.customers.get(resource_id)
            return self.serializer.customer(customer) if customer else None
        return None

    # -- what the base class asks for -----------------------------------------------------
    def state(self) -> dict[str, Any]:
        small = sum(self.store.counts().values()) <= 2000
        state: dict[str, Any] = {
            "settings": {**self.store.settings, "timezone": self.site.zone_name},
            "counts": self.store.counts(),
            "webhooks": [
                {**self.serializer.webhook(w), "failure_count": w["failure_count"]}
                for w in self.store.webhooks.values()
            ],
            "deliveries": len(self.deliveries.items),
        }
        if small:
            state["products"] = [
                {
                    k: r.get(k)
                    for k in (
                        "id",
                        "name",
                        "sku",
                        "type",
                        "status",
                        "regular_price",
                        "manage_stock",
                        "stock_quantity",
                        "stock_status",
                    )
                }
                for r in self.store.products.values()
            ]
            state["variations"] = [
                {
                    k: r.get(k)
                    for k in (
                        "id",
                        "parent_id",
                        "sku",
                        "regular_price",
                        "stock_quantity",
                        "stock_status",
                    )
                }
                for r in self.store.variations.values()
            ]
            state["customers"] = [
                {
                    "id": r["id"],
                    "email": r["email"],
                    "first_name": r.get("first_name", ""),
                    "last_name": r.get("last_name", ""),
                }
                for r in self.store.customers.values()
            ]
            state["orders"] = [
                {
                    "id": r["id"],
                    "status": r["status"],
                    "total": r["total"],
                    "customer_id": r["customer_id"],
                    "created_via": r["created_via"],
                }
                for r in self.store.orders.values()
            ]
        return state

    def credentials(self) -> dict[str, Any]:
        store_url = self.base_url
        return {
            "store_url": store_url,
            "api_base": f"{store_url}/wp-json/wc/v3",
            "auth": "oauth1 (HMAC-SHA256 or HMAC-SHA1) over http; basic or query over https",
            "read_write": {
                "consumer_key": READ_WRITE_KEY[0],
                "consumer_secret": READ_WRITE_KEY[1],
                "permissions": "read_write",
            },
            "read_only": {
                "consumer_key": READ_ONLY_KEY[0],
                "consumer_secret": READ_ONLY_KEY[1],
                "permissions": "read",
            },
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        result = seeding.seed(self, data)
        self.order_cache = OrderCache()
        return result

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        result = seeding.seed_demo(self, tables)
        self.order_cache = OrderCache()
        return result

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """What a WooCommerce site answers with ``status`` (injected faults)."""
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        if status == 429:
            # REST v3 has no limiter of its own; WooCommerce's (Store API) wording is used.
            wait = int(retry_after) if retry_after is not None else 60
            error = WPError(
                "rate_limit_exceeded",
                f"Too many requests. Please wait {wait} seconds before trying again.",
                429,
            )
        elif status == 503:
            headers.setdefault("Retry-After", "600")
            error = WPError(
                "wp_die",
                "Briefly unavailable for scheduled maintenance. Check back in a minute.",
                503,
            )
        elif status == 401:
            error = WPError(
                "woocommerce_rest_authentication_error", "Consumer key is invalid.", 401
            )
        elif status == 404:
            error = no_route()
        elif status >= 500:
            error = _critical_error(status)
        else:
            error = WPError(f"http_{status}", f"HTTP {status}", status)
        error.headers.update(headers)
        response = error_response(error)
        if status >= 500 and status != 503:
            response.body = php_json({**error.body(), "additional_errors": []})
            response.headers["content-length"] = str(len(response.body))
        return response

    def malformed_body(self) -> bytes:
        """The classic broken WooCommerce reply: a PHP notice printed before the JSON."""
        return (
            b"<br />\n<b>Deprecated</b>:  Creation of dynamic property WC_Gateway_Legacy::$x"
            b" is deprecated in <b>/var/www/html/wp-content/plugins/legacy-gateway/gateway.php"
            b'</b> on line <b>42</b><br />\n[{"id":1'
        )

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def not_found(request: Request, exc: Exception) -> Response:
            if request.url.path.startswith("/wp-json"):
                return error_response(no_route())
            return HTMLResponse(
                "<!DOCTYPE html><html><head><title>Page not found &#8211; "
                f"{SHOP_NAME}</title></head><body><h1>Oops! That page can&rsquo;t be found."
                "</h1></body></html>",
                status_code=404,
            )

        async def method_not_allowed(request: Request, exc: Exception) -> Response:
            return error_response(no_route())

        async def server_error(request: Request, exc: Exception) -> Response:
            error = _critical_error(500)
            return wp_response({**error.body(), "additional_errors": []}, 500)

        async def http_error(request: Request, exc: Exception) -> Response:
            code = exc.status_code if isinstance(exc, HTTPException) else 500
            if code == 405:
                return await method_not_allowed(request, exc)
            if code == 404:
                return await not_found(request, exc)
            return error_response(WPError(f"http_{code}", f"HTTP {code}", code))

        return {
            404: not_found,
            405: method_not_allowed,
            500: server_error,
            Exception: server_error,
            HTTPException: http_error,
        }

    # -- pages and indexes ----------------------------------------------------------------
    async def _storefront(self, request: Request) -> Response:
        with self.lock:
            rows = "".join(
                f"<li>{p.get('name', '')} — ${p.get('regular_price', '')}</li>"
                for p in list(self.store.products.values())[:50]
                if p.get("status") == "publish"
            )
        return HTMLResponse(
            f"<!DOCTYPE html><html><head><title>{SHOP_NAME}</title></head><body>"
            f"<h1>{SHOP_NAME}</h1><p>A WooCommerce shop (Nexpura sandbox).</p>"
            f"<ul>{rows}</ul></body></html>"
        )

    def site_index(self) -> dict[str, Any]:
        home = self.serializer.home
        return {
            "name": SHOP_NAME,
            "description": "Fine jewellery",
            "url": home,
            "home": home,
            "gmt_offset": self.site.gmt_offset_hours(int(self.clock.time())),
            "timezone_string": self.site.zone_name,
            "namespaces": ["oembed/1.0", "wc/store/v1", "wc/v1", "wc/v2", "wc/v3", "wp/v2"],
            "authentication": [],
            "routes": {},
        }

    def namespace_index(self) -> dict[str, Any]:
        return {"namespace": "wc/v3", "routes": {}}

    def system_status(self, request: Request) -> dict[str, Any]:
        home = self.home_url(request)
        https = self.rest_root(request).startswith("https")
        return {
            "environment": {
                "home_url": home,
                "site_url": home,
                "version": WC_VERSION,
                "wp_version": WP_VERSION,
                "wp_multisite": False,
                "wp_memory_limit": 268435456,
                "wp_debug_mode": False,
                "language": "en_AU",
                "server_info": "nginx/1.26.0",
                "php_version": "8.2.20",
                "default_timezone": "UTC",
            },
            "database": {"wc_database_version": WC_VERSION, "database_prefix": "wp_"},
            "active_plugins": [
                {
                    "plugin": "woocommerce/woocommerce.php",
                    "name": "WooCommerce",
                    "version": WC_VERSION,
                    "author_name": "Automattic",
                },
            ],
            "inactive_plugins": [],
            "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
            "theme": {"name": "Storefront", "version": "4.6.1", "is_child_theme": False},
            "settings": {
                "api_enabled": True,
                "force_ssl": False,
                "currency": self.store.settings["currency"],
                "currency_symbol": "$",
                "currency_position": "left",
                "thousand_separator": ",",
                "decimal_separator": ".",
                "number_of_decimals": 2,
                "taxonomies": {"simple": "simple", "variable": "variable"},
            },
            "security": {"secure_connection": https, "hide_errors": True},
            "pages": [],
            "post_type_counts": [
                {"type": "product", "count": str(len(self.store.products))},
                {"type": "shop_order", "count": str(len(self.store.orders))},
            ],
        }


def _critical_error(status: int) -> WPError:
    return WPError(
        "internal_server_error",
        '<p>There has been a critical error on this website.</p><p><a href="https://wordpress'
        '.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting '
        "WordPress.</a></p>",
        status,
    )
