"""What the owner can choose for the invoice push, read from the organisation itself.

The settings dialog offers the organisation's active revenue accounts and the tax rates
usable on sales (``GET /Accounts``, ``GET /TaxRates``), and shows which pair the push
would take by default — the same rules :func:`.mapping.default_mapping` applies at each
run, so nothing is hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ...engine.errors import ConfigurationError
from ...ledger.db import Ledger
from ...secrets import SecretStore
from .client import XeroClient
from .mapping import (
    AccountMapping,
    MappingError,
    default_mapping,
    revenue_tax_types,
    sales_accounts,
)
from .settings import load_settings
from .state import shop_tax


@dataclass(frozen=True)
class OrganisationChoices:
    accounts: list[tuple[str, str]]  # (code, "200 · Sales")
    tax_types: list[tuple[str, str]]  # (type, "GST on Income (10%)")
    default: AccountMapping | None  # what a run uses when the owner chose nothing
    chosen: AccountMapping | None  # the stored choice (None: the defaults)


def _rate(row: dict[str, object]) -> str:
    rate = row.get("EffectiveRate", row.get("DisplayTaxRate"))
    try:
        return f"{float(str(rate)):g}%"
    except (TypeError, ValueError):
        return ""


async def organisation_choices(
    ledger: Ledger, store: SecretStore | None, transport: httpx.AsyncBaseTransport | None
) -> OrganisationChoices:
    """Read the organisation's accounts and tax rates (two requests)."""
    settings = await load_settings(ledger, store=store, transport=transport)
    async with XeroClient(
        settings.api_base, settings.tenant_id, settings.tokens, transport=settings.transport
    ) as xc:
        accounts = await xc.accounts()
        tax_rates = await xc.tax_rates()
    usable = sales_accounts(accounts)
    taxes = revenue_tax_types(tax_rates)
    if not usable or not taxes:
        raise ConfigurationError(
            "the Xero organisation has no active revenue account or sales tax rate"
        )
    _inclusive, rate = shop_tax(ledger.conn)
    try:
        default: AccountMapping | None = default_mapping(accounts, tax_rates, rate)
    except MappingError:
        default = None
    return OrganisationChoices(
        accounts=[(code, f"{code} · {row.get('Name') or code}") for code, row in usable.items()],
        tax_types=[
            (kind, f"{row.get('Name') or kind} ({_rate(dict(row))})".replace(" ()", ""))
            for kind, row in taxes.items()
        ],
        default=default,
        chosen=settings.mapping,
    )
