"""Demo shop: the inventory catalogue (what the shop stocks) and the sale plans.

Items are built once per shop (a few tens of MB at the large size) because sale lines
copy their names, SKUs and prices.  Sales are never held in memory: ``sale_plans`` replays
the same seeded stream for every table that needs them (sales, sale items, stock
movements), and ``survey`` walks it once to learn what the stock tables must show.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import demo_data as data
from .demo_base import HISTORY_DAYS, ONBOARDING_DAYS, OPEN_MINUTE, TODAY, Shop, Staff

SINGULAR = {
    "Engagement Rings": "Engagement Ring", "Wedding Bands": "Wedding Band",
    "Dress Rings": "Dress Ring", "Earrings": "Earrings", "Necklaces": "Necklace",
    "Pendants": "Pendant", "Bracelets": "Bracelet", "Chains": "Chain", "Watches": "Watch",
    "Cufflinks": "Cufflinks",
}  # fmt: skip
METAL_FACTOR = {"9ct": 0.55, "14ct": 0.75, "18ct": 1.0, "950": 1.35, "925": 0.18}
STOCK_CATEGORIES = (3, 5, 7, 7, 9, 1)  # earrings, pendants, chains, cufflinks, wedding bands
STOCK_OUT = frozenset(("confirmed", "paid", "completed", "refunded", "layby"))
LINE_WEIGHTS = (30, 55, 75, 90)  # cumulative %: 1..5 lines, 2.5 lines a sale on average


@dataclass(slots=True)
class Item:
    index: int
    id: str
    sku: str
    name: str
    category: int
    metal: tuple[str, str, str, str]
    stone: tuple[str, str, tuple[float, float]] | None
    carat: float | None
    weight: float
    cost: int
    price: int
    stock_line: bool
    batch: int
    day: int
    minute: int
    supplier: int
    sale: int
    style: str


@dataclass
class Catalogue:
    items: list[Item]
    stock_lines: list[int]
    piece_for_sale: dict[int, int]


def sale_day(shop: Shop, sale: int) -> int:
    span = HISTORY_DAYS - ONBOARDING_DAYS
    return ONBOARDING_DAYS + sale * span // shop.profile.sales


def _pretty(cents: int) -> int:
    """Shop prices: $x9 under $1,000, round fifties above."""
    dollars = cents / 100
    if dollars < 1000:
        return max(9, round(dollars / 10) * 10 - 1) * 100
    return round(dollars / 50) * 50 * 100


def catalogue(shop: Shop) -> Catalogue:
    return shop.memo("catalogue", lambda: _build_catalogue(shop))


def _build_catalogue(shop: Shop) -> Catalogue:
    rng = shop.rng("catalogue")
    p = shop.profile
    raw: list[Item] = []
    for _ in range(p.items):
        stock_line = rng.random() < 0.35
        cat = STOCK_CATEGORIES[rng.randrange(6)] if stock_line else rng.randrange(10)
        _, code, _, base, styles = data.CATEGORIES[cat]
        style = styles[rng.randrange(len(styles))]
        if stock_line:
            metal = data.METALS[(3, 4, 8, 8, 8)[rng.randrange(5)]]
        else:
            metal = data.METALS[rng.randrange(len(data.METALS))]
        stone = None
        if cat not in (7, 8) and rng.random() < (0.9 if cat == 0 else 0.55):
            stone = data.STONES[0 if cat == 0 else rng.randrange(len(data.STONES))]
        carat = None
        factor = METAL_FACTOR[metal[2]] * rng.uniform(0.7, 1.5)
        if stone is not None:
            low, high = stone[2]
            if high > 0:
                carat = round(low + (high - low) * rng.random() ** 2, 2)
                boost = 2.5 if stone[0] == "Diamond" else 6.0 if "Pink" in stone[0] else 0.4
                factor *= 1 + carat * boost
            else:
                factor *= 1.1
        price = _pretty(int(base * 100 * factor))
        cost = int(price / rng.uniform(2.0, 2.8))
        supplier = rng.randrange(min(p.suppliers, 11))
        raw.append(
            Item(
                index=0, id="", sku=code, name=_item_name(cat, style, metal, stone, carat),
                category=cat, metal=metal, stone=stone, carat=carat,
                weight=round(rng.uniform(1.2, 14.0), 2), cost=cost, price=price,
                stock_line=stock_line, batch=rng.randrange(4, 16) if stock_line else 1,
                day=rng.randrange(ONBOARDING_DAYS) if stock_line else -1,
                minute=8 * 60 + rng.randrange(9 * 60), supplier=supplier, sale=-1, style=style,
            )
        )  # fmt: skip
    pieces = [item for item in raw if not item.stock_line]
    sold = min(int(len(pieces) * 0.62), p.sales)
    for j, item in enumerate(pieces):
        if j < sold:
            item.sale = j * p.sales // sold
            item.day = max(0, sale_day(shop, item.sale) - rng.randrange(5, 150))
        else:
            item.day = TODAY - 1 - int((TODAY - 1) * rng.random() ** 2)
    raw.sort(key=lambda item: (item.day, item.minute))
    stock_lines, piece_for_sale = [], {}
    for i, item in enumerate(raw):
        item.index = i
        item.id = shop.ids.uuid("inventory", i)
        item.sku = f"{item.sku}-{i + 1:05d}"
        if item.stock_line:
            stock_lines.append(i)
        elif item.sale >= 0:
            piece_for_sale[item.sale] = i
    if not stock_lines:  # a tiny shop still sells chains
        stock_lines.append(0)
    return Catalogue(raw, stock_lines, piece_for_sale)


def _item_name(
    cat: int,
    style: str,
    metal: tuple[str, str, str, str],
    stone: tuple[str, str, tuple[float, float]] | None,
    carat: float | None,
) -> str:
    singular = SINGULAR[data.CATEGORIES[cat][0]]
    if cat == 7:
        return f"{metal[3]} {style} Chain {data.CHAIN_LENGTHS[len(style) % 5]}"
    if cat == 8:
        brand = data.WATCH_BRANDS[(len(style) + len(metal[3])) % len(data.WATCH_BRANDS)]
        return f"{brand} {style} Watch, {metal[1].lower()} dial"
    gem = ""
    if stone is not None:
        gem = f"{carat:.2f}ct {stone[0]} " if carat and stone[0] != "Pearl" else f"{stone[0]} "
    return f"{metal[3]} {gem}{style} {singular}"


# -- sales ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Line:
    item: int
    description: str
    sku: str | None
    qty: int
    unit: int
    discount: int
    total: int
    cost: int | None


@dataclass(slots=True)
class SalePlan:
    index: int
    id: str
    day: int
    minute: int
    customer: int
    seller: Staff
    location: int
    status: str
    method: str | None
    lines: list[Line]
    subtotal: int
    discount: int
    total: int
    paid: int
    voucher: int
    invoiced: bool
    refund: str | None
    refund_day: int

    @property
    def number(self) -> str:
        return f"SALE-{self.index + 1:06d}"


def sale_plans(shop: Shop) -> Iterator[SalePlan]:
    """Every sale, oldest first, replayed identically on each call."""
    cat = catalogue(shop)
    rand = shop.rng("sales").random
    next_id = shop.ids.stream("sales")
    items, stock, n_stock = cat.items, cat.stock_lines, len(cat.stock_lines)
    pieces = cat.piece_for_sale
    sellers = shop.salespeople
    n_sellers = len(sellers)
    n = shop.profile.sales
    voucher_rate = shop.profile.vouchers * 0.6 / n
    services, n_services = data.SERVICES, len(data.SERVICES)
    customers_before = shop.customers_before
    for s in range(n):
        day = sale_day(shop, s)
        minute = OPEN_MINUTE + int(rand() * 480)
        customer = int(rand() * customers_before(day)) if rand() < 0.78 else -1
        count = bisect_right(LINE_WEIGHTS, int(rand() * 100)) + 1
        lines: list[Line] = []
        piece = pieces.get(s)
        for k in range(count):
            if k == 0 and piece is not None:
                idx, qty = piece, 1
            elif rand() < 0.85:
                r = rand()
                idx, qty = stock[int(n_stock * r * r)], 2 if rand() < 0.1 else 1
            else:
                desc, dollars = services[int(rand() * n_services)]
                lines.append(Line(-1, desc, None, 1, dollars * 100, 0, dollars * 100, None))
                continue
            item = items[idx]
            pct = 0 if rand() < 0.85 else (5, 10, 15, 20)[int(rand() * 4)]
            gross = item.price * qty
            total = gross - gross * pct // 100
            lines.append(Line(idx, item.name, item.sku, qty, item.price, pct, total, item.cost))
        age = TODAY - day
        r = rand()
        status = (
            "layby" if age < 60 and r < 0.06
            else "confirmed" if age < 20 and r < 0.12
            else "quote" if r < 0.015
            else "cancelled" if r < 0.035
            else "refunded" if r < 0.055
            else "paid" if r < 0.14
            else "completed"
        )  # fmt: skip
        voucher = 0
        if status in STOCK_OUT and rand() < voucher_rate:
            voucher = data.VOUCHER_AMOUNTS[int(rand() * len(data.VOUCHER_AMOUNTS))] * 100
            lines.append(Line(-1, "Gift voucher", None, 1, voucher, 0, voucher, None))
        subtotal = 0
        for line in lines:
            subtotal += line.total
        discount = 0
        if subtotal > 20_000 and rand() < 0.08:
            discount = min(subtotal // 10, (2_000, 5_000, 10_000)[int(rand() * 3)])
        total = subtotal - discount
        if status == "layby":
            method: str | None = "layby"
            paid = total * (10 + int(rand() * 40)) // 100
        elif status in ("quote", "cancelled"):
            method, paid = None, 0
        else:
            m = int(rand() * 100)
            method = (
                "card" if m < 70 else "cash" if m < 82 else "transfer" if m < 90
                else "mixed" if m < 95 else "account"
            )  # fmt: skip
            paid = 0 if status == "confirmed" and m % 2 else total
        refund = "full" if status == "refunded" else None
        if status == "completed" and rand() < 0.01:
            refund = "partial"
        refund_day = min(TODAY - 1, day + 1 + int(rand() * 20))
        invoiced = customer >= 0 and total >= 150_000 and status in STOCK_OUT and rand() < 0.5
        yield SalePlan(
            s, next_id(), day, minute, customer, sellers[int(rand() * n_sellers)],
            0 if rand() < 0.9 else 1, status, method, lines, subtotal, discount, total,
            paid, voucher, invoiced, refund, refund_day,
        )  # fmt: skip


@dataclass(slots=True)
class Movement:
    item: int
    kind: str
    change: int
    after: int
    day: int
    minute: int
    note: str


class StockBook:
    """Runs stock through the sales: receipts, sales, returns and restocks of stock lines."""

    def __init__(self, cat: Catalogue) -> None:
        self.items = cat.items
        self.on_hand = [item.batch for item in cat.items]

    def opening(self) -> Iterator[Movement]:
        for item in self.items:
            note = "Opening stock (import)" if item.day < ONBOARDING_DAYS else "Received"
            yield Movement(item.index, "purchase", item.batch, item.batch, item.day,
                           item.minute, note)  # fmt: skip

    def apply(self, plan: SalePlan, out: list[Movement] | None) -> None:
        """Book one sale's stock effects; movements are appended to ``out`` when given."""
        if plan.status not in STOCK_OUT:
            return
        on_hand = self.on_hand
        for line in plan.lines:
            i = line.item
            if i < 0:
                continue
            if on_hand[i] < line.qty:
                restock = max(self.items[i].batch, line.qty - on_hand[i])
                on_hand[i] += restock
                if out is not None:
                    out.append(Movement(i, "purchase", restock, on_hand[i], plan.day, 8 * 60,
                                        "Restock from supplier"))  # fmt: skip
            on_hand[i] -= line.qty
            if out is not None:
                out.append(Movement(i, "sale", -line.qty, on_hand[i], plan.day, plan.minute,
                                    f"Sold on {plan.number}"))  # fmt: skip
            if plan.refund == "full":
                on_hand[i] += line.qty
                if out is not None:
                    out.append(Movement(i, "return", line.qty, on_hand[i], plan.refund_day,
                                        12 * 60, f"Returned from {plan.number}"))  # fmt: skip


@dataclass
class Survey:
    """What one walk over the sales tells the other tables."""

    on_hand: list[int]
    last_sold: dict[int, tuple[int, int]]
    flagged: list[SalePlan] = field(default_factory=list)


def survey(shop: Shop) -> Survey:
    return shop.memo("survey", lambda: _walk_sales(shop))


def _walk_sales(shop: Shop) -> Survey:
    book = StockBook(catalogue(shop))
    last_sold: dict[int, tuple[int, int]] = {}
    flagged = []
    for plan in sale_plans(shop):
        book.apply(plan, None)
        if plan.status in STOCK_OUT:
            for line in plan.lines:
                if line.item >= 0:
                    last_sold[line.item] = (plan.day, plan.minute)
        if plan.invoiced or plan.refund or plan.voucher:
            flagged.append(plan)
    return Survey(book.on_hand, last_sold, flagged)
