"""Inventory mutations: ``inventorySetQuantities`` (compare-and-set) and
``inventoryAdjustQuantities`` (deltas).  Any user error means nothing changes."""

from __future__ import annotations

from typing import Any

from .context import Ctx, Info
from .ids import gid, parse_gid
from .mutation_common import ctx_of, ue

SET_NAMES = ("available", "on_hand")
ADJUST_NAMES = (
    "available",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_canceled",
        "movement_created",
        "movement_received",
        "movement_updated",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
MAX_QUANTITY = 1_000_000_000
CHANGE_FROM_STALE = "The changeFromQuantity argument no longer matches the persisted quantity."


def _group(ctx: Ctx, data: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": gid("InventoryAdjustmentGroup", ctx.store.new_id("InventoryAdjustmentGroup")),
        "createdAt": ctx.now,
        "reason": data["reason"],
        "referenceDocumentUri": data.get("referenceDocumentUri"),
        "_changes": changes,
    }


def _target(
    ctx: Ctx, item_gid: str, location_gid: str, path: list[str]
) -> tuple[Any, Any, dict[str, Any] | None]:
    item = ctx.store.items.get(parse_gid(item_gid, "InventoryItem"))
    if item is None:
        return (
            None,
            None,
            ue(
                [*path, "inventoryItemId"],
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            ),
        )
    location = ctx.store.locations.get(parse_gid(location_gid, "Location"))
    if location is None:
        return (
            None,
            None,
            ue(
                [*path, "locationId"],
                "The specified location could not be found.",
                "INVALID_LOCATION",
            ),
        )
    level = ctx.store.levels.get((item.id, location.id))
    if level is None:
        return (
            None,
            None,
            ue(
                [*path, "locationId"],
                "The specified inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            ),
        )
    return item, level, None


def _change(
    ctx: Ctx, level: Any, name: str, delta: int, ledger: str | None
) -> list[dict[str, Any]]:
    """Apply ``delta`` to quantity ``name`` (``on_hand`` moves ``available``)."""
    store = ctx.store
    target = "available" if name == "on_hand" else name
    level.quantities[target] += delta
    level.updated_at = ctx.now
    item, location = store.items.rows[level.item_id], store.locations.rows[level.location_id]
    names = (
        [name]
        if name in ("incoming",)
        else [name, "on_hand"]
        if name != "on_hand"
        else ["available", "on_hand"]
    )
    return [
        {
            "name": n,
            "delta": delta,
            "item": item,
            "location": location,
            "quantityAfterChange": level.quantity(n),
            "ledgerDocumentUri": ledger,
        }
        for n in names
    ]


def inventory_set(_s: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_inventory")
    errors: list[dict[str, Any]] = []
    name = input["name"]
    if name not in SET_NAMES:
        errors.append(
            ue(
                ["input", "name"],
                "The quantity name must be either 'available' or 'on_hand'.",
                "INVALID_NAME",
            )
        )
    if input["reason"] not in REASONS:
        errors.append(ue(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    ignore = bool(input.get("ignoreCompareQuantity"))
    plan = []
    for n, q in enumerate(input["quantities"]):
        path = ["input", "quantities", str(n)]
        _item, level, error = _target(ctx, q["inventoryItemId"], q["locationId"], path)
        if error is not None:
            errors.append(error)
            continue
        if q["quantity"] < 0:
            errors.append(
                ue(
                    [*path, "quantity"],
                    "The quantity can't be negative.",
                    "INVALID_QUANTITY_NEGATIVE",
                )
            )
            continue
        if q["quantity"] > MAX_QUANTITY:
            errors.append(
                ue(
                    [*path, "quantity"],
                    "The quantity can't be higher than 1,000,000,000.",
                    "INVALID_QUANTITY_TOO_HIGH",
                )
            )
            continue
        current = level.quantity(name) if name in SET_NAMES else 0
        if not ignore:
            if "changeFromQuantity" in q:
                if q["changeFromQuantity"] is not None and q["changeFromQuantity"] != current:
                    errors.append(
                        ue(
                            [*path, "changeFromQuantity"],
                            CHANGE_FROM_STALE,
                            "CHANGE_FROM_QUANTITY_STALE",
                        )
                    )
                    continue
            elif q.get("compareQuantity") is None:
                errors.append(
                    ue(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument must be given to each quantity or "
                        "ignored using ignoreCompareQuantity.",
                        "COMPARE_QUANTITY_REQUIRED",
                    )
                )
                continue
            elif q["compareQuantity"] != current:
                errors.append(
                    ue(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument no longer matches the persisted quantity.",
                        "COMPARE_QUANTITY_STALE",
                    )
                )
                continue
        plan.append((level, q["quantity"] - current))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes: list[dict[str, Any]] = []
    for level, delta in plan:
        changes.extend(_change(ctx, level, name, delta, None))
    return {"inventoryAdjustmentGroup": _group(ctx, input, changes), "userErrors": []}


def inventory_adjust(_s: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ctx = ctx_of(info)
    ctx.require(info, "write_inventory")
    errors: list[dict[str, Any]] = []
    name = input["name"]
    if name not in ADJUST_NAMES:
        errors.append(
            ue(
                ["input", "name"],
                f"The quantity name '{name}' is not valid.",
                "INVALID_QUANTITY_NAME",
            )
        )
    if input["reason"] not in REASONS:
        errors.append(ue(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    plan = []
    for n, change in enumerate(input["changes"]):
        path = ["input", "changes", str(n)]
        _item, level, error = _target(ctx, change["inventoryItemId"], change["locationId"], path)
        if error is not None:
            errors.append(error)
            continue
        current = level.quantity(name) if name in ADJUST_NAMES else 0
        expected = change.get("changeFromQuantity")
        if expected is not None and expected != current:
            errors.append(
                ue(
                    [*path, "changeFromQuantity"],
                    CHANGE_FROM_STALE,
                    "CHANGE_FROM_QUANTITY_STALE",
                )
            )
            continue
        if abs(current + change["delta"]) > MAX_QUANTITY:
            errors.append(
                ue(
                    [*path, "delta"],
                    "The quantity can't be higher than 1,000,000,000.",
                    "INVALID_QUANTITY_TOO_HIGH",
                )
            )
            continue
        plan.append((level, change["delta"], change.get("ledgerDocumentUri")))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes: list[dict[str, Any]] = []
    for level, delta, ledger in plan:
        changes.extend(_change(ctx, level, name, delta, ledger))
    return {"inventoryAdjustmentGroup": _group(ctx, input, changes), "userErrors": []}


def group_changes(group: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    items = {parse_gid(i, "InventoryItem") for i in args.get("inventoryItemIds") or []}
    locations = {parse_gid(i, "Location") for i in args.get("locationIds") or []}
    names = set(args.get("quantityNames") or [])
    return [
        c
        for c in group["_changes"]
        if (not items or c["item"].id in items)
        and (not locations or c["location"].id in locations)
        and (not names or c["name"] in names)
    ]
