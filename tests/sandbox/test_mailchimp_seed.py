"""Mailchimp emulator: seed shapes, the demo shop, reset and the directory entry."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.sandbox import Sandbox
from tests.sandbox.mailchimp_support import assert_problem, mailchimp, md5

pytestmark = pytest.mark.anyio


def customers(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rows.append(
            {
                "id": f"c{i}",
                "full_name": f"Customer {i}",
                "first_name": "Customer",
                "last_name": str(i),
                "email": f"customer{i}@shopmail.com" if i != 7 else None,  # one without email
                "mobile": f"+61 400 000 {i:03d}",
                "marketing_consent": i % 5 != 3,
                "tags": ["VIP"] if i % 4 == 0 else [],
            }
        )
    rows.append({"id": "broken"})  # tolerant of missing keys
    return rows


async def test_seed_demo_gives_a_realistic_audience() -> None:
    """seed_demo: shop customers already in the audience (one self-unsubscribed, one bounced),
    online-only sign-ups, merge fields FNAME/LNAME/PHONE."""
    async with mailchimp() as mc:
        counts = mc.emu.seed_demo({"customers": customers(30), "inventory": []})
        assert counts["audience_id"] == mc.list_id
        assert counts["shop_customers"] == 7 and counts["online_only"] == 4
        assert counts["unsubscribed"] == 1 and counts["cleaned"] == 1 and counts["pending"] == 1
        assert counts["members"] == 11
        members = (
            await mc.client.get(f"/lists/{mc.list_id}/members", params={"count": 100})
        ).json()["members"]
        assert len(members) == 11
        by_email = {m["email_address"]: m for m in members}
        assert by_email["customer0@shopmail.com"]["merge_fields"]["PHONE"] == "+61 400 000 000"
        unsubscribed = [m for m in members if m["status"] == "unsubscribed"]
        assert len(unsubscribed) == 1 and unsubscribed[0]["email_address"].startswith("customer")
        # The app must not be able to re-subscribe them (§3.3).
        assert_problem(
            await mc.put(unsubscribed[0]["email_address"], status="subscribed"),
            400,
            "Member In Compliance State",
        )
        tags = {
            f["tag"]
            for f in (await mc.client.get(f"/lists/{mc.list_id}/merge-fields")).json()[
                "merge_fields"
            ]
        }
        assert {"FNAME", "LNAME", "PHONE"} <= tags


async def test_seed_json_shape_and_reset() -> None:
    """POST /_sandbox/seed with the documented shape; reset returns to two empty audiences."""
    async with mailchimp() as mc:
        seed = {
            "fake_domains": ["fake.test"],
            "audiences": [
                {
                    "id": "aaaa111122",
                    "name": "Seeded",
                    "merge_fields": [
                        {"tag": "FNAME", "name": "First", "type": "text", "required": True}
                    ],
                    "members": [
                        {
                            "email_address": "s1@mail.com",
                            "status": "subscribed",
                            "merge_fields": {"FNAME": "S"},
                            "tags": ["VIP"],
                            "last_changed": "2026-01-02T03:04:05+00:00",
                        },
                        {
                            "email_address": "s2@mail.com",
                            "status": "unsubscribed",
                            "unsubscribed_by": "self",
                        },
                        {"email_address": "s3@mail.com", "status": "archived"},
                    ],
                    "forgotten": ["s4@mail.com"],
                }
            ],
        }
        r = await mc.control.post("/_sandbox/seed", json=seed)
        assert r.status_code == 200, r.text
        assert r.json()["seeded"] == {"audiences": 1, "members": 3, "forgotten": 1}
        m = (await mc.client.get("/lists/aaaa111122/members/s1@mail.com")).json()
        assert m["last_changed"] == "2026-01-02T03:04:05+00:00"
        assert m["tags"][0]["name"] == "VIP" and m["id"] == md5("s1@mail.com")
        r = await mc.client.put(
            f"/lists/aaaa111122/members/{md5('n@mail.com')}",
            json={"email_address": "n@mail.com", "status_if_new": "subscribed"},
        )
        body = assert_problem(r, 400, "Invalid Resource")  # FNAME is required here
        assert body["errors"] == [{"field": "FNAME", "message": "Please enter a value"}]
        r = await mc.client.put(
            f"/lists/aaaa111122/members/{md5('n@mail.com')}",
            params={"skip_merge_validation": "true"},
            json={"email_address": "n@mail.com", "status_if_new": "subscribed"},
        )
        assert r.status_code == 200
        r = await mc.client.put(
            f"/lists/aaaa111122/members/{md5('s4@mail.com')}",
            json={"email_address": "s4@mail.com", "status_if_new": "pending"},
        )
        assert_problem(r, 400, "Forgotten Email Not Subscribed")
        r = await mc.put("who@example.com", status_if_new="subscribed")  # no longer "fake"
        assert r.status_code == 200
        assert_problem(
            await mc.put("a@fake.test", status_if_new="subscribed"), 400, "Invalid Resource"
        )
        lists = (await mc.client.get("/lists")).json()
        assert lists["total_items"] == 3
        assert (
            await mc.control.post("/_sandbox/seed", json={"audiences": [{}]})
        ).status_code == 400
        await mc.control.post("/_sandbox/reset")
        lists = (await mc.client.get("/lists")).json()
        assert lists["total_items"] == 2
        assert all(a["stats"]["member_count"] == 0 for a in lists["lists"])


async def test_directory_lists_the_mailchimp_credentials() -> None:
    sandbox = Sandbox(services=["mailchimp"])
    creds = sandbox.credentials()["mailchimp"]
    assert creds["api_base_url"] == "http://mailchimp.sandbox.test/3.0"
    assert creds["username"] and creds["api_key"].endswith("-us21")
    assert creds["audience_id"] in {a["id"] for a in creds["audiences"]}
