"""Mailchimp emulator: batch subscribe ``POST /lists/{id}`` (service-apis.md §3.4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.mailchimp_support import assert_problem, mailchimp

pytestmark = pytest.mark.anyio


def people(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "email_address": f"b{i:04d}@mail.com",
            "status": "subscribed",
            "merge_fields": {"FNAME": f"B{i}"},
        }
        for i in range(start, start + n)
    ]


async def test_new_updated_and_errors_in_one_200_response() -> None:
    """§3.4: HTTP 200 with new_members, updated_members, errors and the totals."""
    async with mailchimp() as mc:
        await mc.put("b0000@mail.com", status_if_new="subscribed")
        body = {
            "members": [
                *people(3),
                {"email_address": "broken", "status": "subscribed"},
                {
                    "email_address": "x@mail.com",
                    "status": "subscribed",
                    "merge_fields": {"NOPE": "1"},
                },
            ],
            "update_existing": True,
        }
        r = await mc.client.post(f"/lists/{mc.list_id}", json=body)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert [m["email_address"] for m in doc["new_members"]] == [
            "b0001@mail.com",
            "b0002@mail.com",
        ]
        assert [m["email_address"] for m in doc["updated_members"]] == ["b0000@mail.com"]
        assert doc["updated_members"][0]["merge_fields"]["FNAME"] == "B0"
        assert (doc["total_created"], doc["total_updated"], doc["error_count"]) == (2, 1, 2)
        errors = {e["email_address"]: e for e in doc["errors"]}
        assert set(errors) == {"broken", "x@mail.com"}
        for e in doc["errors"]:
            assert e["error_code"] == "ERROR_GENERIC" and e["error"]
        assert errors["broken"]["field"] == "email_address"


async def test_existing_member_without_update_existing_is_an_error() -> None:
    """§3.4: without update_existing an existing address is reported, not changed."""
    async with mailchimp() as mc:
        await mc.put("b0000@mail.com", status_if_new="pending")
        r = await mc.client.post(f"/lists/{mc.list_id}", json={"members": people(2)})
        doc = r.json()
        assert doc["total_created"] == 1 and doc["total_updated"] == 0
        assert doc["errors"][0]["email_address"] == "b0000@mail.com"
        assert doc["errors"][0]["error_code"] == "ERROR_CONTACT_EXISTS"
        member = (await mc.client.get(mc.member_path("b0000@mail.com"))).json()
        assert member["status"] == "pending"


async def test_500_members_are_accepted_and_the_501st_is_refused() -> None:
    """§3.4: up to 500 members per call; 501 → 400 Invalid Resource and nothing is written."""
    async with mailchimp() as mc:
        url = f"/lists/{mc.list_id}"
        r = await mc.client.post(url, json={"members": people(501, 1000)})
        body = assert_problem(r, 400, "Invalid Resource")
        assert body["errors"][0]["field"] == "members"
        count = (await mc.client.get(f"{url}/members", params={"count": 1})).json()
        assert count["total_items"] == 0
        r = await mc.client.post(url, json={"members": people(500, 1000)})
        assert r.status_code == 200 and r.json()["total_created"] == 500


async def test_compliance_and_forgotten_refusals_are_per_member() -> None:
    """§3.3 inside §3.4: refused members land in ``errors``; the rest go through."""
    async with mailchimp() as mc:
        await mc.put("b0000@mail.com", status_if_new="subscribed")
        await mc.contact_event("b0000@mail.com", "unsubscribed")
        await mc.put("b0001@mail.com", status_if_new="subscribed")
        await mc.client.post(mc.member_path("b0001@mail.com") + "/actions/delete-permanent")
        r = await mc.client.post(
            f"/lists/{mc.list_id}", json={"members": people(3), "update_existing": True}
        )
        doc = r.json()
        assert [m["email_address"] for m in doc["new_members"]] == ["b0002@mail.com"]
        errors = {e["email_address"]: e["error"] for e in doc["errors"]}
        assert "compliance state" in errors["b0000@mail.com"]
        assert "permanently deleted" in errors["b0001@mail.com"]


async def test_duplicates_in_one_request() -> None:
    """§3.4 [MEM]: a repeated address is an error unless skip_duplicate_check=true."""
    async with mailchimp() as mc:
        members = [*people(1), *people(1)]
        doc = (await mc.client.post(f"/lists/{mc.list_id}", json={"members": members})).json()
        assert doc["total_created"] == 1 and doc["error_count"] == 1
        doc = (
            await mc.client.post(
                f"/lists/{mc.list_id}",
                params={"skip_duplicate_check": "true"},
                json={"members": [*people(1, 5), *people(1, 5)]},
            )
        ).json()
        assert doc["total_created"] == 1 and doc["error_count"] == 0
