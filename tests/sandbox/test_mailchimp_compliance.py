"""Mailchimp emulator: compliance-state and forgotten-email refusals (service-apis.md §3.3)."""

from __future__ import annotations

import pytest

from tests.sandbox.mailchimp_support import assert_problem, mailchimp

pytestmark = pytest.mark.anyio


async def test_self_unsubscribed_member_cannot_be_resubscribed() -> None:
    """§3.3: someone who unsubscribed themselves → 400 "Member In Compliance State"."""
    async with mailchimp() as mc:
        await mc.put("ann@mail.com", status_if_new="subscribed")
        await mc.contact_event("ann@mail.com", "unsubscribed")  # clicked the email link
        member = (await mc.client.get(mc.member_path("ann@mail.com"))).json()
        assert member["status"] == "unsubscribed"
        assert member["unsubscribe_reason"]
        body = assert_problem(
            await mc.put("ann@mail.com", status="subscribed"), 400, "Member In Compliance State"
        )
        assert body["detail"].startswith("ann@mail.com is in a compliance state")
        # The sync-safe upsert (status_if_new only) succeeds and leaves the status alone.
        r = await mc.put("ann@mail.com", status_if_new="subscribed", merge_fields={"FNAME": "Ann"})
        assert r.status_code == 200 and r.json()["status"] == "unsubscribed"
        r = await mc.client.patch(mc.member_path("ann@mail.com"), json={"status": "subscribed"})
        assert_problem(r, 400, "Member In Compliance State")


async def test_pending_is_the_workaround_until_the_contact_confirms() -> None:
    """§3.3: status "pending" sends a confirmation; subscribed only once the person clicks."""
    async with mailchimp() as mc:
        await mc.put("bob@mail.com", status_if_new="subscribed")
        await mc.contact_event("bob@mail.com", "unsubscribed")
        r = await mc.put("bob@mail.com", status="pending")
        assert r.status_code == 200 and r.json()["status"] == "pending"
        assert_problem(
            await mc.put("bob@mail.com", status="subscribed"), 400, "Member In Compliance State"
        )
        await mc.contact_event("bob@mail.com", "subscribed")  # clicked the confirmation
        r = await mc.put("bob@mail.com", status="unsubscribed")
        assert r.json()["status"] == "unsubscribed"


async def test_bounced_and_compliance_review_members_cannot_be_subscribed() -> None:
    """§3.3: bounced (cleaned) or under compliance review → Member In Compliance State."""
    async with mailchimp() as mc:
        for email, event in (("cl@mail.com", "cleaned"), ("rev@mail.com", "compliance")):
            await mc.put(email, status_if_new="pending")
            await mc.contact_event(email, event)
            assert_problem(
                await mc.put(email, status="subscribed"), 400, "Member In Compliance State"
            )
        member = (await mc.client.get(mc.member_path("cl@mail.com"))).json()
        assert member["status"] == "cleaned"


async def test_admin_unsubscribe_can_be_reversed() -> None:
    """§3.3 applies to people who unsubscribed *themselves*; an API unsubscribe is reversible."""
    async with mailchimp() as mc:
        await mc.put("cat@mail.com", status_if_new="subscribed")
        assert (await mc.put("cat@mail.com", status="unsubscribed")).json()["status"] == (
            "unsubscribed"
        )
        r = await mc.put("cat@mail.com", status="subscribed")
        assert r.status_code == 200 and r.json()["status"] == "subscribed"


async def test_archived_self_unsubscriber_keeps_the_compliance_state() -> None:
    """§3.3: archiving does not launder an unsubscribe; re-adding as subscribed is refused."""
    async with mailchimp() as mc:
        await mc.put("dan@mail.com", status_if_new="subscribed")
        await mc.contact_event("dan@mail.com", "unsubscribed")
        assert (await mc.client.delete(mc.member_path("dan@mail.com"))).status_code == 204
        assert_problem(
            await mc.put("dan@mail.com", status_if_new="subscribed"),
            400,
            "Member In Compliance State",
        )


async def test_permanently_deleted_email_cannot_be_reimported() -> None:
    """§3.2/§3.3: delete-permanent → 204; the address is then refused even as pending."""
    async with mailchimp() as mc:
        await mc.put("eve@mail.com", status_if_new="subscribed")
        url = mc.member_path("eve@mail.com") + "/actions/delete-permanent"
        r = await mc.client.post(url)
        assert r.status_code == 204
        assert_problem(
            await mc.client.get(mc.member_path("eve@mail.com")), 404, "Resource Not Found"
        )
        for status in ("subscribed", "pending"):
            body = assert_problem(
                await mc.put("eve@mail.com", status_if_new=status),
                400,
                "Forgotten Email Not Subscribed",
            )
            assert "permanently deleted and cannot be re-imported" in body["detail"]
        assert_problem(await mc.client.post(url), 404, "Resource Not Found")


async def test_control_event_for_unknown_member_is_404() -> None:
    async with mailchimp() as mc:
        r = await mc.control.post(
            "/_sandbox/members/nobody@mail.com/status", json={"status": "unsubscribed"}
        )
        assert r.status_code == 404
        await mc.put("f@mail.com", status_if_new="subscribed")
        r = await mc.control.post("/_sandbox/members/f@mail.com/status", json={"status": "x"})
        assert r.status_code == 400
