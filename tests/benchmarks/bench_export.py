"""``export``: the large demo shop exported to CSV (neutralising on) vs the ``sqlite3`` shell.

Both dump the same tables in the same run: ours via ``export_ledger`` in a fresh
interpreter (its own peak RSS reported), the shell as ``sqlite3 -csv -header db "SELECT *
FROM t" > t.csv`` per table.  Goal: ratio ≤ 2.0 and peak RSS ≤ 200 MB.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import CACHE, cached_demo_ledger, run_child

SIZE = "large"
SEED = 1
GOAL_RATIO = 2.0
GOAL_RSS_MB = 200.0

CHILD = """
import json, sys, time
from pathlib import Path
from nexpura_desktop.exports import export_ledger
from tests.benchmarks.common import peak_rss_mb
def own_peak_mb():
    # VmHWM belongs to this exec'd image; ru_maxrss can carry the parent's peak over exec.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()
t = time.perf_counter()
result = export_ledger(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - t
print(json.dumps({"rows": result.total_rows, "seconds": seconds,
                  "bytes": sum(t.bytes for t in result.tables),
                  "tables": [t.name for t in result.tables], "peak_rss_mb": own_peak_mb()}))
"""


def ledger_path() -> tuple[Path, str]:
    """The cached large demo ledger, or (until the demo shop exists) a synthetic one."""
    try:
        return cached_demo_ledger(SIZE, SEED), f"demo-{SIZE}"
    except (ImportError, AttributeError):
        return synthetic_ledger(), "synthetic-large"


def synthetic_ledger() -> Path:
    """A large shop built in SQL (development fallback only), cached like the demo."""
    from nexpura_desktop.ledger.db import Ledger

    path = CACHE / f"synthetic-{SIZE}-{SEED}" / "ledger.sqlite3"
    done = path.with_suffix(".complete")
    if done.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("ledger.sqlite3*"):
        stale.unlink()
    with Ledger(path) as ledger, ledger.transaction() as conn:
        for sql in _SYNTHETIC:
            conn.execute(sql)
    with Ledger(path) as ledger:
        ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.write_text("ok")
    return path


_SEQ = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
_SYNTHETIC = [
    "INSERT INTO tenants(id, name, currency) VALUES ('t1', 'Marlowe & Co, Fine Jewellery', 'AUD')",
    "INSERT INTO locations(id, tenant_id, name) VALUES ('l1', 't1', 'Main St'), "
    "('l2', 't1', 'Mall, Level 2')",
    _SEQ.format(count=200_000)
    + "INSERT INTO customers(id, tenant_id, full_name, first_name, last_name, email, phone, "
    "notes, tags, is_vip, store_credit, marketing_consent, created_at, updated_at, suburb, "
    "postcode, communication_preference) SELECT printf('c%07d-4b1e-9a0c-%012d', i, i * 7), "
    "'t1', printf('%s %s', 'Name' || (i % 977), 'Surname' || (i % 3011)), 'Name' || (i % 977), "
    "'Surname' || (i % 3011), printf('person%d@example.com', i), "
    "CASE i % 4 WHEN 0 THEN printf('+61 4%02d %03d %03d', i % 100, i % 1000, i % 997) "
    "WHEN 1 THEN printf('04%08d', i) WHEN 2 THEN printf('(02) %04d %04d', i % 10000, i % 9973) "
    'ELSE NULL END, CASE WHEN i % 5 = 0 THEN printf(\'Ring resize, size %d.\nPrefers "rose" '
    "gold', i % 12) WHEN i % 97 = 0 THEN '=cmd|calc' ELSE NULL END, "
    "CASE WHEN i % 3 = 0 THEN '[\"vip\",\"wedding\"]' ELSE '[]' END, i % 10 = 0, "
    "CASE WHEN i % 7 = 0 THEN -(i % 500) * 1.25 ELSE (i % 300) * 0.5 END, i % 2, "
    "printf('2024-%02d-%02dT%02d:%02d:00+10:00', 1 + i % 12, 1 + i % 28, i % 24, i % 60), "
    "printf('2025-%02d-%02dT%02d:%02d:00+10:00', 1 + i % 12, 1 + i % 28, i % 24, i % 60), "
    "'Suburb ' || (i % 400), printf('%04d', 2000 + i % 900), "
    "CASE i % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'sms' ELSE 'whatsapp' END FROM n",
    _SEQ.format(count=50_000)
    + "INSERT INTO inventory(id, tenant_id, sku, name, description, retail_price, cost_price, "
    "quantity, metal_type, stone_type, status, created_at) SELECT printf('i%07d-77aa', i), 't1', "
    "printf('SKU-%06d', i), printf('18ct %s ring, %d stones', "
    "CASE i % 3 WHEN 0 THEN 'yellow gold' WHEN 1 THEN 'white gold' ELSE 'platinum' END, i % 9), "
    "'Hand-finished; comes with \"certificate\"', (i % 5000) + 99.95, (i % 3000) + 40.5, i % 4, "
    "'gold', 'diamond', 'active', printf('2023-%02d-%02dT10:00:00+10:00', 1 + i % 12, 1 + i % 28) "
    "FROM n",
    _SEQ.format(count=400_000)
    + "INSERT INTO sales(id, tenant_id, customer_id, sale_number, status, subtotal, tax_amount, "
    "total, payment_method, created_at, location_id) SELECT printf('s%08d-51e5', i), 't1', "
    "printf('c%07d-4b1e-9a0c-%012d', 1 + i % 200000, (1 + i % 200000) * 7), printf('S-%06d', i), "
    "'paid', (i % 2000) + 0.5, ((i % 2000) + 0.5) / 11, ((i % 2000) + 0.5) * 1.1, 'card', "
    "printf('2025-%02d-%02dT%02d:15:00+10:00', 1 + i % 12, 1 + i % 28, i % 24), "
    "CASE i % 2 WHEN 0 THEN 'l1' ELSE 'l2' END FROM n",
    _SEQ.format(count=1_000_000)
    + "INSERT INTO sale_items(id, tenant_id, sale_id, inventory_id, description, quantity, "
    "unit_price, line_total, created_at) SELECT printf('si%08d-aa', i), 't1', "
    "printf('s%08d-51e5', 1 + i % 400000), printf('i%07d-77aa', 1 + i % 50000), "
    "printf('18ct ring, size %d', i % 20), 1 + i % 3, (i % 900) + 0.95, "
    "((i % 900) + 0.95) * (1 + i % 3), printf('2025-%02d-%02dT%02d:15:00+10:00', 1 + i % 12, "
    "1 + i % 28, i % 24) FROM n",
    _SEQ.format(count=100_000)
    + "INSERT INTO stock_movements(id, tenant_id, inventory_id, movement_type, quantity_change, "
    "notes, created_at) SELECT printf('m%07d', i), 't1', printf('i%07d-77aa', 1 + i % 50000), "
    "'sale', -1, CASE WHEN i % 9 = 0 THEN '-1 sold' ELSE NULL END, "
    "printf('2025-%02d-%02dT09:00:00+10:00', 1 + i % 12, 1 + i % 28) FROM n",
]


def shell_dump(db: Path, tables: list[str], out: Path) -> float:
    """Seconds for the ``sqlite3`` shell to dump ``tables`` as CSV into ``out``."""
    shell = shutil.which("sqlite3")
    if shell is None:
        raise RuntimeError(
            "the sqlite3 command-line shell is not installed (apt-get install sqlite3)"
        )
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for table in tables:
        with (out / f"{table}.csv").open("wb") as sink:
            subprocess.run(
                [shell, "-readonly", "-csv", "-header", str(db), f'SELECT * FROM "{table}"'],
                stdout=sink,
                check=True,
            )
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    db, source = ledger_path()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        ours, process_wall = run_child(CHILD, str(db), str(Path(tmp) / "ours"))
        shell_seconds = shell_dump(db, list(ours["tables"]), Path(tmp) / "shell")
        shell_bytes = sum(p.stat().st_size for p in (Path(tmp) / "shell").iterdir())
    ratio = ours["seconds"] / shell_seconds
    return {
        "name": "export",
        "ledger": source,
        "rows": ours["rows"],
        "tables": len(ours["tables"]),
        "ours_s": round(ours["seconds"], 3),
        "ours_process_s": round(process_wall, 3),
        "shell_s": round(shell_seconds, 3),
        "ratio": round(ratio, 3),
        "rows_per_s": round(ours["rows"] / ours["seconds"]),
        "ours_mb": round(ours["bytes"] / 1e6, 1),
        "shell_mb": round(shell_bytes / 1e6, 1),
        "peak_rss_mb": round(ours["peak_rss_mb"], 1),
        "goal_ratio": GOAL_RATIO,
        "goal_rss_mb": GOAL_RSS_MB,
        "ok": ratio <= GOAL_RATIO and ours["peak_rss_mb"] <= GOAL_RSS_MB,
    }


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(run()))
