"""WooCommerce-specific control routes: what happens on the website between two syncs.

* ``POST /_sandbox/orders`` — a shopper checks out online: ``{"line_items": [{"sku"|
  "product_id"|"variation_id", "quantity"}], "customer_id"?, "billing"?, "status"?
  (default ``processing``), "set_paid"? (default true)}``. Stock is reduced and an
  ``order.created`` delivery is queued, exactly as a real checkout would.
* ``POST /_sandbox/orders/{id}`` — the shop owner changes an order in wp-admin
  (``{"status": "completed"}`` …): ``order.updated``.
* ``POST /_sandbox/products/{id}`` — a product or variation edited in wp-admin (any
  writable REST field, e.g. ``regular_price``, ``stock_quantity``): ``product.updated``.
* ``POST /_sandbox/customers`` — someone registers on the site: ``customer.created``.
* ``POST /_sandbox/settings`` — ``timezone``, ``currency``, ``stock_change_touches_product``,
  ``latency`` (sandbox seconds each REST request takes, default 0) and ``workers`` (how
  many requests the site serves at once, default 4; the rest queue, as PHP-FPM does).
* ``GET /_sandbox/deliveries?since=N`` / ``DELETE`` — queued webhook deliveries and pings;
  ``POST /_sandbox/deliveries/flush`` sends them to their delivery URLs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import orders, products
from .schema import as_bool
from .wp import WPError

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator

Endpoint = Callable[[Request], Awaitable[Response]]


def control_routes(emu: WooCommerceEmulator) -> list[BaseRoute]:
    def guarded(fn: Callable[[Request, dict[str, Any]], Awaitable[Response]]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                body = await request.json() if (await request.body()).strip() else {}
            except ValueError:
                return JSONResponse({"error": "body must be JSON"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
            try:
                return await fn(request, body)
            except WPError as error:
                return JSONResponse({"error": error.message, **error.body()}, error.status)
            finally:
                emu.dispatch_events(request)

        return endpoint

    async def online_order(request: Request, body: dict[str, Any]) -> Response:
        with emu.lock:
            fields = {
                "status": body.get("status", "processing"),
                "set_paid": as_bool(body.get("set_paid", True)),
                "payment_method": body.get("payment_method", "stripe"),
                "payment_method_title": body.get("payment_method_title", "Credit card"),
                **{k: v for k, v in body.items() if k not in ("status", "set_paid")},
            }
            record = orders.new_order(emu.store, fields, created_via="checkout")
            return JSONResponse(emu.serializer.order(record), status_code=201)

    async def change_order(request: Request, body: dict[str, Any]) -> Response:
        with emu.lock:
            record = emu.store.orders.get(int(request.path_params["id"]))
            if record is None:
                return JSONResponse({"error": "no such order"}, status_code=404)
            orders.update_order(emu.store, record, body)
            emu.store.emit("order.updated", record["id"])
            return JSONResponse(emu.serializer.order(record))

    async def edit_product(request: Request, body: dict[str, Any]) -> Response:
        with emu.lock:
            product_id = int(request.path_params["id"])
            record = emu.store.product_or_variation(product_id)
            if record is None:
                return JSONResponse({"error": "no such product"}, status_code=404)
            if "parent_id" in record:
                products.update_variation(emu.store, record, body)
            else:
                products.update_product(emu.store, record, body)
            emu.store.emit("product.updated", product_id)
            return JSONResponse(emu.serializer.product(record))

    async def register_customer(request: Request, body: dict[str, Any]) -> Response:
        with emu.lock:
            record = orders.new_customer(emu.store, body)
            return JSONResponse(emu.serializer.customer(record), status_code=201)

    async def settings(request: Request, body: dict[str, Any]) -> Response:
        with emu.lock:
            apply_settings(emu, body)
            return JSONResponse(emu.state()["settings"])

    async def deliveries(request: Request) -> Response:
        if request.method == "DELETE":
            with emu.lock:
                emu.deliveries.clear()
            return Response(status_code=204)
        since = int(request.query_params.get("since", "0") or 0)
        with emu.lock:
            return JSONResponse({"deliveries": emu.deliveries.since(since)})

    async def flush(request: Request) -> Response:
        sent = await emu.deliveries.flush(
            emu.lock, emu.store.webhooks, lambda: emu.clock.now().isoformat()
        )
        return JSONResponse({"sent": sent})

    return [
        Route("/_sandbox/orders", guarded(online_order), methods=["POST"]),
        Route("/_sandbox/orders/{id:int}", guarded(change_order), methods=["POST", "PUT"]),
        Route("/_sandbox/products/{id:int}", guarded(edit_product), methods=["POST", "PUT"]),
        Route("/_sandbox/customers", guarded(register_customer), methods=["POST"]),
        Route("/_sandbox/settings", guarded(settings), methods=["POST"]),
        Route("/_sandbox/deliveries", deliveries, methods=["GET", "DELETE"]),
        Route("/_sandbox/deliveries/flush", flush, methods=["POST"]),
    ]


def apply_settings(emu: WooCommerceEmulator, values: dict[str, Any]) -> None:
    if values.get("timezone"):
        emu.site.set_zone(str(values["timezone"]))
    if values.get("currency"):
        emu.store.settings["currency"] = str(values["currency"])
    if "latency" in values:  # sandbox seconds each REST request takes (PHP + database time)
        emu.store.settings["latency"] = max(0.0, float(values["latency"]))
    if "workers" in values:  # PHP workers: requests served at once, the rest wait their turn
        emu.store.settings["workers"] = max(1, int(values["workers"]))
    if "stock_change_touches_product" in values:
        emu.store.settings["stock_change_touches_product"] = as_bool(
            values["stock_change_touches_product"]
        )
