"""The pure parts of the Mailchimp sync: hash, member payloads, errors, the key's data centre."""

from __future__ import annotations

import hashlib

import pytest

from nexpura_desktop.connectors.mailchimp import mapping
from nexpura_desktop.connectors.mailchimp.client import api_root, data_centre
from nexpura_desktop.connectors.mailchimp.settings import schedule_for
from nexpura_desktop.engine.errors import ConfigurationError


def test_subscriber_hash_is_md5_of_the_trimmed_lower_cased_address() -> None:
    expected = hashlib.md5(b"ann.lee@gmail.com").hexdigest()
    assert mapping.subscriber_hash("  Ann.Lee@Gmail.COM ") == expected


def test_customer_row_maps_to_merge_fields_and_tags() -> None:
    row = {
        "id": "c1",
        "email": " jo@shop.com.au ",
        "full_name": "Jo  Anne   Smith",
        "mobile": None,
        "phone": "(03) 9123 4567",
        "tags": '["VIP", " Trade ", "VIP", 3, ""]',
        "marketing_consent": 1,
    }
    c = mapping.customer_from_row(row)
    assert (c.email, c.consent) == ("jo@shop.com.au", True)
    assert mapping.merge_fields(c) == {
        "FNAME": "Jo",
        "LNAME": "Anne Smith",
        "PHONE": "(03) 9123 4567",
    }
    assert c.tags == ("VIP", "Trade")
    payload = mapping.subscribe_payload(c)
    assert payload["status_if_new"] == "subscribed" and "status" not in payload
    assert payload["tags"] == ["VIP", "Trade"]
    split = mapping.customer_from_row({"id": "2", "first_name": "Li", "last_name": "Wu"})
    assert (split.first_name, split.last_name, split.email) == ("Li", "Wu", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), (0, False), (None, None), ("true", True), ("false", False), ("maybe", None)],
)
def test_consent_is_never_invented(value: object, expected: bool | None) -> None:
    assert mapping.customer_from_row({"id": "x", "marketing_consent": value}).consent is expected


def test_errors_are_classified_and_worded_for_the_owner() -> None:
    assert mapping.classify_error("a@b.com is in a compliance state due to …") == "compliance"
    assert mapping.classify_error("a@b.com was permanently deleted and …") == "forgotten"
    assert mapping.classify_error("a@b.com looks fake or invalid, please …") == "invalid_email"
    assert mapping.classify_error("something else") == "other"
    assert "correct the customer's email" in mapping.plain_error("invalid_email", "a@b.com", "")


def test_tag_changes_activate_new_and_deactivate_removed() -> None:
    assert mapping.tag_changes(["VIP", "Old"], ["VIP", "New"]) == [
        {"name": "New", "status": "active"},
        {"name": "Old", "status": "inactive"},
    ]


def test_data_centre_comes_from_the_key_suffix() -> None:
    key = "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us21"
    assert data_centre(key) == "us21"
    assert api_root(key) == "https://us21.api.mailchimp.com/3.0"
    assert (
        api_root(key, "http://mailchimp.sandbox.test/3.0/") == "http://mailchimp.sandbox.test/3.0"
    )
    for bad in ("nodash", "a-b-us1", "abc-"):
        with pytest.raises(ConfigurationError, match="data centre"):
            data_centre(bad)


def test_auto_sync_maps_to_an_engine_schedule() -> None:
    assert schedule_for(True) == {"kind": "interval", "minutes": 60}
    assert schedule_for(False) == {"kind": "off"}
