"""The OpenAPI 3.1 document of the local API, written by hand to match :mod:`.app`.

``GET /api/openapi.json`` serves it, ``tools/gen_api_docs.py`` renders ``docs/api.md``
from it, and a schemathesis test drives the live server with it, so the three cannot
drift apart.  Row schemas are deliberately open (``additionalProperties``): the columns are
Nexpura's own (reference/nexpura-schema.md) and an import can add more.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from .reads import RESOURCES
from .schemas import components

# Route names (Nexpura's, plus the ledger's own spellings) → the ledger's service name.
SERVICE_ROUTES = {
    "shopify": "shopify",
    "woocommerce": "woocommerce",
    "mailchimp": "mailchimp",
    "xero": "xero",
    "google-calendar": "google_calendar",
    "google_calendar": "google_calendar",
    "twilio": "twilio",
    "whatsapp": "twilio",
}

_JSON = "application/json"
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str, *, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {_JSON: {"schema": _ERROR_REF}}}
    if headers:
        out["headers"] = headers
    return out


_UNAUTHORIZED = _error(
    "Missing or wrong bearer token.",
    headers={"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
)
_LOCAL = {
    "400": _error("A bad query parameter, or a Host header that does not name this computer."),
    "403": _error("The request came from another machine."),
}


def _title(resource: str) -> str:
    return resource.replace("_", " ")


def _list_op(resource: str) -> dict[str, Any]:
    return {
        "operationId": f"list_{resource}",
        "tags": ["Reads"],
        "summary": f"List {_title(resource)}",
        "description": (
            f"Rows of the ledger's `{resource}` table in `id` order, one page at a time. "
            "Follow `links.next` (or pass `next_cursor` as `cursor`) until it is null. "
            "Soft-deleted rows (`deleted_at` set) are left out unless `include_deleted=true`."
        ),
        "parameters": [
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/cursor"},
            {"$ref": "#/components/parameters/updated_since"},
            {"$ref": "#/components/parameters/include_deleted"},
        ],
        "responses": {
            "200": {
                "description": "One page of rows.",
                "headers": {
                    "Link": {
                        "description": '`<next page>; rel="next"` when there is one.',
                        "schema": {"type": "string"},
                    }
                },
                "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Page"}}},
            },
            "401": _UNAUTHORIZED,
            **_LOCAL,
            "404": _error("The ledger has no such table yet."),
            "503": _error("The keyring is locked or missing."),
        },
    }


def _item_op(resource: str) -> dict[str, Any]:
    return {
        "operationId": f"get_{resource}",
        "tags": ["Reads"],
        "summary": f"One row of {_title(resource)}",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {
                "description": "The row.",
                "content": {
                    _JSON: {
                        "schema": {
                            "type": "object",
                            "required": ["data"],
                            "properties": {"data": {"$ref": "#/components/schemas/Row"}},
                        }
                    }
                },
            },
            "401": _UNAUTHORIZED,
            **_LOCAL,
            "404": _error("No row has this id."),
            "503": _error("The keyring is locked or missing."),
        },
    }


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["Meta"],
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {_JSON: {"schema": {"type": "object"}}},
                    },
                    "401": _UNAUTHORIZED,
                    **_LOCAL,
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
        "/api/integrations": {
            "get": {
                "operationId": "list_integrations",
                "tags": ["Integrations"],
                "summary": "Status of every integration",
                "description": "Connection status, last sync and whether a sync is running. "
                "No secret ever appears here.",
                "responses": {
                    "200": {
                        "description": "One entry per service.",
                        "content": {
                            _JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["data"],
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Integration"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "401": _UNAUTHORIZED,
                    **_LOCAL,
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
        "/api/integrations/{service}/sync": {
            "post": {
                "operationId": "sync_integration",
                "tags": ["Integrations"],
                "summary": "Sync one integration now",
                "description": "Starts the sync on the service's lane (Nexpura's own "
                '"Sync now" route) and returns at once; `GET /api/integrations` shows '
                "`syncing` until it ends.",
                "parameters": [
                    {
                        "name": "service",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(SERVICE_ROUTES)},
                    },
                    {
                        "name": "entity",
                        "in": "query",
                        "description": "Only this entity (products, customers, orders, …).",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "direction",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["import", "export", "both"]},
                    },
                    {
                        "name": "full",
                        "in": "query",
                        "description": "Ignore watermarks and sync everything.",
                        "schema": {"type": "boolean"},
                    },
                ],
                "responses": {
                    "202": {
                        "description": "The sync started.",
                        "content": {
                            _JSON: {"schema": {"$ref": "#/components/schemas/SyncStarted"}}
                        },
                    },
                    "401": _UNAUTHORIZED,
                    **_LOCAL,
                    "404": _error("No such integration."),
                    "409": _error(
                        "`already_syncing` (the service is syncing now) or `cannot_sync` "
                        "(not connected, or nothing of that kind to sync)."
                    ),
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
        "/api/data-export": {
            "post": {
                "operationId": "data_export",
                "tags": ["Export"],
                "summary": "Write an export of the ledger's tables",
                "description": "Writes one CSV per table (plus `manifest.json`) into the "
                "exports folder on this computer and returns where. At most three a minute, "
                "one at a time.",
                "requestBody": {
                    "required": False,
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/ExportRequest"}}},
                },
                "responses": {
                    "201": {
                        "description": "The export was written.",
                        "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Export"}}},
                    },
                    "401": _UNAUTHORIZED,
                    **_LOCAL,
                    "409": _error("An export is being written already."),
                    "429": _error(
                        "Three exports were started in the last minute.",
                        headers={"Retry-After": {"schema": {"type": "integer"}}},
                    ),
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
        "/api/integrations/woocommerce/webhook": {
            "post": {
                "operationId": "woocommerce_webhook",
                "tags": ["Webhooks"],
                "summary": "WooCommerce webhook receiver",
                "description": "Checks `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the "
                "raw body with the webhook secret kept in the keyring), then imports the "
                "changed kind of record (order → orders, product → products, customer → "
                "customers); a busy service queues it. WooCommerce's unsigned creation ping "
                "(`webhook_id=<n>`) is answered 200 and does nothing. No bearer token.",
                "security": [],
                "parameters": [
                    {
                        "name": "X-WC-Webhook-Signature",
                        "in": "header",
                        "schema": {"type": "string"},
                    },
                    {"name": "X-WC-Webhook-Topic", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "content": {
                        _JSON: {"schema": {"type": "object"}},
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"webhook_id": {"type": "string"}},
                            }
                        },
                    }
                },
                "responses": {
                    "200": {
                        "description": "Accepted (or a ping).",
                        "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Ack"}}},
                    },
                    **_LOCAL,
                    "403": _error(
                        "Missing or bad signature, no webhook secret set up, or the request "
                        "came from another machine."
                    ),
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
        "/api/integrations/twilio/status": {
            "post": {
                "operationId": "twilio_status",
                "tags": ["Webhooks"],
                "summary": "Twilio message status callback",
                "description": "Checks `X-Twilio-Signature` (HMAC-SHA1 of the full URL plus "
                "the sorted form parameters, keyed with the account's Auth Token), then "
                "records the message's status in the send log. A status never moves "
                "backwards (callbacks arrive out of order). No bearer token.",
                "security": [],
                "parameters": [
                    {"name": "X-Twilio-Signature", "in": "header", "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "MessageSid": {"type": "string"},
                                    "MessageStatus": {"type": "string"},
                                    "ErrorCode": {"type": "string"},
                                    "AccountSid": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": "Recorded (or ignored: unknown message, older status).",
                        "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Ack"}}},
                    },
                    **_LOCAL,
                    "403": _error(
                        "Missing or bad signature, Twilio not connected with an Auth Token, "
                        "or the request came from another machine."
                    ),
                    "503": _error("The keyring is locked or missing."),
                },
            }
        },
    }
    for resource in RESOURCES:
        paths[f"/api/{resource}"] = {"get": _list_op(resource)}
        paths[f"/api/{resource}/{{id}}"] = {"get": _item_op(resource)}
    return paths


def build_openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nexpura Desktop local API",
            "version": __version__,
            "description": "Served by Nexpura Desktop on 127.0.0.1 only, when switched on "
            "in Settings → Local API (off by default). Every request needs "
            "`Authorization: Bearer <token>` except the two webhook receivers, which check "
            "the service's signature instead. Errors are "
            '`{"error": {"code": "...", "message": "..."}}`.',
        },
        "servers": [{"url": "http://127.0.0.1:8765", "description": "the default port"}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": "Meta", "description": "This document."},
            {"name": "Reads", "description": "The ledger's main tables, paged."},
            {"name": "Integrations", "description": "Status and Sync now."},
            {"name": "Export", "description": "CSV exports written on this computer."},
            {"name": "Webhooks", "description": "Receivers for WooCommerce and Twilio."},
        ],
        "paths": _paths(),
        "components": components(),
    }
