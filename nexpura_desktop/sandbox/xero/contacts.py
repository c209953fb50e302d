"""Contact rules: unique names among active contacts, archiving, create-or-update matching.

Facts followed (reference/service-apis.md §4.4): ``Name`` is required and unique per
organisation ("The contact name X is already assigned to another contact…");
``ContactNumber`` is the caller's external id and can address a contact; ``IsCustomer`` /
``IsSupplier`` are read-only (set by Xero from approved invoices/bills).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .books import Books, new_id

STATUSES = frozenset({"ACTIVE", "ARCHIVED", "GDPRREQUEST"})
PHONE_TYPES = frozenset({"DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"})
ADDRESS_TYPES = frozenset({"POBOX", "STREET"})
WRITABLE = (
    "ContactNumber",
    "AccountNumber",
    "FirstName",
    "LastName",
    "EmailAddress",
    "CompanyNumber",
    "TaxNumber",
    "BankAccountDetails",
    "DefaultCurrency",
    "ContactPersons",
)


class ContactRefused(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def new_contact_record(
    books: Books, payload: dict[str, Any], now: datetime, *, store: bool = True
) -> dict[str, Any]:
    """A new contact without checks (stored unless ``store`` is false): what Xero creates
    when an invoice names a contact it does not know."""
    record: dict[str, Any] = {
        "ContactID": new_id(),
        "ContactStatus": "ACTIVE",
        "Name": str(payload.get("Name", "")).strip(),
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "HasAttachments": False,
        "HasValidationErrors": False,
        "UpdatedDateUTC": now,
        "_seq": books.next_seq(),
    }
    for key in WRITABLE:
        if payload.get(key) not in (None, ""):
            record[key] = payload[key]
    if store:
        books.put_contact(record)
    return record


def find_existing(books: Books, payload: dict[str, Any]) -> dict[str, Any] | None:
    if payload.get("ContactID"):
        found = books.contacts.get(str(payload["ContactID"]).lower())
        if found is None:
            raise ContactRefused([f"Contact with ID {payload['ContactID']} could not be found"])
        return found
    if payload.get("ContactNumber"):
        return books.contact_by_number(str(payload["ContactNumber"]))
    return None


def save_contact(
    books: Books, payload: dict[str, Any], *, now: datetime, create_only: bool
) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ContactRefused(["A contact must be a JSON object"])
    existing = None if create_only else find_existing(books, payload)
    errors: list[str] = []
    name = str(payload.get("Name", existing["Name"] if existing else "")).strip()
    if not name:
        errors.append("The contact name must be specified")
    elif len(name) > 255:
        errors.append("The contact name must not be longer than 255 characters")
    status = str(payload.get("ContactStatus", existing["ContactStatus"] if existing else "ACTIVE"))
    if status not in STATUSES:
        errors.append(f"ContactStatus '{status}' is not valid")
    clash = books.contact_by_name(name) if name else None
    other = clash is not None and (existing is None or clash["ContactID"] != existing["ContactID"])
    if other and status == "ACTIVE":
        errors.append(
            f"The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        )
    for phone in payload.get("Phones") or []:
        if not isinstance(phone, dict) or phone.get("PhoneType") not in PHONE_TYPES:
            errors.append("PhoneType must be one of DEFAULT, DDI, MOBILE, FAX, OFFICE")
            break
    for address in payload.get("Addresses") or []:
        if not isinstance(address, dict) or address.get("AddressType") not in ADDRESS_TYPES:
            errors.append("AddressType must be POBOX or STREET")
            break
    email = payload.get("EmailAddress")
    if email not in (None, "") and ("@" not in str(email) or " " in str(email).strip()):
        errors.append("Email address must be valid.")
    if errors:
        raise ContactRefused(errors)
    record = (
        dict(existing)
        if existing is not None
        else new_contact_record(books, {"Name": name}, now, store=False)
    )  # stored whole at the end: records are never edited in place
    record["Name"] = name
    record["ContactStatus"] = status
    for key in WRITABLE:
        if key in payload:
            record[key] = payload[key]
    if "Phones" in payload:
        record["Phones"] = list(payload["Phones"] or [])
    if "Addresses" in payload:
        record["Addresses"] = list(payload["Addresses"] or [])
    record["UpdatedDateUTC"] = now
    books.put_contact(record)
    return record
