"""The REST shapes of wc/v3 (field names and types of the route schemas in
``specs/woocommerce/woocommerce-openapi-3.1.0.json``).

Where that generated file and a real shop differ, the real shop wins (service-apis.md is
silent on these, so real WooCommerce output is followed): ``stock_quantity`` is ``null``
when stock is not managed, unset dates are ``null``, ``shipping_class_id`` is an integer and
an order's ``version`` is the WooCommerce version string.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .dates import SiteTime
from .store import Record, Store

WC_VERSION = "9.8.5"
WP_VERSION = "6.8.1"
_EMPTY_ADDRESS = {
    "first_name": "",
    "last_name": "",
    "company": "",
    "address_1": "",
    "address_2": "",
    "city": "",
    "state": "",
    "postcode": "",
    "country": "",
}


class Serializer:
    """Turns compact records into the JSON WooCommerce sends."""

    def __init__(self, store: Store, site: SiteTime, home: str) -> None:
        self.store = store
        self.site = site
        self.home = home.rstrip("/")

    def _dates(self, out: dict[str, Any], name: str, ts: int | None) -> None:
        out[name] = self.site.local(ts)
        out[f"{name}_gmt"] = self.site.gmt(ts)

    def _links(self, rest_base: str, item_id: int) -> dict[str, Any]:
        api = f"{self.home}/wp-json/wc/v3/{rest_base}"
        return {
            "self": [{"href": f"{api}/{item_id}"}],
            "collection": [{"href": api}],
        }

    @staticmethod
    def _price(record: Record) -> str:
        return str(record.get("sale_price") or record.get("regular_price") or "")

    def _stock(self, out: dict[str, Any], record: Record) -> None:
        out["manage_stock"] = bool(record.get("manage_stock"))
        out["stock_quantity"] = record.get("stock_quantity") if out["manage_stock"] else None
        out["stock_status"] = record.get("stock_status", "instock")
        out["backorders"] = record.get("backorders", "no")
        out["backorders_allowed"] = out["backorders"] != "no"
        out["backordered"] = bool(
            out["manage_stock"] and (out["stock_quantity"] or 0) < 0 and out["backorders_allowed"]
        )
        out["low_stock_amount"] = None

    def product(self, record: Record) -> dict[str, Any]:
        if "parent_id" in record:
            return self.variation_as_product(record)
        variations = [
            self.store.variations[v]
            for v in record.get("variation_ids", [])
            if v in self.store.variations
        ]
        price = self._price(record)
        if record.get("type") == "variable" and variations:
            prices = [float(p) for p in (self._price(v) for v in variations) if p]
            price = f"{min(prices):g}" if prices else ""
        out: dict[str, Any] = {
            "id": record["id"],
            "name": record.get("name", ""),
            "slug": record.get("slug", ""),
            "permalink": f"{self.home}/product/{record.get('slug', '')}/",
        }
        self._dates(out, "date_created", record["created"])
        self._dates(out, "date_modified", record["modified"])
        sale = record.get("sale_price", "")
        out.update(
            {
                "type": record.get("type", "simple"),
                "status": record.get("status", "publish"),
                "featured": bool(record.get("featured")),
                "catalog_visibility": record.get("catalog_visibility", "visible"),
                "description": record.get("description", ""),
                "short_description": record.get("short_description", ""),
                "sku": record.get("sku", ""),
                "price": price,
                "regular_price": record.get("regular_price", ""),
                "sale_price": sale,
                "date_on_sale_from": None,
                "date_on_sale_from_gmt": None,
                "date_on_sale_to": None,
                "date_on_sale_to_gmt": None,
                "price_html": f'<span class="woocommerce-Price-amount amount">{price}</span>',
                "on_sale": bool(sale),
                "purchasable": price != "",
                "total_sales": int(record.get("total_sales", 0)),
                "virtual": False,
                "downloadable": False,
                "downloads": [],
                "download_limit": -1,
                "download_expiry": -1,
                "external_url": "",
                "button_text": "",
                "tax_status": "taxable",
                "tax_class": "",
            }
        )
        self._stock(out, record)
        if record.get("type") == "variable" and variations:
            in_stock = any(v.get("stock_status") == "instock" for v in variations)
            out["stock_status"] = "instock" if in_stock else "outofstock"
        out.update(
            {
                "sold_individually": False,
                "weight": record.get("weight", ""),
                "dimensions": {"length": "", "width": "", "height": ""},
                "shipping_required": True,
                "shipping_taxable": True,
                "shipping_class": "",
                "shipping_class_id": 0,
                "reviews_allowed": True,
                "average_rating": "0.00",
                "rating_count": 0,
                "related_ids": [],
                "upsell_ids": [],
                "cross_sell_ids": [],
                "parent_id": 0,
                "purchase_note": "",
                "categories": [
                    dict(self.store.categories[c])
                    for c in record.get("categories", [])
                    if c in self.store.categories
                ],
                "tags": list(record.get("tags", [])),
                "images": list(record.get("images", [])),
                "attributes": list(record.get("attributes", [])),
                "default_attributes": [],
                "variations": [v["id"] for v in variations],
                "grouped_products": [],
                "menu_order": int(record.get("menu_order", 0)),
                "meta_data": list(record.get("meta_data", [])),
                "_links": self._links("products", record["id"]),
            }
        )
        return out

    def variation(self, record: Record) -> dict[str, Any]:
        parent = self.store.products.get(record["parent_id"], {})
        out: dict[str, Any] = {"id": record["id"]}
        self._dates(out, "date_created", record["created"])
        self._dates(out, "date_modified", record["modified"])
        price = self._price(record)
        sale = record.get("sale_price", "")
        out.update(
            {
                "description": record.get("description", ""),
                "permalink": f"{self.home}/product/{parent.get('slug', '')}/"
                f"?variation_id={record['id']}",
                "sku": record.get("sku", ""),
                "price": price,
                "regular_price": record.get("regular_price", ""),
                "sale_price": sale,
                "date_on_sale_from": None,
                "date_on_sale_from_gmt": None,
                "date_on_sale_to": None,
                "date_on_sale_to_gmt": None,
                "on_sale": bool(sale),
                "status": record.get("status", "publish"),
                "purchasable": price != "",
                "virtual": False,
                "downloadable": False,
                "downloads": [],
                "download_limit": -1,
                "download_expiry": -1,
                "tax_status": "taxable",
                "tax_class": "",
            }
        )
        self._stock(out, record)
        out.update(
            {
                "weight": record.get("weight", ""),
                "dimensions": {"length": "", "width": "", "height": ""},
                "shipping_class": "",
                "shipping_class_id": 0,
                "image": None,
                "attributes": list(record.get("attributes", [])),
                "menu_order": int(record.get("menu_order", 0)),
                "meta_data": list(record.get("meta_data", [])),
                "_links": self._links(f"products/{record['parent_id']}/variations", record["id"]),
            }
        )
        return out

    def variation_as_product(self, record: Record) -> dict[str, Any]:
        """What /products returns for a variation ID (e.g. from a ``sku=`` lookup)."""
        parent = self.store.products.get(record["parent_id"], {})
        options = ", ".join(a.get("option", "") for a in record.get("attributes", []))
        shell: Record = {
            **record,
            "name": f"{parent.get('name', '')} - {options}" if options else parent.get("name", ""),
            "type": "variation",
            "slug": parent.get("slug", ""),
            "categories": [],
        }
        shell.pop("parent_id")
        out = self.product(shell)
        out["parent_id"] = record["parent_id"]
        return out

    def customer(self, record: Record) -> dict[str, Any]:
        digest = hashlib.md5(record["email"].encode(), usedforsecurity=False).hexdigest()
        out: dict[str, Any] = {"id": record["id"]}
        self._dates(out, "date_created", record["created"])
        self._dates(out, "date_modified", record["modified"])
        out.update(
            {
                "email": record["email"],
                "first_name": record.get("first_name", ""),
                "last_name": record.get("last_name", ""),
                "role": record.get("role", "customer"),
                "username": record.get("username", ""),
                "billing": {
                    **_EMPTY_ADDRESS,
                    "email": "",
                    "phone": "",
                    **record.get("billing", {}),
                },
                "shipping": {**_EMPTY_ADDRESS, "phone": "", **record.get("shipping", {})},
                "is_paying_customer": bool(record.get("is_paying_customer")),
                "avatar_url": f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g",
                "meta_data": list(record.get("meta_data", [])),
                "_links": self._links("customers", record["id"]),
            }
        )
        return out

    def order(self, record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": record["id"],
            "parent_id": 0,
            "status": record["status"],
            "currency": record["currency"],
            "version": WC_VERSION,
            "prices_include_tax": True,
        }
        self._dates(out, "date_created", record["created"])
        self._dates(out, "date_modified", record["modified"])
        line_items = [
            {
                "id": item["id"],
                "name": item["name"],
                "product_id": item["product_id"],
                "variation_id": item["variation_id"],
                "quantity": item["quantity"],
                "tax_class": "",
                "subtotal": item["subtotal"],
                "subtotal_tax": "0.00",
                "total": item["total"],
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
                "sku": item.get("sku", ""),
                "price": item["price"],
                "image": {"id": "", "src": ""},
                "parent_name": item.get("parent_name"),
            }
            for item in record["line_items"]
        ]
        out.update(
            {
                "discount_total": "0.00",
                "discount_tax": "0.00",
                "shipping_total": record.get("shipping_total", "0.00"),
                "shipping_tax": "0.00",
                "cart_tax": "0.00",
                "total": record["total"],
                "total_tax": "0.00",
                "customer_id": record.get("customer_id", 0),
                "order_key": record["order_key"],
                "billing": {
                    **_EMPTY_ADDRESS,
                    "email": "",
                    "phone": "",
                    **record.get("billing", {}),
                },
                "shipping": {**_EMPTY_ADDRESS, "phone": "", **record.get("shipping", {})},
                "payment_method": record.get("payment_method", ""),
                "payment_method_title": record.get("payment_method_title", ""),
                "transaction_id": record.get("transaction_id", ""),
                "customer_ip_address": "",
                "customer_user_agent": "",
                "created_via": record.get("created_via", "rest-api"),
                "customer_note": record.get("customer_note", ""),
            }
        )
        self._dates(out, "date_completed", record.get("date_completed"))
        self._dates(out, "date_paid", record.get("date_paid"))
        out.update(
            {
                "cart_hash": "",
                "number": str(record["id"]),
                "meta_data": list(record.get("meta_data", [])),
                "line_items": line_items,
                "tax_lines": [],
                "shipping_lines": [],
                "fee_lines": [],
                "coupon_lines": [],
                "refunds": [],
                "payment_url": f"{self.home}/checkout/order-pay/{record['id']}/"
                f"?pay_for_order=true&key={record['order_key']}",
                "is_editable": record["status"] in ("pending", "on-hold", "auto-draft"),
                "needs_payment": record["status"] in ("pending", "failed"),
                "needs_processing": True,
                "currency_symbol": "$",
                "_links": self._links("orders", record["id"]),
            }
        )
        return out

    def webhook(self, record: Record) -> dict[str, Any]:
        resource, _, event = record["topic"].partition(".")
        out: dict[str, Any] = {
            "id": record["id"],
            "name": record["name"],
            "status": record["status"],
            "topic": record["topic"],
            "resource": resource,
            "event": event,
            "hooks": record.get("hooks", []),
            "delivery_url": record["delivery_url"],
            "secret": record["secret"],
        }
        self._dates(out, "date_created", record["created"])
        self._dates(out, "date_modified", record["modified"])
        out["_links"] = self._links("webhooks", record["id"])
        return out
