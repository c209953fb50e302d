"""Mailchimp emulator: members, upsert semantics, archive, tags, paging (service-apis.md §3.2)."""

from __future__ import annotations

import pytest

from tests.sandbox.mailchimp_support import assert_problem, mailchimp, md5

pytestmark = pytest.mark.anyio


async def test_member_id_is_md5_of_lower_cased_email() -> None:
    """§3.2: subscriber_hash = md5(email.strip().lower()); the member id is that hash."""
    async with mailchimp() as mc:
        r = await mc.put("Jane.Doe@Mail.com", status_if_new="subscribed")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == md5("jane.doe@mail.com")
        assert body["email_address"] == "Jane.Doe@Mail.com"
        assert body["list_id"] == mc.list_id
        r = await mc.client.get(mc.member_path("jane.doe@mail.com"))
        assert r.status_code == 200 and r.json()["status"] == "subscribed"


async def test_status_if_new_only_applies_on_create() -> None:
    """§3.2: status_if_new is used on create only; status also changes existing members."""
    async with mailchimp() as mc:
        r = await mc.put("a@mail.com", status_if_new="pending", merge_fields={"FNAME": "Ann"})
        assert r.json()["status"] == "pending"
        r = await mc.put("a@mail.com", status_if_new="subscribed", merge_fields={"LNAME": "Lee"})
        assert r.json()["status"] == "pending"  # existing: status_if_new ignored
        assert r.json()["merge_fields"]["FNAME"] == "Ann"
        assert r.json()["merge_fields"]["LNAME"] == "Lee"
        r = await mc.put("a@mail.com", status_if_new="pending", status="subscribed")
        assert r.json()["status"] == "subscribed"


async def test_put_new_address_needs_status_if_new() -> None:
    """§3.2: status_if_new is required when the address is not on the list."""
    async with mailchimp() as mc:
        body = assert_problem(await mc.put("new@mail.com"), 400, "Invalid Resource")
        assert body["errors"][0]["field"] == "status_if_new"


async def test_post_creates_only_and_patch_updates_only() -> None:
    """§3.2: POST …/members → 400 Member Exists for an existing address; PATCH → 404 if absent."""
    async with mailchimp() as mc:
        url = f"/lists/{mc.list_id}/members"
        r = await mc.client.post(url, json={"email_address": "b@mail.com", "status": "subscribed"})
        assert r.status_code == 200
        r = await mc.client.post(url, json={"email_address": "b@mail.com", "status": "subscribed"})
        assert_problem(r, 400, "Member Exists")
        r = await mc.client.patch(mc.member_path("nobody@mail.com"), json={"vip": True})
        assert_problem(r, 404, "Resource Not Found")
        r = await mc.client.patch(mc.member_path("b@mail.com"), json={"status": "unsubscribed"})
        assert r.status_code == 200 and r.json()["status"] == "unsubscribed"


async def test_delete_archives_and_archived_members_are_hidden() -> None:
    """§3.2: DELETE = archive (204); archived appears only in responses / status=archived."""
    async with mailchimp() as mc:
        await mc.put("c@mail.com", status_if_new="subscribed")
        r = await mc.client.delete(mc.member_path("c@mail.com"))
        assert r.status_code == 204 and r.content == b""
        assert (await mc.client.get(mc.member_path("c@mail.com"))).json()["status"] == "archived"
        listing = (await mc.client.get(f"/lists/{mc.list_id}/members")).json()
        assert listing["total_items"] == 0
        archived = (
            await mc.client.get(f"/lists/{mc.list_id}/members", params={"status": "archived"})
        ).json()
        assert [m["email_address"] for m in archived["members"]] == ["c@mail.com"]
        # An upsert brings the contact back.
        r = await mc.put("c@mail.com", status_if_new="subscribed")
        assert r.json()["status"] == "subscribed"


async def test_archived_status_cannot_be_set() -> None:
    """§3.2: settable statuses are subscribed|unsubscribed|cleaned|pending|transactional."""
    async with mailchimp() as mc:
        body = assert_problem(
            await mc.put("d@mail.com", status_if_new="archived"), 400, "Invalid Resource"
        )
        assert body["errors"][0]["field"] == "status_if_new"


async def test_tags_post_is_204_and_get_lists_them() -> None:
    """§3.2: POST …/tags with active/inactive → 204; tags are created on first use."""
    async with mailchimp() as mc:
        await mc.put("e@mail.com", status_if_new="subscribed", tags=["Walk-in"])
        url = mc.member_path("e@mail.com") + "/tags"
        r = await mc.client.post(
            url,
            json={
                "tags": [
                    {"name": "VIP", "status": "active"},
                    {"name": "Walk-in", "status": "inactive"},
                ],
                "is_syncing": True,
            },
        )
        assert r.status_code == 204 and r.content == b""
        tags = (await mc.client.get(url)).json()
        assert [t["name"] for t in tags["tags"]] == ["VIP"]
        assert tags["total_items"] == 1
        member = (await mc.client.get(mc.member_path("e@mail.com"))).json()
        assert member["tags_count"] == 1 and member["tags"][0]["name"] == "VIP"
        r = await mc.client.post(url, json={"tags": [{"name": "VIP", "status": "maybe"}]})
        assert_problem(r, 400, "Invalid Resource")
        r = await mc.client.post(
            mc.member_path("ghost@mail.com") + "/tags",
            json={"tags": [{"name": "VIP", "status": "active"}]},
        )
        assert_problem(r, 404, "Resource Not Found")


async def test_members_paging_with_count_offset_and_total_items() -> None:
    """§3.2: count (default 10, max 1000) / offset paging with total_items."""
    async with mailchimp() as mc:
        members = [
            {"email_address": f"p{i:02d}@mail.com", "status": "subscribed"} for i in range(25)
        ]
        r = await mc.client.post(f"/lists/{mc.list_id}", json={"members": members})
        assert r.json()["total_created"] == 25
        url = f"/lists/{mc.list_id}/members"
        first = (await mc.client.get(url)).json()
        assert len(first["members"]) == 10 and first["total_items"] == 25
        page3 = (await mc.client.get(url, params={"count": 10, "offset": 20})).json()
        assert [m["email_address"] for m in page3["members"]] == [
            f"p{i:02d}@mail.com" for i in range(20, 25)
        ]
        assert page3["total_items"] == 25
        everything = (await mc.client.get(url, params={"count": 5000})).json()
        assert len(everything["members"]) == 25


async def test_status_and_since_last_changed_filters() -> None:
    """§3.2: ``status`` and ``since_last_changed`` (ISO 8601) filters on the member list."""
    async with mailchimp() as mc:
        await mc.put("old@mail.com", status_if_new="subscribed")
        await mc.put("gone@mail.com", status_if_new="unsubscribed")
        await mc.control.post("/_sandbox/clock", json={"advance": 3600})
        mark = mc.emu.clock.now().isoformat()
        await mc.control.post("/_sandbox/clock", json={"advance": 60})
        await mc.put("new@mail.com", status_if_new="subscribed")
        url = f"/lists/{mc.list_id}/members"
        changed = (await mc.client.get(url, params={"since_last_changed": mark})).json()
        assert [m["email_address"] for m in changed["members"]] == ["new@mail.com"]
        unsub = (await mc.client.get(url, params={"status": "unsubscribed"})).json()
        assert [m["email_address"] for m in unsub["members"]] == ["gone@mail.com"]
        r = await mc.client.get(url, params={"since_last_changed": "yesterday"})
        assert_problem(r, 400, "Invalid Resource")


async def test_fields_and_exclude_fields() -> None:
    """§3.2: ``fields`` / ``exclude_fields`` with dot notation for sub-objects."""
    async with mailchimp() as mc:
        await mc.put("f@mail.com", status_if_new="subscribed")
        url = f"/lists/{mc.list_id}/members"
        r = await mc.client.get(url, params={"fields": "members.email_address,total_items"})
        assert r.json() == {"members": [{"email_address": "f@mail.com"}], "total_items": 1}
        r = await mc.client.get(url, params={"exclude_fields": "members._links,_links"})
        assert "_links" not in r.json() and "_links" not in r.json()["members"][0]


async def test_merge_fields_default_and_validation() -> None:
    """§3.2: FNAME/LNAME/ADDRESS/PHONE/BIRTHDAY; unknown/invalid merge values → Invalid Resource."""
    async with mailchimp() as mc:
        fields = (await mc.client.get(f"/lists/{mc.list_id}/merge-fields")).json()
        assert [f["tag"] for f in fields["merge_fields"]] == [
            "FNAME",
            "LNAME",
            "ADDRESS",
            "PHONE",
            "BIRTHDAY",
        ]
        assert fields["total_items"] == 5
        r = await mc.put(
            "g@mail.com",
            status_if_new="subscribed",
            merge_fields={"FAVSTONE": "opal", "BIRTHDAY": "1990-01-31"},
        )
        body = assert_problem(r, 400, "Invalid Resource")
        assert {e["field"] for e in body["errors"]} == {"FAVSTONE", "BIRTHDAY"}
        assert (await mc.client.get(mc.member_path("g@mail.com"))).status_code == 404


async def test_invalid_and_fake_addresses_are_refused() -> None:
    """§3.3: "Invalid Resource" for invalid addresses and for fake/role addresses."""
    async with mailchimp() as mc:
        body = assert_problem(
            await mc.put("not-an-email", status_if_new="subscribed"), 400, "Invalid Resource"
        )
        assert body["errors"][0]["field"] == "email_address"
        body = assert_problem(
            await mc.put("jane@example.com", status_if_new="subscribed"), 400, "Invalid Resource"
        )
        assert "looks fake or invalid" in body["detail"]
