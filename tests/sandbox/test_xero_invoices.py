"""Xero Accounting contract: Invoices (tenant header, JSON vs XML, batches, idempotency, paging).

Each test cites the fact it pins in /work/shared/reference/service-apis.md; response bodies
are checked against Xero's own OpenAPI document.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.openapi_contract import validate_httpx_response, validate_request_body
from tests.sandbox.xero_support import ACCOUNTING_SPEC, API, api_headers, login, xero_client

pytestmark = pytest.mark.anyio


def invoice(
    number: str, *, amount: float = 100.0, account: str = "200", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Ada Lovelace"},
        "Date": "2026-01-31",
        "DueDate": "2026-02-28",
        "LineAmountTypes": "Exclusive",
        "InvoiceNumber": number,
        "Reference": f"ORDER-{number}",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Gold ring",
                "Quantity": 2,
                "UnitAmount": amount,
                "AccountCode": account,
            }
        ],
    }
    body.update(extra)
    return body


async def put_invoices(
    client: httpx.AsyncClient, tokens: dict[str, Any], items: list[dict[str, Any]], **params: str
) -> httpx.Response:
    payload = {"Invoices": items}
    validate_request_body(ACCOUNTING_SPEC, "PUT", f"{API}/Invoices", payload)
    return await client.put(
        f"{API}/Invoices", json=payload, params=params, headers=api_headers(tokens)
    )


async def test_tenant_header_is_required() -> None:
    """§4.2/§4.7: xero-tenant-id required; absent or unknown → 403 AuthenticationUnsuccessful."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        headers = api_headers(tokens)
        del headers["xero-tenant-id"]
        missing = await client.get(f"{API}/Invoices", headers=headers)
        unknown = await client.get(
            f"{API}/Invoices",
            headers={**headers, "xero-tenant-id": "00000000-0000-0000-0000-000000000000"},
        )
        for answer in (missing, unknown):
            assert answer.status_code == 403
            assert answer.json()["Title"] == "Forbidden"
            assert answer.json()["Detail"] == "AuthenticationUnsuccessful"


async def test_without_accept_json_xero_answers_xml() -> None:
    """§4.2: Xero answers XML unless the client asks for application/json."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        headers = api_headers(tokens)
        del headers["Accept"]
        answer = await client.get(f"{API}/Organisation", headers=headers)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/xml")
        assert answer.text.startswith("<?xml") and "<Organisations><Organisation>" in answer.text


async def test_create_computes_totals_and_uses_ms_dates() -> None:
    """§4.3: success envelope, computed SubTotal/TotalTax/Total, /Date(ms+0000)/ dates."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        answer = await put_invoices(client, tokens, [invoice("INV-100", amount=50)])
        assert answer.status_code == 200, answer.text
        validate_httpx_response(ACCOUNTING_SPEC, answer)
        body = answer.json()
        assert body["Status"] == "OK"
        created = body["Invoices"][0]
        assert (created["SubTotal"], created["TotalTax"], created["Total"]) == (100.0, 10.0, 110.0)
        assert created["AmountDue"] == 110.0
        assert created["Date"].startswith("/Date(") and created["UpdatedDateUTC"].endswith(
            "+0000)/"
        )
        assert created["LineItems"][0]["TaxType"] == "OUTPUT"
        # a contact named but unknown is created by Xero
        assert created["Contact"]["Name"] == "Ada Lovelace"


async def test_inclusive_and_notax_amounts() -> None:
    """§4.3: LineAmountTypes Inclusive (tax inside the amount) and NoTax."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        inc = invoice("INV-1", amount=55, LineAmountTypes="Inclusive")
        none = invoice("INV-2", amount=55, LineAmountTypes="NoTax")
        answer = await put_invoices(client, tokens, [inc, none])
        first, second = answer.json()["Invoices"]
        assert (first["SubTotal"], first["TotalTax"], first["Total"]) == (100.0, 10.0, 110.0)
        assert (second["SubTotal"], second["TotalTax"], second["Total"]) == (110.0, 0.0, 110.0)


async def test_summarize_errors_default_rejects_the_whole_batch() -> None:
    """§4.3: summarizeErrors=true (default) → 400 ValidationException, nothing saved."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        answer = await put_invoices(
            client, tokens, [invoice("INV-1"), invoice("INV-2", account="999")]
        )
        assert answer.status_code == 400
        validate_httpx_response(ACCOUNTING_SPEC, answer)
        body = answer.json()
        assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
        messages = [e["Message"] for el in body["Elements"] for e in el["ValidationErrors"]]
        assert messages == ["Account code '999' is not a valid code for this document."]
        listed = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert listed.json()["Invoices"] == []


async def test_summarize_errors_false_saves_good_items_and_flags_bad_ones() -> None:
    """§4.3: summarizeErrors=false → 200 with StatusAttributeString ERROR + ValidationErrors."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        answer = await put_invoices(
            client,
            tokens,
            [invoice("INV-1"), invoice("INV-2", account="999")],
            summarizeErrors="false",
        )
        assert answer.status_code == 200
        validate_httpx_response(ACCOUNTING_SPEC, answer)
        good, bad = answer.json()["Invoices"]
        assert good["StatusAttributeString"] == "OK" and good["InvoiceID"]
        assert bad["StatusAttributeString"] == "ERROR" and bad["HasErrors"] is True
        assert bad["ValidationErrors"][0]["Message"].startswith("Account code '999'")
        listed = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert [i["InvoiceNumber"] for i in listed.json()["Invoices"]] == ["INV-1"]


async def test_invoice_number_must_be_unique_and_is_auto_assigned() -> None:
    """§4.3: InvoiceNumber auto-assigned for ACCREC if omitted; must be unique."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        auto = invoice("x")
        del auto["InvoiceNumber"]
        first = await put_invoices(client, tokens, [auto])
        assert first.json()["Invoices"][0]["InvoiceNumber"] == "INV-0001"
        clash = await put_invoices(client, tokens, [invoice("INV-0001")])
        assert clash.status_code == 400
        assert (
            clash.json()["Elements"][0]["ValidationErrors"][0]["Message"]
            == "Invoice # must be unique."
        )


async def test_replayed_idempotency_key_returns_the_first_invoice() -> None:
    """§4.5: replaying the same Idempotency-Key returns the original result, no duplicate."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        draft = invoice("x")
        del draft["InvoiceNumber"]
        headers = api_headers(tokens, **{"Idempotency-Key": "c0ffee-1"})
        first = await client.put(f"{API}/Invoices", json={"Invoices": [draft]}, headers=headers)
        second = await client.put(f"{API}/Invoices", json={"Invoices": [draft]}, headers=headers)
        assert first.status_code == second.status_code == 200
        assert first.json() == second.json()
        listed = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert len(listed.json()["Invoices"]) == 1
        # §4.5 [?] reuse with a different body: the sandbox refuses it (configurable)
        other = await client.put(
            f"{API}/Invoices", json={"Invoices": [invoice("INV-9")]}, headers=headers
        )
        assert other.status_code == 400
        assert "Idempotency-Key" in other.json()["Detail"]


async def test_status_rules_delete_only_drafts_void_only_authorised() -> None:
    """§4.3 (issue bullet): only drafts can be deleted, authorised ones voided."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        made = await put_invoices(
            client, tokens, [invoice("INV-1"), invoice("INV-2", Status="DRAFT")]
        )
        authorised, draft = made.json()["Invoices"]

        async def set_status(inv: dict[str, Any], status: str) -> httpx.Response:
            return await client.post(
                f"{API}/Invoices/{inv['InvoiceID']}",
                json={"Status": status},
                headers=api_headers(tokens),
            )

        refused = await set_status(authorised, "DELETED")
        assert refused.status_code == 400
        assert "deletion" in refused.json()["Elements"][0]["ValidationErrors"][0]["Message"]
        assert (await set_status(draft, "VOIDED")).status_code == 400
        voided = await set_status(authorised, "VOIDED")
        assert voided.json()["Invoices"][0]["Status"] == "VOIDED"
        assert voided.json()["Invoices"][0]["AmountDue"] == 0.0
        deleted = await set_status(draft, "DELETED")
        assert deleted.json()["Invoices"][0]["Status"] == "DELETED"
        listed = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert [i["Status"] for i in listed.json()["Invoices"]] == ["VOIDED"]


async def test_post_updates_by_invoice_number() -> None:
    """§4.3: POST /Invoices creates or updates (matched by InvoiceNumber)."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        await put_invoices(client, tokens, [invoice("INV-7", Status="DRAFT")])
        update = {"Invoices": [{"InvoiceNumber": "INV-7", "Reference": "changed"}]}
        answer = await client.post(f"{API}/Invoices", json=update, headers=api_headers(tokens))
        assert answer.json()["Invoices"][0]["Reference"] == "changed"
        by_number = await client.get(f"{API}/Invoices/INV-7", headers=api_headers(tokens))
        assert by_number.json()["Invoices"][0]["Reference"] == "changed"
        validate_httpx_response(ACCOUNTING_SPEC, by_number)


async def test_paging_filters_and_line_items() -> None:
    """§4.3 list: page (100/page, pageSize), where, Statuses, InvoiceNumbers; lines when paged."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        batch = [
            invoice(f"INV-{n:03d}", Status="DRAFT" if n % 2 else "AUTHORISED")
            for n in range(1, 131)
        ]
        assert (await put_invoices(client, tokens, batch)).status_code == 200
        page2 = await client.get(
            f"{API}/Invoices", params={"page": "2"}, headers=api_headers(tokens)
        )
        validate_httpx_response(ACCOUNTING_SPEC, page2)
        body = page2.json()
        assert len(body["Invoices"]) == 30
        assert body["pagination"] == {"page": 2, "pageSize": 100, "pageCount": 2, "itemCount": 130}
        assert "LineItems" in body["Invoices"][0]
        unpaged = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert (
            len(unpaged.json()["Invoices"]) == 130
            and "LineItems" not in unpaged.json()["Invoices"][0]
        )
        drafts = await client.get(
            f"{API}/Invoices",
            params={"Statuses": "DRAFT", "page": "1", "pageSize": "500"},
            headers=api_headers(tokens),
        )
        assert len(drafts.json()["Invoices"]) == 65
        where = await client.get(
            f"{API}/Invoices",
            params={"where": 'Status=="AUTHORISED" AND InvoiceNumber.StartsWith("INV-00")'},
            headers=api_headers(tokens),
        )
        assert len(where.json()["Invoices"]) == 4  # INV-002 … INV-008
        numbers = await client.get(
            f"{API}/Invoices",
            params={"InvoiceNumbers": "INV-001,INV-130"},
            headers=api_headers(tokens),
        )
        assert {i["InvoiceNumber"] for i in numbers.json()["Invoices"]} == {"INV-001", "INV-130"}
        broken = await client.get(
            f"{API}/Invoices", params={"where": "Status=="}, headers=api_headers(tokens)
        )
        assert broken.status_code == 400 and broken.json()["Type"] == "QueryParseException"


async def test_if_modified_since_returns_only_later_changes() -> None:
    """§4.3: If-Modified-Since header for incremental pulls."""
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        await put_invoices(client, tokens, [invoice("INV-1")])
        sandbox.clock.advance(10)
        mark = sandbox.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
        sandbox.clock.advance(10)
        await put_invoices(client, tokens, [invoice("INV-2")])
        since = await client.get(
            f"{API}/Invoices", headers={**api_headers(tokens), "If-Modified-Since": mark}
        )
        assert [i["InvoiceNumber"] for i in since.json()["Invoices"]] == ["INV-2"]


async def test_unknown_invoice_is_plain_text_404() -> None:
    """§4.7: 404 is plain text "The resource you're looking for cannot be found"."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        missing = await client.get(
            f"{API}/Invoices/3f1a2b3c-0000-4000-8000-000000000000", headers=api_headers(tokens)
        )
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/plain")
        assert missing.text == "The resource you're looking for cannot be found"
