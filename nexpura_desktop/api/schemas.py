"""The reusable parts of the OpenAPI document: security scheme, paging parameters and the
JSON shapes the API answers with (see :mod:`.openapi`)."""

from __future__ import annotations

from typing import Any

from .reads import DEFAULT_LIMIT, MAX_LIMIT


def components() -> dict[str, Any]:
    nullable_text = {"type": ["string", "null"]}
    return {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "The token from Settings → Local API (`nexpura-desktop api "
                "token`). It lives in the system keyring only.",
            }
        },
        "parameters": {
            "limit": {
                "name": "limit",
                "in": "query",
                "description": f"Rows per page (default {DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
            "cursor": {
                "name": "cursor",
                "in": "query",
                "description": "`next_cursor` of the previous page.",
                "schema": {"type": "string"},
            },
            "updated_since": {
                "name": "updated_since",
                "in": "query",
                "description": "Only rows changed at or after this ISO 8601 instant "
                "(`2025-01-31T09:30:00Z`; no offset means UTC). Tables without `updated_at` "
                "use `created_at`. Anything else is a 400.",
                "schema": {
                    "anyOf": [
                        {"type": "string", "format": "date-time"},
                        {"type": "string", "format": "date"},
                    ]
                },
            },
            "include_deleted": {
                "name": "include_deleted",
                "in": "query",
                "description": "Include soft-deleted rows.",
                "schema": {"type": "boolean"},
            },
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    }
                },
            },
            "Row": {
                "type": "object",
                "description": "A ledger row with Nexpura's column names. JSONB columns "
                "are JSON values, BOOLEAN columns true/false.",
                "required": ["id"],
                "properties": {
                    "id": {"type": ["string", "integer"]},
                    "created_at": nullable_text,
                    "updated_at": nullable_text,
                    "deleted_at": nullable_text,
                },
                "additionalProperties": True,
            },
            "Page": {
                "type": "object",
                "required": ["data", "count", "next_cursor", "links"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                    "count": {"type": "integer", "minimum": 0},
                    "next_cursor": nullable_text,
                    "links": {
                        "type": "object",
                        "required": ["next"],
                        "properties": {"next": nullable_text},
                    },
                },
            },
            "Integration": {
                "type": "object",
                "required": ["service", "route", "status", "syncing", "reconnect_needed"],
                "properties": {
                    "service": {"type": "string"},
                    "route": {"type": "string"},
                    "status": {"type": "string", "enum": ["connected", "disconnected", "error"]},
                    "account": nullable_text,
                    "last_sync_at": nullable_text,
                    "last_error": nullable_text,
                    "reconnect_needed": {"type": "boolean"},
                    "syncing": {"type": "boolean"},
                },
            },
            "SyncStarted": {
                "type": "object",
                "required": ["service", "status", "jobs", "message"],
                "properties": {
                    "service": {"type": "string"},
                    "status": {"const": "started"},
                    "jobs": {"type": "array", "items": {"type": "string"}},
                    "message": {"type": "string"},
                },
            },
            "ExportRequest": {
                "type": "object",
                "properties": {
                    "tables": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Only these tables (default: every table).",
                    },
                    "zip": {"type": "boolean", "description": "One .zip instead of a folder."},
                },
            },
            "Export": {
                "type": "object",
                "required": ["path", "tables", "rows", "zip"],
                "properties": {
                    "path": {"type": "string", "description": "Folder or .zip written."},
                    "tables": {"type": "integer", "minimum": 0},
                    "rows": {"type": "integer", "minimum": 0},
                    "zip": {"type": "boolean"},
                },
            },
            "Ack": {
                "type": "object",
                "required": ["ok"],
                "properties": {"ok": {"const": True}},
                "additionalProperties": True,
            },
        },
    }
