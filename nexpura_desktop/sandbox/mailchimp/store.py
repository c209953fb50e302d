"""The account and the API's rules for changing it (reference/service-apis.md §3.2–§3.4).

Every method is called with the emulator's lock held and either returns the changed member
or raises :class:`.errors.MailchimpError`.  Validation always finishes before anything is
changed, so a refused request (or a refused batch member) leaves no trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import (
    MailchimpError,
    compliance_state,
    forgotten,
    invalid_resource,
    member_exists,
)
from .model import Audience, Member, subscriber_hash
from .validation import (
    DEFAULT_FAKE_DOMAINS,
    check_batch_size,
    check_email,
    check_merge_fields,
    check_status,
    require_object,
)

HASH_RE = re.compile(r"^[0-9a-f]{32}$")
BATCH_LIMIT = 500  # §3.4
EXISTS_IN_BATCH = (
    "{email} is already a list member, do you want to update? please provide "
    "update_existing:true in the request body"
)
SELF_UNSUBSCRIBE_REASON = "N/A (Unsubscribed from campaign email)"
ADMIN_UNSUBSCRIBE_REASON = "N/A (Unsubscribed by an admin)"


@dataclass
class BatchResult:
    new_members: list[Member] = field(default_factory=list)
    updated_members: list[Member] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)


class Account:
    """One Mailchimp account: its audiences plus the account-wide settings."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.audiences: dict[str, Audience] = {}
        self.fake_domains: list[str] = list(DEFAULT_FAKE_DOMAINS)
        self._next_web_id = 100_001

    def next_web_id(self) -> int:
        self._next_web_id += 1
        return self._next_web_id

    # -- lookups ----------------------------------------------------------------------
    def audience(self, list_id: str) -> Audience:
        aud = self.audiences.get(list_id)
        if aud is None:
            raise MailchimpError(404)
        return aud

    @staticmethod
    def member_key(key: str) -> str:
        """The path segment as a hash: MD5 hash, or (the spec allows it) the address."""
        if "@" in key:
            return subscriber_hash(key)
        if not HASH_RE.match(key.lower()):
            raise MailchimpError(404)
        return key.lower()

    def member(self, aud: Audience, key: str, *, archived_ok: bool = True) -> Member:
        m = aud.members.get(self.member_key(key))
        if m is None or (m.status == "archived" and not archived_ok):
            raise MailchimpError(404)
        return m

    def list_members(
        self,
        aud: Audience,
        *,
        status: str | None,
        since_last_changed: float | None,
        before_last_changed: float | None,
    ) -> list[Member]:
        """Archived contacts only appear when asked for with ``status=archived``."""
        out = []
        for m in aud.members.values():
            if status is None and m.status == "archived":
                continue
            if status is not None and m.status != status:
                continue
            # [?] inclusive bound: a client re-reading its own watermark second sees overlap.
            if since_last_changed is not None and m.last_changed < since_last_changed:
                continue
            if before_last_changed is not None and m.last_changed >= before_last_changed:
                continue
            out.append(m)
        return out

    # -- writes -------------------------------------------------------------------------
    def upsert(self, aud: Audience, key: str, raw: Any, *, skip_merge: bool) -> Member:
        """PUT …/members/{hash}: ``status_if_new`` on create only, ``status`` always (§3.2)."""
        body = require_object(raw)
        email = check_email(body.get("email_address"), self.fake_domains)
        if subscriber_hash(email) != self.member_key(key):
            raise invalid_resource(
                [
                    {
                        "field": "email_address",
                        "message": "The email address does not match the subscriber hash.",
                    }
                ]
            )
        status = check_status(body.get("status"), "status")
        status_if_new = check_status(body.get("status_if_new"), "status_if_new")
        existing = aud.members.get(subscriber_hash(email))
        if existing is None or existing.status == "archived":
            if status_if_new is None and status is None:
                raise invalid_resource(
                    [{"field": "status_if_new", "message": "This value should not be blank."}]
                )
            return self._create(aud, email, status or status_if_new or "", body, skip_merge)
        return self._update(aud, existing, status, body)

    def create(self, aud: Audience, raw: Any, *, skip_merge: bool) -> Member:
        """POST …/members: create only; an existing member is "Member Exists" (§3.2)."""
        body = require_object(raw)
        email = check_email(body.get("email_address"), self.fake_domains)
        status = check_status(body.get("status"), "status")
        if status is None:
            raise invalid_resource(
                [{"field": "status", "message": "This value should not be blank."}]
            )
        existing = aud.members.get(subscriber_hash(email))
        if existing is not None and existing.status != "archived":
            raise member_exists(email)
        return self._create(aud, email, status, body, skip_merge)

    def patch(self, aud: Audience, key: str, raw: Any) -> Member:
        """PATCH …/members/{hash}: existing (non-archived) members only."""
        m = self.member(aud, key, archived_ok=False)
        body = require_object(raw)
        new_email = body.get("email_address")
        if new_email is not None and str(new_email).strip().lower() != m.email_address.lower():
            email = check_email(new_email, self.fake_domains)
            new_hash = subscriber_hash(email)
            if new_hash in aud.forgotten:
                raise forgotten(email)
            if new_hash in aud.members:
                raise member_exists(email)
            self._update(aud, m, check_status(body.get("status"), "status"), body)
            del aud.members[m.id]
            m.email_address = email
            aud.members[new_hash] = m
            m.last_changed = self.now()
            return m
        return self._update(aud, m, check_status(body.get("status"), "status"), body)

    def archive(self, aud: Audience, key: str) -> None:
        """DELETE …/members/{hash} archives (§3.2); the contact's history is kept."""
        m = self.member(aud, key, archived_ok=False)
        m.status_before_archive = m.status
        m.status = "archived"
        m.last_changed = self.now()

    def delete_permanent(self, aud: Audience, key: str) -> None:
        """…/actions/delete-permanent: gone, and the address can never be re-imported (§3.3)."""
        m = self.member(aud, key)
        del aud.members[m.id]
        aud.forgotten.add(m.id)

    def set_tags(self, aud: Audience, key: str, tags: Iterable[tuple[str, bool]]) -> None:
        m = self.member(aud, key, archived_ok=False)
        for name, active in tags:
            if active and name not in m.tags:
                aud.tag_id(name)
                m.tags[name] = self.now()
            elif not active:
                m.tags.pop(name, None)

    def batch(
        self, aud: Audience, raw: Any, *, skip_merge: bool, skip_duplicates: bool
    ) -> BatchResult:
        """POST /lists/{id}: ≤ 500 members, per-member errors, HTTP 200 regardless (§3.4)."""
        body = require_object(raw)
        items = check_batch_size(body.get("members"), BATCH_LIMIT)
        update_existing = bool(body.get("update_existing", False))
        result = BatchResult()
        seen: set[str] = set()
        for item in items:
            email_text = str(item.get("email_address", "")) if isinstance(item, Mapping) else ""
            try:
                member_body = require_object(item)
                email = check_email(member_body.get("email_address"), self.fake_domains)
                key = subscriber_hash(email)
                if key in seen:
                    if skip_duplicates:
                        continue
                    raise MailchimpError(
                        400,
                        "Invalid Resource",
                        f"{email} was included more than once in this request.",
                    )
                seen.add(key)
                status = check_status(member_body.get("status"), "status")
                status_if_new = check_status(member_body.get("status_if_new"), "status_if_new")
                existing = aud.members.get(key)
                if existing is not None and existing.status != "archived":
                    if not update_existing:
                        result.errors.append(
                            _batch_error(
                                email, EXISTS_IN_BATCH.format(email=email), "ERROR_CONTACT_EXISTS"
                            )
                        )
                        continue
                    result.updated_members.append(self._update(aud, existing, status, member_body))
                    continue
                target = status or status_if_new
                if target is None:
                    raise invalid_resource(
                        [{"field": "status", "message": "This value should not be blank."}]
                    )
                result.new_members.append(self._create(aud, email, target, member_body, skip_merge))
            except MailchimpError as exc:
                first = (exc.errors or [{}])[0]
                result.errors.append(
                    _batch_error(
                        email_text.strip(),
                        exc.detail,
                        "ERROR_GENERIC",
                        first.get("field", ""),
                        first.get("message", ""),
                    )
                )
        return result

    # -- the shared rules ---------------------------------------------------------------
    def _create(
        self, aud: Audience, email: str, status: str, body: Mapping[str, Any], skip_merge: bool
    ) -> Member:
        key = subscriber_hash(email)
        if key in aud.forgotten:
            raise forgotten(email)
        previous = aud.members.get(key)  # an archived contact coming back
        if status == "subscribed" and previous is not None and previous.in_compliance_state():
            raise compliance_state(email)
        merge = check_merge_fields(
            aud, body.get("merge_fields"), creating=True, skip_validation=skip_merge
        )
        tags = body.get("tags")
        now = self.now()
        m = previous or Member(email, status, self.next_web_id(), now, now)
        m.email_address = email
        if m.status == "archived":  # back from the archive with its old history
            m.status, m.status_before_archive = m.status_before_archive, ""
        m.merge_fields.update(merge)
        self._apply_plain_fields(m, body)
        if previous is None:
            m.timestamp_signup = now
            # [?] §3.2/§9.6: PUT ``tags`` are applied to new members only.
            if isinstance(tags, list):
                for name in tags:
                    if isinstance(name, str) and name.strip() and name.strip() not in m.tags:
                        aud.tag_id(name.strip())
                        m.tags[name.strip()] = now
        self._set_status(aud, m, status, by="admin")
        m.last_changed = now
        aud.members[key] = m
        return m

    def _update(
        self, aud: Audience, m: Member, status: str | None, body: Mapping[str, Any]
    ) -> Member:
        if status == "subscribed" and m.status != "subscribed" and m.in_compliance_state():
            raise compliance_state(m.email_address)
        merge = check_merge_fields(
            aud, body.get("merge_fields"), creating=False, skip_validation=True
        )
        before = (dict(m.merge_fields), m.status, m.email_type, m.language, m.vip)
        m.merge_fields.update(merge)
        self._apply_plain_fields(m, body)
        if status is not None and status != m.status:
            self._set_status(aud, m, status, by="admin")
        if before != (dict(m.merge_fields), m.status, m.email_type, m.language, m.vip):
            m.last_changed = self.now()
        return m

    @staticmethod
    def _apply_plain_fields(m: Member, body: Mapping[str, Any]) -> None:
        if body.get("email_type") in ("html", "text"):
            m.email_type = str(body["email_type"])
        if isinstance(body.get("language"), str):
            m.language = str(body["language"])
        if isinstance(body.get("vip"), bool):
            m.vip = bool(body["vip"])
        if isinstance(body.get("ip_signup"), str):
            m.ip_signup = str(body["ip_signup"])
        if isinstance(body.get("interests"), Mapping):
            m.interests.update({str(k): bool(v) for k, v in body["interests"].items()})

    def _set_status(
        self, aud: Audience, m: Member, status: str, *, by: str, reason: str = ""
    ) -> None:
        """One status transition, remembering who unsubscribed (it decides §3.3 refusals)."""
        now = self.now()
        if status == "pending" and m.in_compliance_state():
            # The §3.3 workaround: a confirmation email goes out; until the person clicks it
            # (control surface: status "subscribed") the contact stays in compliance state.
            m.compliance_review = True
        if status == "unsubscribed":
            m.unsubscribed_by = by
            m.unsubscribe_reason = reason or (
                SELF_UNSUBSCRIBE_REASON if by == "self" else ADMIN_UNSUBSCRIBE_REASON
            )
            aud.last_unsub = now
        elif status == "subscribed":
            m.unsubscribed_by = ""
            m.unsubscribe_reason = ""
            m.timestamp_opt = now
            aud.last_sub = now
            if by == "self":
                m.compliance_review = False
        m.status = status
        m.last_changed = now

    # -- audience-side events (the control surface) -------------------------------------
    def contact_event(self, aud: Audience, email: str, event: str, reason: str = "") -> Member:
        """What the contact or Mailchimp does between syncs: unsubscribe link, bounce, …"""
        m = aud.members.get(subscriber_hash(email))
        if m is None or m.status == "archived":
            raise KeyError(email)
        if event == "unsubscribed":
            self._set_status(aud, m, "unsubscribed", by="self", reason=reason)
        elif event == "cleaned":
            self._set_status(aud, m, "cleaned", by="self")
        elif event == "compliance":
            m.compliance_review = True
            m.last_changed = self.now()
        elif event == "subscribed":  # confirmed double opt-in or re-joined via the form
            self._set_status(aud, m, "subscribed", by="self")
        else:
            raise ValueError("status must be one of unsubscribed, cleaned, compliance, subscribed")
        return m


def _batch_error(
    email: str, error: str, code: str, field_name: str = "", field_message: str = ""
) -> dict[str, str]:
    return {
        "email_address": email,
        "error": error,
        "error_code": code,
        "field": field_name,
        "field_message": field_message,
    }


def parse_time(value: str, field_name: str) -> float:
    """ISO 8601 query values (``2015-10-21T15:41:36+00:00``); naive means UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise invalid_resource(
            [{"field": field_name, "message": "This value should be a valid ISO 8601 date."}]
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
