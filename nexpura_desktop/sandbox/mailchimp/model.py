"""The in-memory account: audiences, their merge fields, members and tags.

Plain dataclasses with no HTTP knowledge; :mod:`.store` applies the API's rules to them and
:mod:`.render` turns them into the JSON the real API returns.  Besides what the API shows,
a member remembers *how* it left (``unsubscribed_by`` / ``compliance_review``) because
Mailchimp's re-subscribe refusal depends on that (reference/service-apis.md §3.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SETTABLE_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
ALL_STATUSES = (*SETTABLE_STATUSES, "archived")


def subscriber_hash(email: str) -> str:
    """§3.2: ``md5(email.strip().lower())`` — the member's ``id`` and URL segment."""
    return hashlib.md5(email.strip().lower().encode("utf-8"), usedforsecurity=False).hexdigest()


def iso(ts: float) -> str:
    """Mailchimp's timestamp style: ISO 8601 with an explicit ``+00:00`` offset."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass
class MergeField:
    merge_id: int
    tag: str
    name: str
    type: str = "text"
    required: bool = False
    default_value: str = ""
    public: bool = True
    display_order: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    help_text: str = ""


def default_merge_fields() -> list[MergeField]:
    """§3.2: a new audience has FNAME, LNAME, ADDRESS, PHONE and BIRTHDAY."""
    return [
        MergeField(1, "FNAME", "First Name", "text", display_order=2, options={"size": 25}),
        MergeField(2, "LNAME", "Last Name", "text", display_order=3, options={"size": 25}),
        MergeField(
            3, "ADDRESS", "Address", "address", display_order=4, options={"default_country": 164}
        ),
        MergeField(
            4, "PHONE", "Phone Number", "phone", display_order=5, options={"phone_format": "none"}
        ),
        MergeField(
            5, "BIRTHDAY", "Birthday", "birthday", display_order=6, options={"date_format": "MM/DD"}
        ),
    ]


@dataclass
class Member:
    email_address: str
    status: str
    web_id: int
    created_at: float
    last_changed: float
    merge_fields: dict[str, Any] = field(default_factory=dict)
    email_type: str = "html"
    language: str = ""
    vip: bool = False
    tags: dict[str, float] = field(default_factory=dict)  # name -> when it was added
    interests: dict[str, bool] = field(default_factory=dict)
    ip_signup: str = ""
    timestamp_signup: float | None = None
    ip_opt: str = ""
    timestamp_opt: float | None = None
    source: str = "API - Generic"
    unsubscribe_reason: str = ""
    # "self" (email link / preference centre) or "admin" (the API / the account owner).
    unsubscribed_by: str = ""
    compliance_review: bool = False
    # The status a DELETE (archive) hid: an archived contact keeps its history.
    status_before_archive: str = ""

    @property
    def id(self) -> str:
        return subscriber_hash(self.email_address)

    @property
    def effective_status(self) -> str:
        return self.status_before_archive if self.status == "archived" else self.status

    def in_compliance_state(self) -> bool:
        """§3.3: bounced, unsubscribed themselves, or under compliance review."""
        status = self.effective_status
        if self.compliance_review or status == "cleaned":
            return True
        return status == "unsubscribed" and self.unsubscribed_by == "self"


@dataclass
class Audience:
    id: str
    web_id: int
    name: str
    created_at: float
    merge_fields: list[MergeField] = field(default_factory=default_merge_fields)
    members: dict[str, Member] = field(default_factory=dict)  # by subscriber hash
    forgotten: set[str] = field(default_factory=set)  # hashes of permanently deleted emails
    tag_ids: dict[str, int] = field(default_factory=dict)  # tag name -> id (list-wide)
    permission_reminder: str = "You are receiving this email because you shop with us."
    double_optin: bool = False
    last_sub: float | None = None
    last_unsub: float | None = None

    def merge_field(self, tag: str) -> MergeField | None:
        for mf in self.merge_fields:
            if mf.tag == tag:
                return mf
        return None

    def tag_id(self, name: str) -> int:
        """Tags are list-wide objects created on first use (§3.2)."""
        if name not in self.tag_ids:
            self.tag_ids[name] = 1000 + len(self.tag_ids) + 1
        return self.tag_ids[name]
