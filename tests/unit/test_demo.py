"""The demo shop: deterministic, consistent, realistic, and loaded all-or-nothing."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.errors import UserError
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.ledger.demo import (
    ShopExistsError,
    UnknownSizeError,
    expected_counts,
    generate_tables,
    load_demo,
)

REPAIR_STAGES = {
    "intake",
    "assessed",
    "quoted",
    "approved",
    "in_progress",
    "ready",
    "collected",
    "completed",
    "cancelled",
    "on_hold",
}
BESPOKE_STAGES = REPAIR_STAGES | {"enquiry", "consultation", "design", "design_review"}
Loaded = tuple[Ledger, dict[str, int]]
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def scalar(ledger: Ledger, sql: str) -> Any:
    return ledger.conn.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    ledger = Ledger(tmp_path_factory.mktemp("demo") / "ledger.sqlite3")
    counts = load_demo(ledger, "small", seed=1)
    yield ledger, counts
    ledger.close()


def rows(ledger: Ledger, sql: str, *args: Any) -> list[sqlite3.Row]:
    ledger.conn.row_factory = sqlite3.Row
    try:
        return list(ledger.conn.execute(sql, args))
    finally:
        ledger.conn.row_factory = None


def dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t.name: ledger.conn.execute(f'SELECT * FROM "{t.name}" ORDER BY rowid').fetchall()
        for t in ledger.tenant_tables()
    }


def test_same_size_and_seed_give_identical_rows_and_another_seed_does_not() -> None:
    first = {name: list(it) for name, it in generate_tables("small", seed=7).items()}
    second = {name: list(it) for name, it in generate_tables("small", seed=7).items()}
    other = {name: list(it) for name, it in generate_tables("small", seed=8).items()}
    assert first == second
    assert repr(first) == repr(second)  # byte for byte, float formatting included
    assert first["customers"][0]["id"] != other["customers"][0]["id"]
    assert first["customers"] != other["customers"]


def test_each_table_has_one_shape_and_ids_are_unique() -> None:
    for name, table in generate_tables("small").items():
        table_rows = list(table)
        assert table_rows, f"{name} is empty"
        keys = {tuple(row) for row in table_rows}
        assert len(keys) == 1, f"{name} rows differ in their columns"
        ids = [row["id"] for row in table_rows]
        assert len(set(ids)) == len(ids), f"duplicate ids in {name}"
        assert all(UUID4.fullmatch(i) for i in ids), name


def test_parents_are_generated_before_children(small: Loaded) -> None:
    ledger, _ = small
    order = list(generate_tables("small"))
    for position, table in enumerate(order):
        for fk in ledger.foreign_keys(table):
            used = ledger.conn.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{fk.column}" IS NOT NULL'
            ).fetchone()[0]
            if used:  # repairs.invoice_id stays empty: invoices point at repairs instead
                assert order.index(fk.table) < position, (table, fk)


def test_loading_twice_gives_identical_ledgers(tmp_path: Path) -> None:
    dumps = []
    for n in range(2):
        with Ledger(tmp_path / f"l{n}.sqlite3") as ledger:
            load_demo(ledger, "small", seed=3)
            dumps.append(dump(ledger))
    assert dumps[0] == dumps[1]


def test_small_counts_match_what_load_reports(small: Loaded) -> None:
    ledger, counts = small
    for table, expected in expected_counts("small").items():
        assert counts[table] == expected, table
    for table, count in counts.items():
        assert ledger.row_count(table) == count, table
    assert 150 <= counts["customers"] <= 250
    assert counts["sale_items"] > counts["sales"]
    assert len(counts) >= 25
    changes = ledger.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    assert changes == sum(counts.values())  # the change feed saw every row


def test_every_foreign_key_points_at_a_row(small: Loaded) -> None:
    ledger, _ = small
    assert ledger.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # References Nexpura keeps without a declared FK must resolve too.
    soft = {
        ("sale_items", "inventory_id"): "inventory",
        ("sales", "sold_by"): "users",
        ("team_members", "user_id"): "users",
        ("tasks", "assigned_to"): "users",
        ("tasks", "created_by"): "users",
        ("task_comments", "task_id"): "tasks",
        ("task_comments", "user_id"): "users",
        ("repairs", "assigned_to"): "users",
        ("bespoke_jobs", "assigned_to"): "users",
        ("gift_vouchers", "issued_by"): "users",
        ("refunds", "processed_by"): "users",
        ("customers", "created_by"): "users",
    }
    for (table, column), parent in soft.items():
        dangling = ledger.conn.execute(
            f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
            f'AND "{column}" NOT IN (SELECT id FROM "{parent}")'
        ).fetchone()[0]
        assert dangling == 0, (table, column)
    assigned = {r[0] for r in ledger.conn.execute("SELECT assigned_to FROM tasks")}
    members = {r[0] for r in ledger.conn.execute("SELECT user_id FROM team_members")}
    assert assigned <= members


def test_status_values_stay_in_nexpura_sets(small: Loaded) -> None:
    ledger, _ = small
    allowed = {
        ("sales", "status"): {
            "quote",
            "confirmed",
            "paid",
            "completed",
            "refunded",
            "layby",
            "cancelled",
        },
        ("invoices", "status"): {"draft", "sent", "partial", "paid", "overdue", "voided"},
        ("inventory", "status"): {
            "available",
            "sold",
            "unavailable",
            "reserved",
            "in_stock",
            "out_of_stock",
            "active",
            "inactive",
            "consignment",
        },
        ("appointments", "status"): {"scheduled", "confirmed", "completed", "cancelled", "no_show"},
        ("tasks", "status"): {"todo", "in_progress", "blocked", "done", "completed", "cancelled"},
        ("gift_vouchers", "status"): {"active", "redeemed", "expired", "voided"},
        ("quotes", "status"): {"draft", "sent", "accepted", "rejected", "converted", "expired"},
        ("refunds", "status"): {"pending", "completed", "voided"},
        ("customers", "communication_preference"): {"whatsapp", "sms", "email", "none"},
        ("team_members", "role"): {
            "owner",
            "manager",
            "salesperson",
            "workshop_jeweller",
            "repair_technician",
            "inventory_manager",
            "accountant",
            "staff",
            "technician",
        },
        ("payments", "payment_method"): {
            "cash",
            "card",
            "transfer",
            "cheque",
            "paypal",
            "afterpay",
            "zippay",
            "account",
            "other",
        },
        ("whatsapp_sends", "message_type"): {
            "marketing",
            "notification",
            "task_assignment",
            "job_ready",
        },
    }
    for (table, column), values in allowed.items():
        seen = {r[0] for r in ledger.conn.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')}
        assert seen <= values, (table, column, seen - values)
        assert len(seen) >= 2, (table, column)


def test_tenant_is_an_australian_gst_inclusive_shop(small: Loaded) -> None:
    ledger, _ = small
    (tenant,) = rows(ledger, "SELECT * FROM tenants")
    assert (tenant["currency"], tenant["timezone"], tenant["country"]) == (
        "AUD",
        "Australia/Sydney",
        "Australia",
    )
    assert (tenant["tax_name"], tenant["tax_rate"], tenant["tax_inclusive"]) == ("GST", 0.1, 1)
    assert '"whatsapp_job_ready_enabled":true' in tenant["notification_settings"]
    assert ledger.row_count("locations") == 2
    last = scalar(ledger, "SELECT MAX(invoice_number) FROM invoices WHERE status != 'draft'")
    assert tenant["invoice_sequence"] == int(last[4:]) + 1


def test_sales_add_up(small: Loaded) -> None:
    ledger, _ = small
    lines: dict[str, int] = defaultdict(int)
    for sale_id, total in ledger.conn.execute("SELECT sale_id, line_total FROM sale_items"):
        lines[sale_id] += round(total * 100)
    for sale in rows(ledger, "SELECT * FROM sales"):
        sub, disc, tot = (round(sale[k] * 100) for k in ("subtotal", "discount_amount", "total"))
        assert lines[sale["id"]] == sub
        assert tot == sub - disc
        assert round(sale["tax_amount"] * 100) == round(tot / 11)
        assert 0 <= sale["amount_paid"] <= sale["total"]
        if sale["status"] in ("completed", "paid", "refunded"):
            assert sale["amount_paid"] == sale["total"]
    for item in rows(ledger, "SELECT * FROM sale_items"):
        gross = round(item["unit_price"] * 100) * item["quantity"]
        assert round(item["line_total"] * 100) == gross - gross * item["discount_percent"] // 100


def test_invoices_add_up_and_are_numbered_by_state(small: Loaded) -> None:
    ledger, _ = small
    lines: dict[str, int] = defaultdict(int)
    for inv_id, total in ledger.conn.execute(
        "SELECT invoice_id, line_total FROM invoice_line_items"
    ):
        lines[inv_id] += round(total * 100)
    paid: dict[str, int] = defaultdict(int)
    for inv_id, amount in ledger.conn.execute("SELECT invoice_id, amount FROM payments"):
        assert amount > 0
        paid[inv_id] += round(amount * 100)
    states: Counter[str] = Counter()
    for inv in rows(ledger, "SELECT * FROM invoices"):
        states[inv["status"]] += 1
        total = round(inv["total"] * 100)
        assert lines[inv["id"]] == round(inv["subtotal"] * 100)
        assert total == round((inv["subtotal"] - inv["discount_amount"]) * 100)
        assert round(inv["tax_amount"] * 100) == round(total / 11)  # GST inclusive
        assert round(inv["amount_paid"] * 100) == paid[inv["id"]] <= total
        if inv["status"] == "draft":
            assert re.fullmatch(r"DRAFT-\d{4}", inv["invoice_number"])
            assert inv["sent_at"] is None and paid[inv["id"]] == 0
        else:
            assert re.fullmatch(r"INV-\d{5}", inv["invoice_number"])
            assert inv["sent_at"] is not None
        if inv["status"] == "paid":
            assert paid[inv["id"]] == total and inv["paid_at"]
        if inv["status"] != "voided":
            assert round(inv["amount_due"] * 100) == total - paid[inv["id"]]
    assert {"draft", "paid", "partial"} <= set(states)
    assert {"sent", "overdue"} & set(states)


def test_stock_quantities_follow_the_movements(small: Loaded) -> None:
    ledger, _ = small
    moved = dict(
        ledger.conn.execute(
            "SELECT inventory_id, SUM(quantity_change) FROM stock_movements GROUP BY 1"
        )
    )
    for item in rows(ledger, "SELECT id, quantity, status FROM inventory"):
        assert item["quantity"] == moved[item["id"]] >= 0
        if item["status"] in ("sold", "out_of_stock"):
            assert item["quantity"] == 0
    negative = scalar(ledger, "SELECT COUNT(*) FROM stock_movements WHERE quantity_after < 0")
    assert negative == 0
    skus = [r[0] for r in ledger.conn.execute("SELECT sku FROM inventory")]
    assert len(set(skus)) == len(skus)
    published = {r[0] for r in ledger.conn.execute("SELECT is_published FROM inventory")}
    assert published == {0, 1}


AU_MOBILE_STYLES = {
    "0412 345 678": r"04\d\d \d{3} \d{3}",
    "0412345678": r"04\d{8}",
    "+61 412 345 678": r"\+61 4\d\d \d{3} \d{3}",
    "(04) 1234 5678": r"\(04\) \d{4} \d{4}",
    "61412345678": r"614\d{8}",
    "0412-345-678": r"04\d\d-\d{3}-\d{3}",
    "+61412345678": r"\+614\d{8}",
    "04 1234 5678": r"04 \d{4} \d{4}",
}


def test_phone_numbers_come_in_the_formats_people_type(small: Loaded) -> None:
    ledger, _ = small
    mobiles = [r[0] for r in ledger.conn.execute("SELECT mobile FROM customers")]
    styles: Counter[str] = Counter()
    for number in mobiles:
        if number is None:
            styles["missing"] += 1
            continue
        style = next((s for s, rx in AU_MOBILE_STYLES.items() if re.fullmatch(rx, number)), None)
        if style is None:
            digits = re.sub(r"\D", "", number)
            style = "international" if number.startswith(("+", "00")) else "invalid"
            assert style == "international" or len(digits) != 10 or not digits.startswith("04")
        styles[style] += 1
    assert len([s for s in AU_MOBILE_STYLES if styles[s]]) >= 5, styles
    assert styles["international"] and styles["invalid"] and styles["missing"], styles
    landlines = [r[0] for r in ledger.conn.execute("SELECT phone FROM customers") if r[0]]
    assert any(re.fullmatch(r"\(02\) \d{4} \d{4}", p) for p in landlines)
    staff = rows(ledger, "SELECT phone_number, whatsapp_notifications_enabled FROM team_members")
    assert all(s["phone_number"] for s in staff)
    assert {s["whatsapp_notifications_enabled"] for s in staff} == {0, 1}


def test_customers_mix_consent_preferences_and_missing_emails(small: Loaded) -> None:
    ledger, _ = small
    people = rows(ledger, "SELECT * FROM customers")
    assert {p["marketing_consent"] for p in people} >= {0, 1}
    assert {p["communication_preference"] for p in people} == {"whatsapp", "sms", "email", "none"}
    missing = sum(p["email"] is None for p in people)
    assert 0 < missing < len(people) // 3
    assert all(p["full_name"] == f"{p['first_name']} {p['last_name']}" for p in people)
    assert any(p["tags"] != "[]" for p in people) and all(p["tags"].startswith("[") for p in people)
    for p in people:
        if p["communication_preference"] == "email":
            assert p["email"]


def test_repairs_and_bespoke_jobs_cover_every_stage(small: Loaded) -> None:
    ledger, _ = small
    for table, history, key, stages, prefix in (
        ("repairs", "repair_stages", "repair_id", REPAIR_STAGES, "RPR"),
        ("bespoke_jobs", "bespoke_job_stages", "job_id", BESPOKE_STAGES, "BSP"),
    ):
        jobs = rows(ledger, f"SELECT * FROM {table}")
        assert {j["stage"] for j in jobs} == stages, table
        trackers = [j["tracking_id"] for j in jobs]
        assert len(set(trackers)) == len(trackers)
        assert all(re.fullmatch(prefix + r"-[0-9A-F]{12}", t) for t in trackers)
        assert all(j["due_date"] and j["customer_id"] for j in jobs)
        for job in jobs:
            steps = ledger.conn.execute(
                f"SELECT stage, created_at FROM {history} WHERE {key} = ? "
                "ORDER BY created_at, rowid",
                (job["id"],),
            ).fetchall()
            assert steps, job["id"]
            assert steps[-1][0] == job["stage"]
            assert [s[1] for s in steps] == sorted(s[1] for s in steps)


def test_activity_tables_look_like_a_working_shop(small: Loaded) -> None:
    ledger, _ = small
    appts = rows(ledger, "SELECT scheduled_date, scheduled_time, status FROM appointments")
    assert all(re.fullmatch(r"\d\d:\d\d", a["scheduled_time"]) for a in appts)
    future = [a for a in appts if a["scheduled_date"] >= "2026-11-01"]
    assert future and all(a["status"] in ("scheduled", "confirmed") for a in future)
    assert ledger.row_count("task_comments") > 0
    ready = scalar(ledger, "SELECT COUNT(*) FROM whatsapp_sends WHERE message_type = 'job_ready'")
    assert ready > 0 and ledger.row_count("sms_sends") > 0
    assert scalar(ledger, "SELECT COUNT(*) FROM sms_sends WHERE phone NOT LIKE '+%'") == 0


def test_times_are_fixed_not_taken_from_the_clock(small: Loaded) -> None:
    ledger, _ = small
    for table in ledger.tenant_tables():
        for column in table.columns:
            if column.type != "TIMESTAMPTZ":
                continue
            low, high = ledger.conn.execute(
                f'SELECT MIN("{column.name}"), MAX("{column.name}") FROM "{table.name}"'
            ).fetchone()
            if low is not None:
                assert low >= "2023-10-01" and high <= "2028", (table.name, column.name)
                assert high.endswith("+00:00")


def test_second_load_is_refused_and_changes_nothing(small: Loaded) -> None:
    ledger, counts = small
    with pytest.raises(ShopExistsError, match="already holds a shop") as caught:
        load_demo(ledger, "small", seed=2)
    assert isinstance(caught.value, UserError)
    assert "--home" in str(caught.value)
    assert ledger.row_count("customers") == counts["customers"]


def test_unknown_size_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownSizeError, match="small, medium, large"):
        generate_tables("huge")
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        with pytest.raises(UserError):
            load_demo(ledger, "tiny")
        assert ledger.row_count("tenants") == 0


def test_interrupted_load_leaves_no_half_shop(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []

    def progress(table: str, done: int, total: int | None) -> None:
        seen.append((table, done, total))
        if table == "sale_items" and done > 0:
            raise KeyboardInterrupt

    with Ledger(tmp_path / "l.sqlite3") as ledger:
        with pytest.raises(KeyboardInterrupt):
            load_demo(ledger, "small", progress=progress)
        assert seen[0] == ("tenants", 0, 1)
        assert ("customers", 200, 200) in seen
        for table in ledger.tenant_tables():
            assert ledger.row_count(table.name) == 0, table.name
        assert ledger.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
        assert scalar(ledger, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'ix_%'") > 50
        load_demo(ledger, "small")  # and the ledger is still usable
        assert ledger.row_count("tenants") == 1


def test_medium_size_counts() -> None:
    tables = generate_tables("medium")
    counts = {}
    for name in ("tenants", "locations", "users", "team_members", "customers", "inventory"):
        counts[name] = sum(1 for _ in tables[name])
    assert counts["customers"] == 20_000
    assert counts["inventory"] == 5_000
    assert expected_counts("medium")["sales"] == 50_000
    assert counts["locations"] == 2


def test_load_keeps_every_index_of_the_schema(tmp_path: Path) -> None:
    def indexes(ledger: Ledger) -> list[tuple[str, str]]:
        return ledger.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()

    with Ledger(tmp_path / "l.sqlite3") as ledger:
        before = indexes(ledger)
        load_demo(ledger, "small")
        assert indexes(ledger) == before
        plan = ledger.conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM sale_items WHERE sale_id = 'x'"
        ).fetchall()
        assert "ix_sale_items_sale_id" in str(plan)
