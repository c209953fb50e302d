"""Import of a Nexpura data export: every table lands, re-imports record differences,
bad files leave the ledger exactly as it was."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.ledger.changes import changes_since, latest_seq
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.ledger.export_file import ExportFileError
from nexpura_desktop.ledger.importer import (
    DifferentShopError,
    FormatVersionError,
    ImportCancelled,
    ImportError_,
    import_export,
)

from .export_files import TENANT_ID, export_document, write_export


def shop_tables() -> dict[str, list[dict[str, Any]]]:
    return {
        "customers": [
            {
                "id": "c1",
                "tenant_id": TENANT_ID,
                "full_name": "Ava Nguyen",
                "email": "ava@example.com",
                "mobile": "0412 345 678",
                "tags": ["vip", "rings"],
                "marketing_consent": True,
                "created_at": "2026-01-02T03:04:05.123456+00:00",
                "live_only_column": {"nested": [1, 2]},
            },
            {"id": "c2", "tenant_id": TENANT_ID, "full_name": "Ben Ray", "email": None},
        ],
        "sales": [
            {
                "id": "s1",
                "tenant_id": TENANT_ID,
                "sale_number": "SALE-001",
                "customer_id": "c1",
                "status": "paid",
                "subtotal": 100.0,
                "total": 110.5,
            }
        ],
        "sale_items": [
            {
                "id": "si1",
                "tenant_id": TENANT_ID,
                "sale_id": "s1",
                "description": "Ring",
                "quantity": 1,
                "unit_price": 110.5,
                "line_total": 110.5,
            }
        ],
        "wishlists": [{"id": "w1", "customer_id": "c1", "item": "Opal pendant", "priority": 2}],
        "print_jobs": [],
    }


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def dump(ledger: Ledger) -> list[str]:
    return list(ledger.conn.iterdump())


def test_every_table_lands_typed_generic_and_unknown_columns(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = write_export(
        tmp_path / "e.json",
        export_document(
            shop_tables(),
            manifest={"logos": [{"path": "t/logo.png", "signedUrl": "https://x/?token=secret"}]},
        ),
    )
    result = import_export(ledger, path)

    kinds = {t.name: t.kind for t in ledger.tenant_tables()}
    assert kinds["customers"] == "typed"
    assert kinds["wishlists"] == "generic"
    assert kinds["print_jobs"] == "generic"  # an empty array still becomes a table
    row = ledger.conn.execute(
        "SELECT full_name, tags, marketing_consent, created_at, live_only_column FROM customers "
        "WHERE id = 'c1'"
    ).fetchone()
    assert row == (
        "Ava Nguyen",
        '["vip","rings"]',
        1,
        "2026-01-02T03:04:05.123456+00:00",
        '{"nested":[1,2]}',
    )
    assert ledger.conn.execute("SELECT item, priority FROM wishlists").fetchone() == (
        "Opal pendant",
        2,
    )
    assert ledger.conn.execute("SELECT name FROM tenants").fetchone() == ("Harbour Jewellers",)
    assert result.tables["customers"].inserted == 2
    assert result.tables["wishlists"].created
    assert "live_only_column" in result.tables["customers"].added_columns
    # the signed URL is a bearer link and is not kept
    assert ledger.conn.execute("SELECT * FROM storage_files").fetchall() == [
        ("logos", "t/logo.png", result.import_id)
    ]
    imported = ledger.conn.execute("SELECT format_version, exported_by FROM imports").fetchone()
    assert imported == ("2.0", "owner@harbour.example")


def test_reimport_records_exactly_the_differences_and_keeps_local_rows(
    ledger: Ledger, tmp_path: Path
) -> None:
    tables = shop_tables()
    import_export(ledger, write_export(tmp_path / "1.json", export_document(tables)))
    # a row the app created itself (e.g. a customer from an online order)
    ledger.conn.execute(
        "INSERT INTO customers(id, tenant_id, full_name) VALUES ('local-1', ?, 'Walk In')",
        (TENANT_ID,),
    )
    mark = latest_seq(ledger.conn)

    newer = copy.deepcopy(tables)
    newer["customers"][1]["full_name"] = "Ben Ray-Smith"  # changed
    newer["customers"].append({"id": "c3", "tenant_id": TENANT_ID, "full_name": "Cleo"})  # new
    newer["sale_items"] = []  # an empty table in the cloud export: kept, with a note
    newer["wishlists"] = [{"id": "w2", "customer_id": "c3", "item": "Bangle", "priority": 1}]
    result = import_export(ledger, write_export(tmp_path / "2.json", export_document(newer)))

    feed = {(c.table, c.row_id, c.op) for c in changes_since(ledger.conn, mark)}
    assert feed == {
        ("customers", "c2", "update"),
        ("customers", "c3", "insert"),
        ("wishlists", "w2", "insert"),
        ("wishlists", "w1", "delete"),
    }
    assert result.tables["customers"].unchanged == 1
    assert ledger.conn.execute("SELECT full_name FROM customers WHERE id='local-1'").fetchone()
    assert ledger.conn.execute("SELECT COUNT(*) FROM sale_items").fetchone() == (1,)
    assert any("sale_items is empty" in w for w in result.warnings)


def test_unchanged_reimport_writes_nothing(ledger: Ledger, tmp_path: Path) -> None:
    path = write_export(tmp_path / "e.json", export_document(shop_tables()))
    import_export(ledger, path)
    mark = latest_seq(ledger.conn)
    result = import_export(ledger, path)
    assert list(changes_since(ledger.conn, mark)) == []
    assert result.total("inserted") == result.total("updated") == result.total("deleted") == 0


def test_dangling_references_are_kept_and_reported(ledger: Ledger, tmp_path: Path) -> None:
    tables = shop_tables()
    tables["sale_items"][0]["sale_id"] = "not-in-file"
    result = import_export(ledger, write_export(tmp_path / "e.json", export_document(tables)))
    assert ledger.conn.execute("SELECT sale_id FROM sale_items").fetchone() == ("not-in-file",)
    assert any("sale_items rows refer to sales" in w for w in result.warnings)


BAD_FILES = {
    "not json": b"this is not json at all",
    "truncated": json.dumps(export_document(shop_tables())).encode()[:-200],
    "empty": b"",
    "array": b"[1, 2, 3]",
    "no meta": json.dumps({"tenant": {"id": TENANT_ID}, "customers": []}).encode(),
    "trailing garbage": json.dumps(export_document(shop_tables())).encode() + b"{}",
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_leave_the_ledger_exactly_as_it_was(
    case: str, ledger: Ledger, tmp_path: Path
) -> None:
    import_export(ledger, write_export(tmp_path / "good.json", export_document(shop_tables())))
    before = dump(ledger)
    bad = tmp_path / "bad.json"
    bad.write_bytes(BAD_FILES[case])
    with pytest.raises((ExportFileError, ImportError_)) as info:
        import_export(ledger, bad)
    assert "\n" not in str(info.value)
    assert dump(ledger) == before


def test_other_format_version_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    before = dump(ledger)
    path = write_export(tmp_path / "e.json", export_document(shop_tables(), format_version="3.0"))
    with pytest.raises(FormatVersionError, match=r"format '3\.0'"):
        import_export(ledger, path)
    assert dump(ledger) == before


def test_file_from_another_shop_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    import_export(ledger, write_export(tmp_path / "a.json", export_document(shop_tables())))
    before = dump(ledger)
    other = export_document(shop_tables(), tenant={"id": "another-shop", "name": "Other"})
    with pytest.raises(DifferentShopError, match="different shop"):
        import_export(ledger, write_export(tmp_path / "b.json", other))
    assert dump(ledger) == before


def test_missing_file_and_folder(ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="no file at"):
        import_export(ledger, tmp_path / "nope.json")
    with pytest.raises(ImportError_, match="is a folder"):
        import_export(ledger, tmp_path)


def test_cancel_rolls_back(ledger: Ledger, tmp_path: Path) -> None:
    tables = shop_tables()
    tables["customers"] = [
        {"id": f"c{i}", "tenant_id": TENANT_ID, "full_name": f"N{i}"} for i in range(2500)
    ]
    cancel = threading.Event()
    before = dump(ledger)

    def progress(label: str, done: int, total: int | None) -> None:
        cancel.set()

    with pytest.raises(ImportCancelled):
        import_export(
            ledger,
            write_export(tmp_path / "e.json", export_document(tables)),
            progress=progress,
            cancel=cancel,
        )
    assert dump(ledger) == before


def test_import_after_rejected_import_still_works(ledger: Ledger, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(BAD_FILES["truncated"])
    with pytest.raises(ExportFileError):
        import_export(ledger, bad)
    good = write_export(tmp_path / "good.json", export_document(shop_tables()))
    assert import_export(ledger, good).tables["customers"].inserted == 2
    # constraints are back on after the import
    assert ledger.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
