"""What the WooCommerce export jobs share: which ledger rows changed, where an item lives
in the shop (a product, or a variation of some parent), and the listing hash used for
echo suppression.

Links (service ``woocommerce``) besides those of :mod:`.jobs_import`:

* ``variation`` — inventory row ⇄ ``"<parent id>:<variation id>"``: variations are
  written through their parent (``products/{parent}/variations/batch``), so the parent
  must be known without a request;
* the ``variant`` link's ``remote_hash`` is :func:`listing_hash` of the product fields
  both sides last agreed on, so a ledger change caused by an import is not pushed back
  and an unchanged item costs no request.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...sync import links
from ...sync.feed import changed_ids
from .mapping import content_hash, money_text

SERVICE = "woocommerce"
VARIATION = "variation"


@dataclass(frozen=True)
class Target:
    """Where one ledger item's stock and listing live in the shop."""

    item: str
    remote_id: int
    parent_id: int | None  # set for a variation

    @property
    def resource(self) -> str:
        """The collection its batch writes go to."""
        if self.parent_id is None:
            return "products"
        return f"products/{self.parent_id}/variations"


def changed_rows(conn: sqlite3.Connection, table: str, start: int, end: int) -> set[str]:
    """Ids of ``table`` rows changed in the change feed after ``start`` up to ``end``."""
    return changed_ids(conn, [table], start, end)


def all_rows(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(r[0]) for r in conn.execute(f'SELECT id FROM "{table}" WHERE deleted_at IS NULL')}


def issue_rows(conn: sqlite3.Connection, job: str, table: str) -> set[str]:
    """Rows of ``table`` whose issue the owner asked to retry (an open one waits for a change
    to the row or for Retry: re-trying it on every run would write on every quiet sync)."""
    return {
        str(r[0])
        for r in conn.execute(
            "SELECT local_id FROM sync_issues WHERE service = ? AND job = ? AND kind = 'record' "
            "AND state = 'retry' AND local_table = ? AND local_id IS NOT NULL",
            (SERVICE, job, table),
        )
    }


def remember_parent(conn: sqlite3.Connection, item: str, parent_id: int, variation_id: int) -> None:
    links.upsert(
        conn, SERVICE, VARIATION, "inventory", item, f"{int(parent_id)}:{int(variation_id)}"
    )


def target_of(conn: sqlite3.Connection, item: str, remote_id: str) -> Target:
    """The shop object of ``item`` (linked as ``remote_id``): a product or a variation."""
    link = links.by_local(conn, SERVICE, VARIATION, "inventory", item)
    if link is not None:
        parent, _, variation = link.remote_id.partition(":")
        if variation == str(remote_id):
            return Target(item, int(variation), int(parent))
    row = conn.execute("SELECT import_metadata FROM inventory WHERE id = ?", (item,)).fetchone()
    meta: Any = None
    if row is not None and row[0]:
        try:
            meta = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        except ValueError:
            meta = None
    if isinstance(meta, dict) and meta.get("woo_type") == "variation" and meta.get("woo_parent_id"):
        return Target(item, int(remote_id), int(meta["woo_parent_id"]))
    return Target(item, int(remote_id), None)


def listing_fields(row: Mapping[str, Any], *, variation: bool) -> dict[str, Any]:
    """The product fields the ledger pushes (stock aside: the inventory export owns it)."""
    fields: dict[str, Any] = {
        "sku": str(row.get("sku") or "").strip(),
        "regular_price": money_text(row.get("retail_price")),
    }
    if not variation:  # a variation's name and visibility follow its parent
        published = bool(row.get("listed_on_website") or row.get("is_published"))
        fields["name"] = str(row.get("name") or row.get("sku") or "Untitled piece")
        fields["status"] = "publish" if published else "draft"
    return fields


def listing_hash(row: Mapping[str, Any], *, variation: bool) -> str:
    return content_hash(listing_fields(row, variation=variation))


def remote_listing_hash(data: Mapping[str, Any]) -> str:
    """:func:`listing_hash` of a product or variation as the shop sent it."""
    fields = {
        "sku": data.get("sku"),
        "retail_price": data.get("regular_price"),
        "name": data.get("name"),
        "is_published": data.get("status") == "publish",
    }
    return listing_hash(fields, variation=bool(data.get("parent_id")))


def note_own_write(conn: sqlite3.Connection, item: str, data: Mapping[str, Any]) -> None:
    """After our write: the shop's new ``date_modified_gmt`` is our echo, not news — unless
    the reply shows a listing change we have not imported (then the import must see it)."""
    version = str(data.get("date_modified_gmt") or "")
    link = links.by_local(conn, SERVICE, "variant", "inventory", item)
    if version and link is not None and link.remote_hash == remote_listing_hash(data):
        links.upsert(conn, SERVICE, "variant", "inventory", item, link.remote_id,
                     remote_version=version)  # fmt: skip


def grouped(targets: Iterable[Target], size: int = 100) -> list[list[Target]]:
    """Targets in write groups: one collection each, at most ``size`` per group."""
    by_resource: dict[str, list[Target]] = {}
    for t in targets:
        by_resource.setdefault(t.resource, []).append(t)
    out: list[list[Target]] = []
    for group in by_resource.values():
        out.extend(group[i : i + size] for i in range(0, len(group), size))
    return out
