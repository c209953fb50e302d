"""The ledger side of the audience sync: customers by address, member knowledge, consent.

``mailchimp_members`` (migration 0004) remembers, per audience and address, the member's
last known status, who caused it and whether the address is *blocked* for good.  It is
per address rather than per customer because Mailchimp's refusals are: two customer
records sharing an email are one member.  Writes here never commit; callers wrap them
in a transaction together with the cursor or results they belong to.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...sync._util import utc_text
from .mapping import Customer, Known, customer_from_row, subscriber_hash

CUSTOMER_COLUMNS = (
    "id",
    "email",
    "full_name",
    "first_name",
    "last_name",
    "mobile",
    "phone",
    "tags",
    "marketing_consent",
    "deleted_at",
    "updated_at",
)
_SELECT = ", ".join(f'"{c}"' for c in CUSTOMER_COLUMNS)
_CHUNK = 500


def address_key(email: str) -> str:
    """The case-insensitive address key (matches the ``lower(trim(email))`` index)."""
    return email.strip().lower()


def _customer(row: tuple[object, ...]) -> Customer:
    return customer_from_row(dict(zip(CUSTOMER_COLUMNS, row, strict=True)))


def customers_by_address(
    conn: sqlite3.Connection, keys: Iterable[str]
) -> dict[str, list[Customer]]:
    """Every customer record (deleted ones too) for each lower-cased address."""
    wanted = sorted(set(keys))
    found: dict[str, list[Customer]] = {k: [] for k in wanted}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT {_SELECT} FROM customers WHERE lower(trim(email)) IN ({marks})", chunk
        )
        for row in rows:
            customer = _customer(row)
            if customer.email is not None:
                found.setdefault(address_key(customer.email), []).append(customer)
    return found


def all_address_keys(conn: sqlite3.Connection) -> Iterator[str]:
    """Every distinct address in ``customers`` (for a full push or a verify run)."""
    rows = conn.execute(
        "SELECT DISTINCT lower(trim(email)) FROM customers "
        "WHERE email IS NOT NULL AND trim(email) <> '' ORDER BY 1"
    )
    for (key,) in rows:
        if isinstance(key, str) and "@" in key:
            yield key


def addresses_of_customers(
    conn: sqlite3.Connection, list_id: str, customer_ids: Iterable[str]
) -> set[str]:
    """Current addresses of these customers plus addresses we last pushed for them."""
    ids = sorted(set(customer_ids))
    keys: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for (email,) in conn.execute(
            f"SELECT email FROM customers WHERE id IN ({marks}) AND email IS NOT NULL", chunk
        ):
            if isinstance(email, str) and "@" in email:
                keys.add(address_key(email))
        for (email,) in conn.execute(
            f"SELECT email FROM mailchimp_members WHERE list_id = ? AND customer_id IN ({marks})",
            [list_id, *chunk],
        ):
            keys.add(address_key(str(email)))
    return keys


def listed_addresses(conn: sqlite3.Connection, list_id: str) -> Iterator[str]:
    """Addresses we believe are on the list (subscribed or pending)."""
    rows = conn.execute(
        "SELECT email FROM mailchimp_members WHERE list_id = ? "
        "AND status IN ('subscribed', 'pending')",
        (list_id,),
    )
    for (email,) in rows:
        yield address_key(str(email))


@dataclass(frozen=True)
class KnownRow(Known):
    email: str = ""
    customer_id: str | None = None
    remote_changed_at: str | None = None


def known_members(
    conn: sqlite3.Connection, list_id: str, hashes: Iterable[str]
) -> dict[str, KnownRow]:
    wanted = sorted(set(hashes))
    found: dict[str, KnownRow] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT subscriber_hash, status, set_by, blocked, pushed_digest, pushed_tags, email, "
            "customer_id, remote_changed_at FROM mailchimp_members "
            f"WHERE list_id = ? AND subscriber_hash IN ({marks})",
            [list_id, *chunk],
        )
        for h, status, set_by, blocked, digest, tags, email, cid, changed in rows:
            found[str(h)] = KnownRow(
                status=str(status),
                set_by=str(set_by),
                blocked=blocked,
                pushed_digest=digest,
                pushed_tags=tuple(json.loads(tags)) if tags else (),
                email=str(email),
                customer_id=cid,
                remote_changed_at=changed,
            )
    return found


def remember(
    conn: sqlite3.Connection,
    list_id: str,
    email: str,
    *,
    status: str,
    set_by: str,
    blocked: str | None = None,
    customer_id: str | None = None,
    pushed_digest: str | None = None,
    pushed_tags: Iterable[str] | None = None,
    remote_changed_at: str | None = None,
) -> None:
    """Record what the audience holds for ``email``; a block, once set, is never lifted."""
    tags = None if pushed_tags is None else json.dumps(list(pushed_tags))
    conn.execute(
        "INSERT INTO mailchimp_members(list_id, subscriber_hash, email, customer_id, status, "
        "set_by, blocked, pushed_digest, pushed_tags, remote_changed_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(list_id, subscriber_hash) DO UPDATE SET email = excluded.email, "
        "customer_id = COALESCE(excluded.customer_id, customer_id), status = excluded.status, "
        "set_by = excluded.set_by, blocked = COALESCE(blocked, excluded.blocked), "
        "pushed_digest = COALESCE(excluded.pushed_digest, pushed_digest), "
        "pushed_tags = COALESCE(excluded.pushed_tags, pushed_tags), "
        "remote_changed_at = COALESCE(excluded.remote_changed_at, remote_changed_at), "
        "updated_at = excluded.updated_at",
        (
            list_id,
            subscriber_hash(email),
            email.strip(),
            customer_id,
            status,
            set_by,
            blocked,
            pushed_digest,
            tags,
            remote_changed_at,
            utc_text(),
        ),
    )


def withdraw_consent(
    conn: sqlite3.Connection, email: str, *, reason: str, changed_at: str | None
) -> list[str]:
    """Pull a Mailchimp-side exit back: consent false, source, time and reason recorded.

    Returns the ids of the customers changed (those already withdrawn by Mailchimp are left
    alone, so a repeated pull writes nothing and adds nothing to the change feed).
    """
    when = changed_at or utc_text()
    rows = conn.execute(
        "SELECT id FROM customers WHERE lower(trim(email)) = ? AND NOT ("
        "marketing_consent IS 0 AND marketing_consent_source IS 'mailchimp')",
        (address_key(email),),
    ).fetchall()
    ids = [str(r[0]) for r in rows]
    for cid in ids:
        conn.execute(
            "UPDATE customers SET marketing_consent = 0, marketing_consent_source = 'mailchimp', "
            "marketing_consent_changed_at = ?, marketing_consent_reason = ?, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') WHERE id = ?",
            (when, reason, cid),
        )
    return ids
