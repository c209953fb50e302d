"""Bulk operations (service-apis §1.5 "Bulk operations"): CREATED → RUNNING → COMPLETED on
the clock, JSONL with ``__parentId`` children after their parent, the per-shop concurrency
limit (1 before 2026-01, 5 from 2026-01), cancel."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.shopify_helpers import gql, shop, sku_catalogue

pytestmark = pytest.mark.anyio

RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
  bulkOperation { id status } userErrors { field message code } } }"""
QUERY = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"
POLL = """query($id: ID!) { bulkOperation(id: $id) {
  status objectCount rootObjectCount url fileSize completedAt } }"""


async def test_run_poll_and_download_jsonl() -> None:
    async with shop(sku_catalogue(3)) as (client, emu):
        op = (await gql(client, RUN, {"q": QUERY}))["data"]["bulkOperationRunQuery"][
            "bulkOperation"
        ]
        assert op["status"] == "CREATED"
        emu.clock.advance(1.5)
        polled = (await gql(client, POLL, {"id": op["id"]}))["data"]["bulkOperation"]
        assert polled["status"] == "RUNNING" and polled["url"] is None
        emu.clock.advance(10)
        done = (await gql(client, POLL, {"id": op["id"]}))["data"]["bulkOperation"]
        assert done["status"] == "COMPLETED"
        assert done["objectCount"] == "6" and done["rootObjectCount"] == "3"
        current = (await gql(client, "{ currentBulkOperation { id status } }"))["data"][
            "currentBulkOperation"
        ]
        assert current == {"id": op["id"], "status": "COMPLETED"}
        response = await client.get(done["url"])
        assert response.status_code == 200 and int(done["fileSize"]) == len(response.content)
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert (
            lines[0] == {"id": lines[0]["id"], "title": "Ring 0"} and "__parentId" not in lines[0]
        )
        assert lines[1]["sku"] == "R-000" and lines[1]["__parentId"] == lines[0]["id"]
        emu.clock.advance(8 * 86400)  # result URLs expire after 7 days
        assert (await client.get(done["url"])).status_code == 403


async def test_concurrency_limit_depends_on_version_and_cancel() -> None:
    async with shop(sku_catalogue(2)) as (client, _):
        first = (await gql(client, RUN, {"q": QUERY}, version="2025-10"))["data"][
            "bulkOperationRunQuery"
        ]
        second = (await gql(client, RUN, {"q": QUERY}, version="2025-10"))["data"][
            "bulkOperationRunQuery"
        ]
        assert second["bulkOperation"] is None
        assert second["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS"
        assert first["bulkOperation"]["id"] in second["userErrors"][0]["message"]
        newer = (await gql(client, RUN, {"q": QUERY}, version="2026-01"))["data"][
            "bulkOperationRunQuery"
        ]
        assert newer["userErrors"] == []
        cancel = """mutation($id: ID!) { bulkOperationCancel(id: $id) {
          bulkOperation { status } userErrors { message } } }"""
        out = (await gql(client, cancel, {"id": first["bulkOperation"]["id"]}))["data"][
            "bulkOperationCancel"
        ]
        assert out == {"bulkOperation": {"status": "CANCELING"}, "userErrors": []}


async def test_bulk_query_without_connection_is_refused() -> None:
    async with shop() as (client, _):
        out = (await gql(client, RUN, {"q": "{ shop { name } }"}))["data"]["bulkOperationRunQuery"]
        assert out["bulkOperation"] is None and out["userErrors"][0]["code"] == "INVALID"
        assert out["userErrors"][0]["field"] == ["query"]
