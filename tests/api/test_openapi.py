"""The OpenAPI document matches the routes, docs/api.md is generated from it, and the live
server conforms to it (schemathesis)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from starlette.routing import Route

from nexpura_desktop.api.app import build_app
from nexpura_desktop.api.config import ApiConfig
from nexpura_desktop.api.openapi import build_openapi
from nexpura_desktop.connectors.woocommerce.webhooks import save_webhook_secret
from nexpura_desktop.ledger.db import Ledger

from .conftest import Api

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_PER_OPERATION = 6


def _docs_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_api_docs", ROOT / "tools/gen_api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_served_document_is_the_built_one(api: Api) -> None:
    response = api.client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == build_openapi()
    assert response.json()["openapi"].startswith("3.1")


def test_every_route_is_documented_and_every_documented_path_is_served(api: Api) -> None:
    app = build_app(api.deps, ApiConfig())
    served = {
        (r.path, m.lower())
        for r in app.routes
        if isinstance(r, Route)
        for m in (r.methods or ())
        if m != "HEAD"
    }
    documented = {(p, m) for p, item in build_openapi()["paths"].items() for m in item}
    app.state.deferred.close()
    assert served == documented


def test_docs_api_md_is_up_to_date() -> None:
    tool = _docs_tool()
    current = (ROOT / "docs/api.md").read_text(encoding="utf-8")
    assert current == tool.render(build_openapi()), "run: python tools/gen_api_docs.py"


def test_the_live_server_conforms_to_the_document(api: Api) -> None:
    """Every operation, with generated requests, checked for status codes, content types,
    headers and response bodies that the document allows, and for no server errors.

    ``positive_data_acceptance`` is left out on purpose: a cursor is opaque and table
    names depend on the ledger, so a schema-valid string can rightly be refused (400);
    test_reads.py and test_sync_export.py test those refusals one by one.
    """
    api.connect("shopify", "woocommerce", "google_calendar")
    save_webhook_secret(api.store, "whsec-schemathesis")
    with Ledger(api.paths.ledger) as ledger:
        ledger.conn.execute(
            "INSERT INTO customers(id, full_name, tags, is_vip, updated_at) VALUES "
            "('c1', 'Ann', '[\"a\"]', 1, '2025-01-01T00:00:00Z'), ('c2', 'Bo', NULL, 0, NULL)"
        )
    schema = schemathesis.openapi.from_dict(build_openapi())
    headers = {"Authorization": f"Bearer {api.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(build_openapi()["paths"])  # one method per path
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=api.url, headers=headers, excluded_checks=[positive_data_acceptance]
            )

        conforms()
    assert api.engine.wait_idle(20)
