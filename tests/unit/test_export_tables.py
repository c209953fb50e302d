"""The full export: every tenant table, the manifest, table choice, snapshot, progress."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import nexpura_desktop
from nexpura_desktop.errors import UserError
from nexpura_desktop.exports import engine, export_ledger
from nexpura_desktop.ledger.db import Ledger

from .export_ledgers import generic_table, insert, new_ledger, read_csv

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=10)))


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "l.sqlite3"
    with new_ledger(path) as ledger, ledger.transaction():
        generic_table(ledger, "wishlists", {"customer_id": "c1", "items": [1]})
        insert(ledger, "wishlists", {"id": "w1", "customer_id": "c1", "items": ["ring"]})
        ledger.conn.executemany(
            "INSERT INTO customers(id, full_name) VALUES (?, ?)",
            [(f"c{i:05d}", f"Customer {i}") for i in range(4500)],
        )
    return path


def test_every_tenant_table_is_exported_with_a_true_manifest(
    ledger_path: Path, tmp_path: Path
) -> None:
    result = export_ledger(ledger_path, tmp_path / "out", now=NOW)
    with Ledger(ledger_path, readonly=True) as ledger:
        names = [t.name for t in ledger.tenant_tables()]
        version = ledger.schema_version()
        counts = {n: ledger.row_count(n) for n in names}
    assert "wishlists" in names and "customers" in names
    assert result.path == tmp_path / "out" / "nexpura-export-20260304-050607"
    files = sorted(p.name for p in result.path.iterdir())
    assert files == sorted([f"{n}.csv" for n in names] + ["manifest.json"])
    manifest = json.loads((result.path / "manifest.json").read_text("utf-8"))
    assert manifest == result.manifest
    assert manifest["app_version"] == nexpura_desktop.__version__
    assert manifest["schema_version"] == version
    assert manifest["exported_at"] == "2026-03-04T05:06:07+10:00"
    assert manifest["options"] == {"zip": False, "excel": False, "raw": False}
    assert [t["name"] for t in manifest["tables"]] == names
    for entry in manifest["tables"]:
        data = (result.path / entry["file"]).read_bytes()
        rows = read_csv(result.path / entry["file"])
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == counts[entry["name"]] == len(rows) - 1
        assert entry["columns"] == rows[0]
    assert manifest["total_rows"] == result.total_rows == sum(counts.values())


def test_chosen_tables_only_and_unknown_names_are_refused(
    ledger_path: Path, tmp_path: Path
) -> None:
    result = export_ledger(
        ledger_path, tmp_path / "out", tables=["wishlists", "customers"], now=NOW
    )
    assert [t.name for t in result.tables] == ["wishlists", "customers"]
    assert read_csv(result.path / "wishlists.csv") == [
        ["id", "customer_id", "items"],
        ["w1", "c1", '["ring"]'],
    ]
    with pytest.raises(UserError) as caught:
        export_ledger(ledger_path, tmp_path / "out2", tables=["customers", "nope"])
    message = str(caught.value)
    assert "nope" in message and "wishlists" in message and "\n" not in message
    assert not (tmp_path / "out2").exists()


def test_missing_ledger_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        export_ledger(tmp_path / "none.sqlite3", tmp_path / "out")


def test_progress_counts_every_row_up_to_the_total(ledger_path: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []
    result = export_ledger(
        ledger_path, tmp_path / "out", progress=lambda *a: calls.append(a), now=NOW
    )
    done = [c[1] for c in calls]
    assert done == sorted(done) and done[-1] == result.total_rows
    assert {c[2] for c in calls} == {result.total_rows}
    assert {c[0] for c in calls} == {t.name for t in result.tables}


def test_export_is_one_snapshot_while_another_connection_writes(
    ledger_path: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(ledger_path, isolation_level=None)
    wrote: list[int] = []

    def progress(label: str, done: int, total: int | None) -> None:
        if label == "customers" and done > 0 and not wrote:
            # A sync adds a customer and a wishlist mid-export: neither may appear.
            writer.execute("INSERT INTO customers(id, full_name) VALUES ('zz', 'Late')")
            writer.execute("INSERT INTO wishlists(id, customer_id) VALUES ('w2', 'zz')")
            writer.execute("DELETE FROM customers WHERE id = 'c04499'")
            wrote.append(1)

    result = export_ledger(ledger_path, tmp_path / "out", progress=progress, now=NOW)
    writer.close()
    assert wrote
    ids = [r[0] for r in read_csv(result.path / "customers.csv")[1:]]
    assert len(ids) == 4500 and "zz" not in ids and "c04499" in ids
    assert len(read_csv(result.path / "wishlists.csv")) == 2


def test_rows_are_fetched_in_fixed_size_batches(
    ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 1000)
    sizes: list[int] = []
    last = [0]

    def progress(label: str, done: int, total: int | None) -> None:
        if label == "customers" and done > last[0]:
            sizes.append(done - last[0])
        last[0] = done

    export_ledger(ledger_path, tmp_path / "out", tables=["customers"], progress=progress)
    assert sizes == [1000, 1000, 1000, 1000, 500]
