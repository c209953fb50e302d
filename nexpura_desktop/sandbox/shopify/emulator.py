"""The Shopify emulator: one shop's Admin GraphQL API, OAuth and bulk-operation results.

URL layout under the emulator's base URL (which stands for ``https://{shop}``):

* ``POST /admin/api/{version}/graphql.json`` — header ``X-Shopify-Access-Token``;
* ``GET|POST /admin/oauth/authorize`` — the grant page (Approve / Cancel);
* ``POST /admin/oauth/access_token`` — code, refresh, client-credentials, token exchange;
* ``GET /bulk-operation-results/{id}.jsonl`` — a bulk operation's result (no auth, like
  Shopify's signed storage URLs; valid 7 days).
"""

from __future__ import annotations

import http
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..core import Emulator, json_error
from . import seeding
from .auth import App, Tokens
from .bulk import BulkManager
from .context import Shop
from .cost import Bucket
from .graphql_api import SUPPORTED_VERSIONS, GraphQLService, dumps, resolve_version
from .oauth import OAuth
from .store import Store

# Sandbox-only credentials, published by /_sandbox/credentials on purpose.
ADMIN_TOKEN = "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"  # noqa: S105
INVALID_LOGIN_MESSAGE = (
    "[API] Invalid API key or access token (unrecognized login or wrong password)"
)
REST_429 = (
    "Exceeded 2 calls per second for api client. "
    "Reduce request rates to resume uninterrupted service."
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "maximum_available": 2000,
    "restore_rate": 100,
    "max_query_cost": 1000,
    "throttled_http_status": 200,
    "bulk_objects_per_second": 5000,
}
ERROR_TEXT = {
    401: INVALID_LOGIN_MESSAGE,
    402: "Unavailable Shop",
    403: "[API] This action requires merchant approval for the requested scope.",
    423: "Locked",
    429: REST_429,
}


class ShopifyEmulator(Emulator):
    name = "shopify"

    def reset(self) -> None:
        self.shop = Shop()
        self.store = Store()
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.app_registration = App()
        self.tokens = Tokens(ADMIN_TOKEN, self.app_registration.scope_set() | {"read_all_orders"})
        self.bulk_ops = BulkManager(getattr(self, "base_url", ""))
        self.buckets: dict[str, Bucket] = {}
        self.store.add_location(
            "Shop location",
            self.clock.time(),
            address1="1 George St",
            city="Sydney",
            province="New South Wales",
            zip="2000",
            country="Australia",
            countryCode="AU",
        )

    def bucket(self, app_key: str) -> Bucket:
        """The cost bucket of one (app, shop) pair."""
        if app_key not in self.buckets:
            maximum = float(self.settings["maximum_available"])
            self.buckets[app_key] = Bucket(
                maximum, float(self.settings["restore_rate"]), maximum, self.clock.time()
            )
        return self.buckets[app_key]

    # -- routes ------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        oauth = OAuth(self)
        return [
            Route("/admin/api/{version}/graphql.json", self.graphql, methods=["POST"]),
            Route("/admin/oauth/authorize", oauth.authorize, methods=["GET", "POST"]),
            Route("/admin/oauth/access_token", oauth.access_token, methods=["POST"]),
            Route("/bulk-operation-results/{op_id:int}.jsonl", self.bulk_result, methods=["GET"]),
        ]

    async def graphql(self, request: Request) -> Response:
        version = resolve_version(request.path_params["version"])
        if version is None:
            return json_error(404, {"errors": "Not Found"})
        headers = {"X-Shopify-API-Version": version}
        with self.lock:
            grant = self.tokens.lookup(
                request.headers.get("x-shopify-access-token"), self.clock.time()
            )
        if grant is None:
            return json_error(401, {"errors": INVALID_LOGIN_MESSAGE}, headers)
        raw = await request.body()
        body: Any
        if request.headers.get("content-type", "").startswith("application/graphql"):
            body = {"query": raw.decode("utf-8", "replace")}
        else:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
        if not isinstance(body, dict):
            return json_error(
                400, {"errors": {"query": "Required parameter missing or invalid"}}, headers
            )

        def run() -> tuple[dict[str, Any], int]:
            with self.lock:
                return GraphQLService(self).run(grant, body, version)

        payload, status = await anyio.to_thread.run_sync(run)
        return Response(
            dumps(payload), status_code=status, media_type="application/json", headers=headers
        )

    async def bulk_result(self, request: Request) -> Response:
        with self.lock:
            body = self.bulk_ops.result(request.path_params["op_id"], self.clock.time())
        if body is None:
            return Response(
                b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
                b"<Message>Access denied.</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        return Response(body, media_type="application/jsonl")

    # -- the Emulator contract -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        store = self.store
        self.bulk_ops.refresh(self.clock.time())
        return {
            "shop": self.shop.domain,
            "counts": {
                "locations": len(store.locations),
                "products": len(store.products),
                "variants": len(store.variants),
                "inventory_levels": len(store.levels),
                "customers": len(store.customers),
                "orders": len(store.orders),
            },
            "bulk_operations": [
                {"id": self.bulk_ops.gid(op), "status": op.status, "objectCount": op.object_count}
                for op in self.bulk_ops.ops.values()
            ],
            "tokens": len(self.tokens.grants),
            "throttle": {k: b.status(self.clock.time()) for k, b in self.buckets.items()},
            "settings": dict(self.settings),
        }

    def credentials(self) -> dict[str, Any]:
        app = self.app_registration
        return {
            "shop": self.shop.domain,
            "base_url": self.base_url,
            "api_version": "2026-01",
            "supported_versions": list(SUPPORTED_VERSIONS),
            "graphql_url": f"{self.base_url}/admin/api/2026-01/graphql.json",
            "admin_token": ADMIN_TOKEN,
            "admin_token_scopes": sorted(self.tokens.grants[ADMIN_TOKEN].scopes),
            "app": {
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uris": list(app.redirect_uris),
                "scopes": app.scopes,
                "client_credentials": app.client_credentials,
            },
            "authorize_url": f"{self.base_url}/admin/oauth/authorize",
            "token_url": f"{self.base_url}/admin/oauth/access_token",
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        now = self.clock.time()
        shop = data.get("shop") or {}
        for key in ("name", "email", "currency", "timezone"):
            if shop.get(key):
                setattr(self.shop, key, str(shop[key]))
        app = data.get("app") or {}
        for key in (
            "client_id",
            "client_secret",
            "redirect_uris",
            "scopes",
            "client_credentials",
            "refresh_seconds",
        ):
            if key in app:
                setattr(self.app_registration, key, app[key])
        settings = data.get("settings") or {}
        unknown = set(settings) - set(DEFAULT_SETTINGS) - {"bulk_query_concurrency"}
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        self.settings.update(settings)
        self.buckets.clear()
        counts = seeding.seed_objects(self.store, data, now)
        if data.get("generate"):
            generated = seeding.generate(self.store, data["generate"], now)
            counts = {k: counts.get(k, 0) + generated.get(k, 0) for k in {*counts, *generated}}
        return counts

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        # the demo's own locations replace the default one
        if len(self.store.products) == 0 and tables.get("locations"):
            self.store.locations.clear()
        return seeding.seed_demo(self.store, tables, self.clock.time())

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """Shopify's ``{"errors": "..."}`` bodies; 429 carries ``Retry-After: 2.0``."""
        text = ERROR_TEXT.get(status) or _phrase(status)
        headers: dict[str, str] = {}
        if status == 429:
            headers["Retry-After"] = f"{float(retry_after if retry_after is not None else 2.0):.1f}"
        elif retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return json_error(status, {"errors": text}, headers)

    def malformed_body(self) -> bytes:
        return (
            b"<!DOCTYPE html><html><head><title>Shopify</title></head><body>"
            b"<h1>There was a problem loading this website</h1></body></html>"
        )

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            return json_error(status, {"errors": _phrase(status)})

        async def server_error(request: Request, exc: Exception) -> Response:
            return json_error(500, {"errors": "Internal Server Error"})

        return {HTTPException: http_error, 404: http_error, 405: http_error, 500: server_error}


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
