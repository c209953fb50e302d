"""The Xero emulator's books: all-or-nothing batches without copying the whole file.

A refused ``summarizeErrors=true`` batch must leave the organisation exactly as it was —
contacts an invoice created by name, auto-assigned numbers, renamed contacts and the
look-ups by number/name included — and a refused item of a ``summarizeErrors=false``
batch must undo only itself.  A file with many invoices must not be read or copied for
each write (the per-request cost stays flat).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from nexpura_desktop.sandbox.xero.books import Books
from nexpura_desktop.sandbox.xero.contacts import save_contact
from nexpura_desktop.sandbox.xero.invoices import save_invoice
from tests.sandbox.xero_support import API, api_headers, login, xero_client

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def invoice(contact: str, number: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": contact},
        "Date": "2026-03-01",
        "LineItems": [{"Description": "Ring", "Quantity": 1, "UnitAmount": 50}],
    }
    if number is not None:
        body["InvoiceNumber"] = number
    body.update(extra)
    return body


async def put(
    client: httpx.AsyncClient, tokens: dict[str, Any], path: str, body: Any, **params: str
) -> httpx.Response:
    return await client.put(f"{API}/{path}", json=body, params=params, headers=api_headers(tokens))


async def test_refused_batch_leaves_everything_as_it_was() -> None:
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        books = sandbox["xero"].organisations[tokens["tenants"][0]]  # type: ignore[attr-defined]
        before = (copy.deepcopy(books.contacts), copy.deepcopy(books.invoices))
        answer = await put(
            client,
            tokens,
            "Invoices",
            {"Invoices": [invoice("New Person"), invoice("Other", CurrencyCode="USD")]},
        )
        assert answer.status_code == 400
        assert (books.contacts, books.invoices) == before
        assert books.contact_by_name("New Person") is None
        assert books.invoice_by_number("INV-0001") is None
        # the number the refused batch took is free again
        again = await put(client, tokens, "Invoices", {"Invoices": [invoice("New Person")]})
        assert again.status_code == 200
        assert again.json()["Invoices"][0]["InvoiceNumber"] == "INV-0001"
        assert books.contact_by_name("new person") is not None


async def test_refused_item_undoes_only_itself() -> None:
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        books = sandbox["xero"].organisations[tokens["tenants"][0]]  # type: ignore[attr-defined]
        answer = await put(
            client,
            tokens,
            "Invoices",
            {
                "Invoices": [
                    invoice("Kept Person", "A-1"),
                    invoice("Lost Person", "A-2", LineAmountTypes="Bogus"),
                    invoice("Kept Too", "A-3"),
                ]
            },
            summarizeErrors="false",
        )
        assert answer.status_code == 200
        shown = [i["StatusAttributeString"] for i in answer.json()["Invoices"]]
        assert shown == ["OK", "ERROR", "OK"]
        assert books.invoice_by_number("A-1") is not None
        assert books.invoice_by_number("A-2") is None
        assert books.invoice_by_number("A-3") is not None
        assert books.contact_by_name("Lost Person") is None
        assert books.contact_by_name("Kept Too") is not None


async def test_refused_contact_rename_restores_lookups() -> None:
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        books = sandbox["xero"].organisations[tokens["tenants"][0]]  # type: ignore[attr-defined]
        made = await put(
            client,
            tokens,
            "Contacts",
            {"Contacts": [{"Name": "Ada", "ContactNumber": "C-1"}, {"Name": "Bea"}]},
        )
        ada = made.json()["Contacts"][0]["ContactID"]
        refused = await client.post(
            f"{API}/Contacts",
            json={
                "Contacts": [
                    {"ContactID": ada, "Name": "Ada Renamed", "ContactNumber": "C-9"},
                    {"Name": "Bea"},  # clashes with the existing Bea: the batch is refused
                ]
            },
            headers=api_headers(tokens),
        )
        assert refused.status_code == 400
        assert books.contact_by_name("Ada Renamed") is None
        assert books.contact_by_number("C-9") is None
        found = books.contact_by_number("C-1")
        assert found is not None and found["Name"] == "Ada"
        assert books.contact_by_name("ada") == found


def test_writes_never_copy_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch write on a big file touches only its own records (no deep copy, no scan)."""
    books = Books.new_au("2f3c4b5a-6d7e-4f80-9a1b-2c3d4e5f6a70", "Shop", "!S", NOW)
    contact = save_contact(books, {"Name": "Ada"}, now=NOW, create_only=True)
    for n in range(300):
        body = invoice("Ada", f"OLD-{n}", Contact={"ContactID": contact["ContactID"]})
        save_invoice(books, body, now=NOW, unitdp=2, create_only=True)

    def no_copy(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the books were deep-copied")

    monkeypatch.setattr(copy, "deepcopy", no_copy)
    scanned: list[int] = []

    class Watched(dict[str, dict[str, Any]]):
        def values(self) -> Any:
            scanned.append(len(self))
            return super().values()

    books.invoices = Watched(books.invoices)
    books.contacts = Watched(books.contacts)
    with books.tracking():
        point = books.savepoint()
        save_invoice(books, invoice("Bea", "NEW-1"), now=NOW, unitdp=2, create_only=True)
        save_invoice(books, invoice("Ada"), now=NOW, unitdp=2, create_only=True)
        assert books.invoice_by_number("OLD-7") is not None
        books.rollback(point)
    assert scanned == []
    assert len(books.invoices) == 300
    assert books.invoice_by_number("NEW-1") is None
    assert books.contact_by_name("Bea") is None
    assert books.next_invoice_number == 1


def test_savepoints_need_tracking() -> None:
    books = Books.new_au("2f3c4b5a-6d7e-4f80-9a1b-2c3d4e5f6a70", "Shop", "!S", NOW)
    with pytest.raises(RuntimeError):
        books.savepoint()


def test_lookups_follow_the_chart_and_ids_are_random_v4_uuids() -> None:
    import uuid

    from nexpura_desktop.sandbox.xero.books import new_id

    books = Books.new_au("2f3c4b5a-6d7e-4f80-9a1b-2c3d4e5f6a70", "Shop", "!S", NOW)
    sales = books.account("200")
    assert sales is not None and sales["Code"] == "200" and books.account("999") is None
    books.accounts.append({**sales, "Code": "999", "Name": "Added later"})
    added = books.account("999")
    assert added is not None and added["Name"] == "Added later"
    sales["Code"] = "201"  # renumbered in place
    assert books.account("200") is None and books.account("201") is sales
    assert books.tax_rate("OUTPUT") is not None and books.tax_rate("NOPE") is None
    ids = {new_id() for _ in range(500)}
    assert len(ids) == 500
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
