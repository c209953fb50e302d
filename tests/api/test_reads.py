"""Read endpoints: stable keyset paging with next links, updated_since, JSON values."""

from __future__ import annotations

import pytest

from nexpura_desktop.api import reads
from nexpura_desktop.ledger.db import Ledger

from .conftest import Api

CUSTOMERS = [
    # id, updated_at, deleted_at
    ("c01", "2025-01-01T09:00:00+00:00", None),
    ("c02", "2025-02-01T09:00:00Z", None),
    ("c03", "2025-03-01T19:00:00+10:00", None),  # 09:00 UTC
    ("c04", "2025-04-01T09:00:00.123456+00:00", None),
    ("c05", "2025-05-01T09:00:00+00:00", "2025-05-02T00:00:00+00:00"),
    ("c06", "2025-06-01T09:00:00+00:00", None),
    ("c07", None, None),
]


def _seed(api: Api) -> None:
    with Ledger(api.paths.ledger) as ledger, ledger.transaction() as conn:
        for cid, updated, deleted in CUSTOMERS:
            conn.execute(
                "INSERT INTO customers(id, full_name, tags, is_vip, updated_at, created_at, "
                "deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cid, f"Customer {cid}", '["vip","ring"]', 1, updated, updated, deleted),
            )


def _ids(body: dict[str, object]) -> list[str]:
    return [str(r["id"]) for r in body["data"]]  # type: ignore[attr-defined,index]


def test_paging_follows_next_links_in_a_stable_order(api: Api) -> None:
    _seed(api)
    seen: list[str] = []
    url: str | None = "/api/customers?limit=2"
    pages = 0
    while url:
        response = api.client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += _ids(body)
        assert body["count"] == len(body["data"])
        url = body["links"]["next"]
        if url:
            assert response.headers["link"] == f'<{url}>; rel="next"'
            assert "limit=2" in url
        pages += 1
    assert seen == ["c01", "c02", "c03", "c04", "c06", "c07"]
    assert pages == 3


def test_a_row_added_between_pages_does_not_shift_the_next_page(api: Api) -> None:
    _seed(api)
    first = api.client.get("/api/customers?limit=3").json()
    with Ledger(api.paths.ledger) as ledger:
        ledger.conn.execute("INSERT INTO customers(id) VALUES ('c00')")  # sorts before
    second = api.client.get(first["links"]["next"]).json()
    assert _ids(first) == ["c01", "c02", "c03"]
    assert _ids(second)[0] == "c04"


def test_updated_since_compares_instants_across_offsets(api: Api) -> None:
    _seed(api)
    body = api.client.get("/api/customers", params={"updated_since": "2025-03-01T09:00:00Z"})
    assert _ids(body.json()) == ["c03", "c04", "c06"]
    local = api.client.get("/api/customers", params={"updated_since": "2025-03-01T19:00:00+10:00"})
    assert _ids(local.json()) == ["c03", "c04", "c06"]
    day = api.client.get("/api/customers", params={"updated_since": "2025-04-01"})
    assert _ids(day.json()) == ["c04", "c06"]


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "1/2/2025", ""])
def test_a_bad_updated_since_is_a_400_that_says_what_is_wanted(api: Api, bad: str) -> None:
    response = api.client.get("/api/customers", params={"updated_since": bad})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_updated_since"
    assert "ISO 8601" in error["message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "0"}, "bad_limit"),
        ({"limit": "501"}, "bad_limit"),
        ({"limit": "ten"}, "bad_limit"),
        ({"cursor": "not-a-cursor"}, "bad_cursor"),
        ({"include_deleted": "maybe"}, "bad_include_deleted"),
    ],
)
def test_bad_paging_parameters_are_400(api: Api, params: dict[str, str], code: str) -> None:
    response = api.client.get("/api/customers", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_deleted_rows_only_on_request_and_values_are_json(api: Api) -> None:
    _seed(api)
    body = api.client.get("/api/customers", params={"include_deleted": "true"}).json()
    assert "c05" in _ids(body)
    row = body["data"][0]
    assert row["tags"] == ["vip", "ring"]
    assert row["is_vip"] is True


def test_one_row_by_id(api: Api) -> None:
    _seed(api)
    assert api.client.get("/api/customers/c02").json()["data"]["full_name"] == "Customer c02"
    missing = api.client.get("/api/customers/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_every_resource_is_served(api: Api) -> None:
    for resource in reads.RESOURCES:
        response = api.client.get(f"/api/{resource}")
        assert response.status_code == 200, resource
        assert response.json()["data"] == []


def test_tables_without_updated_at_filter_on_created_at(api: Api) -> None:
    with Ledger(api.paths.ledger) as ledger:
        ledger.conn.execute(
            "INSERT INTO stock_movements(id, created_at) VALUES "
            "('m1', '2025-01-01T00:00:00+00:00'), ('m2', '2025-06-01T00:00:00+00:00')"
        )
    body = api.client.get("/api/stock_movements", params={"updated_since": "2025-03-01"}).json()
    assert _ids(body) == ["m2"]


def test_unknown_paths_are_json_404s(api: Api) -> None:
    response = api.client.get("/api/nothing_here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
