"""The pure Xero mapping: defaults from the org's settings, payloads, digests, matching."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.connectors.xero.mapping import (
    AccountMapping,
    ContactIndex,
    Customer,
    Invoice,
    Line,
    MappingError,
    batch_key,
    check_mapping,
    contact_payload,
    content_digest,
    default_mapping,
    difference,
    invoice_payload,
    plain_error,
)

ACCOUNTS: list[dict[str, Any]] = [
    {"Code": "090", "Name": "Bank", "Class": "ASSET", "TaxType": "BASEXCLUDED", "Status": "ACTIVE"},
    {"Code": "205", "Name": "Repairs", "Class": "REVENUE", "TaxType": "G1", "Status": "ACTIVE"},
    {"Code": "210", "Name": "Sales", "Class": "REVENUE", "TaxType": "G1", "Status": "ACTIVE"},
    {"Code": "220", "Name": "Old", "Class": "REVENUE", "TaxType": "G1", "Status": "ARCHIVED"},
]
TAXES: list[dict[str, Any]] = [
    {"TaxType": "G1", "EffectiveRate": 15.0, "CanApplyToRevenue": True, "Status": "ACTIVE"},
    {"TaxType": "G2", "EffectiveRate": 10.0, "CanApplyToRevenue": True, "Status": "ACTIVE"},
    {"TaxType": "IN", "EffectiveRate": 10.0, "CanApplyToRevenue": False, "Status": "ACTIVE"},
]


def invoice(**kw: Any) -> Invoice:
    base: dict[str, Any] = {
        "id": "i1",
        "number": "INV-0001",
        "status": "sent",
        "customer_id": "c1",
        "customer_name": "Ann",
        "customer_email": None,
        "date": "2026-03-02",
        "due_date": None,
        "currency": "AUD",
        "tax_inclusive": True,
        "lines": (Line("Ring", 2, 100.0, 10.0),),
    }
    return Invoice(**{**base, **kw})


def test_defaults_come_from_the_organisation_not_constants() -> None:
    assert default_mapping(ACCOUNTS, TAXES, 0.15) == AccountMapping("210", "G1")
    # the account's own tax is at another rate: the revenue tax at the shop's rate wins
    assert default_mapping(ACCOUNTS, TAXES, 0.10) == AccountMapping("210", "G2")
    no_sales = [a for a in ACCOUNTS if a["Name"] != "Sales"]
    assert default_mapping(no_sales, TAXES, 0.15).account_code == "205"
    with pytest.raises(MappingError, match="no active revenue account"):
        default_mapping(ACCOUNTS[:1], TAXES, 0.1)


def test_owner_mapping_is_checked() -> None:
    check_mapping(AccountMapping("205", "G2"), ACCOUNTS, TAXES)
    with pytest.raises(MappingError, match="220 is not an active revenue"):
        check_mapping(AccountMapping("220", "G2"), ACCOUNTS, TAXES)
    with pytest.raises(MappingError, match=r"tax type IN .* cannot be used on sales"):
        check_mapping(AccountMapping("210", "IN"), ACCOUNTS, TAXES)


def test_payload_is_a_draft_accrec_with_the_mapping_on_every_line() -> None:
    m = AccountMapping("210", "G1")
    body = invoice_payload(invoice(), m, {"ContactID": "x"})
    assert body["Type"] == "ACCREC" and body["Status"] == "DRAFT"
    assert body["LineAmountTypes"] == "Inclusive"
    assert body["DueDate"] == "2026-03-02"  # falls back to the invoice date
    assert body["LineItems"] == [
        {
            "Description": "Ring",
            "Quantity": 2.0,
            "UnitAmount": 100.0,
            "AccountCode": "210",
            "TaxType": "G1",
            "DiscountRate": 10.0,
        }
    ]
    exclusive = invoice_payload(invoice(tax_inclusive=False), m, {"ContactID": "x"}, invoice_id="X")
    assert exclusive["LineAmountTypes"] == "Exclusive" and exclusive["InvoiceID"] == "X"


def test_digest_is_stable_and_moves_with_content() -> None:
    m = AccountMapping("210", "G1")
    assert content_digest(invoice(), m) == content_digest(invoice(), m)
    assert content_digest(invoice(), m) != content_digest(invoice(lines=(Line("Ring", 1, 1),)), m)
    assert content_digest(invoice(), m) != content_digest(invoice(), AccountMapping("205", "G1"))
    assert batch_key("x", ["b", "a"]) == batch_key("x", ["a", "b"])
    assert len(batch_key("invoices", [str(n) for n in range(50)])) <= 128


def test_contacts_match_by_our_number_then_email_then_name() -> None:
    index = ContactIndex()
    index.add({"ContactID": "N", "ContactNumber": "c1", "Name": "Other"})
    index.add({"ContactID": "E", "EmailAddress": "ANN@x.test", "Name": "A. Lee"})
    index.add({"ContactID": "M", "Name": "ann  lee"})
    index.add({"ContactID": "Z", "Name": "Gone", "ContactStatus": "ARCHIVED"})
    assert index.match(Customer("c1", "Ann Lee", "ann@x.test")) == "N"
    assert index.match(Customer("c2", "Ann Lee", "ann@x.test")) == "E"
    assert index.match(Customer("c3", "Ann Lee", None)) == "M"
    assert index.match(Customer("c4", "Gone", None)) is None
    assert contact_payload(Customer("c9", " Bo  Li ", "bo@x.test", "0412"))["Name"] == "Bo Li"


def test_plain_words_for_errors_and_differences() -> None:
    inv = invoice()
    said = plain_error(inv, ["Account code '999' is not a valid code for this document."])
    assert (
        said
        == "Xero did not accept INV-0001: Account code '999' is not a valid code for this document"
    )
    remote = {"Status": "AUTHORISED", "LineItems": [{"LineAmount": 150.0}]}
    text = difference(inv, remote)
    assert "authorised in Xero" in text and "180.00 but Xero's total 150.00" in text
