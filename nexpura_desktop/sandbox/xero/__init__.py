"""Xero emulator: OAuth 2 identity (PKCE, rotating refresh tokens), connections and the
Accounting API subset Nexpura syncs (Invoices, Contacts, TaxRates, Accounts, Organisation)."""

from .emulator import XeroEmulator

__all__ = ["XeroEmulator"]
