"""Loading data: the emulator's own JSON seed shape and the ledger's demo shop.

Seed shape (``POST /_sandbox/seed``; every key optional; audiences are merged by ``id``)::

    {"max_connections": 10,
     "fake_domains": ["example.com", "test.com"],
     "audiences": [{"id": "b7a1c3d5e9", "name": "Nexpura Jewellers", "double_optin": false,
                    "merge_fields": [{"tag": "FNAME", "name": "First Name", "type": "text",
                                      "required": false}],
                    "members": [{"email_address": "ann@mail.com", "status": "unsubscribed",
                                 "merge_fields": {"FNAME": "Ann"}, "tags": ["VIP"],
                                 "unsubscribed_by": "self", "compliance_review": false,
                                 "last_changed": "2026-01-02T03:04:05+00:00"}],
                    "forgotten": ["gone@mail.com"]}]}

``merge_fields`` (when given) replaces the audience's fields; member ``status`` may also be
``archived``; ``unsubscribed_by`` is ``self`` (email link: §3.3 refuses re-subscribing) or
``admin``.  Seeding bypasses the API's validation on purpose: it models history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import ALL_STATUSES, Audience, Member, MergeField, iso, subscriber_hash
from .store import Account, parse_time
from .validation import EMAIL_RE

DAY = 86_400.0
# Online-only contacts: people who signed up on the web store but never visited the shop.
ONLINE_ONLY = (
    ("olivia.hartmann@gmail.com", "Olivia", "Hartmann", "subscribed"),
    ("liam.okafor@outlook.com", "Liam", "Okafor", "subscribed"),
    ("sienna.ward@icloud.com", "Sienna", "Ward", "pending"),
    ("mateo.rossi@yahoo.com", "Mateo", "Rossi", "subscribed"),
)


def seed_account(account: Account, data: Mapping[str, Any]) -> dict[str, int]:
    if "fake_domains" in data:
        domains = data["fake_domains"]
        if not isinstance(domains, list):
            raise ValueError("fake_domains must be a list of domains")
        account.fake_domains = [str(d) for d in domains]
    audiences = data.get("audiences", [])
    if not isinstance(audiences, list):
        raise ValueError("audiences must be a list")
    counts = {"audiences": 0, "members": 0, "forgotten": 0}
    for raw in audiences:
        if not isinstance(raw, Mapping) or not raw.get("id"):
            raise ValueError("each audience needs an id")
        aud = account.audiences.get(str(raw["id"]))
        if aud is None:
            aud = Audience(
                str(raw["id"]),
                account.next_web_id(),
                str(raw.get("name") or raw["id"]),
                account.now(),
            )
            account.audiences[aud.id] = aud
        if raw.get("name"):
            aud.name = str(raw["name"])
        if "double_optin" in raw:
            aud.double_optin = bool(raw["double_optin"])
        if "merge_fields" in raw:
            aud.merge_fields = [
                MergeField(
                    i + 1,
                    str(mf["tag"]).upper(),
                    str(mf.get("name") or mf["tag"]),
                    str(mf.get("type", "text")),
                    bool(mf.get("required", False)),
                    display_order=i + 2,
                )
                for i, mf in enumerate(raw["merge_fields"])
            ]
        for row in raw.get("members", []):
            add_member(account, aud, row)
            counts["members"] += 1
        for email in raw.get("forgotten", []):
            aud.members.pop(subscriber_hash(str(email)), None)
            aud.forgotten.add(subscriber_hash(str(email)))
            counts["forgotten"] += 1
        counts["audiences"] += 1
    return counts


def add_member(account: Account, aud: Audience, row: Mapping[str, Any]) -> Member:
    email = str(row.get("email_address", "")).strip()
    if not EMAIL_RE.match(email):
        raise ValueError(f"not an email address: {email!r}")
    status = str(row.get("status", "subscribed"))
    if status not in ALL_STATUSES:
        raise ValueError(f"unknown member status {status!r}")
    now = account.now()
    changed = (
        parse_time(str(row["last_changed"]), "last_changed") if row.get("last_changed") else now
    )
    m = Member(email, status, account.next_web_id(), changed, changed)
    if status == "archived":
        m.status_before_archive = str(row.get("status_before_archive", "subscribed"))
    m.merge_fields = {str(k): v for k, v in dict(row.get("merge_fields") or {}).items()}
    for name in row.get("tags") or []:
        aud.tag_id(str(name))
        m.tags[str(name)] = changed
    m.vip = bool(row.get("vip", False))
    m.language = str(row.get("language", ""))
    m.source = str(row.get("source", "Import"))
    m.timestamp_signup = changed
    if status == "subscribed":
        m.timestamp_opt = changed
    if status == "unsubscribed":
        m.unsubscribed_by = str(row.get("unsubscribed_by", "self"))
        m.unsubscribe_reason = str(row.get("unsubscribe_reason", "")) or (
            "N/A (Unsubscribed from campaign email)"
            if m.unsubscribed_by == "self"
            else "N/A (Unsubscribed by an admin)"
        )
    m.compliance_review = bool(row.get("compliance_review", False))
    aud.members[m.id] = m
    return m


def seed_demo_account(
    account: Account, aud: Audience, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> dict[str, Any]:
    """A shop that already used Mailchimp: some of its customers, one who unsubscribed
    themselves (the app must not re-subscribe them), one bounce, and online-only sign-ups."""
    consenting = []
    for row in tables.get("customers", []):
        email = str(row.get("email") or "").strip()
        if EMAIL_RE.match(email) and row.get("marketing_consent", True):
            consenting.append(row)
    existing = consenting[: max(1, min(15, len(consenting) // 3))] if consenting else []
    now = account.now()
    counts = {"subscribed": 0, "unsubscribed": 0, "cleaned": 0, "pending": 0}
    for i, row in enumerate(existing):
        if i == 1:
            status, by = "unsubscribed", "self"
        elif i == 4:
            status, by = "cleaned", ""
        else:
            status, by = "subscribed", ""
        phone = str(row.get("mobile") or row.get("phone") or "")
        first, last = _names(row)
        add_member(
            account,
            aud,
            {
                "email_address": str(row["email"]).strip(),
                "status": status,
                "unsubscribed_by": by,
                "merge_fields": {"FNAME": first, "LNAME": last, "PHONE": phone},
                "source": "Import",
                "last_changed": iso(now - DAY * (40 - i)),
            },
        )
        counts[status] += 1
    for j, (email, first, last, status) in enumerate(ONLINE_ONLY):
        if subscriber_hash(email) in aud.members:
            continue
        add_member(
            account,
            aud,
            {
                "email_address": email,
                "status": status,
                "merge_fields": {"FNAME": first, "LNAME": last, "PHONE": ""},
                "source": "Hosted Signup Form",
                "last_changed": iso(now - DAY * (10 - j)),
            },
        )
        counts[status] += 1
    return {
        "audience_id": aud.id,
        "members": len(aud.members),
        "shop_customers": len(existing),
        "online_only": len(ONLINE_ONLY),
        **counts,
    }


def _names(row: Mapping[str, Any]) -> tuple[str, str]:
    first, last = str(row.get("first_name") or ""), str(row.get("last_name") or "")
    if not first and not last:
        full = str(row.get("full_name") or "").split(" ", 1)
        first, last = full[0], full[1] if len(full) > 1 else ""
    return first, last
