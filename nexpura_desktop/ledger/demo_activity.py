"""Demo shop: appointments, tasks and comments, quotes, in-app notifications, and the
WhatsApp / SMS send history (job-ready messages follow each customer's preference)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import demo_data as data
from .demo_base import ONBOARDING_DAYS, TODAY, Shop, cents
from .demo_jobs import Job, bespoke_plans, repair_plans

Row = dict[str, Any]
TRACK_URL = "https://app.nexpura.com/track/"


def _spread(k: int, n: int, first: int, last: int) -> int:
    return first + k * (last - first) // max(n, 1)


def appointments(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    rng = shop.rng("appointments")
    n = shop.profile.appointments
    for k in range(n):
        day = _spread(k, n, ONBOARDING_DAYS, TODAY + 60)
        if c.weekday(day) == 6:  # closed on Sundays
            day -= 1
        walk_in = rng.random() < 0.15
        customer = rng.randrange(shop.customers_before(min(day, TODAY)))
        person = shop.person(shop.profile.customers + k if walk_in else customer)
        if day >= TODAY:
            status = "confirmed" if rng.random() < 0.4 else "scheduled"
        else:
            r = rng.random()
            status = "completed" if r < 0.8 else "no_show" if r < 0.88 else "cancelled"
        slot = 10 * 60 + 30 * rng.randrange(14)
        kind = data.APPOINTMENT_TYPES[rng.randrange(len(data.APPOINTMENT_TYPES))]
        booked = max(ONBOARDING_DAYS, min(TODAY - 1, day - rng.randrange(1, 21)))
        staff = shop.salespeople[rng.randrange(len(shop.salespeople))]
        yield {
            "id": shop.ids.uuid("appointments", k),
            "tenant_id": shop.tenant_id,
            "customer_id": None if walk_in else shop.customer_id(customer),
            "customer_name": person.full_name,
            "customer_email": person.email,
            "customer_phone": person.mobile,
            "scheduled_date": c.date(day),
            "scheduled_time": f"{slot // 60:02d}:{slot % 60:02d}",
            "duration_minutes": (30, 45, 60, 90)[rng.randrange(4)],
            "appointment_type": kind,
            "status": status,
            "notes": "Bring grandmother's ring for ideas" if kind == "bespoke_design" else None,
            "location_id": shop.location_ids[1 if kind == "watch_service" else 0],
            "assigned_to": staff.user_id,
            "google_calendar_event_id": None,
            "reminder_sent": day <= TODAY and status != "cancelled",
            "created_by": staff.user_id,
            "created_at": c.ts(booked, 11 * 60 + k % 300),
            "updated_at": c.ts(min(day, TODAY - 1), 17 * 60),
        }


def _task_plans(shop: Shop) -> list[dict[str, Any]]:
    return shop.memo("tasks", lambda: list(_tasks(shop)))


def _tasks(shop: Shop) -> Iterator[dict[str, Any]]:
    rng = shop.rng("tasks")
    n = shop.profile.tasks
    repairs, bespoke = repair_plans(shop), bespoke_plans(shop)
    bosses = [s for s in shop.users if s.user_role in ("owner", "manager")]
    for k in range(n):
        day = _spread(k, n, ONBOARDING_DAYS, TODAY - 1)
        template, related, dept = data.TASK_TITLES[rng.randrange(len(data.TASK_TITLES))]
        pool = [s for s in shop.users if s.department == dept] or shop.users
        job: Job | None = None
        if related == "repair" and repairs:
            job = repairs[min(len(repairs) - 1, k * len(repairs) // n)]
        elif related == "bespoke" and bespoke:
            job = bespoke[min(len(bespoke) - 1, k * len(bespoke) // n)]
        customer = job.customer if job else rng.randrange(shop.customers_before(day))
        person = shop.person(customer)
        age = TODAY - day
        r = rng.random()
        if age > 30:
            status = "done" if r < 0.5 else "completed" if r < 0.88 else (
                "cancelled" if r < 0.96 else "todo")  # fmt: skip
        else:
            status = ("todo", "in_progress", "blocked", "done")[min(3, int(r * 4))]
        related_id = job.id if job else (shop.customer_id(customer) if related else None)
        yield {
            "k": k,
            "day": day,
            "minute": 9 * 60 + rng.randrange(480),
            "title": template.format(customer=person.full_name, n=k % 12 + 1),
            "related": related,
            "related_id": related_id,
            "dept": dept,
            "assignee": pool[rng.randrange(len(pool))],
            "creator": bosses[rng.randrange(len(bosses))] if bosses else shop.users[0],
            "status": status,
            "priority": ("low", "normal", "normal", "high", "urgent")[rng.randrange(5)],
            "due": day + 1 + rng.randrange(10),
            "comments": rng.randrange(1, 4) if rng.random() < 0.4 else 0,
        }


def tasks(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for t in _task_plans(shop):
        done = t["status"] in ("done", "completed")
        notified = t["assignee"].index % 3 != 2
        yield {
            "id": shop.ids.uuid("tasks", t["k"]),
            "tenant_id": shop.tenant_id,
            "assigned_to": t["assignee"].user_id,
            "created_by": t["creator"].user_id,
            "title": t["title"],
            "description": None if t["k"] % 3 else "See notes on the job card.",
            "status": t["status"],
            "priority": t["priority"],
            "due_date": c.date(t["due"]),
            "completed_at": c.ts(min(TODAY - 1, t["due"] - 1), 16 * 60) if done else None,
            "related_type": t["related"],
            "related_id": t["related_id"],
            "created_at": c.ts(t["day"], t["minute"]),
            "updated_at": c.ts(min(TODAY - 1, t["due"] - 1), 16 * 60),
            "last_whatsapp_notification_at": c.ts(t["day"], t["minute"] + 1) if notified else None,
            "department": t["dept"],
            "linked_id": t["related_id"],
            "linked_type": t["related"],
        }


def task_comments(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    counter = 0
    for t in _task_plans(shop):
        for j in range(t["comments"]):
            author = t["assignee"] if j % 2 == 0 else t["creator"]
            yield {
                "id": shop.ids.uuid("task_comments", counter),
                "task_id": shop.ids.uuid("tasks", t["k"]),
                "tenant_id": shop.tenant_id,
                "user_id": author.user_id,
                "content": data.TASK_COMMENTS[(t["k"] + j) % len(data.TASK_COMMENTS)],
                "created_at": c.ts(min(TODAY - 1, t["day"] + j), t["minute"] + 10 + j),
            }
            counter += 1


def quotes(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    rng = shop.rng("quotes")
    n = shop.profile.quotes
    for k in range(n):
        day = _spread(k, n, ONBOARDING_DAYS, TODAY - 1)
        customer = rng.randrange(shop.customers_before(day))
        person = shop.person(customer)
        lines: list[dict[str, Any]] = []
        total = 0
        for _ in range(rng.randrange(1, 4)):
            desc, dollars = data.SERVICES[rng.randrange(len(data.SERVICES))]
            if rng.random() < 0.5:
                desc, dollars = "Custom design & CAD", rng.randrange(2, 40) * 100
            total += dollars * 100
            line = {"description": desc, "quantity": 1, "unit_price": float(dollars)}
            lines.append(line | {"total": float(dollars)})
        expires = day + 30
        if expires >= TODAY:
            status = "sent" if rng.random() < 0.6 else "draft"
        else:
            status = ("accepted", "rejected", "converted", "expired")[rng.randrange(4)]
        accepted = status in ("accepted", "converted")
        yield {
            "id": shop.ids.uuid("quotes", k),
            "tenant_id": shop.tenant_id,
            "customer_id": shop.customer_id(customer),
            "quote_number": f"QUO-{k + 1:04d}",
            "items": lines,
            "total_amount": cents(total),
            "status": status,
            "expires_at": c.ts(expires, 17 * 60),
            "notes": None,
            "terms": "Quote valid for 30 days. 30% deposit required to start custom work.",
            "created_by": shop.salespeople[k % len(shop.salespeople)].user_id,
            "created_at": c.ts(day, 11 * 60),
            "updated_at": c.ts(min(TODAY - 1, day + 7), 11 * 60),
            "accepted_at": c.ts(day + 5, 13 * 60) if accepted else None,
            "accepted_by": person.full_name if accepted else None,
            "deleted_at": None,
            "signature_data": None,
            "total": None,
        }


def notifications(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    repairs = repair_plans(shop)
    n = shop.profile.notifications
    kinds = ("sale_created", "repair_completed", "job_completed", "customer_message")
    for k in range(n):
        day = TODAY - 60 + k * 60 // max(n, 1)
        kind = kinds[k % 4]
        job = repairs[(len(repairs) - 1 - k) % len(repairs)]
        user = None if k % 3 == 0 else shop.users[k % len(shop.users)].user_id
        yield {
            "id": shop.ids.uuid("notifications", k),
            "tenant_id": shop.tenant_id,
            "user_id": user,
            "type": kind,
            "title": {
                "sale_created": "New sale recorded",
                "repair_completed": f"Repair {job.number} completed",
                "job_completed": "Bespoke job completed",
                "customer_message": "New message from a customer",
            }[kind],
            "body": f"{shop.person(job.customer).full_name} - {job.title}",
            "link": f"/repairs/{job.id}" if kind == "repair_completed" else None,
            "is_read": day < TODAY - 7,
            "created_at": c.ts(day, 10 * 60 + k % 400),
        }


def _ready_messages(shop: Shop) -> Iterator[tuple[str, Job, int, str]]:
    """(channel, job, day, text) for every job that reached "ready"."""
    for jobs, noun in ((repair_plans(shop), "repair"), (bespoke_plans(shop), "piece")):
        for job in jobs:
            day = next((d for name, d in job.path if name == "ready"), None)
            if day is None:
                continue
            person = shop.person(job.customer)
            if person.preference in ("whatsapp", "sms") and person.e164:
                text = (
                    f"Hi {person.first}, your {noun} ({job.number}) is ready to collect from "
                    f"Larkspur Fine Jewellery. Track it: {TRACK_URL}{job.tracking}"
                )
                yield person.preference, job, day, text


def _delivery(shop: Shop, kind: str, k: int) -> tuple[str, str | None]:
    roll = shop.ids.draw(kind, k) % 100
    if roll < 3:
        return "failed", "Unreachable destination handset (30003)"
    if kind == "sms":
        return ("delivered" if roll < 90 else "sent"), None
    return ("read" if roll < 55 else "delivered" if roll < 88 else "sent"), None


def _sid(shop: Shop, kind: str, k: int) -> str:
    return f"SM{shop.ids.draw(kind + '-sid', k):016x}{shop.ids.draw(kind + '-sid2', k):016x}"


def whatsapp_sends(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    counter = 0

    def row(customer: int | None, phone: str, text: str, kind: str, day: int, minute: int) -> Row:
        status, error = _delivery(shop, "whatsapp", counter)
        return {
            "id": shop.ids.uuid("whatsapp_sends", counter),
            "tenant_id": shop.tenant_id,
            "campaign_id": None,
            "customer_id": shop.customer_id(customer) if customer is not None else None,
            "phone": phone,
            "message": text,
            "message_type": kind,
            "status": status,
            "twilio_sid": _sid(shop, "whatsapp", counter),
            "sent_at": c.ts(day, minute),
            "delivered_at": c.ts(day, minute + 1) if status in ("delivered", "read") else None,
            "read_at": c.ts(day, minute + 17) if status == "read" else None,
            "error_message": error,
        }

    for channel, job, day, text in _ready_messages(shop):
        if channel == "whatsapp":
            yield row(job.customer, shop.person(job.customer).e164 or "", text, "job_ready", day,
                      16 * 60)  # fmt: skip
            counter += 1
    for t in _task_plans(shop):
        staff = t["assignee"]
        if staff.index % 3 != 2:
            digits = staff.mobile.replace(" ", "")[1:]
            text = f"New task from {t['creator'].name}: {t['title']}"
            yield row(None, f"+61{digits}", text, "task_assignment", t["day"], t["minute"] + 1)
            counter += 1
    rng = shop.rng("whatsapp-marketing")
    wanted = shop.profile.messages // 2
    for k in range(shop.profile.messages * 10):
        if not wanted:
            break
        day = TODAY - 1 - rng.randrange(500)
        customer = rng.randrange(shop.customers_before(day))
        person = shop.person(customer)
        if person.preference != "whatsapp" or not person.consent or not person.e164:
            continue
        text = (
            f"Hi {person.first}, our spring collection has arrived - come and see it! "
            "Reply STOP to opt out."
        )
        yield row(customer, person.e164, text, "marketing", day, 10 * 60 + k % 120)
        counter += 1
        wanted -= 1


def sms_sends(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    counter = 0
    for channel, job, day, text in _ready_messages(shop):
        if channel != "sms":
            continue
        status, error = _delivery(shop, "sms", counter)
        yield {
            "id": shop.ids.uuid("sms_sends", counter),
            "tenant_id": shop.tenant_id,
            "customer_id": shop.customer_id(job.customer),
            "phone": shop.person(job.customer).e164,
            "message": text,
            "status": status,
            "twilio_sid": _sid(shop, "sms", counter),
            "sent_at": c.ts(day, 16 * 60),
            "delivered_at": c.ts(day, 16 * 60 + 1) if status == "delivered" else None,
            "error_message": error,
            "context": None,
        }
        counter += 1
