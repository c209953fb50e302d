"""Builds Nexpura format-2.0 data-export files for tests (shape per nexpura-schema.md §1)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TENANT_ID = "7b0c7a52-0000-4000-8000-000000000001"


def export_document(
    tables: Mapping[str, list[dict[str, Any]]],
    *,
    tenant: Mapping[str, Any] | None = None,
    format_version: str = "2.0",
    manifest: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """A dict in the export's key order: exported_at, tenant, tables, _storage_manifest, _meta."""
    tenant_row = dict(tenant or {"id": TENANT_ID, "name": "Harbour Jewellers", "slug": "harbour"})
    document: dict[str, Any] = {"exported_at": "2026-05-01T03:04:05.678Z", "tenant": tenant_row}
    for name, rows in tables.items():
        document[name] = rows
    document["_storage_manifest"] = dict(manifest or {"logos": []})
    document["_meta"] = {
        "format_version": format_version,
        "exported_by": "owner@harbour.example",
        "tables_exported": len(tables),
        "total_rows": sum(len(r) for r in tables.values()),
        "storage_buckets_exported": len(manifest or {"logos": []}),
        "record_counts": {name: len(rows) for name, rows in tables.items()},
        "storage_counts": {},
    }
    return document


def write_export(path: Path, document: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path
