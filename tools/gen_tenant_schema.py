"""Generate the ledger's typed tenant tables from the Nexpura schema reference.

Dev tool, run by hand when the reference changes::

    python tools/gen_tenant_schema.py ../shared/reference/nexpura-schema.md \
        > nexpura_desktop/ledger/migrations/0002_tenant_tables.sql

It reads §5 of the reference (one column table per Nexpura table) and writes SQLite DDL
with Nexpura's table and column names.  Choices (why):

* Postgres types map to SQLite declared types the export and import understand:
  TEXT (text, uuid, time), INTEGER, NUMERIC, BOOLEAN (0/1), TIMESTAMPTZ (ISO-8601 text),
  DATE, JSONB (jsonb and arrays, compact JSON text).
* Status value sets and the reference's foreign keys become CHECK / REFERENCES clauses, so
  the app's own writes are held to them.  An import mirrors whatever the cloud holds and
  runs with CHECKs and FKs relaxed (see ledger/importer.py), because the reference says live
  data does not always satisfy the declared constraints.
* NOT NULL is kept only for primary keys for the same reason (e.g. the app inserts
  ``invoice_line_items`` without the NOT NULL ``line_total``).
* Columns the app code uses but no migration declares ([CODE]) are added too, with a type
  guessed from the name; FKs to ``auth.users`` (not part of a tenant export) are dropped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nexpura_desktop.ledger.changes import trigger_sql

TYPED_TABLES = [
    "tenants", "locations", "users", "team_members", "suppliers", "customers", "inventory",
    "stock_movements", "sales", "sale_items", "invoices", "invoice_line_items", "payments",
    "repairs", "repair_stages", "bespoke_jobs", "bespoke_job_stages", "appointments", "tasks",
    "task_comments", "integrations", "whatsapp_sends", "sms_sends", "notifications",
    "user_notification_preferences", "settings", "gift_vouchers", "quotes", "refunds",
]  # fmt: skip

SECTION = re.compile(r"^### `(\w+)`\s*$")
ROW = re.compile(r"^\| `(\w+)` \| ([^|]+) \| ([^|]*) \| ([^|]*) \|")
FK = re.compile(r"`(\w+)` → `([\w.]+)\.id` \(on delete ([^)]+)\)")
CHECK_IN = re.compile(r"`(\w+)` (?:is NULL or )?∈ \{([^}]*)\}")
CODE_COLS = re.compile(r"`(\w+)` \(\d+ files?")


def sqlite_type(pg: str) -> str:
    pg = pg.strip().lower()
    if pg.endswith("[]") or pg in ("jsonb", "json"):
        return "JSONB"
    if pg.startswith(("timestamp",)):
        return "TIMESTAMPTZ"
    if pg == "date":
        return "DATE"
    if pg == "boolean":
        return "BOOLEAN"
    if pg in ("integer", "bigint", "smallint", "int", "serial"):
        return "INTEGER"
    if pg.startswith(("numeric", "decimal", "real", "double")):
        return "NUMERIC"
    return "TEXT"


def guess_type(column: str) -> str:
    if column.endswith("_at") or column in ("received_date_time",):
        return "TIMESTAMPTZ"
    if column.endswith(("_date", "birthday")) or column in ("anniversary", "completion_date"):
        return "DATE"
    if column.startswith(("is_", "has_", "track_")) or column in ("marketing_consent", "enabled"):
        return "BOOLEAN"
    if column in ("import_metadata", "intake_photos", "metadata", "sms_templates"):
        return "JSONB"
    money = ("price", "total", "amount", "cost", "rate", "carat", "grams", "weight")
    if any(part in column for part in money) and not column.endswith(("_id", "_type")):
        return "NUMERIC"
    return "TEXT"


def sqlite_default(raw: str, declared: str) -> str | None:
    raw = raw.strip().strip("`")
    if not raw or ("(" in raw and not raw.startswith("'")):
        if raw in ("now()",):
            return "(strftime('%Y-%m-%dT%H:%M:%f+00:00','now'))"
        return None
    if declared == "BOOLEAN":
        return {"true": "1", "false": "0"}.get(raw)
    if re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return raw
    if raw.startswith("'") and raw.endswith("'"):
        if declared == "JSONB" and raw in ("'{}'", "'[]'"):
            return raw
        return raw
    return None


def parse(reference: str) -> dict[str, dict[str, object]]:
    tables: dict[str, dict[str, object]] = {}
    current: dict[str, object] | None = None
    for line in reference.splitlines():
        header = SECTION.match(line)
        if header:
            name = header.group(1)
            current = {"columns": [], "fks": [], "checks": [], "code": []}
            tables[name] = current
            continue
        if current is None:
            continue
        row = ROW.match(line)
        if row:
            col, pg, notnull, default = row.groups()
            cols = current["columns"]
            assert isinstance(cols, list)
            cols.append((col, pg.strip(), notnull.strip() == "yes", default.strip()))
        elif line.startswith("- Foreign keys:"):
            current["fks"] = FK.findall(line)
        elif line.startswith("- CHECK:"):
            current["checks"] = CHECK_IN.findall(line)
        elif line.startswith("- Referenced by app code but declared by no migration"):
            current["code"] = CODE_COLS.findall(line)
    return tables


def render(tables: dict[str, dict[str, object]]) -> str:
    out = [
        "-- Typed tenant tables with Nexpura's names and columns.",
        "-- Generated by tools/gen_tenant_schema.py from reference/nexpura-schema.md §5;",
        "-- edit the generator, not this file.",
        "",
    ]
    typed = set(TYPED_TABLES)
    for name in TYPED_TABLES:
        spec = tables[name]
        columns = spec["columns"]
        assert isinstance(columns, list) and columns, name
        fks = {col: (target, action) for col, target, action in spec["fks"]}  # type: ignore[attr-defined]
        checks = {
            col: [v.strip().strip("`") for v in values.split(",")]
            for col, values in spec["checks"]  # type: ignore[attr-defined]
        }
        lines: list[str] = []
        seen: set[str] = set()
        # Postgres writes an empty array literal as '{}': in the ledger arrays are JSON lists.
        all_cols = [
            (c, sqlite_type(pg), nn, "'[]'" if pg.strip().endswith("[]") and "'{}'" in d else d)
            for c, pg, nn, d in columns
        ]
        for col in spec["code"]:  # type: ignore[attr-defined]
            if col not in {c for c, *_ in all_cols}:
                all_cols.append((col, guess_type(col), False, ""))
        for col, declared, _notnull, default in all_cols:
            if col in seen:
                continue
            seen.add(col)
            parts = [f'"{col}"', declared]
            if col == "id":
                parts.append("PRIMARY KEY NOT NULL")
            dflt = sqlite_default(default, declared)
            if dflt is not None and col != "id":
                parts.append(f"DEFAULT {dflt}")
            if col in fks:
                target, action = fks[col]
                table = target.split(".")[0] if "." in target else target
                if target.startswith("auth.") or table not in typed:
                    pass
                else:
                    on_delete = {"cascade": "CASCADE", "set null": "SET NULL"}.get(
                        action.strip(), "NO ACTION"
                    )
                    parts.append(f'REFERENCES "{table}"("id") ON DELETE {on_delete}')
            if col in checks:
                values = ", ".join(f"'{v}'" for v in checks[col])
                parts.append(f'CHECK ("{col}" IS NULL OR "{col}" IN ({values}))')
            lines.append("  " + " ".join(parts))
        out.append(f'CREATE TABLE "{name}" (')
        out.append(",\n".join(lines))
        out.append(");")
        for col in [c for c, *_ in all_cols if c in seen]:
            if col != "id" and (col in fks or col.endswith("_id")) and col != "tenant_id":
                out.append(f'CREATE INDEX "ix_{name}_{col}" ON "{name}"("{col}");')
        out.append(trigger_sql(name, "id"))
        out.append(
            f"INSERT INTO tenant_tables(name, kind, key_column) VALUES ('{name}', 'typed', 'id');"
        )
        out.append("")
    return "\n".join(out)


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/nexpura-schema.md")
    sys.stdout.write(render(parse(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
