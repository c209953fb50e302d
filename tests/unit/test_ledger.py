"""The ledger: migrations, version guard, pragmas, typed schema and the change feed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nexpura_desktop.ledger.changes import changes_since, latest_seq
from nexpura_desktop.ledger.db import Ledger, LedgerError, schema_version_known

TYPED = {
    "tenants", "locations", "team_members", "customers", "inventory", "stock_movements",
    "suppliers", "sales", "sale_items", "invoices", "invoice_line_items", "payments", "repairs",
    "bespoke_jobs", "appointments", "tasks", "task_comments", "whatsapp_sends", "sms_sends",
    "notifications", "gift_vouchers", "quotes", "refunds",
}  # fmt: skip


def test_new_ledger_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        assert ledger.schema_version() == schema_version_known()
        assert ledger.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert ledger.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert ledger.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        names = {t.name for t in ledger.tenant_tables()}
        assert names >= TYPED
        for companion in ("connections", "sync_links", "sync_cursors", "sync_runs",
                          "sync_issues", "outbox", "changes", "app_settings"):  # fmt: skip
            assert companion not in names
            ledger.conn.execute(f"SELECT * FROM {companion} LIMIT 0")


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger:
        ledger.conn.execute("INSERT INTO tenants(id, name) VALUES ('t', 'Shop')")
    with Ledger(path) as ledger:
        assert ledger.row_count("tenants") == 1


def test_newer_ledger_refuses_to_open(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema_version_known() + 5}")
    conn.close()
    with pytest.raises(LedgerError, match="newer Nexpura Desktop"):
        Ledger(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="cannot open the ledger"):
        Ledger(path)


def test_status_values_and_foreign_keys_from_the_reference_are_enforced(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        conn = ledger.conn
        conn.execute("INSERT INTO tenants(id, name) VALUES ('t', 'Shop')")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute("INSERT INTO repairs(id, tenant_id, stage) VALUES ('r', 't', 'lost')")
        conn.execute("INSERT INTO repairs(id, tenant_id, stage) VALUES ('r', 't', 'ready')")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                "INSERT INTO sale_items(id, tenant_id, sale_id, description, quantity, "
                "unit_price, line_total) VALUES ('i', 't', 'missing', 'x', 1, 1, 1)"
            )
        fks = {(fk.column, fk.table) for fk in ledger.foreign_keys("sale_items")}
        assert ("sale_id", "sales") in fks


def test_change_feed_records_every_operation_in_order(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        conn = ledger.conn
        start = latest_seq(conn)
        conn.execute("INSERT INTO tenants(id, name) VALUES ('t', 'Shop')")
        conn.execute("INSERT INTO customers(id, tenant_id, full_name) VALUES ('c', 't', 'A')")
        conn.execute("UPDATE customers SET full_name = 'B' WHERE id = 'c'")
        conn.execute("DELETE FROM customers WHERE id = 'c'")
        feed = [(c.table, c.row_id, c.op) for c in changes_since(conn, start)]
        assert feed == [
            ("tenants", "t", "insert"),
            ("customers", "c", "insert"),
            ("customers", "c", "update"),
            ("customers", "c", "delete"),
        ]
        only = [c.op for c in changes_since(conn, start, tables=["tenants"])]
        assert only == ["insert"]


def test_rolled_back_transaction_leaves_no_change(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        start = latest_seq(ledger.conn)
        with pytest.raises(RuntimeError), ledger.transaction():
            ledger.conn.execute("INSERT INTO tenants(id, name) VALUES ('t', 'Shop')")
            raise RuntimeError("boom")
        assert latest_seq(ledger.conn) == start
        assert ledger.row_count("tenants") == 0
