"""wc/v3 customers, orders, webhooks and system_status (service-apis.md §2.3, §2.6).

Customers have no ``modified_after``/``modified_before``: WordPress ignores query
arguments a route does not declare, so such a filter is silently dropped and the whole
collection comes back (§2.3, §9 q5) — sync customers by full scan or via orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from . import orders as model
from .api import Ctx, RouteTable, batch, editable, route
from .controllers import collection, created, date_predicates, list_response, search_predicate
from .listing import Predicate
from .schema import CUSTOMER, ORDER, ORDER_STATUSES, WEBHOOK, WEBHOOK_STATUSES, validate_body
from .serialize import Serializer
from .store import Record, Store
from .webhooks import new_webhook, valid_topic
from .wp import WPError, wp_response

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator

ORDER_FILTER_STATUSES = ("any", "trash", *ORDER_STATUSES, "checkout-draft")


class Sales:
    def __init__(self, emu: WooCommerceEmulator) -> None:
        self.emu = emu

    @property
    def store(self) -> Store:
        """The emulator's current store (a reset replaces it)."""
        return self.emu.store

    @property
    def ser(self) -> Serializer:
        return self.emu.serializer

    def routes(self) -> RouteTable:
        return [
            (
                route("/customers"),
                {
                    "GET": (self.list_customers, "list"),
                    "POST": (self.create_customer, "create"),
                },
            ),
            (route("/customers/batch"), editable(self.batch_customers, "batch")),
            (
                route(r"/customers/(?P<id>\d+)"),
                {
                    "GET": (self.get_customer, "read"),
                    **editable(self.update_customer, "edit"),
                    "DELETE": (self.delete_customer, "delete"),
                },
            ),
            (
                route("/orders"),
                {
                    "GET": (self.list_orders, "list"),
                    "POST": (self.create_order, "create"),
                },
            ),
            (route("/orders/batch"), editable(self.batch_orders, "batch")),
            (
                route(r"/orders/(?P<id>\d+)"),
                {
                    "GET": (self.get_order, "read"),
                    **editable(self.update_order, "edit"),
                    "DELETE": (self.delete_order, "delete"),
                },
            ),
            (
                route("/webhooks"),
                {
                    "GET": (self.list_webhooks, "list"),
                    "POST": (self.create_webhook, "create"),
                },
            ),
            (route("/webhooks/batch"), editable(self.batch_webhooks, "batch")),
            (
                route(r"/webhooks/(?P<id>\d+)"),
                {
                    "GET": (self.get_webhook, "read"),
                    **editable(self.update_webhook, "edit"),
                    "DELETE": (self.delete_webhook, "delete"),
                },
            ),
            (route("/system_status"), {"GET": (self.system_status, "list")}),
        ]

    def _location(self, ctx: Ctx, base: str, item_id: int) -> str:
        return f"{self.emu.rest_root(ctx.request)}/wc/v3/{base}/{item_id}"

    # -- customers ------------------------------------------------------------------------
    def _customer(self, customer_id: int, status: int) -> Record:
        record = self.store.customers.get(customer_id)
        if record is None:
            raise WPError("woocommerce_rest_invalid_id", "Invalid resource ID.", status)
        return record

    async def list_customers(self, ctx: Ctx) -> Response:
        coll = collection(ctx, ("id", "include", "name", "registered_date"), "name", "asc")
        p = coll.params
        predicates: list[Predicate] = []
        email = p.raw("email")
        if email:
            predicates.append(lambda r: r["email"] == email.strip().lower())
        roles = (
            "all",
            "administrator",
            "editor",
            "author",
            "contributor",
            "subscriber",
            "customer",
            "shop_manager",
        )
        role = p.enum("role", roles, "customer")
        if role != "all":
            predicates.append(lambda r: r.get("role") == role)
        predicates += search_predicate(
            p.raw("search"), ("email", "username", "first_name", "last_name")
        )
        return list_response(
            self.emu,
            ctx,
            "customers",
            self.store.customers,
            coll,
            predicates,
            self.ser.customer,
            "customers",
        )

    async def get_customer(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self.ser.customer(self._customer(ctx.arg("id"), 404)))

    def _create_customer(self, body: Any) -> dict[str, Any]:
        if body.get("id"):
            raise WPError(
                "woocommerce_rest_customer_exists", "Cannot create existing resource.", 400
            )
        return self.ser.customer(model.new_customer(self.store, body))

    async def create_customer(self, ctx: Ctx) -> Response:
        if not ctx.body.get("email"):
            raise WPError(
                "rest_missing_callback_param", "Missing parameter(s): email", 400, params=["email"]
            )
        validate_body(ctx.body, CUSTOMER)
        with self.emu.lock:
            payload = self._create_customer(ctx.body)
        return created(payload, self._location(ctx, "customers", payload["id"]))

    def _update_customer(self, customer_id: int, body: Any) -> dict[str, Any]:
        record = self._customer(customer_id, 400)
        model.update_customer(self.store, record, body)
        self.store.emit("customer.updated", customer_id)
        return self.ser.customer(record)

    async def update_customer(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, CUSTOMER)
        with self.emu.lock:
            return wp_response(self._update_customer(ctx.arg("id"), ctx.body))

    def _delete_customer(self, customer_id: int, force: bool) -> dict[str, Any]:
        if not force:
            raise WPError(
                "woocommerce_rest_trash_not_supported", "Customers do not support trashing.", 501
            )
        record = self._customer(customer_id, 404)
        before = self.ser.customer(record)
        del self.store.customers[customer_id]
        self.store.email_index.pop(record["email"], None)
        self.store.bump("customers")
        self.store.emit("customer.deleted", customer_id)
        return before

    async def delete_customer(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self._delete_customer(ctx.arg("id"), _force(ctx)))

    async def batch_customers(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            result = batch(
                ctx.body,
                self._create_customer,
                lambda item: self._update_customer(int(item.get("id") or 0), item),
                lambda item_id: self._delete_customer(item_id, True),
            )
        return wp_response(result)

    # -- orders ---------------------------------------------------------------------------
    def _order(self, order_id: int, status: int) -> Record:
        record = self.store.orders.get(order_id)
        if record is None:
            raise WPError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", status)
        return record

    async def list_orders(self, ctx: Ctx) -> Response:
        coll = collection(
            ctx, ("date", "id", "include", "title", "slug", "modified"), "date", "desc"
        )
        p = coll.params
        predicates = date_predicates(self.emu, p, modified=True)
        statuses = p.enum_list("status", ORDER_FILTER_STATUSES, ["any"])
        if "any" in statuses:
            predicates.append(lambda r: r["status"] != "trash")
        else:
            wanted = set(statuses)
            predicates.append(lambda r: r["status"] in wanted)
        customer = p.integer("customer")
        if customer is not None:
            predicates.append(lambda r: r.get("customer_id") == customer)
        product = p.integer("product")
        if product is not None:
            predicates.append(
                lambda r: any(
                    product in (i["product_id"], i["variation_id"]) for i in r["line_items"]
                )
            )
        term = (p.raw("search") or "").lower()
        if term:
            predicates.append(
                lambda r: (
                    term
                    in " ".join(
                        [
                            *map(str, r.get("billing", {}).values()),
                            *(i["name"] for i in r["line_items"]),
                        ]
                    ).lower()
                )
            )
        return list_response(
            self.emu, ctx, "orders", self.store.orders, coll, predicates, self.ser.order, "orders"
        )

    async def get_order(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self.ser.order(self._order(ctx.arg("id"), 404)))

    def _create_order(self, body: Any) -> dict[str, Any]:
        if body.get("id"):
            raise WPError(
                "woocommerce_rest_shop_order_exists", "Cannot create existing order.", 400
            )
        return self.ser.order(model.new_order(self.store, body))

    async def create_order(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, ORDER)
        with self.emu.lock:
            payload = self._create_order(ctx.body)
        return created(payload, self._location(ctx, "orders", payload["id"]))

    def _update_order(self, order_id: int, body: Any) -> dict[str, Any]:
        record = self._order(order_id, 400)
        model.update_order(self.store, record, body)
        self.store.emit("order.updated", order_id)
        return self.ser.order(record)

    async def update_order(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, ORDER)
        with self.emu.lock:
            return wp_response(self._update_order(ctx.arg("id"), ctx.body))

    def _delete_order(self, order_id: int, force: bool) -> dict[str, Any]:
        record = self._order(order_id, 404)
        before = self.ser.order(record)
        model.delete_order(self.store, record, force=force)
        self.store.emit("order.deleted", order_id)
        return before if force else self.ser.order(record)

    async def delete_order(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self._delete_order(ctx.arg("id"), _force(ctx)))

    async def batch_orders(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            result = batch(
                ctx.body,
                self._create_order,
                lambda item: self._update_order(int(item.get("id") or 0), item),
                lambda item_id: self._delete_order(item_id, True),
            )
        return wp_response(result)

    # -- webhooks -------------------------------------------------------------------------
    def _webhook(self, webhook_id: int, status: int) -> Record:
        record = self.store.webhooks.get(webhook_id)
        if record is None:
            raise WPError("woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.", status)
        return record

    async def list_webhooks(self, ctx: Ctx) -> Response:
        coll = collection(ctx, ("date", "id", "title"), "date", "desc")
        p = coll.params
        predicates = date_predicates(self.emu, p, modified=False)
        status = p.enum("status", ("all", *WEBHOOK_STATUSES), "all")
        if status != "all":
            predicates.append(lambda r: r["status"] == status)
        predicates += search_predicate(p.raw("search"), ("name",))
        return list_response(
            self.emu,
            ctx,
            "webhooks",
            self.store.webhooks,
            coll,
            predicates,
            self.ser.webhook,
            "webhooks",
        )

    async def get_webhook(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self.ser.webhook(self._webhook(ctx.arg("id"), 404)))

    def _create_webhook(self, body: Any) -> dict[str, Any]:
        record = new_webhook(self.store, body, self.emu.site_now())
        if record["status"] == "active":
            self.emu.queue_ping(record)
        return self.ser.webhook(record)

    async def create_webhook(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, WEBHOOK)
        with self.emu.lock:
            payload = self._create_webhook(ctx.body)
        return created(payload, self._location(ctx, "webhooks", payload["id"]))

    def _update_webhook(self, webhook_id: int, body: Any) -> dict[str, Any]:
        record = self._webhook(webhook_id, 400)
        if "topic" in body:
            topic = str(body["topic"] or "").lower()
            if not valid_topic(topic):
                raise WPError(
                    "woocommerce_rest_shop_webhook_invalid_topic",
                    "Webhook topic must be valid.",
                    400,
                )
            record["topic"] = topic
        for name in ("name", "secret", "delivery_url"):
            if body.get(name):
                record[name] = str(body[name])
        activating = body.get("status") == "active" and record["status"] != "active"
        if body.get("status") in WEBHOOK_STATUSES:
            record["status"] = body["status"]
            if activating:
                record["failure_count"] = 0
                self.emu.queue_ping(record)
        record["modified"] = self.store.now()
        self.store.bump("webhooks")
        return self.ser.webhook(record)

    async def update_webhook(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, WEBHOOK)
        with self.emu.lock:
            return wp_response(self._update_webhook(ctx.arg("id"), ctx.body))

    def _delete_webhook(self, webhook_id: int, force: bool) -> dict[str, Any]:
        if not force:
            raise WPError(
                "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
            )
        record = self._webhook(webhook_id, 404)
        before = self.ser.webhook(record)
        del self.store.webhooks[webhook_id]
        self.store.bump("webhooks")
        return before

    async def delete_webhook(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self._delete_webhook(ctx.arg("id"), _force(ctx)))

    async def batch_webhooks(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            result = batch(
                ctx.body,
                self._create_webhook,
                lambda item: self._update_webhook(int(item.get("id") or 0), item),
                lambda item_id: self._delete_webhook(item_id, True),
            )
        return wp_response(result)

    # -- system status --------------------------------------------------------------------
    async def system_status(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self.emu.system_status(ctx.request))


def _force(ctx: Ctx) -> bool:
    return str(ctx.query.get("force", ctx.body.get("force", ""))).lower() in ("true", "1")
