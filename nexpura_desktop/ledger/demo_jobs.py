"""Demo shop: repairs and bespoke jobs in every stage, with their stage history.

Job plans are built once per shop (they are small next to the sales) because invoices,
stage history and job-ready messages all copy from them.  The most recent jobs are spread
over every stage first, so even the small shop shows each column of the workshop board.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import demo_data as data
from .demo_base import ONBOARDING_DAYS, OPEN_MINUTE, TODAY, Shop, Staff, cents

Row = dict[str, Any]

REPAIR_STAGES = (
    "intake", "assessed", "quoted", "approved", "in_progress", "ready", "collected",
    "completed", "cancelled", "on_hold",
)  # fmt: skip
BESPOKE_STAGES = (
    "enquiry", "consultation", "intake", "design", "design_review", "assessed", "quoted",
    "approved", "in_progress", "ready", "collected", "completed", "cancelled", "on_hold",
)  # fmt: skip
REPAIR_FLOW = ("intake", "assessed", "quoted", "approved", "in_progress", "ready", "collected")
BESPOKE_FLOW = (
    "enquiry", "consultation", "design", "design_review", "quoted", "approved", "in_progress",
    "ready", "collected",
)  # fmt: skip
INTAKE_FLOW = ("intake", "assessed", "quoted", "approved", "in_progress", "ready", "collected")
REPAIR_PRICES = (90, 220, 85, 25, 110, 380, 75, 420, 60, 450, 140)  # per REPAIR_TYPES


@dataclass(slots=True)
class Job:
    """One repair or bespoke job, as the tables that refer to it need it."""

    index: int
    id: str
    number: str
    tracking: str
    customer: int
    day: int
    minute: int
    stage: str
    path: list[tuple[str, int]]
    price: int
    deposit: int
    due: int
    assigned: Staff
    location: int
    title: str
    detail: str
    urgent: bool

    @property
    def finished(self) -> bool:
        return self.stage in ("collected", "completed")


def _path(
    stage: str, flow: tuple[str, ...], day: int, rng: random.Random, gap: int
) -> list[tuple[str, int]]:
    """The stages a job went through to reach ``stage``, each with the day it happened."""
    if stage in flow:
        names = list(flow[: flow.index(stage) + 1])
    elif stage == "completed":
        names = [*flow[: flow.index("ready") + 1], "completed"]
    elif stage == "cancelled":
        names = [*flow[: 1 + rng.randrange(3)], "cancelled"]
    else:  # on_hold
        names = [*flow[: 3 + rng.randrange(3)], "on_hold"]
    steps, current = [], day
    for k, name in enumerate(names):
        if k:
            current = min(TODAY - 1, current + rng.randrange(gap))
        steps.append((name, current))
    return steps


def _stage_for(
    age: int, recent: int, forced: int, stages: tuple[str, ...], rng: random.Random
) -> str:
    if age >= recent:
        r = rng.random()
        return (
            "collected" if r < 0.72 else "completed" if r < 0.9
            else "cancelled" if r < 0.98 else "on_hold"
        )  # fmt: skip
    if forced < len(stages):
        return stages[forced]
    active = [s for s in stages if s not in ("collected", "completed", "cancelled")]
    return active[min(len(active) - 1, int(len(active) * (1 - age / recent) * rng.random()))]


def _job_day(index: int, n: int, recent: int, stages: int, rng: random.Random) -> int:
    """Jobs spread over the years, with enough recent ones to fill every open stage."""
    span = TODAY - ONBOARDING_DAYS
    n_recent = min(n, max(2 * stages, n * recent // span))
    n_old = n - n_recent
    if index < n_old:
        day = ONBOARDING_DAYS + index * (span - recent) // n_old
    else:
        day = TODAY - recent + (index - n_old) * recent // n_recent
    return min(TODAY - 1, day + rng.randrange(3))


def repair_plans(shop: Shop) -> list[Job]:
    return shop.memo("repairs", lambda: _repairs(shop))


def _repairs(shop: Shop) -> list[Job]:
    rng = shop.rng("repairs")
    n = shop.profile.repairs
    techs = shop.workshop or shop.users
    jobs, forced = [], 0
    for r in range(n):
        day = _job_day(r, n, 45, len(REPAIR_STAGES), rng)
        age = TODAY - day
        stage = _stage_for(age, 45, forced, REPAIR_STAGES, rng)
        forced += age < 45
        kind = rng.randrange(len(data.REPAIR_TYPES))
        repair_type, work = data.REPAIR_TYPES[kind]
        item_type, item_text = data.REPAIR_ITEMS[rng.randrange(len(data.REPAIR_ITEMS))]
        metal = data.METALS[rng.randrange(8)][3]
        price = (REPAIR_PRICES[kind] + rng.randrange(0, 120)) * 100
        sizes = data.RING_SIZES
        a = rng.randrange(len(sizes) - 3)
        jobs.append(
            Job(
                index=r, id=shop.ids.uuid("repairs", r), number=f"REP-{r + 1:05d}",
                tracking=f"RPR-{shop.ids.code('repair-tracking', r)}",
                customer=rng.randrange(shop.customers_before(day)), day=day,
                minute=OPEN_MINUTE + rng.randrange(480), stage=stage,
                path=_path(stage, REPAIR_FLOW, day, rng, 4), price=price,
                deposit=price // 2 if price > 30_000 else 0,
                due=day + 7 + rng.randrange(15), assigned=techs[rng.randrange(len(techs))],
                location=0 if rng.random() < 0.9 else 1, title=repair_type,
                detail=f"{metal}|{item_text}|{item_type}|{work.format(a=sizes[a], b=sizes[a + 2])}",
                urgent=rng.random() < 0.07,
            )
        )  # fmt: skip
    return jobs


def bespoke_plans(shop: Shop) -> list[Job]:
    return shop.memo("bespoke", lambda: _bespoke(shop))


def _bespoke(shop: Shop) -> list[Job]:
    rng = shop.rng("bespoke")
    n = shop.profile.bespoke
    makers = [s for s in shop.workshop if s.team_role == "workshop_jeweller"] or shop.users
    jobs, forced = [], 0
    for b in range(n):
        day = _job_day(b, n, 120, len(BESPOKE_STAGES), rng)
        age = TODAY - day
        stage = _stage_for(age, 120, forced, BESPOKE_STAGES, rng)
        forced += age < 120
        counter_job = stage in ("intake", "assessed") or (
            stage not in BESPOKE_FLOW[:4] and rng.random() < 0.2
        )
        flow = INTAKE_FLOW if counter_job else BESPOKE_FLOW
        stone = data.STONES[rng.randrange(len(data.STONES))][0]
        shape = data.STONE_SHAPES[rng.randrange(len(data.STONE_SHAPES))]
        title = data.BESPOKE_TITLES[rng.randrange(len(data.BESPOKE_TITLES))]
        price = (rng.randrange(18, 160) * 100) * 100
        jobs.append(
            Job(
                index=b, id=shop.ids.uuid("bespoke_jobs", b), number=f"JOB-{b + 1:05d}",
                tracking=f"BSP-{shop.ids.code('bespoke-tracking', b)}",
                customer=rng.randrange(shop.customers_before(day)), day=day,
                minute=OPEN_MINUTE + rng.randrange(480), stage=stage,
                path=_path(stage, flow, day, rng, 12), price=price, deposit=price * 3 // 10,
                due=day + 42 + rng.randrange(60), assigned=makers[rng.randrange(len(makers))],
                location=1 if rng.random() < 0.3 else 0,
                title=title.format(stone=stone.lower(), shape=shape), detail=f"{stone}|{shape}",
                urgent=rng.random() < 0.05,
            )
        )  # fmt: skip
    return jobs


def _stage_rows(shop: Shop, jobs: list[Job], table: str, key: str) -> Iterator[Row]:
    c = shop.clock
    next_id = shop.ids.stream(table)
    for job in jobs:
        for k, (stage, day) in enumerate(job.path):
            yield {
                "id": next_id(),
                "tenant_id": shop.tenant_id,
                key: job.id,
                "stage": stage,
                "notes": None if k else "Booked in at the counter",
                "created_by": (job.assigned if k else shop.salespeople[0]).user_id,
                "created_at": c.ts(day, min(job.minute + 30 * k, 17 * 60 + 30)),
            }


def repair_stages(shop: Shop) -> Iterator[Row]:
    return _stage_rows(shop, repair_plans(shop), "repair_stages", "repair_id")


def bespoke_job_stages(shop: Shop) -> Iterator[Row]:
    return _stage_rows(shop, bespoke_plans(shop), "bespoke_job_stages", "job_id")


def _reached(job: Job, stage: str) -> int | None:
    return next((day for name, day in job.path if name == stage), None)


def repairs(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for job in repair_plans(shop):
        metal, item_text, item_type, work = job.detail.split("|")
        last_day = job.path[-1][1]
        collected = _reached(job, "collected") or _reached(job, "completed")
        brand = (
            data.WATCH_BRANDS[job.index % len(data.WATCH_BRANDS)] if item_type == "watch" else None
        )
        yield {
            "id": job.id,
            "tenant_id": shop.tenant_id,
            "ticket_number": None,
            "customer_id": shop.customer_id(job.customer),
            "customer_name": None,
            "customer_email": None,
            "item_type": item_type,
            "item_description": f"{metal} {item_text}",
            "item_images": [],
            "metal_type": metal,
            "brand": brand,
            "condition_notes": "Light surface scratches" if job.index % 3 == 0 else None,
            "repair_type": job.title,
            "work_description": work,
            "priority": "urgent" if job.urgent else ("high" if job.index % 9 == 0 else "normal"),
            "status": job.stage,
            "quoted_price": cents(job.price),
            "final_price": cents(job.price) if job.finished else None,
            "deposit_amount": cents(job.deposit) if job.deposit else None,
            "deposit_paid": bool(job.deposit) and job.stage not in ("intake", "assessed"),
            "due_date": c.date(job.due),
            "internal_notes": "Check claws on other stones too" if job.index % 5 == 0 else None,
            "client_notes": "Customer wants it back before the weekend" if job.urgent else None,
            "created_by": shop.salespeople[job.index % len(shop.salespeople)].user_id,
            "created_at": c.ts(job.day, job.minute),
            "updated_at": c.ts(last_day, min(job.minute + 60, 17 * 60 + 30)),
            "stage": job.stage,
            "invoice_id": None,
            "repair_number": job.number,
            "assigned_to": job.assigned.user_id,
            "is_urgent": job.urgent,
            "tracking_id": job.tracking,
            "estimated_completion_date": c.date(job.due),
            "tracking_revoked_at": None,
            "intake_notes": f"Received {metal.lower()} {item_text}",
            "workshop_notes": None,
            "location_id": shop.location_ids[job.location],
            "collected_at": c.ts(collected, 15 * 60) if collected else None,
            "deleted_at": None,
            "received_date": c.date(job.day),
        }


def bespoke_jobs(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for job in bespoke_plans(shop):
        stone, shape = job.detail.split("|")
        metal = data.METALS[job.index % 8]
        approved = _reached(job, "approved")
        person = shop.person(job.customer)
        yield {
            "id": job.id,
            "tenant_id": shop.tenant_id,
            "job_number": job.number,
            "customer_id": shop.customer_id(job.customer),
            "title": job.title,
            "description": f"{job.title} in {metal[3].lower()}",
            "order_type": "bespoke",
            "jewellery_type": "ring" if "ring" in job.title.lower() else "pendant",
            "stage": job.stage,
            "priority": "urgent" if job.urgent else "normal",
            "metal": metal[0],
            "metal_type": metal[3],
            "metal_colour": metal[1],
            "metal_purity": metal[2],
            "metal_weight_grams": round(3 + job.index % 9 * 0.7, 2),
            "stone": stone,
            "stone_type": stone,
            "stone_colour": None,
            "stone_carat": round(0.3 + job.index % 20 * 0.1, 2),
            "client_notes": f"Loves {shape} shapes; budget about ${job.price // 100:,}",
            "internal_notes": "CAD by Tom" if job.index % 4 == 0 else None,
            "images": [],
            "deposit_amount": cents(job.deposit),
            "deposit_received": approved is not None and job.stage != "cancelled",
            "due_date": c.date(job.due),
            "created_by": shop.salespeople[job.index % len(shop.salespeople)].user_id,
            "created_at": c.ts(job.day, job.minute),
            "updated_at": c.ts(job.path[-1][1], min(job.minute + 60, 17 * 60 + 30)),
            "quoted_price": cents(job.price) if _reached(job, "quoted") is not None else None,
            "final_price": cents(job.price) if job.finished else None,
            "stone_shape": shape,
            "stone_clarity": "VS1" if stone == "Diamond" else None,
            "stone_origin": "Australia" if stone in ("Opal", "Argyle Pink Diamond") else None,
            "ring_size": data.RING_SIZES[job.index % len(data.RING_SIZES)],
            "setting_style": data.SETTING_STYLES[job.index % len(data.SETTING_STYLES)],
            "invoice_id": None,
            "assigned_to": job.assigned.user_id,
            "is_urgent": job.urgent,
            "approval_status": "approved" if approved is not None else "pending",
            "approval_requested_at": c.ts(approved, 10 * 60) if approved is not None else None,
            "approved_at": c.ts(approved, 14 * 60) if approved is not None else None,
            "approval_notes": None,
            "client_signature_data": None if approved is None else f"signed:{person.full_name}",
            "tracking_id": job.tracking,
            "estimated_completion_date": c.date(job.due),
            "tracking_revoked_at": None,
            "location_id": shop.location_ids[job.location],
            "deleted_at": None,
        }
