"""The JSON shapes of the real API's resources (members, lists, merge fields, tags).

Kept apart from the rules so the response shapes can be checked against Mailchimp's
OpenAPI document in one place (tests/sandbox/test_mailchimp_contract.py).
"""

from __future__ import annotations

from typing import Any

from .model import Audience, Member, MergeField, iso, subscriber_hash


def link(rel: str, href: str, method: str = "GET") -> dict[str, str]:
    return {"rel": rel, "href": href, "method": method}


def member_json(aud: Audience, m: Member, root: str) -> dict[str, Any]:
    href = f"{root}/lists/{aud.id}/members/{m.id}"
    merge: dict[str, Any] = {}
    for mf in aud.merge_fields:
        merge[mf.tag] = m.merge_fields.get(mf.tag, "")
    first, last = str(merge.get("FNAME", "") or ""), str(merge.get("LNAME", "") or "")
    body: dict[str, Any] = {
        "id": m.id,
        "email_address": m.email_address,
        "unique_email_id": subscriber_hash("u:" + m.email_address)[:10],
        "contact_id": subscriber_hash("c:" + m.email_address),
        "full_name": f"{first} {last}".strip(),
        "web_id": m.web_id,
        "email_type": m.email_type,
        "status": m.status,
        "merge_fields": merge,
        "interests": dict(m.interests),
        "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
        "ip_signup": m.ip_signup,
        "timestamp_signup": iso(m.timestamp_signup) if m.timestamp_signup else "",
        "ip_opt": m.ip_opt,
        "timestamp_opt": iso(m.timestamp_opt) if m.timestamp_opt else "",
        "member_rating": 2,
        "last_changed": iso(m.last_changed),
        "language": m.language,
        "vip": m.vip,
        "email_client": "",
        "location": {
            "latitude": 0,
            "longitude": 0,
            "gmtoff": 0,
            "dstoff": 0,
            "country_code": "",
            "timezone": "",
            "region": "",
        },
        "marketing_permissions": [],
        "source": m.source,
        "tags_count": len(m.tags),
        "tags": [{"id": aud.tag_id(name), "name": name} for name in m.tags],
        "list_id": aud.id,
        "_links": [
            link("self", href),
            link("parent", f"{root}/lists/{aud.id}/members"),
            link("update", href, "PATCH"),
            link("upsert", href, "PUT"),
            link("delete", href, "DELETE"),
        ],
    }
    if m.status == "unsubscribed" and m.unsubscribe_reason:
        body["unsubscribe_reason"] = m.unsubscribe_reason
    return body


def audience_json(aud: Audience, root: str, *, total_contacts: bool = False) -> dict[str, Any]:
    members = list(aud.members.values())

    def count(status: str) -> int:
        return sum(1 for m in members if m.status == status)

    stats: dict[str, Any] = {
        "member_count": count("subscribed"),
        "unsubscribe_count": count("unsubscribed"),
        "cleaned_count": count("cleaned"),
        "member_count_since_send": count("subscribed"),
        "unsubscribe_count_since_send": count("unsubscribed"),
        "cleaned_count_since_send": count("cleaned"),
        "campaign_count": 0,
        "campaign_last_sent": "",
        "merge_field_count": len(aud.merge_fields),
        "avg_sub_rate": 0,
        "avg_unsub_rate": 0,
        "target_sub_rate": 0,
        "open_rate": 0,
        "click_rate": 0,
        "last_sub_date": iso(aud.last_sub) if aud.last_sub else "",
        "last_unsub_date": iso(aud.last_unsub) if aud.last_unsub else "",
    }
    if total_contacts:
        stats["total_contacts"] = len(members)
    href = f"{root}/lists/{aud.id}"
    return {
        "id": aud.id,
        "web_id": aud.web_id,
        "name": aud.name,
        "contact": {
            "company": "Nexpura Sandbox Jewellers",
            "address1": "1 Collins St",
            "address2": "",
            "city": "Melbourne",
            "state": "VIC",
            "zip": "3000",
            "country": "AU",
            "phone": "",
        },
        "permission_reminder": aud.permission_reminder,
        "use_archive_bar": True,
        "campaign_defaults": {
            "from_name": "Nexpura Sandbox Jewellers",
            "from_email": "hello@nexpura-sandbox.com",
            "subject": "",
            "language": "en",
        },
        "notify_on_subscribe": "",
        "notify_on_unsubscribe": "",
        "date_created": iso(aud.created_at),
        "list_rating": 0,
        "email_type_option": False,
        "subscribe_url_short": f"http://eepurl.com/sandbox{aud.web_id}",
        "subscribe_url_long": f"https://nexpura.us21.list-manage.com/subscribe?id={aud.id}",
        "beamer_address": f"us21-{aud.id}@inbound.mailchimp.com",
        "visibility": "prv",
        "double_optin": aud.double_optin,
        "has_welcome": False,
        "marketing_permissions": False,
        "modules": [],
        "stats": stats,
        "_links": [
            link("self", href),
            link("parent", f"{root}/lists"),
            link("members", f"{href}/members"),
            link("merge-fields", f"{href}/merge-fields"),
        ],
    }


def merge_field_json(aud: Audience, mf: MergeField, root: str) -> dict[str, Any]:
    href = f"{root}/lists/{aud.id}/merge-fields/{mf.merge_id}"
    return {
        "merge_id": mf.merge_id,
        "tag": mf.tag,
        "name": mf.name,
        "type": mf.type,
        "required": mf.required,
        "default_value": mf.default_value,
        "public": mf.public,
        "display_order": mf.display_order,
        "options": dict(mf.options),
        "help_text": mf.help_text,
        "list_id": aud.id,
        "_links": [link("self", href), link("parent", f"{root}/lists/{aud.id}/merge-fields")],
    }
