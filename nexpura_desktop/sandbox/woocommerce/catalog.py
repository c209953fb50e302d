"""wc/v3 products, product variations and product categories (service-apis.md §2.3).

Quirks kept: ``sku=`` on ``/products`` also finds variations (the controller widens the
query to ``product_variation`` when a SKU is given), matches case-insensitively (MySQL
collation) and accepts a comma-separated list; ``/products/{id}`` answers for a variation
ID too; ``status=any`` (the default) hides trashed products; a variation cannot be trashed
(delete needs ``force=true``, else 501).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from . import products as model
from .api import Ctx, RouteTable, batch, editable, route
from .controllers import collection, created, date_predicates, list_response, search_predicate
from .listing import Predicate
from .schema import PRODUCT, PRODUCT_STATUSES, STOCK_STATUSES, VARIATION, validate_body
from .store import Record, Store
from .wp import WPError, wp_response

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator

PRODUCT_ORDERBY = (
    "date",
    "id",
    "include",
    "title",
    "slug",
    "price",
    "popularity",
    "rating",
    "menu_order",
    "modified",
)
VARIATION_ORDERBY = ("date", "id", "include", "title", "slug", "modified", "menu_order")


def _invalid(kind: str, status: int) -> WPError:
    return WPError(f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.", status)


class Catalog:
    def __init__(self, emu: WooCommerceEmulator) -> None:
        self.emu = emu

    @property
    def store(self) -> Store:
        """The emulator's current store (a reset replaces it)."""
        return self.emu.store

    def routes(self) -> RouteTable:
        return [
            (
                route("/products"),
                {
                    "GET": (self.list_products, "list"),
                    "POST": (self.create_product, "create"),
                },
            ),
            (route("/products/batch"), editable(self.batch_products, "batch")),
            (route("/products/categories"), {"GET": (self.list_categories, "list")}),
            (
                route(r"/products/(?P<id>\d+)"),
                {
                    "GET": (self.get_product, "read"),
                    **editable(self.update_product, "edit"),
                    "DELETE": (self.delete_product, "delete"),
                },
            ),
            (
                route(r"/products/(?P<product_id>\d+)/variations"),
                {
                    "GET": (self.list_variations, "list"),
                    "POST": (self.create_variation, "create"),
                },
            ),
            (
                route(r"/products/(?P<product_id>\d+)/variations/batch"),
                editable(self.batch_variations, "batch"),
            ),
            (
                route(r"/products/(?P<product_id>\d+)/variations/(?P<id>\d+)"),
                {
                    "GET": (self.get_variation, "read"),
                    **editable(self.update_variation, "edit"),
                    "DELETE": (self.delete_variation, "delete"),
                },
            ),
        ]

    # -- products -------------------------------------------------------------------------
    def _product(self, product_id: int, status: int) -> Record:
        record = self.store.product_or_variation(product_id)
        if record is None:
            raise _invalid("product", status)
        return record

    async def list_products(self, ctx: Ctx) -> Response:
        coll = collection(ctx, PRODUCT_ORDERBY, "date", "desc")
        p = coll.params
        predicates: list[Predicate] = date_predicates(self.emu, p, modified=True)
        status = p.enum("status", ("any", "future", "trash", *PRODUCT_STATUSES), "any")
        if status == "any":
            predicates.append(lambda r: r.get("status") != "trash")
        else:
            predicates.append(lambda r: r.get("status") == status)
        kind = p.enum("type", ("simple", "grouped", "external", "variable"), None)
        if kind:
            predicates.append(lambda r: r.get("type") == kind)
        stock = p.enum("stock_status", STOCK_STATUSES, None)
        if stock:
            predicates.append(lambda r: r.get("stock_status") == stock)
        parents = p.int_list("parent")
        if parents is not None:
            predicates.append(lambda r: r.get("parent_id", 0) in parents)
        category = p.integer("category")
        if category is not None:
            predicates.append(lambda r: category in r.get("categories", []))
        if p.raw("featured"):
            featured = p.boolean("featured")
            predicates.append(lambda r: bool(r.get("featured")) == featured)
        if p.raw("slug"):
            slug = p.raw("slug")
            predicates.append(lambda r: r.get("slug") == slug)
        predicates += search_predicate(
            p.raw("search"), ("name", "description", "short_description")
        )
        records: dict[int, Record] = self.store.products
        kind_key: str | None = "products"
        sku = p.raw("sku")
        if sku:
            with self.emu.lock:
                records = self._by_sku(sku)
            kind_key = None
        return list_response(
            self.emu,
            ctx,
            kind_key,
            records,
            coll,
            predicates,
            self.emu.serializer.product,
            "products",
        )

    def _by_sku(self, raw: str) -> dict[int, Record]:
        skus = [s.strip() for s in raw.split(",") if s.strip()]
        if len(skus) > 1:
            skus.append(raw)
        wanted = {s.lower() for s in skus}
        found: dict[int, Record] = {}
        for sku in skus:
            owner = self.store.sku_index.get(sku)
            if owner is not None:
                wanted.discard(sku.lower())
                record = self.store.product_or_variation(owner)
                if record is not None:
                    found[owner] = record
        if wanted:  # MySQL compares case-insensitively
            for sku, owner in self.store.sku_index.items():
                record = self.store.product_or_variation(owner)
                if sku.lower() in wanted and record is not None:
                    found[owner] = record
        return found

    async def get_product(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            return wp_response(self.emu.serializer.product(self._product(ctx.arg("id"), 404)))

    def _create_product(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("id"):
            raise WPError("woocommerce_rest_product_exists", "Cannot create existing product.", 400)
        record = model.new_product(self.store, body)
        self.store.emit("product.created", record["id"])
        return self.emu.serializer.product(record)

    async def create_product(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, PRODUCT)
        with self.emu.lock:
            payload = self._create_product(ctx.body)
        return created(payload, f"{self.emu.rest_root(ctx.request)}/wc/v3/products/{payload['id']}")

    def _update_product(self, product_id: int, body: Any) -> dict[str, Any]:
        record = self._product(product_id, 400)
        if "parent_id" in record:
            model.update_variation(self.store, record, body)
        else:
            model.update_product(self.store, record, body)
        self.store.emit("product.updated", product_id)
        return self.emu.serializer.product(record)

    async def update_product(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, PRODUCT)
        with self.emu.lock:
            return wp_response(self._update_product(ctx.arg("id"), ctx.body))

    def _delete_product(self, product_id: int, force: bool) -> dict[str, Any]:
        record = self._product(product_id, 404)
        if "parent_id" in record:
            return self._delete_variation(record, force)
        before = self.emu.serializer.product(record)
        model.delete_product(self.store, record, force=force)
        self.store.emit("product.deleted", product_id)
        return before if force else self.emu.serializer.product(record)

    async def delete_product(self, ctx: Ctx) -> Response:
        force = _force(ctx)
        with self.emu.lock:
            return wp_response(self._delete_product(ctx.arg("id"), force))

    async def batch_products(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            result = batch(
                ctx.body,
                self._create_product,
                lambda item: self._update_product(int(item.get("id") or 0), item),
                lambda item_id: self._delete_product(item_id, True),
            )
        return wp_response(result)

    # -- variations -----------------------------------------------------------------------
    def _parent(self, ctx: Ctx) -> Record:
        parent = self.store.products.get(ctx.arg("product_id"))
        if parent is None:
            raise _invalid("product", 404)
        return parent

    def _variation(self, ctx: Ctx, variation_id: int, status: int) -> Record:
        record = self.store.variations.get(variation_id)
        if record is None or record["parent_id"] != ctx.arg("product_id"):
            raise _invalid("product_variation", status)
        return record

    async def list_variations(self, ctx: Ctx) -> Response:
        coll = collection(ctx, VARIATION_ORDERBY, "date", "desc")
        p = coll.params
        parent_id = ctx.arg("product_id")
        predicates = date_predicates(self.emu, p, modified=True)
        predicates.append(lambda r: r["parent_id"] == parent_id)
        status = p.enum("status", ("any", "future", "trash", *PRODUCT_STATUSES), "any")
        if status != "any":
            predicates.append(lambda r: r.get("status") == status)
        stock = p.enum("stock_status", STOCK_STATUSES, None)
        if stock:
            predicates.append(lambda r: r.get("stock_status") == stock)
        if p.raw("sku"):
            sku = (p.raw("sku") or "").lower()
            predicates.append(lambda r: str(r.get("sku", "")).lower() == sku)
        with self.emu.lock:
            parent = self.store.products.get(parent_id)
            records = {
                v: self.store.variations[v]
                for v in (parent or {}).get("variation_ids", [])
                if v in self.store.variations
            }
        return list_response(
            self.emu,
            ctx,
            None,
            records,
            coll,
            predicates,
            self.emu.serializer.variation,
            f"products/{parent_id}/variations",
        )

    async def get_variation(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            record = self._variation(ctx, ctx.arg("id"), 404)
            return wp_response(self.emu.serializer.variation(record))

    def _create_variation(self, ctx: Ctx, body: Any) -> dict[str, Any]:
        parent = self._parent(ctx)
        record = model.new_variation(self.store, parent, body)
        self.store.emit("product.created", record["id"])
        return self.emu.serializer.variation(record)

    async def create_variation(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, VARIATION)
        with self.emu.lock:
            payload = self._create_variation(ctx, ctx.body)
        location = f"{self.emu.rest_root(ctx.request)}/wc/v3{ctx.route}/{payload['id']}"
        return created(payload, location)

    def _update_variation(self, ctx: Ctx, variation_id: int, body: Any) -> dict[str, Any]:
        record = self._variation(ctx, variation_id, 400)
        model.update_variation(self.store, record, body)
        self.store.emit("product.updated", variation_id)
        return self.emu.serializer.variation(record)

    async def update_variation(self, ctx: Ctx) -> Response:
        validate_body(ctx.body, VARIATION)
        with self.emu.lock:
            return wp_response(self._update_variation(ctx, ctx.arg("id"), ctx.body))

    def _delete_variation(self, record: Record, force: bool) -> dict[str, Any]:
        if not force:
            raise WPError(
                "woocommerce_rest_trash_not_supported",
                "The product_variation does not support trashing.",
                501,
            )
        before = self.emu.serializer.variation(record)
        model.delete_variation(self.store, record)
        self.store.emit("product.deleted", record["id"])
        return before

    async def delete_variation(self, ctx: Ctx) -> Response:
        force = _force(ctx)
        with self.emu.lock:
            record = self._variation(ctx, ctx.arg("id"), 404)
            return wp_response(self._delete_variation(record, force))

    async def batch_variations(self, ctx: Ctx) -> Response:
        with self.emu.lock:
            self._parent(ctx)
            result = batch(
                ctx.body,
                lambda item: self._create_variation(ctx, item),
                lambda item: self._update_variation(ctx, int(item.get("id") or 0), item),
                lambda item_id: self._delete_variation(self._variation(ctx, item_id, 404), True),
            )
        return wp_response(result)

    # -- categories (read-only here) --------------------------------------------------------
    async def list_categories(self, ctx: Ctx) -> Response:
        coll = collection(ctx, ("id", "include", "name", "slug"), "name", "asc")
        counts: dict[int, int] = {}
        with self.emu.lock:
            for product in self.store.products.values():
                for term in product.get("categories", []):
                    counts[term] = counts.get(term, 0) + 1

        def render(term: Record) -> dict[str, Any]:
            return {
                **term,
                "parent": 0,
                "description": "",
                "display": "default",
                "image": None,
                "menu_order": 0,
                "count": counts.get(term["id"], 0),
            }

        return list_response(
            self.emu, ctx, None, self.store.categories, coll, [], render, "products/categories"
        )


def _force(ctx: Ctx) -> bool:
    return str(ctx.query.get("force", ctx.body.get("force", ""))).lower() in ("true", "1")
