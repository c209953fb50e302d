"""Accounting API routes under ``/api.xro/2.0/``: Invoices, Contacts, TaxRates, Accounts,
Organisation (reference/service-apis.md §4.3, §4.4).

Lists page with ``page`` (100 per page, ``pageSize`` up to 1000, a ``pagination`` block);
without ``page`` Invoices come back without their line items, as Xero does.  Writes take a
single object or a ``{"Invoices": […]}`` batch; ``summarizeErrors=true`` (default) is
all-or-nothing with a 400 ValidationException, ``false`` saves the good items and flags
the bad ones with ``StatusAttributeString: ERROR``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .books import Books, now_utc, wire
from .contacts import ContactRefused, save_contact
from .dates import ms_date, parse_date, parse_timestamp
from .guard import Call, guarded
from .invoices import InvoiceRefused, render_invoice, save_invoice
from .render import envelope, not_found, query_exception, respond, validation_exception
from .where import QueryError, compile_where

if TYPE_CHECKING:
    from .emulator import XeroEmulator

BASE = "/api.xro/2.0"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
Saver = Callable[[Books, dict[str, Any], datetime, bool], dict[str, Any]]


class BadQuery(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _csv(request: Request, name: str) -> list[str]:
    raw = request.query_params.get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def _flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    return default if raw is None else raw.strip().lower() == "true"


def _modified_since(request: Request) -> float | None:
    raw = request.headers.get("if-modified-since")
    if not raw:
        return None
    try:
        return parse_timestamp(raw)
    except (ValueError, TypeError):
        return None


def _filter(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    where = request.query_params.get("where")
    if where:
        try:
            predicate = compile_where(where)
        except QueryError as exc:
            raise BadQuery(respond(request, query_exception(str(exc)), 400)) from exc
        rows = [r for r in rows if predicate(r)]
    since = _modified_since(request)
    if since is not None:
        rows = [r for r in rows if r["UpdatedDateUTC"].timestamp() > since]
    order = request.query_params.get("order")
    rows.sort(key=lambda r: (r["UpdatedDateUTC"], r.get("_seq", 0)))
    if order:
        for clause in reversed([c.strip() for c in order.split(",") if c.strip()]):
            field, _, direction = clause.partition(" ")
            rows.sort(
                key=lambda r, f=field: (
                    r.get(f) is None,
                    str(r.get(f)) if not isinstance(r.get(f), int | float | datetime) else r.get(f),
                ),  # type: ignore[misc]
                reverse=direction.strip().upper() == "DESC",
            )
    return rows


def _page(
    request: Request, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int] | None]:
    raw = request.query_params.get("page")
    if raw is None:
        return rows, None
    try:
        page = max(1, int(raw))
        size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("pageSize", PAGE_SIZE))))
    except ValueError:
        return rows, None
    count = len(rows)
    info = {"page": page, "pageSize": size, "pageCount": -(-count // size), "itemCount": count}
    return rows[(page - 1) * size : page * size], info


def _body_items(call: Call, key: str) -> list[Any]:
    try:
        data = json.loads(call.body or b"null")
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return list(data[key])
    if isinstance(data, dict) and key not in data:
        return [data]
    message = f'JSON for {key[:-1]} only supports {{"{key}": [...]}} or a single object'
    body = {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}
    raise BadQuery(respond(call.request, body, 400))


def _echo(item: Any) -> dict[str, Any]:
    """A refused item as Xero echoes it: what was sent, with dates in Xero's form."""
    echo = dict(item) if isinstance(item, dict) else {}
    for key in ("Date", "DueDate"):
        try:
            echo[key] = ms_date(parse_date(echo[key]))
        except (KeyError, ValueError):
            echo.pop(key, None)
    return echo


def _invoice_candidates(books: Books, ids: set[str], numbers: set[str]) -> Iterable[dict[str, Any]]:
    """The stored invoices a listing can match: only the named ones when ``IDs`` or
    ``InvoiceNumbers`` narrow it (an indexed look-up, whatever the size of the file)."""
    if not ids and not numbers:
        return list(books.invoices.values())
    found: dict[str, dict[str, Any]] = {}
    for ident in ids:
        record = books.invoices.get(ident)
        if record is not None:
            found[record["InvoiceID"]] = record
    if not ids:
        for number in numbers:
            for record in books.invoices_numbered(number):
                found[record["InvoiceID"]] = record
    return sorted(found.values(), key=lambda r: r.get("_seq", 0))


def accounting_routes(emu: XeroEmulator) -> list[BaseRoute]:
    def ok(
        call: Call, key: str, items: list[Any], pagination: dict[str, int] | None = None
    ) -> Response:
        payload = envelope(emu.provider_name(call.grant.client_id), emu.clock.time(), key, items)
        if pagination is not None:
            payload["pagination"] = pagination
        return respond(call.request, payload)

    def write(
        call: Call,
        key: str,
        saver: Saver,
        render: Callable[[Books, dict[str, Any]], dict[str, Any]],
        refused: type[Exception],
    ) -> Response:
        items = _body_items(call, key)
        summarize = _flag(call.request, "summarizeErrors", True)
        create_only = call.request.method == "PUT"
        now = now_utc(emu.clock.time())
        books = call.books
        results: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        with emu.lock, books.tracking():
            batch_snap = books.savepoint()
            for item in items:
                snap = books.savepoint()
                try:
                    record = saver(books, item, now, create_only)
                except refused as exc:
                    books.rollback(snap)
                    messages = list(getattr(exc, "messages", [str(exc)]))
                    echo = _echo(item)
                    echo.update(
                        HasErrors=True,
                        StatusAttributeString="ERROR",
                        ValidationErrors=[{"Message": m} for m in messages],
                    )
                    if key == "Contacts":
                        echo["HasValidationErrors"] = True
                        echo.pop("HasErrors")
                    failures.append(echo)
                    results.append(echo)
                    continue
                shown = wire(render(books, record))
                shown["StatusAttributeString"] = "OK"
                results.append(shown)
            if failures and summarize:
                books.rollback(batch_snap)
                return respond(call.request, validation_exception(failures), 400)
        return ok(call, key, results)

    # -- invoices ---------------------------------------------------------------------------
    def inv_saver(request: Request) -> Saver:
        unitdp = 4 if request.query_params.get("unitdp") == "4" else 2

        def save(
            books: Books, item: dict[str, Any], now: datetime, create_only: bool
        ) -> dict[str, Any]:
            return save_invoice(books, item, now=now, unitdp=unitdp, create_only=create_only)

        return save

    def show_inv(books: Books, record: dict[str, Any]) -> dict[str, Any]:
        return render_invoice(books, record, with_lines=True)

    async def invoices(call: Call) -> Response:
        request, books = call.request, call.books
        try:
            if request.method in ("PUT", "POST"):
                return write(call, "Invoices", inv_saver(request), show_inv, InvoiceRefused)
            with emu.lock:
                paged = "page" in request.query_params
                statuses = {s.upper() for s in _csv(request, "Statuses")}
                ids = {i.lower() for i in _csv(request, "IDs")}
                numbers = set(_csv(request, "InvoiceNumbers"))
                rows = [
                    render_invoice(books, r, with_lines=True)
                    for r in _invoice_candidates(books, ids, numbers)
                ]
                contacts = {c.lower() for c in _csv(request, "ContactIDs")}
                show_deleted = (
                    "DELETED" in statuses
                    or bool(ids)
                    or bool(numbers)
                    or _modified_since(request) is not None
                )
                rows = [
                    r
                    for r in rows
                    if (show_deleted or r["Status"] != "DELETED")
                    and (not statuses or r["Status"] in statuses)
                    and (not ids or r["InvoiceID"] in ids)
                    and (not numbers or r["InvoiceNumber"] in numbers)
                    and (not contacts or r.get("Contact", {}).get("ContactID") in contacts)
                ]
                rows = _filter(request, rows)
                rows, info = _page(request, rows)
                summary = _flag(request, "summaryOnly", False)
                shown = []
                for r in rows:
                    item = wire(r)
                    if not paged or summary:
                        item.pop("LineItems", None)
                    shown.append(item)
            return ok(call, "Invoices", shown, info)
        except BadQuery as exc:
            return exc.response

    async def invoice(call: Call) -> Response:
        request, books = call.request, call.books
        ident = request.path_params["ident"]
        with emu.lock:
            record = (
                books.invoices.get(ident.lower())
                if _is_guid(ident)
                else books.invoice_by_number(ident)
            )
        if request.method == "POST":
            try:
                items = _body_items(call, "Invoices")
            except BadQuery as exc:
                return exc.response
            target = {"InvoiceID": ident} if _is_guid(ident) else {"InvoiceNumber": ident}
            if record is None and not _is_guid(ident):
                return not_found()
            first = dict(items[0]) if items and isinstance(items[0], dict) else {}
            first.update(target)
            call.body = json.dumps({"Invoices": [first]}).encode()
            try:
                return write(call, "Invoices", inv_saver(request), show_inv, InvoiceRefused)
            except BadQuery as exc:
                return exc.response
        if record is None:
            return not_found()
        return ok(call, "Invoices", [wire(render_invoice(books, record, with_lines=True))])

    # -- contacts ---------------------------------------------------------------------------
    def save_con(
        books: Books, item: dict[str, Any], now: datetime, create_only: bool
    ) -> dict[str, Any]:
        return save_contact(books, item, now=now, create_only=create_only)

    def show_con(books: Books, record: dict[str, Any]) -> dict[str, Any]:
        return dict(record)

    async def contacts(call: Call) -> Response:
        request, books = call.request, call.books
        try:
            if request.method in ("PUT", "POST"):
                return write(call, "Contacts", save_con, show_con, ContactRefused)
            with emu.lock:
                rows = [dict(c) for c in books.contacts.values()]
                ids = {i.lower() for i in _csv(request, "IDs")}
                archived = _flag(request, "includeArchived", False)
                term = request.query_params.get("searchTerm", "").casefold()
                fields = (
                    "Name",
                    "FirstName",
                    "LastName",
                    "ContactNumber",
                    "EmailAddress",
                    "CompanyNumber",
                )
                rows = [
                    r
                    for r in rows
                    if (archived or ids or r["ContactStatus"] != "ARCHIVED")
                    and (not ids or r["ContactID"] in ids)
                    and (not term or any(term in str(r.get(f, "")).casefold() for f in fields))
                ]
                rows = _filter(request, rows)
                rows, info = _page(request, rows)
                shown = [wire(r) for r in rows]
            return ok(call, "Contacts", shown, info)
        except BadQuery as exc:
            return exc.response

    async def contact(call: Call) -> Response:
        request, books = call.request, call.books
        ident = request.path_params["ident"]
        with emu.lock:
            record = (
                books.contacts.get(ident.lower())
                if _is_guid(ident)
                else books.contact_by_number(ident)
            )
        if request.method == "POST":
            if record is None:
                return not_found()
            try:
                items = _body_items(call, "Contacts")
            except BadQuery as exc:
                return exc.response
            first = dict(items[0]) if items and isinstance(items[0], dict) else {}
            first["ContactID"] = record["ContactID"]
            call.body = json.dumps({"Contacts": [first]}).encode()
            try:
                return write(call, "Contacts", save_con, show_con, ContactRefused)
            except BadQuery as exc:
                return exc.response
        if record is None:
            return not_found()
        return ok(call, "Contacts", [wire(record)])

    # -- settings ---------------------------------------------------------------------------
    def listing(
        key: str, source: Callable[[Books], Iterable[dict[str, Any]]]
    ) -> Callable[[Call], Any]:
        async def handler(call: Call) -> Response:
            request = call.request
            with emu.lock:
                rows = [dict(r) for r in source(call.books)]
            tax_type = request.query_params.get("TaxType")
            if tax_type:
                rows = [r for r in rows if r.get("TaxType") == tax_type]
            where = request.query_params.get("where")
            if where:
                try:
                    predicate = compile_where(where)
                except QueryError as exc:
                    return respond(request, query_exception(str(exc)), 400)
                rows = [r for r in rows if predicate(r)]
            return ok(call, key, [wire(r) for r in rows])

        return handler

    def g(family: str, handler: Callable[[Call], Any]) -> Callable[[Request], Any]:
        return guarded(emu, family, handler)

    return [
        Route(f"{BASE}/Invoices", g("invoices", invoices), methods=["GET", "PUT", "POST"]),
        Route(f"{BASE}/Invoices/{{ident}}", g("invoices", invoice), methods=["GET", "POST"]),
        Route(f"{BASE}/Contacts", g("contacts", contacts), methods=["GET", "PUT", "POST"]),
        Route(f"{BASE}/Contacts/{{ident}}", g("contacts", contact), methods=["GET", "POST"]),
        Route(
            f"{BASE}/TaxRates",
            g("settings", listing("TaxRates", lambda b: b.tax_rates)),
            methods=["GET"],
        ),
        Route(
            f"{BASE}/Accounts",
            g("settings", listing("Accounts", lambda b: b.accounts)),
            methods=["GET"],
        ),
        Route(
            f"{BASE}/Organisation",
            g("settings", listing("Organisations", lambda b: [b.organisation()])),
            methods=["GET"],
        ),
    ]
