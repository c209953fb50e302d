"""Mutation resolvers.  Validation problems are ``userErrors`` in the payload (HTTP 200),
and a mutation with any user error changes nothing (service-apis §1.5).  Products, variants
and customers live here; inventory and bulk operations in their own modules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .context import Ctx, Info
from .ids import parse_gid, parse_time
from .model import Customer
from .mutation_common import ctx_of, ue
from .mutations_bulk import bulk_cancel, bulk_run_query
from .mutations_inventory import group_changes, inventory_adjust, inventory_set
from .store import money

Resolver = Callable[..., Any]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+[1-9]\d{6,14}$")


# -- products ----------------------------------------------------------------------------------
def _product_fields(data: dict[str, Any]) -> dict[str, Any]:
    mapping = {
        "descriptionHtml": "description_html",
        "vendor": "vendor",
        "productType": "product_type",
        "tags": "tags",
        "status": "status",
    }
    return {attr: data[key] for key, attr in mapping.items() if data.get(key) is not None}


def product_create(_s: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_products")
    data = args.get("product") or args.get("input") or {}
    title = str(data.get("title") or "").strip()
    if not title:
        return {"product": None, "userErrors": [ue(["title"], "Title can't be blank")]}
    handle = data.get("handle")
    if handle and handle in ctx.store.handles:
        message = f"Handle '{handle}' already in use. Please provide a new handle."
        return {"product": None, "userErrors": [ue(["handle"], message)]}
    product = ctx.store.add_product(ctx.now, title, handle=handle, **_product_fields(data))
    ctx.store.add_variant(product, ctx.now)
    return {"product": product, "userErrors": []}


def product_update(_s: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_products")
    data = args.get("product") or args.get("input") or {}
    product = ctx.store.products.get(parse_gid(data.get("id"), "Product"))
    if product is None:
        return {"product": None, "userErrors": [ue(["id"], "Product does not exist")]}
    if "title" in data and not str(data["title"] or "").strip():
        return {"product": None, "userErrors": [ue(["title"], "Title can't be blank")]}
    handle = data.get("handle")
    if handle and ctx.store.handles.get(handle, product.id) != product.id:
        message = f"Handle '{handle}' already in use. Please provide a new handle."
        return {"product": None, "userErrors": [ue(["handle"], message)]}
    if data.get("title"):
        product.title = str(data["title"]).strip()
    if handle:
        ctx.store.handles.pop(product.handle, None)
        product.handle = handle
        ctx.store.handles[handle] = product.id
    for attr, value in _product_fields(data).items():
        setattr(product, attr, value)
    if product.status == "ACTIVE" and product.published_at is None:
        product.published_at = ctx.now
    ctx.store.touch_product(product, ctx.now)
    return {"product": product, "userErrors": []}


def _options(variant: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(o.get("optionName") or "Title"), str(o.get("name") or ""))
        for o in variant.get("optionValues") or []
    ]


def _check_price(variant: dict[str, Any], path: list[str]) -> dict[str, Any] | None:
    for key in ("price", "compareAtPrice"):
        value = variant.get(key)
        if value is None:
            continue
        try:
            negative = float(value) < 0
        except ValueError:
            return ue([*path, key], f"{key} is invalid", "INVALID_INPUT")
        if negative:
            return ue(
                [*path, key], "Price must be greater than or equal to 0", "NEGATIVE_PRICE_VALUE"
            )
    return None


def variants_bulk_create(_s: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_products")
    store = ctx.store
    product = store.products.get(parse_gid(args["productId"], "Product"))
    if product is None:
        error = ue(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        return {"product": None, "productVariants": None, "userErrors": [error]}
    existing = store.variants_of(product)
    strategy = args.get("strategy") or "DEFAULT"
    standalone = existing[0] if len(existing) == 1 else None
    drop = standalone is not None and (
        strategy == "REMOVE_STANDALONE_VARIANT"
        or (strategy == "DEFAULT" and standalone.title == "Default Title")
    )
    taken = {tuple(v.options) for v in existing if not (drop and v is standalone)}
    errors: list[dict[str, Any]] = []
    for n, variant in enumerate(args["variants"]):
        path = ["variants", str(n)]
        price_error = _check_price(variant, path)
        if price_error:
            errors.append(price_error)
        combo = tuple(_options(variant))
        if combo and combo in taken:
            title = " / ".join(v for _, v in combo)
            errors.append(
                ue(path, f"The variant '{title}' already exists.", "VARIANT_ALREADY_EXISTS")
            )
        taken.add(combo)
        for m, level in enumerate(variant.get("inventoryQuantities") or []):
            if store.locations.get(parse_gid(level["locationId"], "Location")) is None:
                errors.append(
                    ue(
                        [*path, "inventoryQuantities", str(m), "locationId"],
                        "Location does not exist",
                        "TRACKED_VARIANT_LOCATION_NOT_FOUND",
                    )
                )
    if errors:
        return {"product": None, "productVariants": None, "userErrors": errors}
    if drop and standalone is not None:
        store.remove_variant(standalone)
    created = []
    for variant in args["variants"]:
        options = _options(variant)
        item = variant.get("inventoryItem") or {}
        stock = {
            parse_gid(q["locationId"], "Location") or 0: int(q["availableQuantity"])
            for q in variant.get("inventoryQuantities") or []
        }
        extra: dict[str, Any] = {}
        if item.get("cost") is not None:
            extra["unit_cost"] = money(item["cost"])
        for key, attr in (
            ("barcode", "barcode"),
            ("inventoryPolicy", "inventory_policy"),
            ("taxable", "taxable"),
        ):
            if variant.get(key) is not None:
                extra[attr] = variant[key]
        if variant.get("compareAtPrice") is not None:
            extra["compare_at_price"] = money(variant["compareAtPrice"])
        created.append(
            store.add_variant(
                product,
                ctx.now,
                price=money(variant.get("price") or 0),
                sku=item.get("sku"),
                title=" / ".join(v for _, v in options) or "Default Title",
                options=options or None,
                stock=stock,
                **extra,
            )
        )
    product.has_only_default_variant = False
    store.touch_product(product, ctx.now)
    return {"product": product, "productVariants": created, "userErrors": []}


def variants_bulk_update(_s: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_products")
    store = ctx.store
    product = store.products.get(parse_gid(args["productId"], "Product"))
    if product is None:
        error = ue(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        return {"product": None, "productVariants": None, "userErrors": [error]}
    errors: list[dict[str, Any]] = []
    targets = []
    for n, data in enumerate(args["variants"]):
        path = ["variants", str(n)]
        if data.get("id") is None:
            errors.append(
                ue(
                    [*path, "id"],
                    "Product variant is missing ID attribute",
                    "PRODUCT_VARIANT_ID_MISSING",
                )
            )
            continue
        variant = store.variants.get(parse_gid(data["id"], "ProductVariant"))
        if variant is None or variant.product_id != product.id:
            errors.append(
                ue(
                    [*path, "id"],
                    "Product variant does not exist",
                    "PRODUCT_VARIANT_DOES_NOT_EXIST",
                )
            )
            continue
        if data.get("inventoryQuantities"):
            errors.append(
                ue(
                    [*path, "inventoryQuantities"],
                    "Inventory quantities can only be provided during create. To update "
                    "inventory for existing variants, use inventoryAdjustQuantities.",
                    "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE",
                )
            )
        price_error = _check_price(data, path)
        if price_error:
            errors.append(price_error)
        targets.append((variant, data))
    if errors:
        return {"product": None, "productVariants": None, "userErrors": errors}
    for variant, data in targets:
        if data.get("price") is not None:
            variant.price = money(data["price"])
        if "compareAtPrice" in data:
            variant.compare_at_price = (
                None if data["compareAtPrice"] is None else money(data["compareAtPrice"])
            )
        for key, attr in (
            ("barcode", "barcode"),
            ("inventoryPolicy", "inventory_policy"),
            ("taxable", "taxable"),
        ):
            if key in data and data[key] is not None:
                setattr(variant, attr, data[key])
        item_data = data.get("inventoryItem") or {}
        item = store.items.rows[variant.inventory_item_id]
        if "sku" in item_data:
            old = item.sku
            item.sku = item_data["sku"] or None
            store.index_sku(item, old)
        if item_data.get("cost") is not None:
            item.unit_cost = money(item_data["cost"])
        if item_data.get("tracked") is not None:
            item.tracked = bool(item_data["tracked"])
        item.updated_at = ctx.now
        store.items.put(item)
        variant.updated_at = ctx.now
        store.variants.put(variant)
    store.touch_product(product, ctx.now)
    return {"product": product, "productVariants": [v for v, _ in targets], "userErrors": []}


# -- customers ---------------------------------------------------------------------------------
def _customer_errors(
    ctx: Ctx, data: dict[str, Any], current: Customer | None
) -> list[dict[str, Any]]:
    errors = []
    email, phone = data.get("email"), data.get("phone")
    own = current.id if current else None
    if email:
        if not EMAIL_RE.match(email):
            errors.append(ue(["email"], "Email is invalid"))
        elif ctx.store.emails.get(email.lower(), own) != own:
            errors.append(ue(["email"], "Email has already been taken"))
    if phone:
        if not PHONE_RE.match(phone):
            errors.append(ue(["phone"], "Phone is invalid"))
        elif ctx.store.phones.get(phone, own) != own:
            errors.append(ue(["phone"], "Phone has already been taken"))
    consent = data.get("emailMarketingConsent")
    if consent and not (email or (current and current.email)):
        errors.append(
            ue(
                ["emailMarketingConsent"],
                "An email address is required to set the email marketing consent state.",
            )
        )
    return errors


def _apply_customer(ctx: Ctx, customer: Customer, data: dict[str, Any]) -> None:
    old_email, old_phone = customer.email, customer.phone
    for key, attr in (
        ("firstName", "first_name"),
        ("lastName", "last_name"),
        ("email", "email"),
        ("phone", "phone"),
        ("note", "note"),
    ):
        if key in data:
            setattr(customer, attr, data[key] or None)
    if data.get("tags") is not None:
        customer.tags = [t.strip() for t in data["tags"] if t.strip()]
    consent = data.get("emailMarketingConsent")
    if consent:
        customer.marketing_state = consent["marketingState"]
        customer.opt_in_level = consent.get("marketingOptInLevel") or "SINGLE_OPT_IN"
        at = consent.get("consentUpdatedAt")
        customer.consent_updated_at = (parse_time(at) if isinstance(at, str) else None) or ctx.now
    customer.updated_at = ctx.now
    ctx.store.put_customer(customer, old_email, old_phone)


def customer_create(_s: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_customers")
    if not any(input.get(k) for k in ("email", "phone", "firstName", "lastName")):
        error = ue(None, "A name, phone number, or email address must be present")
        return {"customer": None, "userErrors": [error]}
    errors = _customer_errors(ctx, input, None)
    if errors:
        return {"customer": None, "userErrors": errors}
    customer = Customer(ctx.store.new_id("Customer"), ctx.now, ctx.now)
    _apply_customer(ctx, customer, input)
    return {"customer": customer, "userErrors": []}


def customer_update(_s: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_customers")
    customer = ctx.store.customers.get(parse_gid(input.get("id"), "Customer"))
    if customer is None:
        return {"customer": None, "userErrors": [ue(["id"], "Customer does not exist")]}
    errors = _customer_errors(ctx, input, customer)
    if errors:
        return {"customer": None, "userErrors": errors}
    _apply_customer(ctx, customer, input)
    return {"customer": customer, "userErrors": []}


MUTATION: dict[str, Resolver] = {
    "productCreate": product_create,
    "productUpdate": product_update,
    "productVariantsBulkCreate": variants_bulk_create,
    "productVariantsBulkUpdate": variants_bulk_update,
    "customerCreate": customer_create,
    "customerUpdate": customer_update,
    "inventorySetQuantities": inventory_set,
    "inventoryAdjustQuantities": inventory_adjust,
    "bulkOperationRunQuery": bulk_run_query,
    "bulkOperationCancel": bulk_cancel,
}
EXTRA_FIELDS: dict[str, dict[str, Resolver]] = {
    "InventoryAdjustmentGroup": {"changes": group_changes},
}
