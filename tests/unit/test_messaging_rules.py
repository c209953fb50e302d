"""Pure messaging rules: E.164, channel order, status order, quiet hours, templates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import routing, settings, templates
from nexpura_desktop.messaging.phones import InvalidNumber, region_for, to_e164


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0412 345 678", "AU", "+61412345678"),
        ("0412-345-678", "AU", "+61412345678"),
        ("(02) 9876-5432", "AU", "+61298765432"),
        ("+61 412 345 678", "AU", "+61412345678"),
        ("61412345678", "AU", "+61412345678"),
        ("0061 412 345 678", "AU", "+61412345678"),
        (" 0412.345.678 ", "AU", "+61412345678"),
        ("whatsapp:+61412345678", "AU", "+61412345678"),
        ("+64 21 123 4567", "AU", "+64211234567"),
        ("021 123 4567", "NZ", "+64211234567"),
        ("+1 (415) 555-2671", "AU", "+14155552671"),
        ("+44 7911 123456", "AU", "+447911123456"),
        ("07911 123456", "GB", "+447911123456"),
    ],
)
def test_e164(raw: str, region: str, expected: str) -> None:
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize("raw", ["", None, "12345", "not a number", "0412 345", "+999 1234"])
def test_invalid_numbers(raw: str | None) -> None:
    with pytest.raises(InvalidNumber):
        to_e164(raw, "AU")


def test_region_for_country() -> None:
    assert region_for("Australia") == "AU"
    assert region_for("New Zealand") == "NZ"
    assert region_for("gb") == "GB"
    assert region_for(None) == "AU"


@pytest.mark.parametrize(
    ("kind", "category", "pref", "fallback", "expected"),
    [
        ("customer", "job_ready", "whatsapp", True, ["whatsapp", "sms"]),
        ("customer", "job_ready", "sms", True, ["sms", "whatsapp"]),
        ("customer", "job_ready", "sms", False, ["sms"]),
        ("customer", "job_ready", None, True, ["whatsapp", "sms"]),
        ("customer", "job_ready", "email", True, ["whatsapp", "sms"]),
        ("customer", "job_ready", "none", True, []),
        ("staff", "task_assigned", None, True, ["whatsapp", "sms"]),
        ("staff", "task_status", None, True, ["sms"]),
        ("staff", "task_urgent", None, True, ["sms"]),
    ],
)
def test_channel_order(
    kind: str, category: str, pref: str | None, fallback: bool, expected: list[str]
) -> None:
    order = routing.channel_order(kind, category, pref, ("whatsapp", "sms"), fallback=fallback)
    assert order == expected


def test_shop_default_order_is_used_without_a_preference() -> None:
    assert routing.channel_order("customer", "job_ready", None, ("sms", "whatsapp")) == [
        "sms",
        "whatsapp",
    ]


def test_status_only_moves_forward() -> None:
    assert routing.moves_forward("queued", "sent")
    assert routing.moves_forward("delivered", "read")
    assert not routing.moves_forward("delivered", "sent")
    assert not routing.moves_forward("failed", "delivered")
    assert not routing.moves_forward("read", "delivered")


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger(tmp_path / "l.db")
    with led.transaction() as c:
        c.execute(
            "INSERT INTO tenants(id, name, timezone, country) "
            "VALUES ('t', 'Larkspur', 'Australia/Sydney', 'Australia')"
        )
    return led


@pytest.mark.parametrize(
    ("utc_hour", "quiet_until_local"),
    [(1, None), (8, None), (9, "08:00"), (11, "08:00"), (20, "08:00"), (21, None)],
)
def test_quiet_hours_in_shop_timezone(
    ledger: Ledger, utc_hour: int, quiet_until_local: str | None
) -> None:
    shop = settings.load(ledger.conn)  # default 20:00–08:00; Sydney is UTC+11 in March
    until = shop.quiet_until(datetime(2026, 3, 2, utc_hour, 0, tzinfo=UTC))
    if quiet_until_local is None:
        assert until is None
    else:
        assert until is not None and until.strftime("%H:%M") == quiet_until_local
        assert until > datetime(2026, 3, 2, utc_hour, 0, tzinfo=UTC)


def test_category_switches_use_nexpura_keys(ledger: Ledger) -> None:
    assert settings.load(ledger.conn).enabled == dict.fromkeys(settings.CATEGORIES, True)
    with ledger.transaction() as c:
        settings.set_category(c, "task_status", False)
    raw = ledger.conn.execute("SELECT notification_settings FROM tenants").fetchone()[0]
    assert '"notify_on_status_change":false' in raw
    assert settings.load(ledger.conn).enabled["task_status"] is False


def test_template_variables_preview_and_enable(ledger: Ledger) -> None:
    body = "Hi {first_name}, {item} ({tracking_id}) is ready at {pickup_location} - {shop_name}"
    with ledger.transaction() as c:
        templates.save(c, "job_ready", "sms", body)
    assert not templates.get(ledger.conn, "job_ready", "sms").custom  # off until enabled
    with pytest.raises(templates.TemplateError, match="preview"):
        templates.enable(ledger.conn, "job_ready", "sms")
    text = templates.preview(ledger.conn, "job_ready", "sms", {"first_name": "Mia"})
    assert text.startswith("Hi Mia, gold ring (RPR-1A2B3C4D5E6F) is ready at The Strand")
    templates.enable(ledger.conn, "job_ready", "sms")
    tpl = templates.get(ledger.conn, "job_ready", "sms")
    assert tpl.custom and tpl.body == body
    with ledger.transaction() as c:
        templates.save(c, "job_ready", "sms", body + "!")  # a change needs a new preview
    assert not templates.get(ledger.conn, "job_ready", "sms").custom


def test_unknown_template_variable_is_refused(ledger: Ledger) -> None:
    with pytest.raises(templates.TemplateError, match="surname"):
        templates.save(ledger.conn, "job_ready", "sms", "Hi {surname}")
    assert templates.render("{first_name}!", {"first_name": "Zoë"}) == "Zoë!"


@pytest.mark.parametrize(("text", "code"), [("AU", "AU"), ("nz", "NZ"), ("New Zealand", "NZ")])
def test_region_code_accepts_codes_and_names(text: str, code: str) -> None:
    from nexpura_desktop.messaging.phones import region_code

    assert region_code(text) == code


@pytest.mark.parametrize("text", ["Narnia", "ZZ", "", "AUS"])
def test_region_code_refuses_unknown_countries(text: str) -> None:
    from nexpura_desktop.messaging.phones import region_code

    with pytest.raises(ValueError, match="country"):
        region_code(text)


def test_content_variable_mapping_round_trips_and_is_checked() -> None:
    from nexpura_desktop.messaging.contents import ContentTemplate, format_mapping, parse_mapping

    mapping = parse_mapping(" 1=first_name; 2 = item ,3=tracking_id,")
    assert mapping == {"1": "first_name", "2": "item", "3": "tracking_id"}
    assert parse_mapping(format_mapping(mapping)) == mapping
    for bad in ("1", "1=nickname", "=item"):
        with pytest.raises(templates.TemplateError):
            parse_mapping(bad)
    t = ContentTemplate("HX1", "x", "Hi {{1}}, {{2}} ({{ 3 }}) {{4}}", {"4": "sample"})
    assert t.render({"1": "first_name", "3": "tracking_id"}, templates.SAMPLE) == (
        "Hi Olivia, {{2}} (RPR-1A2B3C4D5E6F) sample"
    )
