"""Admin GraphQL basics: auth, versions, cursor paging, search syntax, scopes (service-apis §1.2,
§1.3, §1.4 "Cursor pagination"/"Orders", §1.5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.shopify_helpers import VERSION, gid_numbers, gql, shop, sku_catalogue

pytestmark = pytest.mark.anyio

PAGE = """query($after: String, $before: String, $first: Int, $last: Int, $q: String,
                 $sort: ProductSortKeys, $reverse: Boolean) {
  products(first: $first, after: $after, last: $last, before: $before, query: $q,
           sortKey: $sort, reverse: $reverse) {
    edges { cursor node { id title updatedAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def test_missing_or_wrong_token_is_the_real_401() -> None:
    """§1.2: every Admin call needs X-Shopify-Access-Token; §1.4 REST error shapes (401)."""
    async with shop() as (client, _):
        for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
            r = await client.post(
                f"/admin/api/{VERSION}/graphql.json",
                headers=headers,
                json={"query": "{ shop { name } }"},
            )
            assert r.status_code == 401
            assert r.json() == {
                "errors": "[API] Invalid API key or access token "
                "(unrecognized login or wrong password)"
            }


async def test_versions_fall_forward_and_unknown_ones_are_404() -> None:
    """§1.3: a retired version falls forward to the oldest supported (X-Shopify-API-Version)."""
    async with shop() as (client, emu):
        token = emu.credentials()["admin_token"]
        headers = {"X-Shopify-Access-Token": token}
        r = await client.post(
            "/admin/api/2019-10/graphql.json", headers=headers, json={"query": "{ shop { name } }"}
        )
        assert r.status_code == 200 and r.headers["X-Shopify-API-Version"] == "2025-01"
        r = await client.post(
            "/admin/api/latest/graphql.json", headers=headers, json={"query": "{ shop { name } }"}
        )
        assert r.status_code == 404 and r.json() == {"errors": "Not Found"}
        r = await client.post(
            f"/admin/api/{VERSION}/graphql.json", headers=headers, json={"nope": 1}
        )
        assert r.status_code == 400


async def test_forward_and_backward_cursor_pages() -> None:
    """§1.5: connections with edges/nodes/pageInfo, opaque cursors, first/after, last/before."""
    async with shop(sku_catalogue(7)) as (client, _):
        page1 = (await gql(client, PAGE, {"first": 3}))["data"]["products"]
        assert [n["title"] for n in (e["node"] for e in page1["edges"])] == [
            "Ring 0",
            "Ring 1",
            "Ring 2",
        ]
        assert page1["nodes"] == [e["node"] for e in page1["edges"]] or len(page1["nodes"]) == 3
        assert (
            page1["pageInfo"]["hasNextPage"] is True
            and page1["pageInfo"]["hasPreviousPage"] is False
        )
        assert page1["pageInfo"]["endCursor"] == page1["edges"][-1]["cursor"]
        page2 = (await gql(client, PAGE, {"first": 3, "after": page1["pageInfo"]["endCursor"]}))[
            "data"
        ]["products"]
        assert [e["node"]["title"] for e in page2["edges"]] == ["Ring 3", "Ring 4", "Ring 5"]
        assert (
            page2["pageInfo"]["hasPreviousPage"] is True
            and page2["pageInfo"]["hasNextPage"] is True
        )
        page3 = (await gql(client, PAGE, {"first": 3, "after": page2["pageInfo"]["endCursor"]}))[
            "data"
        ]["products"]
        assert [e["node"]["title"] for e in page3["edges"]] == ["Ring 6"]
        assert page3["pageInfo"]["hasNextPage"] is False
        back = (await gql(client, PAGE, {"last": 2, "before": page3["pageInfo"]["startCursor"]}))[
            "data"
        ]["products"]
        assert [e["node"]["title"] for e in back["edges"]] == ["Ring 4", "Ring 5"]
        assert (
            back["pageInfo"]["hasPreviousPage"] is True and back["pageInfo"]["hasNextPage"] is True
        )


async def test_first_or_last_is_required_and_capped() -> None:
    """§1.5 / §1.3 limits: connections need first or last; a page is at most 250."""
    async with shop(sku_catalogue(2)) as (client, _):
        body = await gql(client, "{ products { nodes { id } } }")
        assert (
            body["data"] is None
            and body["errors"][0]["message"] == "you must provide one of first or last"
        )
        body = await gql(client, "{ products(first: 251) { nodes { id } } }")
        assert body["data"] is None and "250" in body["errors"][0]["message"]


async def test_search_syntax_updated_at_sku_status_and_sort() -> None:
    """§1.4 incremental sync: updated_at:> / >=, sku:, status:, AND; sortKey/reverse."""
    async with shop(sku_catalogue(8)) as (client, _):

        async def titles(q: str, **extra: Any) -> list[str]:
            body = await gql(client, PAGE, {"first": 50, "q": q, **extra})
            return [e["node"]["title"] for e in body["data"]["products"]["edges"]]

        assert await titles("updated_at:>'2026-02-06T00:00:00Z'") == ["Ring 6", "Ring 7"]
        assert await titles("updated_at:>='2026-02-06T00:00:00Z'") == ["Ring 5", "Ring 6", "Ring 7"]
        assert await titles("sku:R-002") == ["Ring 2"]
        assert await titles("status:draft") == ["Ring 3", "Ring 7"]
        assert await titles("status:active AND updated_at:<2026-02-04") == [
            "Ring 0",
            "Ring 1",
            "Ring 2",
        ]
        assert await titles("-status:active") == ["Ring 3", "Ring 7"]
        newest = await titles("", sort="UPDATED_AT", reverse=True)
        assert newest[:2] == ["Ring 7", "Ring 6"]
        body = await gql(client, PAGE, {"first": 5, "q": "colour:red"})
        assert body["extensions"]["search"][0]["warnings"][0]["field"] == "colour"


async def test_customer_email_search_and_ids_are_gids() -> None:
    """§1.4 customers search by email; ids are gid://shopify/… (§1.5)."""
    seed = {
        "customers": [
            {"email": "ann@example.com", "first_name": "Ann", "marketing_state": "SUBSCRIBED"},
            {"email": "bob@example.com", "first_name": "Bob"},
        ]
    }
    async with shop(seed) as (client, _):
        q = """{ customers(first: 5, query: "email:ann@example.com") { nodes { id email
                 emailMarketingConsent { marketingState marketingOptInLevel }
                 defaultEmailAddress { emailAddress marketingState } } } }"""
        nodes = (await gql(client, q))["data"]["customers"]["nodes"]
        assert len(nodes) == 1 and nodes[0]["id"].startswith("gid://shopify/Customer/")
        assert nodes[0]["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
        assert nodes[0]["defaultEmailAddress"]["emailAddress"] == "ann@example.com"
        node = (
            await gql(
                client,
                "query($id: ID!) { node(id: $id) { __typename ... on Customer { firstName } } }",
                {"id": nodes[0]["id"]},
            )
        )["data"]["node"]
        assert node == {"__typename": "Customer", "firstName": "Ann"}


async def test_orders_need_scope_and_read_all_orders_for_old_ones() -> None:
    """§1.4 Orders: only 60 days without read_all_orders; ACCESS_DENIED without the scope."""
    seed = {
        "app": {"scopes": "read_products,read_orders"},
        "orders": [
            {"created_at": "2020-01-01T00:00:00Z", "line_items": [{"title": "Old", "price": 5}]},
            {"line_items": [{"title": "New", "price": 5}]},
        ],
    }
    async with shop(seed) as (client, emu):
        creds = emu.credentials()["app"]
        r = await client.post(
            "/admin/oauth/access_token",
            json={
                **{k: creds[k] for k in ("client_id", "client_secret")},
                "grant_type": "client_credentials",
            },
        )
        token = r.json()["access_token"]
        q = "{ orders(first: 10) { nodes { name lineItems(first: 5) { nodes { title } } } } }"
        limited = (await gql(client, q, token=token))["data"]["orders"]["nodes"]
        assert [o["lineItems"]["nodes"][0]["title"] for o in limited] == ["New"]
        everything = (await gql(client, q))["data"]["orders"][
            "nodes"
        ]  # the admin token has read_all_orders
        assert len(everything) == 2
        denied = await gql(client, "{ customers(first: 1) { nodes { id } } }", token=token)
        assert denied["data"] is None
        assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
        assert gid_numbers([]) == []


async def test_unknown_field_error_matches_shopify() -> None:
    """Shopify reports unknown fields as undefinedField (HTTP 200)."""
    async with shop() as (client, _):
        body = await gql(client, "{ shop { nam } }")
        assert body["errors"][0]["message"] == "Field 'nam' doesn't exist on type 'Shop'"
        assert body["errors"][0]["extensions"]["code"] == "undefinedField"
