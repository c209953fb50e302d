"""One Xero organisation's books: settings, accounts, tax rates, contacts and invoices.

Records are stored as Xero-shaped dicts (PascalCase) with native values — ``Date`` a
:class:`datetime.date`, ``UpdatedDateUTC`` a :class:`datetime.datetime` — and turned into
the wire form (``/Date(…)/`` strings) by :func:`wire`.  Keys starting with ``_`` are
internal (creation order) and never leave the emulator.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .chart import AU_ACCOUNTS, AU_TAX_RATES, tax_rate_row
from .dates import date_string, ms_date, ms_datetime


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
        return next((a for a in self.accounts if a["Code"] == code), None)

    def tax_rate(self, tax_type: str) -> dict[str, Any] | None:
        return next((t for t in self.tax_rates if t["TaxType"] == tax_type), None)

    def contact_by_name(self, name: str) -> dict[str, Any] | None:
        folded = name.strip().casefold()
        return next(
            (
                c
                for c in self.contacts.values()
                if c["Name"].strip().casefold() == folded and c["ContactStatus"] == "ACTIVE"
            ),
            None,
        )

    def contact_by_number(self, number: str) -> dict[str, Any] | None:
        return next((c for c in self.contacts.values() if c.get("ContactNumber") == number), None)

    def invoice_by_number(self, number: str) -> dict[str, Any] | None:
        return next((i for i in self.invoices.values() if i.get("InvoiceNumber") == number), None)

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

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a request may change, for all-or-nothing batches."""
        return (
            copy.deepcopy(self.contacts),
            copy.deepcopy(self.invoices),
            self.next_invoice_number,
            self.sequence,
        )

    def restore(self, snap: tuple[Any, ...]) -> None:
        self.contacts, self.invoices, self.next_invoice_number, self.sequence = snap


def now_utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def wire(value: Any) -> Any:
    """The JSON Xero sends for a stored record (dates as ``/Date(…)/``, no internals)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.startswith("_"):
                continue
            out[key] = wire(item)
            if isinstance(item, date) and not isinstance(item, datetime):
                out[f"{key}String"] = date_string(item)
        return out
    if isinstance(value, list):
        return [wire(v) for v in value]
    if isinstance(value, datetime):
        return ms_datetime(value.timestamp())
    if isinstance(value, date):
        return ms_date(value)
    return value
