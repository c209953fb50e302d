"""The shared OpenAPI helper: finds operations in Xero's YAML and Twilio's JSON and is strict."""

from __future__ import annotations

import pytest

from tests.sandbox.openapi_contract import (
    ContractError,
    documented_statuses,
    find_operation,
    validate_request_body,
    validate_response,
)

XERO = "xero/xero_accounting.yaml"
TWILIO = "twilio/twilio_api_v2010.json"


def test_finds_templates_with_or_without_base_path_and_case_insensitively() -> None:
    assert find_operation(XERO, "GET", "/api.xro/2.0/Invoices?page=2").template == "/Invoices"
    assert find_operation(XERO, "GET", "/Invoices/INV-1").template == "/Invoices/{InvoiceID}"
    assert (
        find_operation("xero/xero-identity.yaml", "GET", "/connections").template == "/Connections"
    )
    op = find_operation(TWILIO, "GET", "/2010-04-01/Accounts/AC1/Messages/SM1.json")
    assert op.template == "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"
    assert documented_statuses(TWILIO, "POST", "/2010-04-01/Accounts/AC1/Messages.json") == ["201"]
    with pytest.raises(ContractError):
        find_operation(XERO, "GET", "/api.xro/2.0/NoSuchThing")


def test_rejects_wrong_types_formats_and_iso_dates_in_xero_responses() -> None:
    good = {
        "Invoices": [
            {
                "InvoiceID": "7cb59f93-2964-421d-bb5e-a0f7a4572a44",
                "UpdatedDateUTC": "/Date(1700000000000+0000)/",
                "Total": 1.5,
            }
        ]
    }
    validate_response(XERO, "GET", "/Invoices", 200, good)
    bad = {"Invoices": [{"InvoiceID": "nope", "UpdatedDateUTC": "2026-01-01", "Total": "x"}]}
    with pytest.raises(ContractError) as caught:
        validate_response(XERO, "GET", "/Invoices", 200, bad)
    text = str(caught.value)
    assert "uuid" in text and "/Date(" in text and "number" in text
    with pytest.raises(ContractError, match="not documented"):
        validate_response(XERO, "GET", "/Invoices", 418, {})


def test_request_bodies_json_and_form_encoded() -> None:
    validate_request_body(
        XERO, "PUT", "/Invoices", {"Invoices": [{"Type": "ACCREC", "Date": "2026-01-31"}]}
    )
    with pytest.raises(ContractError):
        validate_request_body(XERO, "PUT", "/Invoices", {"Invoices": [{"Type": "NOPE"}]})
    path = "/2010-04-01/Accounts/AC1/Messages.json"
    form = "application/x-www-form-urlencoded"
    validate_request_body(
        TWILIO, "POST", path, "To=%2B61400000000&Body=hi&Attempt=2", content_type=form
    )
    with pytest.raises(ContractError):
        validate_request_body(
            TWILIO, "POST", path, {"To": "+614", "Attempt": "two"}, content_type=form
        )
