"""Xero Accounting contract: Contacts, TaxRates, Accounts, Organisation, and demo seeding."""

from __future__ import annotations

import httpx
import pytest

from nexpura_desktop.sandbox import Sandbox
from tests.sandbox.openapi_contract import validate_httpx_response
from tests.sandbox.xero_support import ACCOUNTING_SPEC, API, api_headers, login, xero_client

pytestmark = pytest.mark.anyio


async def test_contacts_unique_name_and_where_on_email() -> None:
    """§4.4: Name unique per organisation; where=EmailAddress==…; GET by ContactNumber."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        ada = {"Name": "Ada Lovelace", "EmailAddress": "ada@example.com", "ContactNumber": "nx-1"}
        made = await client.put(
            f"{API}/Contacts", json={"Contacts": [ada]}, headers=api_headers(tokens)
        )
        assert made.status_code == 200
        validate_httpx_response(ACCOUNTING_SPEC, made)
        dup = await client.put(
            f"{API}/Contacts", json={"Name": "ada lovelace"}, headers=api_headers(tokens)
        )
        assert dup.status_code == 400
        message = dup.json()["Elements"][0]["ValidationErrors"][0]["Message"]
        assert "is already assigned to another contact" in message
        found = await client.get(
            f"{API}/Contacts",
            params={"where": 'EmailAddress=="ADA@example.com"'},
            headers=api_headers(tokens),
        )
        validate_httpx_response(ACCOUNTING_SPEC, found)
        assert [c["ContactNumber"] for c in found.json()["Contacts"]] == ["nx-1"]
        by_number = await client.get(f"{API}/Contacts/nx-1", headers=api_headers(tokens))
        assert by_number.json()["Contacts"][0]["Name"] == "Ada Lovelace"


async def test_tax_rates_accounts_and_organisation_match_the_contract() -> None:
    """§4.3: AU tax types (OUTPUT) come from GET /TaxRates; chart has 200 Sales on OUTPUT."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        for resource in ("TaxRates", "Accounts", "Organisation"):
            answer = await client.get(f"{API}/{resource}", headers=api_headers(tokens))
            assert answer.status_code == 200
            validate_httpx_response(ACCOUNTING_SPEC, answer)
        accounts = (await client.get(f"{API}/Accounts", headers=api_headers(tokens))).json()
        sales = next(a for a in accounts["Accounts"] if a["Code"] == "200")
        assert (sales["Name"], sales["TaxType"]) == ("Sales", "OUTPUT")
        rates = (await client.get(f"{API}/TaxRates", headers=api_headers(tokens))).json()
        output = next(r for r in rates["TaxRates"] if r["TaxType"] == "OUTPUT")
        assert output["EffectiveRate"] == 10.0


async def test_read_only_scope_cannot_write() -> None:
    """§4.1 granular scopes / §4.7: a missing scope is refused with 403."""
    async with xero_client() as (_, client):
        tokens = await login(client, scope="openid offline_access accounting.contacts.read")
        read = await client.get(f"{API}/Contacts", headers=api_headers(tokens))
        assert read.status_code == 200
        write = await client.put(f"{API}/Contacts", json={"Name": "X"}, headers=api_headers(tokens))
        assert write.status_code == 403


async def test_seed_demo_gives_two_orgs_and_a_contact_matching_a_customer() -> None:
    """Brief: seed_demo gives two organisations and a contact matching a customer."""
    tables = {
        "tenants": [{"id": "t1", "business_name": "Marlowe Fine Jewellery"}],
        "customers": [
            {
                "id": "c1",
                "full_name": "Grace Hopper",
                "first_name": "Grace",
                "last_name": "Hopper",
                "email": "grace@example.com",
                "mobile": "+61400000001",
                "tags": [],
            },
            {"id": "c2", "first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"},
            {"id": "c3"},
        ],
    }
    sandbox = Sandbox(services=["xero"])
    emu = sandbox["xero"]
    with emu.lock:
        counts = emu.seed_demo(tables)
    assert counts == {"organisations": 2, "contacts": 4, "invoices": 2}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url="http://xero.sandbox.test"
    ) as client:
        tokens = await login(client)
        org = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert org.json()["Organisations"][0]["Name"] == "Marlowe Fine Jewellery"
        match = await client.get(
            f"{API}/Contacts",
            params={"where": 'EmailAddress=="grace@example.com"'},
            headers=api_headers(tokens),
        )
        assert [c["Name"] for c in match.json()["Contacts"]] == ["Grace Hopper"]
        invoices = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        validate_httpx_response(ACCOUNTING_SPEC, invoices)
        assert len(invoices.json()["Invoices"]) == 2
