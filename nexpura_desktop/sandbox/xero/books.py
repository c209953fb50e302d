"""One Xero organisation's books: settings, accounts, tax rates, contacts and invoices.

Records are stored as Xero-shaped dicts (PascalCase) with native values — ``Date`` a
:class:`datetime.date`, ``UpdatedDateUTC`` a :class:`datetime.datetime` — and turned into
the wire form (``/Date(…)/`` strings) by :func:`wire`.  Keys starting with ``_`` are
internal (creation order) and never leave the emulator.

A request must cost the same in a file of ten invoices or ten thousand, so stored records
are replaced whole through :meth:`Books.put_contact` / :meth:`Books.put_invoice` (never
edited in place), which keep the look-up indexes current and, inside
:meth:`Books.tracking`, journal the record they replace: a savepoint is a journal length
and rolling back undoes only what the request itself changed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .chart import AU_ACCOUNTS, AU_TAX_RATES, tax_rate_row
from .dates import date_string, ms_date, ms_datetime

_ABSENT: Any = object()  # journal marker: the key did not exist before


def new_id() -> str:
    """A random (version 4) UUID as Xero prints it; a third of ``str(uuid.uuid4())``'s
    cost, which adds up at four ids per invoice."""
    h = os.urandom(16).hex()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


@dataclass(frozen=True)
class Savepoint:
    """Where a rollback returns to: the journal's length and the counters then."""

    journal_length: int
    next_invoice_number: int
    sequence: int


def _fold(name: str) -> str:
    return name.strip().casefold()


def _add(index: dict[str, set[str]], key: Any, record_id: str) -> None:
    if key not in (None, ""):
        index.setdefault(str(key), set()).add(record_id)


def _drop(index: dict[str, set[str]], key: Any, record_id: str) -> None:
    if key in (None, ""):
        return
    ids = index.get(str(key))
    if ids is not None:
        ids.discard(record_id)
        if not ids:
            del index[str(key)]


def _first_by(
    rows: list[dict[str, Any]], key: str, value: str, index: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """The first row whose ``key`` is ``value``, through ``index`` (rebuilt when the list
    grew or a row's key changed): every invoice line looks up its account and tax rate."""
    found = index.get(value)
    if found is None or found[key] != value or len(index) != len(rows):
        index.clear()
        for row in reversed(rows):
            index[row[key]] = row
        found = index.get(value)
    return found


@dataclass
class Books:
    tenant_id: str
    name: str
    short_code: str
    created: datetime
    base_currency: str = "AUD"
    country_code: str = "AU"
    accounts: list[dict[str, Any]] = field(default_factory=list)
    tax_rates: list[dict[str, Any]] = field(default_factory=list)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_invoice_number: int = 1
    sequence: int = 0
    # indexes (key → record ids) kept by put_*; the journal is active inside tracking()
    _invoices_by_number: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _contacts_by_number: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _contacts_by_name: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _journal: list[tuple[str, str, Any]] | None = field(default=None, repr=False)
    _accounts_by_code: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _tax_rates_by_type: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def new_au(cls, tenant_id: str, name: str, short_code: str, created: datetime) -> Books:
        books = cls(tenant_id=tenant_id, name=name, short_code=short_code, created=created)
        books.tax_rates = [tax_rate_row(entry) for entry in AU_TAX_RATES]
        for code, acc_name, acc_type, tax, klass, system, reporting in AU_ACCOUNTS:
            account: dict[str, Any] = {
                "AccountID": str(uuid.uuid5(uuid.UUID(tenant_id), f"account:{code}")),
                "Code": code,
                "Name": acc_name,
                "Type": acc_type,
                "TaxType": tax,
                "Status": "ACTIVE",
                "Class": klass,
                "EnablePaymentsToAccount": False,
                "ShowInExpenseClaims": klass == "EXPENSE",
                "ReportingCode": reporting,
                "ReportingCodeName": acc_name,
                "HasAttachments": False,
                "AddToWatchlist": False,
                "UpdatedDateUTC": created,
            }
            if system:
                account["SystemAccount"] = system
            if acc_type == "BANK":
                account.update(
                    BankAccountNumber="062000123456789",
                    BankAccountType="BANK",
                    CurrencyCode="AUD",
                )
            books.accounts.append(account)
        return books

    # -- look-ups ---------------------------------------------------------------------------
    def next_seq(self) -> int:
        self.sequence += 1
        return self.sequence

    def account(self, code: str) -> dict[str, Any] | None:
        return _first_by(self.accounts, "Code", code, self._accounts_by_code)

    def tax_rate(self, tax_type: str) -> dict[str, Any] | None:
        return _first_by(self.tax_rates, "TaxType", tax_type, self._tax_rates_by_type)

    def _first(self, ids: set[str] | None, table: dict[str, dict[str, Any]]) -> Any:
        """The earliest-stored record among ``ids`` (Xero answers with the oldest match)."""
        rows = [table[i] for i in ids or () if i in table]
        return min(rows, key=lambda r: r.get("_seq", 0)) if rows else None

    def contact_by_name(self, name: str) -> dict[str, Any] | None:
        ids = {
            i
            for i in self._contacts_by_name.get(_fold(name), ())
            if self.contacts[i]["ContactStatus"] == "ACTIVE"
        }
        found: dict[str, Any] | None = self._first(ids, self.contacts)
        return found

    def contact_by_number(self, number: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._first(
            self._contacts_by_number.get(number), self.contacts
        )
        return found

    def invoice_by_number(self, number: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._first(
            self._invoices_by_number.get(number), self.invoices
        )
        return found

    def invoices_numbered(self, number: str) -> list[dict[str, Any]]:
        """Every invoice carrying ``number`` (bills may share one)."""
        return [self.invoices[i] for i in self._invoices_by_number.get(number, ())]

    # -- writes -----------------------------------------------------------------------------
    def put_contact(self, record: dict[str, Any]) -> None:
        """Store ``record`` in place of the contact with its ``ContactID``."""
        self._put("contacts", str(record["ContactID"]), record)

    def put_invoice(self, record: dict[str, Any]) -> None:
        """Store ``record`` in place of the invoice with its ``InvoiceID``."""
        self._put("invoices", str(record["InvoiceID"]), record)

    def _put(self, table: str, record_id: str, record: Any) -> None:
        rows: dict[str, dict[str, Any]] = getattr(self, table)
        old = rows.get(record_id, _ABSENT)
        if self._journal is not None:
            self._journal.append((table, record_id, old))
        if old is not _ABSENT:
            self._unindex(table, record_id, old)
        if record is _ABSENT:
            del rows[record_id]
        else:
            rows[record_id] = record
            self._index(table, record_id, record)

    def _index(self, table: str, record_id: str, record: dict[str, Any]) -> None:
        if table == "invoices":
            _add(self._invoices_by_number, record.get("InvoiceNumber"), record_id)
        else:
            _add(self._contacts_by_number, record.get("ContactNumber"), record_id)
            _add(self._contacts_by_name, _fold(str(record.get("Name") or "")), record_id)

    def _unindex(self, table: str, record_id: str, record: dict[str, Any]) -> None:
        if table == "invoices":
            _drop(self._invoices_by_number, record.get("InvoiceNumber"), record_id)
        else:
            _drop(self._contacts_by_number, record.get("ContactNumber"), record_id)
            _drop(self._contacts_by_name, _fold(str(record.get("Name") or "")), record_id)

    # -- all-or-nothing -----------------------------------------------------------------------
    @contextmanager
    def tracking(self) -> Iterator[None]:
        """Journal every write inside the block so :meth:`rollback` can undo it."""
        if self._journal is not None:
            yield  # nested: the outer block owns the journal
            return
        self._journal = []
        try:
            yield
        finally:
            self._journal = None

    def savepoint(self) -> Savepoint:
        if self._journal is None:
            raise RuntimeError("savepoints exist only inside Books.tracking()")
        return Savepoint(len(self._journal), self.next_invoice_number, self.sequence)

    def rollback(self, point: Savepoint) -> None:
        """Undo every write since ``point`` (newest first), counters included."""
        journal = self._journal
        if journal is None:
            raise RuntimeError("rollback needs Books.tracking()")
        while len(journal) > point.journal_length:
            table, record_id, old = journal.pop()
            self._journal = None  # the undo itself is not journalled
            try:
                self._put(table, record_id, old)
            finally:
                self._journal = journal
        self.next_invoice_number, self.sequence = point.next_invoice_number, point.sequence

    def organisation(self) -> dict[str, Any]:
        return {
            "OrganisationID": self.tenant_id,
            "APIKey": self.short_code.strip("!").upper() + "SANDBOX",
            "Name": self.name,
            "LegalName": f"{self.name} Pty Ltd",
            "PaysTax": True,
            "Version": "AU",
            "OrganisationType": "COMPANY",
            "OrganisationEntityType": "COMPANY",
            "BaseCurrency": self.base_currency,
            "CountryCode": self.country_code,
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "TaxNumber": "12345678901",
            "FinancialYearEndDay": 30,
            "FinancialYearEndMonth": 6,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "QUARTERLY1",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Inclusive",
            "CreatedDateUTC": self.created,
            "Timezone": "AUSEASTERNSTANDARDTIME",
            "ShortCode": self.short_code,
            "Class": "STANDARD",
            "Edition": "BUSINESS",
            "LineOfBusiness": "Jewellery retail",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {"Sales": {"Day": 14, "Type": "DAYSAFTERBILLDATE"}},
        }


def now_utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def wire(value: Any) -> Any:
    """The JSON Xero sends for a stored record (dates as ``/Date(…)/``, no internals)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key[:1] == "_":
                continue
            item_kind = type(item)
            if item_kind in _PLAIN:
                out[key] = item
            elif item_kind is list and not item:
                out[key] = []
            elif item_kind is date:
                out[key] = ms_date(item)
                out[f"{key}String"] = date_string(item)
            else:
                out[key] = wire(item)
        return out
    if kind is list:
        return [wire(v) for v in value]
    if isinstance(value, datetime):
        return ms_datetime(value.timestamp())
    if isinstance(value, date):
        return ms_date(value)
    if isinstance(value, dict):
        return wire(dict(value))
    return value
