"""Demo shop: the tenant profile, its locations, staff, suppliers and customers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import demo_data as data
from .demo_base import HISTORY_DAYS, TODAY, Shop, cents

Row = dict[str, Any]

SHOP_NAME = "Larkspur Fine Jewellery"
SHOP_DOMAIN = "larkspurjewellery.com.au"

NOTIFICATION_SETTINGS = {
    "whatsapp_job_ready_enabled": True,
    "whatsapp_task_assignment_enabled": False,
    "notify_on_task_assignment": True,
    "notify_on_status_change": True,
    "notify_on_urgent_flagged": True,
}

OPENING_HOURS = {
    day: {"open": "09:30", "close": "17:30"} for day in ("mon", "tue", "wed", "thu", "fri")
} | {"sat": {"open": "10:00", "close": "16:00"}, "sun": None}


def tenants(shop: Shop, sequences: dict[str, int]) -> Iterator[Row]:
    c = shop.clock
    yield {
        "id": shop.tenant_id,
        "name": SHOP_NAME,
        "slug": "larkspur-fine-jewellery",
        "business_type": "jewellery_retail",
        "logo_url": None,
        "brand_color": "#1F4E5F",
        "created_at": c.ts(0, 8 * 60 + 12),
        "updated_at": c.ts(TODAY - 3, 16 * 60 + 40),
        "subscription_status": "active",
        "is_free_forever": False,
        "invoice_sequence": sequences["invoice"],
        "job_sequence": sequences["job"],
        "repair_sequence": sequences["repair"],
        "sale_sequence": sequences["sale"],
        "quote_sequence": sequences["quote"],
        "subdomain": "larkspur",
        "plan": "studio",
        "email_from_name": SHOP_NAME,
        "reply_to_email": f"hello@{SHOP_DOMAIN}",
        "notification_settings": NOTIFICATION_SETTINGS,
        "business_name": "Larkspur Fine Jewellery Pty Ltd",
        "abn": "53 004 085 616",
        "phone": "(02) 9264 1180",
        "email": f"hello@{SHOP_DOMAIN}",
        "website": f"https://www.{SHOP_DOMAIN}",
        "address_line1": "Shop 42, The Strand Arcade, 412-414 George St",
        "suburb": "Sydney",
        "state": "NSW",
        "postcode": "2000",
        "country": "Australia",
        "bank_name": "Commonwealth Bank",
        "bank_bsb": "062-000",
        "bank_account": "1234 5678",
        "invoice_footer": "Thank you for choosing Larkspur. Payment due within 14 days.",
        "tax_name": "GST",
        "tax_rate": 0.1,
        "tax_inclusive": True,
        "business_mode": "full",
        "next_stock_number": sequences["stock"],
        "next_consignment_number": 1,
        "overdue_reminders_enabled": True,
        "sku_sequence": sequences["stock"] - 1,
        "require_2fa_for_staff": False,
        "a1_money_correctness": True,
        "currency": "AUD",
        "timezone": "Australia/Sydney",
        "owner_email": shop.staff[0].email,
        "invoice_accent_color": "#1F4E5F",
        "sms_templates": {
            "job_ready": "Hi {first_name}, your {item} is ready to collect from Larkspur.",
        },
    }


def settings(shop: Shop) -> Iterator[Row]:
    yield {
        "id": shop.ids.uuid("settings", 0),
        "tenant_id": shop.tenant_id,
        "tax_rate": 0.1,
        "currency": "AUD",
        "timezone": "Australia/Sydney",
        "date_format": "DD/MM/YYYY",
        "receipt_footer": "Exchanges within 30 days with receipt. Thank you!",
        "invoice_prefix": "INV",
        "quote_prefix": "QUO",
        "auto_generate_sku": True,
        "low_stock_threshold": 2,
        "metadata": {},
        "created_at": shop.clock.ts(0, 8 * 60 + 15),
        "updated_at": shop.clock.ts(200, 11 * 60),
    }


def locations(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    rows = (
        ("The Strand Arcade Showroom", "showroom", "Shop 42, 412-414 George St", "Sydney",
         "2000", "(02) 9264 1180", "hello"),
        ("Surry Hills Workshop", "workshop", "Level 1, 88 Foveaux St", "Surry Hills",
         "2010", "(02) 9211 4470", "workshop"),
    )  # fmt: skip
    for i, (name, kind, street, suburb, postcode, phone, mailbox) in enumerate(rows):
        yield {
            "id": shop.location_ids[i],
            "tenant_id": shop.tenant_id,
            "name": name,
            "type": kind,
            "address_line1": street,
            "suburb": suburb,
            "state": "NSW",
            "postcode": postcode,
            "is_active": True,
            "created_at": c.ts(i, 9 * 60),
            "updated_at": c.ts(i + 30, 10 * 60),
            "operating_hours": OPENING_HOURS,
            "default_tax_rate": 10.0,
            "receipt_footer": "Exchanges within 30 days with receipt.",
            "phone": phone,
            "email": f"{mailbox}@{SHOP_DOMAIN}",
            "country": "Australia",
        }


def users(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for s in shop.users:
        joined = 0 if s.index < 3 else s.index * 37
        yield {
            "id": s.user_id,
            "tenant_id": shop.tenant_id,
            "email": s.email,
            "full_name": s.name,
            "role": s.user_role,
            "avatar_url": None,
            "created_at": c.ts(joined, 9 * 60 + s.index),
            "updated_at": c.ts(TODAY - 1 - s.index, 17 * 60),
            "totp_enabled": s.user_role == "owner",
            "totp_secret": None,
            "totp_backup_codes": None,
            "totp_pending_secret": None,
            "totp_pending_at": None,
        }


def user_notification_preferences(shop: Shop) -> Iterator[Row]:
    types = ("sale_created", "repair_completed", "job_completed")
    for s in shop.users:
        for k, kind in enumerate(types):
            yield {
                "id": shop.ids.uuid("user_notification_preferences", s.index * 8 + k),
                "user_id": s.user_id,
                "tenant_id": shop.tenant_id,
                "notification_type": kind,
                "in_app": True,
                "email": s.user_role in ("owner", "manager"),
            }


def team_members(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for s in shop.staff:
        joined = 0 if s.index < 3 else s.index * 37
        pending = s.user_id is None
        workshop = s.department == "workshop"
        yield {
            "id": s.team_id,
            "tenant_id": shop.tenant_id,
            "user_id": s.user_id,
            "role": s.team_role,
            "name": s.name,
            "email": s.email,
            "permissions": {} if s.team_role in ("owner", "manager") else {"refunds": False},
            "invite_token": None,
            "invite_accepted": not pending,
            "created_at": c.ts(joined, 9 * 60 + s.index),
            "updated_at": c.ts(TODAY - 5 if pending else joined + 2, 12 * 60),
            "department": s.department,
            "last_login_at": None if pending else c.ts(TODAY - 1 - s.index % 4, 9 * 60 + 20),
            "allowed_location_ids": [shop.location_ids[1]] if workshop else None,
            "phone_number": s.mobile,
            "whatsapp_notifications_enabled": s.index % 3 != 2,
            "commission_rate": 2.5 if s.team_role == "salesperson" else 0,
            "notify_new_repairs": s.team_role in ("repair_technician", "technician", "manager"),
            "notify_new_bespoke": s.team_role in ("workshop_jeweller", "owner"),
            "invite_expires_at": c.ts(TODAY + 2, 9 * 60) if pending else None,
            "invite_token_hash": f"{shop.ids.draw('invite', s.index):016x}" * 4
            if pending
            else None,
            "manager_pin_hash": None,
            "manager_pin_set_at": None,
            "current_location_id": shop.location_ids[1 if workshop else 0],
            "default_location_id": shop.location_ids[1 if workshop else 0],
        }


def suppliers(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    for i, (name, contact, domain, terms, what) in enumerate(
        data.SUPPLIERS[: shop.profile.suppliers]
    ):
        h = shop.ids.draw("supplier", i)
        suburb, state, postcode = data.SYDNEY_SUBURBS[h % len(data.SYDNEY_SUBURBS)]
        street = data.STREETS[(h >> 8) % len(data.STREETS)]
        yield {
            "id": shop.ids.uuid("suppliers", i),
            "tenant_id": shop.tenant_id,
            "name": name,
            "contact_name": contact,
            "email": f"orders@{domain}",
            "phone": f"(02) 9{(h >> 16) % 1000:03d} {(h >> 26) % 10000:04d}",
            "website": f"https://{domain}",
            "address": f"{(h >> 40) % 300 + 1} {street}, {suburb} {state} {postcode}",
            "notes": f"Main supplier for {what}.",
            "created_at": c.ts(i % 10, 10 * 60 + i),
            "updated_at": c.ts(i % 10 + 100, 10 * 60),
            "deleted_at": None,
            "tax_id": f"{(h >> 3) % 90 + 10} {(h >> 12) % 900 + 100} "
            f"{(h >> 22) % 900 + 100} {(h >> 32) % 900 + 100}",
            "payment_terms": terms,
            "import_metadata": None,
        }


def customers(shop: Shop) -> Iterator[Row]:
    c = shop.clock
    rng = shop.rng("customers")
    creators = shop.salespeople
    for i in range(shop.profile.customers):
        p = shop.person(i)
        day = shop.customer_day(i)
        minute = 9 * 60 + 30 + rng.randrange(480)
        r = rng.random()
        has_address = r < 0.6
        suburb, state, postcode = data.SYDNEY_SUBURBS[rng.randrange(len(data.SYDNEY_SUBURBS))]
        street = data.STREETS[rng.randrange(len(data.STREETS))]
        number = rng.randrange(1, 250)
        vip = rng.random() < 0.06
        tags = [t for t in data.CUSTOMER_TAGS if rng.random() < 0.08]
        if vip:
            tags.append("vip")
        points = rng.randrange(0, 4000) if rng.random() < 0.55 else 0
        tier = (
            "platinum"
            if points > 3500
            else "gold"
            if points > 2500
            else "silver"
            if points > 1200
            else "bronze"
        )
        bounced = p.email is not None and rng.random() < 0.03
        opted_out = p.consent is False and p.email is not None and rng.random() < 0.3
        birth_year = 1950 + rng.randrange(55)
        birthday = (
            f"{birth_year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            if rng.random() < 0.35
            else None
        )
        married = rng.random() < 0.25
        last_seen = min(TODAY - 1, day + rng.randrange(0, HISTORY_DAYS))
        deleted = rng.random() < 0.005
        yield {
            "id": shop.customer_id(i),
            "tenant_id": shop.tenant_id,
            "full_name": p.full_name,
            "email": p.email,
            "phone": p.phone,
            "address": f"{number} {street}, {suburb} {state} {postcode}" if has_address else None,
            "notes": data.CUSTOMER_NOTES[rng.randrange(len(data.CUSTOMER_NOTES))]
            if rng.random() < 0.1
            else None,
            "tags": tags,
            "created_by": creators[i % len(creators)].user_id,
            "created_at": c.ts(day, minute),
            "updated_at": c.ts(last_seen, minute),
            "mobile": p.mobile,
            "ring_size": data.RING_SIZES[rng.randrange(len(data.RING_SIZES))]
            if rng.random() < 0.3
            else None,
            "birthday": birthday,
            "is_vip": vip,
            "preferred_metal": rng.choice(("Yellow gold", "White gold", "Rose gold", "Platinum"))
            if rng.random() < 0.25
            else None,
            "preferred_stone": rng.choice(("Diamond", "Sapphire", "Opal", "Pearl", "Emerald"))
            if rng.random() < 0.15
            else None,
            "store_credit": cents(rng.randrange(1, 40) * 500) if rng.random() < 0.03 else 0,
            "wrist_size": None,
            "gold_preference": None,
            "spouse_name": data.FIRST_NAMES[rng.randrange(len(data.FIRST_NAMES))]
            if married
            else None,
            "spouse_birthday": None,
            "customer_source": data.CUSTOMER_SOURCES[rng.randrange(len(data.CUSTOMER_SOURCES))],
            "communication_preference": p.preference,
            "marketing_tags": [t for t in data.MARKETING_TAGS if rng.random() < 0.2]
            if p.consent
            else [],
            "loyalty_points": points,
            "loyalty_tier": tier,
            "email_hash": None,
            "phone_hash": None,
            "email_status": ("bounced" if rng.random() < 0.9 else "complained")
            if bounced
            else "active",
            "email_bounced_at": c.ts(min(TODAY - 1, day + 30), 3 * 60) if bounced else None,
            "email_opted_out": opted_out,
            "email_opted_out_at": c.ts(min(TODAY - 1, day + 60), 21 * 60) if opted_out else None,
            "pii_enc": None,
            "address_line1": f"{number} {street}" if has_address else None,
            "anniversary": f"{2000 + rng.randrange(25)}-{rng.randrange(1, 13):02d}-"
            f"{rng.randrange(1, 29):02d}"
            if married
            else None,
            "country": "Australia" if has_address else None,
            "deleted_at": c.ts(TODAY - 10, 11 * 60) if deleted else None,
            "first_name": p.first,
            "import_metadata": None,
            "last_name": p.last,
            "marketing_consent": p.consent,
            "postcode": postcode if has_address else None,
            "source": None,
            "state": state if has_address else None,
            "status": "active",
            "suburb": suburb if has_address else None,
        }
