"""Demo shop: inventory, sales with their items, stock movements and gift vouchers.

Stock is consistent by construction: every item's quantity equals the sum of its stock
movements (receipts, sales, returns, restocks), because both come from the same StockBook.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import demo_data as data
from .demo_base import TODAY, Shop, cents, gst_in
from .demo_catalogue import STOCK_OUT, Movement, StockBook, catalogue, sale_plans, survey

Row = dict[str, Any]


def _ean13(number: int) -> str:
    body = f"93{number:010d}"
    check = (10 - sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body)) % 10) % 10
    return f"{body}{check}"


def inventory(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    cat = catalogue(shop)
    found = survey(shop)
    rng = shop.rng("inventory")
    supplier_names = [s[0] for s in data.SUPPLIERS]
    for item in cat.items:
        qty = found.on_hand[item.index]
        sold = found.last_sold.get(item.index)
        r = rng.random()
        consignment = not item.stock_line and qty > 0 and r < 0.03
        if consignment:
            status = "consignment"
        elif item.stock_line:
            status = "out_of_stock" if qty == 0 else ("inactive" if r < 0.02 else "in_stock")
        else:
            status = "sold" if qty == 0 else ("reserved" if r < 0.06 else "in_stock")
        metal, colour, purity, display = item.metal
        stone = item.stone
        graded = stone is not None and stone[0] == "Diamond" and (item.carat or 0) >= 0.5
        published = qty > 0 and rng.random() < 0.35
        touched = sold if sold else (item.day, item.minute)
        category = data.CATEGORIES[item.category]
        yield {
            "id": item.id,
            "tenant_id": shop.tenant_id,
            "sku": item.sku,
            "name": item.name,
            "description": f"{item.style} {category[2]} in {display.lower()}.",
            "category": category[0],
            "metal": metal,
            "metal_colour": colour,
            "metal_purity": purity,
            "stone": stone[0] if stone else None,
            "stone_colour": stone[1] if stone else None,
            "carat": item.carat,
            "weight_grams": item.weight,
            "cost_price": cents(item.cost),
            "retail_price": cents(item.price),
            "quantity": qty,
            "status": status,
            "supplier_id": shop.ids.uuid("suppliers", item.supplier),
            "location": f"Display case {item.index % 12 + 1}",
            "images": [f"{shop.tenant_id}/{item.sku}.jpg"] if published else [],
            "tags": ["bridal"] if item.category in (0, 1) else [],
            "custom_fields": {},
            "barcode_value": _ean13(item.index + 1),
            "is_published": published,
            "created_by": shop.user_for(item.index, shop.salespeople).user_id,
            "created_at": c.ts(item.day, item.minute),
            "updated_at": c.ts(touched[0], touched[1]),
            "certificate_number": f"{2200000000 + item.index * 7919 % 99999999}"
            if graded
            else None,
            "grading_lab": data.GRADING_LABS[item.index % 4] if graded else None,
            "grade": data.DIAMOND_GRADES[item.index % len(data.DIAMOND_GRADES)] if graded else None,
            "metal_form": "finished",
            "stock_location": "display" if qty > 0 else "sold",
            "consignor_name": "Estate of M. Ashworth" if consignment else None,
            "is_consignment": consignment,
            "listed_on_website": published,
            "location_id": shop.location_ids[0 if item.index % 10 else 1],
            "stock_number": f"S{item.index + 1:05d}",
            "sold_at": c.ts(sold[0], sold[1]) if sold and qty == 0 else None,
            "item_type": "finished_piece",
            "jewellery_type": category[2],
            "deleted_at": None,
            "low_stock_threshold": 2 if item.stock_line else 1,
            "is_featured": published and item.price > 500_000,
            "metal_type": display,
            "stone_type": stone[0] if stone else None,
            "stone_carat": item.carat,
            "supplier_name": supplier_names[item.supplier],
            "track_quantity": True,
            "wholesale_price": cents(item.cost),
        }


def sales(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    tenant = shop.tenant_id
    for plan in sale_plans(shop):
        person = shop.person(plan.customer) if plan.customer >= 0 else None
        when = c.ts(plan.day, plan.minute)
        done = plan.status in ("completed", "paid", "refunded")
        yield {
            "id": plan.id,
            "tenant_id": tenant,
            "sale_number": plan.number,
            "customer_id": shop.customer_id(plan.customer) if person else None,
            "customer_name": person.full_name if person else None,
            "customer_email": person.email if person else None,
            "status": plan.status,
            "payment_method": plan.method,
            "subtotal": cents(plan.subtotal),
            "discount_amount": cents(plan.discount),
            "tax_amount": cents(gst_in(plan.total)),
            "total": cents(plan.total),
            "amount_paid": cents(plan.paid),
            "notes": "Layby: balance due within 90 days" if plan.status == "layby" else None,
            "sold_by": plan.seller.user_id,
            "sale_date": when,
            "created_at": when,
            "updated_at": c.ts(plan.refund_day, 12 * 60) if plan.refund else when,
            "voucher_amount": 0,
            "store_credit_amount": 0,
            "deleted_at": None,
            "completed_at": when if done else None,
            "location_id": shop.location_ids[plan.location],
            "collection_status": "awaiting_payment" if plan.status == "layby" else None,
            "created_by": plan.seller.user_id,
            "deposit_amount": cents(plan.paid) if plan.status == "layby" else None,
        }


def sale_items(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    tenant = shop.tenant_id
    items = catalogue(shop).items
    next_id = shop.ids.stream("sale_items")
    for plan in sale_plans(shop):
        sale_id = plan.id
        when = c.ts(plan.day, plan.minute)
        for line in plan.lines:
            yield {
                "id": next_id(),
                "tenant_id": tenant,
                "sale_id": sale_id,
                "inventory_id": items[line.item].id if line.item >= 0 else None,
                "description": line.description,
                "sku": line.sku,
                "quantity": line.qty,
                "unit_price": cents(line.unit),
                "discount_percent": line.discount,
                "line_total": cents(line.total),
                "created_at": when,
                "deleted_at": None,
                "cost_at_sale": cents(line.cost) if line.cost is not None else None,
            }


def stock_movements(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    tenant = shop.tenant_id
    cat = catalogue(shop)
    book = StockBook(cat)
    next_id = shop.ids.stream("stock_movements")
    buyer = shop.user_for(7, [s for s in shop.users if s.team_role == "inventory_manager"])

    def row(m: Movement, user: str | None) -> Row:
        return {
            "id": next_id(),
            "tenant_id": tenant,
            "inventory_id": cat.items[m.item].id,
            "movement_type": m.kind,
            "quantity_change": m.change,
            "quantity_after": m.after,
            "notes": m.note,
            "created_by": user,
            "created_at": c.ts(m.day, m.minute),
        }

    for m in book.opening():
        yield row(m, buyer.user_id)
    out: list[Movement] = []
    for plan in sale_plans(shop):
        book.apply(plan, out)
        for m in out:
            yield row(m, plan.seller.user_id)
        out.clear()


def gift_vouchers(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    rng = shop.rng("vouchers")
    sold = [plan for plan in survey(shop).flagged if plan.voucher]
    promos = max(0, shop.profile.vouchers - len(sold))
    issued: list[tuple[int, int, int, str | None, int]] = [
        (plan.day, plan.minute, plan.voucher, plan.id, plan.customer) for plan in sold
    ]
    for _ in range(promos):
        day = rng.randrange(30, TODAY - 1)
        amount = data.VOUCHER_AMOUNTS[rng.randrange(len(data.VOUCHER_AMOUNTS))] * 100
        issued.append((day, 11 * 60, amount, None, rng.randrange(shop.customers_before(day))))
    issued.sort(key=lambda v: (v[0], v[1]))
    for k, (day, minute, amount, sale_id, customer) in enumerate(issued):
        person = shop.person(customer) if customer >= 0 else None
        promo = sale_id is None
        expiry = day + (365 if promo else 3 * 365)
        r = rng.random()
        if r < 0.03:
            status, balance = "voided", amount
        elif r < 0.45:
            status, balance = "redeemed", 0
        elif expiry < TODAY:
            status, balance = "expired", amount
        else:
            status = "active"
            balance = amount if r < 0.8 else amount - amount * rng.randrange(20, 80) // 100
        code = shop.ids.code("voucher", k)
        yield {
            "id": shop.ids.uuid("gift_vouchers", k),
            "tenant_id": shop.tenant_id,
            "code": f"GV-{code[:4]}-{code[4:8]}-{code[8:]}",
            "original_amount": cents(amount),
            "balance": cents(balance),
            "issued_to_name": person.full_name if person else None,
            "issued_to_email": person.email if person else None,
            "issued_by": shop.user_for(k, shop.salespeople).user_id,
            "sale_id": sale_id,
            "expires_at": shop.clock.date(expiry),
            "status": status,
            "notes": "Instagram giveaway" if promo else None,
            "created_at": c.ts(day, minute),
            "updated_at": c.ts(min(TODAY - 1, day + 40) if status != "active" else day, 15 * 60),
        }


__all__ = ["STOCK_OUT", "gift_vouchers", "inventory", "sale_items", "sales", "stock_movements"]
