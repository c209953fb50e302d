"""The shop's in-memory database: compact records, id sequences and indexes.

Records hold only what was set (plus ``created``/``modified`` epoch seconds); the full REST
shapes are built on the way out by :mod:`.serialize`, so a benchmark seed of 10 000
products × 3 variations, 20 000 customers and 50 000 orders stays small.

Like WordPress, products, variations and orders share one post-ID sequence (their IDs
interleave), customers are users (user 1 is the shop admin) and webhooks, order items and
terms have sequences of their own.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any

from .dates import SiteTime

Record = dict[str, Any]
KINDS = ("products", "variations", "customers", "orders", "webhooks")


def slugify(text: str) -> str:
    """WordPress sanitize_title, near enough: lower-case ASCII words joined by dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class Store:
    """All records of one shop, plus the change events webhooks are made from."""

    def __init__(self, now: Callable[[], int], site: SiteTime) -> None:
        self.now = now
        self.site = site
        self.products: dict[int, Record] = {}
        self.variations: dict[int, Record] = {}
        self.customers: dict[int, Record] = {}
        self.orders: dict[int, Record] = {}
        self.webhooks: dict[int, Record] = {}
        self.categories: dict[int, Record] = {}
        self.sku_index: dict[str, int] = {}
        self.email_index: dict[str, int] = {}
        self.usernames: set[str] = {"admin"}
        self.slugs: set[str] = set()
        self.versions: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.events: list[tuple[str, int]] = []
        self.settings: dict[str, Any] = {
            "currency": "AUD",
            "stock_change_touches_product": True,
            "latency": 0.0,
            "workers": 4,
        }
        self._post_id = 10  # a fresh WordPress already used a few post IDs
        self._user_id = 1
        self._webhook_id = 0
        self._item_id = 0
        self._term_id = 15
        self.categories[15] = {"id": 15, "name": "Uncategorized", "slug": "uncategorized"}

    # -- sequences ------------------------------------------------------------------------
    def next_post_id(self) -> int:
        self._post_id += 1
        return self._post_id

    def claim_post_id(self, wanted: int) -> int:
        """Seeding may fix an ID; the sequence then continues after it."""
        if wanted in self.products or wanted in self.variations or wanted in self.orders:
            return self.next_post_id()
        self._post_id = max(self._post_id, wanted)
        return wanted

    def next_user_id(self) -> int:
        self._user_id += 1
        return self._user_id

    def next_webhook_id(self) -> int:
        self._webhook_id += 1
        return self._webhook_id

    def next_item_id(self) -> int:
        self._item_id += 1
        return self._item_id

    def bump(self, kind: str) -> None:
        self.versions[kind] += 1

    def emit(self, topic: str, resource_id: int) -> None:
        self.events.append((topic, resource_id))

    # -- lookups --------------------------------------------------------------------------
    def product_or_variation(self, post_id: int) -> Record | None:
        return self.products.get(post_id) or self.variations.get(post_id)

    def unique_slug(self, base: str) -> str:
        base = base or "product"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def unique_username(self, email: str) -> str:
        base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower()) or "customer"
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name

    def category(self, name: str) -> int:
        """The term id of a product category, created on first use (seeding)."""
        for term in self.categories.values():
            if term["name"] == name:
                return int(term["id"])
        self._term_id += 1
        self.categories[self._term_id] = {
            "id": self._term_id,
            "name": name,
            "slug": slugify(name),
        }
        return self._term_id

    @staticmethod
    def order_key() -> str:
        return "wc_order_" + secrets.token_urlsafe(10).replace("-", "").replace("_", "")[:13]

    # -- the control surface's view --------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {
            "products": len(self.products),
            "variations": len(self.variations),
            "customers": len(self.customers),
            "orders": len(self.orders),
            "webhooks": len(self.webhooks),
        }
