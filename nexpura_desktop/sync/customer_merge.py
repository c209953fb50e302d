"""Field-by-field customer merge shared by the e-commerce syncs (Shopify, WooCommerce).

Issue 5's rule: customers merge field by field, the newest change wins, and a conflict is
recorded.  "Changed" needs a *base* — the values both sides held when they last agreed —
so the base is kept on the customer's ``sync_links`` row (``remote_hash`` column, as
``base:`` + compact JSON; see :func:`encode_base`).  Without a base (first match by
email/phone) a blank never overwrites a filled value (:mod:`.conflicts`).

Public API (connectors call these inside their page transaction):

* :data:`FIELDS` — the merged ledger columns: first_name, last_name, email, phone, notes,
  tags.  Map the remote customer to these names first (phone as E.164 when possible).
* :func:`merge_customer(conn, service=, job=, local=, remote=, remote_updated_at=, link=,
  remote_id=, ...)` → :class:`CustomerMerge`:

  - ``to_local`` — ledger columns to write (``{}`` = leave the row alone; for a new
    customer (``local=None``) every filled remote field);
  - ``to_remote`` — ledger-side values the remote should take (push them in an export;
    an import-only sync just leaves them — the base keeps them pending, no churn);
  - ``merged`` — the agreed values once ``to_remote`` has been pushed;
  - ``conflicts`` — fields both sides changed; already recorded as one ``conflict``
    issue in ``sync_issues`` when ``local_id`` and ``remote_id`` are known.
  - ``base_after_import()`` / ``base_after_push()`` — what to store with
    :func:`remember` after writing ``to_local`` only, or after the push succeeded.

* :func:`remember(conn, service, entity, local_id, remote_id, base, remote_version=)` —
  store the base on the link (creates/updates it; keeps other columns).
* :func:`base_of(link)` — the stored base (``None``: never agreed / other content).
* :func:`local_fields(row)` / :func:`normalise(values)` — comparable field values (emails
  lower-cased, phones E.164, blanks ``None``, tags a sorted list).
* :func:`unchanged_since_base(link, values)` — change detection without a modified filter
  (WooCommerce customers) and cheap "nothing to push" checks (no request needed).

Echo suppression falls out of the base: after our push the remote holds exactly the base,
so the next pull finds nothing changed on its side.  Ties of time go to the ledger.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import links
from .conflicts import FieldConflict, MergeResult, merge_newest_wins, record_conflicts
from .phones import e164

FIELDS: tuple[str, ...] = ("first_name", "last_name", "email", "phone", "notes", "tags")
NAME_FIELDS = ("first_name", "last_name")
BASE_PREFIX = "base:"
ENTITY = "customer"
TABLE = "customers"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _phone(value: Any, country: str) -> str | None:
    # not a valid number: keep what staff typed; it still compares equal to itself
    return e164(value, country) or _text(value)


def _tags(value: Any) -> list[str] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.split(",")
    if not isinstance(value, list | tuple):
        return None
    tags = sorted({str(t).strip() for t in value if str(t).strip()})
    return tags or None


def normalise(values: Mapping[str, Any], *, country: str = "AU") -> dict[str, Any]:
    """The comparable form of :data:`FIELDS` (missing keys become ``None``)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = values.get(name)
        if name == "email":
            text = _text(value)
            out[name] = text.lower() if text else None
        elif name == "phone":
            out[name] = _phone(value, country)
        elif name == "tags":
            out[name] = _tags(value)
        else:
            out[name] = _text(value)
    return out


def local_fields(row: Mapping[str, Any], *, country: str = "AU") -> dict[str, Any]:
    """A ledger ``customers`` row as merge fields (mobile stands in for a missing phone)."""
    values = dict(row)
    if not _text(values.get("phone")) and _text(values.get("mobile")):
        values["phone"] = values["mobile"]
    full = _text(values.get("full_name"))
    if full and not _text(values.get("first_name")) and not _text(values.get("last_name")):
        first, _, last = full.rpartition(" ")
        values["first_name"], values["last_name"] = (first, last) if first else (last, None)
    return normalise(values, country=country)


def _keep_names_whole(result: MergeResult, ours: Mapping[str, Any]) -> None:
    """Without a base, a name is one unit: the blank last name of a ledger customer known
    by one name is not a blank to fill from (or push to) another record."""
    if not any(ours.get(n) for n in NAME_FIELDS):
        return
    for name in NAME_FIELDS:
        if not any(c.field == name for c in result.conflicts):
            result.to_local.pop(name, None)
            result.to_remote.pop(name, None)
            result.merged[name] = ours.get(name)


def encode_base(values: Mapping[str, Any]) -> str:
    return BASE_PREFIX + json.dumps(
        {k: values.get(k) for k in FIELDS}, sort_keys=True, separators=(",", ":")
    )


def base_of(link: links.Link | None) -> dict[str, Any] | None:
    """The last-agreed values stored on ``link`` (``None`` if there are none)."""
    text = link.remote_hash if link is not None else None
    if not text or not text.startswith(BASE_PREFIX):
        return None
    try:
        data = json.loads(text[len(BASE_PREFIX) :])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def unchanged_since_base(link: links.Link | None, values: Mapping[str, Any]) -> bool:
    """Whether normalised ``values`` equal the stored base (False when there is none)."""
    base = base_of(link)
    return base is not None and all(base.get(k) == values.get(k) for k in FIELDS)


def remember(
    conn: sqlite3.Connection,
    service: str,
    local_id: str,
    remote_id: str,
    base: Mapping[str, Any],
    *,
    remote_version: str | None = None,
    local_version: int | None = None,
    entity: str = ENTITY,
) -> links.Link:
    """Store ``base`` (and versions) on the customer's link."""
    return links.upsert(
        conn,
        service,
        entity,
        TABLE,
        local_id,
        remote_id,
        remote_version=remote_version,
        remote_hash=encode_base(base),
        local_version=local_version,
    )


@dataclass
class CustomerMerge:
    """What one merge decided (see the module docstring)."""

    remote: dict[str, Any]  # the remote side, normalised
    merged: dict[str, Any]
    to_local: dict[str, Any] = field(default_factory=dict)
    to_remote: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)

    def base_after_import(self) -> dict[str, Any]:
        """Both sides hold the remote's values for every field once ``to_local`` is written
        (``to_remote`` fields stay pending: ledger changed, remote not → pushed later)."""
        return dict(self.remote)

    def base_after_push(self) -> dict[str, Any]:
        return dict(self.merged)


def merge_customer(
    conn: sqlite3.Connection,
    *,
    service: str,
    job: str,
    local: Mapping[str, Any] | None,
    remote: Mapping[str, Any],
    remote_updated_at: datetime | str | None,
    link: links.Link | None,
    local_changed_at: datetime | str | None = None,
    local_id: str | None = None,
    remote_id: str | None = None,
    remote_name: str | None = None,
    country: str = "AU",
    run_id: int | None = None,
    fields: Iterable[str] = FIELDS,
) -> CustomerMerge:
    """Merge one customer; records a ``conflict`` issue when both sides changed a field.

    ``local`` is the ledger row (``None`` when there is none yet); ``local_changed_at``
    defaults to its ``updated_at``.  ``remote`` uses ledger field names.
    """
    wanted = [f for f in fields if f in FIELDS]
    theirs = normalise(remote, country=country)
    if local is None:
        created = {k: v for k, v in theirs.items() if k in wanted and v is not None}
        return CustomerMerge(remote=theirs, merged=dict(theirs), to_local=created)
    ours = local_fields(local, country=country)
    base = base_of(link)
    changed_at = local_changed_at if local_changed_at is not None else local.get("updated_at")
    result = merge_newest_wins(
        ours,
        theirs,
        wanted,
        local_changed_at=_text(changed_at) if not isinstance(changed_at, datetime) else changed_at,
        remote_changed_at=remote_updated_at,
        base=base,
    )
    if base is None:
        _keep_names_whole(result, ours)
    merged = {**theirs, **result.merged}
    outcome = CustomerMerge(
        remote=theirs,
        merged=merged,
        to_local=dict(result.to_local),
        to_remote=dict(result.to_remote),
        conflicts=list(result.conflicts),
    )
    lid = local_id or _text(local.get("id"))
    rid = remote_id or (link.remote_id if link is not None else None)
    if outcome.conflicts and lid and rid:
        record_conflicts(
            conn,
            service,
            job,
            outcome.conflicts,
            remote_name=remote_name or service.capitalize(),
            local_table=TABLE,
            local_id=lid,
            remote_id=rid,
            run_id=run_id,
        )
    return outcome
