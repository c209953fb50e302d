"""``sync_links``: which local row is which remote object, and at which versions.

Used three ways by connectors:

* **matching** — ``by_remote`` before creating a local row, ``by_local`` before creating
  a remote object (an idempotent create: a replayed push finds the link and updates);
* **echo suppression** — after a push the remote version/hash we caused is stored, and
  ``is_echo`` tells the next pull to skip that change instead of re-importing it;
* **change detection** without a modified filter — ``remote_hash`` of the last seen body
  (WooCommerce customers) and ``local_version`` (the change-feed sequence last pushed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ._util import utc_text


@dataclass(frozen=True)
class Link:
    id: int
    service: str
    entity: str
    local_table: str
    local_id: str
    remote_id: str
    remote_version: str | None
    remote_hash: str | None
    local_version: int | None


_COLS = (
    "id, service, entity, local_table, local_id, remote_id, remote_version, remote_hash, "
    "local_version"
)


def _link(row: tuple[object, ...] | None) -> Link | None:
    if row is None:
        return None
    lv = row[8]
    return Link(
        id=int(str(row[0])),
        service=str(row[1]),
        entity=str(row[2]),
        local_table=str(row[3]),
        local_id=str(row[4]),
        remote_id=str(row[5]),
        remote_version=None if row[6] is None else str(row[6]),
        remote_hash=None if row[7] is None else str(row[7]),
        local_version=None if lv is None else int(str(lv)),
    )


def by_local(
    conn: sqlite3.Connection, service: str, entity: str, local_table: str, local_id: str
) -> Link | None:
    return _link(
        conn.execute(
            f"SELECT {_COLS} FROM sync_links WHERE service = ? AND entity = ? "
            "AND local_table = ? AND local_id = ?",
            (service, entity, local_table, str(local_id)),
        ).fetchone()
    )


def by_remote(conn: sqlite3.Connection, service: str, entity: str, remote_id: str) -> Link | None:
    return _link(
        conn.execute(
            f"SELECT {_COLS} FROM sync_links WHERE service = ? AND entity = ? AND remote_id = ?",
            (service, entity, str(remote_id)),
        ).fetchone()
    )


_CHUNK = 500  # ids per IN (…) list, well under SQLite's variable limit


def by_local_ids(
    conn: sqlite3.Connection,
    service: str,
    entity: str,
    local_table: str,
    ids: Collection[str] | None,
) -> dict[str, Link]:
    """The links of many local rows by local id, in a few queries (all of the table's when
    ``ids`` is ``None``), instead of one :func:`by_local` per row while planning a run."""
    sql = f"SELECT {_COLS} FROM sync_links WHERE service = ? AND entity = ? AND local_table = ?"
    key = (service, entity, local_table)
    rows: list[tuple[object, ...]] = []
    if ids is None:
        rows = conn.execute(sql, key).fetchall()
    else:
        wanted = sorted(ids)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(sql + f" AND local_id IN ({marks})", (*key, *chunk)).fetchall()
    found: dict[str, Link] = {}
    for row in rows:
        link = _link(row)
        assert link is not None
        found[link.local_id] = link
    return found


# A remote object linked to another local row loses that link (one-to-one) ...
_DROP_OTHER = (
    "DELETE FROM sync_links WHERE service = ? AND entity = ? AND remote_id = ? "
    "AND NOT (local_table = ? AND local_id = ?)"
)
# ... then the local row's link is created or moved, keeping versions not passed.
_UPSERT = (
    "INSERT INTO sync_links(service, entity, local_table, local_id, remote_id, "
    "remote_version, remote_hash, local_version, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(service, entity, local_table, local_id) DO UPDATE SET "
    "remote_id = excluded.remote_id, "
    "remote_version = COALESCE(excluded.remote_version, remote_version), "
    "remote_hash = COALESCE(excluded.remote_hash, remote_hash), "
    "local_version = COALESCE(excluded.local_version, local_version), "
    "updated_at = excluded.updated_at"
)


def upsert(
    conn: sqlite3.Connection,
    service: str,
    entity: str,
    local_table: str,
    local_id: str,
    remote_id: str,
    *,
    remote_version: str | None = None,
    remote_hash: str | None = None,
    local_version: int | None = None,
) -> Link:
    """Link a local row to a remote object (one-to-one), keeping versions not passed.

    If either side was linked to something else, that old link is replaced: a remote
    object re-created after a deletion, or two local duplicates merged, must not leave a
    stale link that would route updates to the wrong record.
    """
    local_id, remote_id = str(local_id), str(remote_id)
    conn.execute(_DROP_OTHER, (service, entity, remote_id, local_table, local_id))
    rows = conn.execute(
        _UPSERT + f" RETURNING {_COLS}",
        (
            service,
            entity,
            local_table,
            local_id,
            remote_id,
            remote_version,
            remote_hash,
            local_version,
            utc_text(),
        ),
    ).fetchall()
    found = _link(rows[0])
    assert found is not None
    return found


def upsert_many(
    conn: sqlite3.Connection,
    service: str,
    entity: str,
    local_table: str,
    rows: Iterable[tuple[str, str, str | None, str | None]],
) -> None:
    """:func:`upsert` for a batch of ``(local_id, remote_id, remote_version, remote_hash)``
    in a few statements (a push links fifty objects per answer).

    The batch deletes every displaced link before it writes any, so rows that interact go
    one by one instead, to end exactly as :func:`upsert` would: two rows claiming one
    remote object (the last wins), or a row whose current remote object another row takes
    (its kept versions must move with it, not be deleted first).
    """
    wanted = [(str(lid), str(rid), version, digest) for lid, rid, version, digest in rows]
    claimed = {rid: lid for lid, rid, _, _ in wanted}
    current = by_local_ids(conn, service, entity, local_table, {lid for lid, *_ in wanted})
    taken = any(
        link.remote_id in claimed and claimed[link.remote_id] != link.local_id
        for link in current.values()
    )
    if taken or len(claimed) != len(wanted):
        for lid, rid, version, digest in wanted:
            upsert(conn, service, entity, local_table, lid, rid,
                   remote_version=version, remote_hash=digest)  # fmt: skip
        return
    conn.executemany(
        _DROP_OTHER, [(service, entity, rid, local_table, lid) for lid, rid, _, _ in wanted]
    )
    now = utc_text()
    conn.executemany(
        _UPSERT,
        [
            (service, entity, local_table, lid, rid, version, digest, None, now)
            for lid, rid, version, digest in wanted
        ],
    )


def mark_pushed(
    conn: sqlite3.Connection,
    link: Link,
    *,
    local_version: int,
    remote_version: str | None = None,
    remote_hash: str | None = None,
) -> Link:
    """After a successful push: remember what we sent and the remote version it produced."""
    return upsert(
        conn,
        link.service,
        link.entity,
        link.local_table,
        link.local_id,
        link.remote_id,
        remote_version=remote_version,
        remote_hash=remote_hash,
        local_version=local_version,
    )


def is_echo(
    link: Link | None, *, remote_version: str | None = None, remote_hash: str | None = None
) -> bool:
    """True when a pulled remote change is exactly the one our own last push produced.

    A pull with no version or hash to compare is never an echo (never skip real data).
    """
    if link is None:
        return False
    if remote_version is not None and link.remote_version is not None:
        return remote_version == link.remote_version
    if remote_hash is not None and link.remote_hash is not None:
        return remote_hash == link.remote_hash
    return False


def needs_push(link: Link | None, local_version: int) -> bool:
    """Whether a local row at change-feed ``local_version`` has not been pushed yet."""
    return link is None or link.local_version is None or link.local_version < local_version


def remove(conn: sqlite3.Connection, service: str, entity: str, remote_id: str) -> bool:
    cur = conn.execute(
        "DELETE FROM sync_links WHERE service = ? AND entity = ? AND remote_id = ?",
        (service, entity, str(remote_id)),
    )
    return cur.rowcount > 0
