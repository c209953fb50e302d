"""Shared pieces of the Xero invoice-push tests: a signed-in sandbox, a ledger, runs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from nexpura_desktop.connectors.xero.mapping import AccountMapping
from nexpura_desktop.connectors.xero.push import export_invoices
from nexpura_desktop.connectors.xero.settings import XeroSettings
from nexpura_desktop.connectors.xero.streams import EXPORT_JOB
from nexpura_desktop.engine import runs
from nexpura_desktop.engine.job import JobContext, JobName
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.xero import XeroEmulator
from nexpura_desktop.sandbox.xero.books import wire
from nexpura_desktop.sandbox.xero.invoices import render_invoice
from nexpura_desktop.sync import issues
from tests.sandbox.xero_support import ORIGIN, login

API = "/api.xro/2.0"


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


class Crash(Exception):
    """The app dies after Xero applied a request and before the ledger stored its answer."""


class CrashingTransport(httpx.AsyncBaseTransport):
    """Forwards to the sandbox; the ``crash_at``-th write's answer is lost in a crash."""

    def __init__(self, inner: httpx.AsyncBaseTransport, crash_at: int | None) -> None:
        self.inner, self.crash_at, self.writes = inner, crash_at, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method in ("PUT", "POST"):
            self.writes += 1
            if self.writes == self.crash_at:
                await response.aread()
                raise Crash(f"crash after write {self.writes}")
        return response


@dataclass
class World:
    path: Path
    sandbox: Sandbox = field(default_factory=lambda: Sandbox(services=["xero"]))
    mapping: AccountMapping | None = None
    tokens: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        async def sign_in() -> dict[str, Any]:
            async with httpx.AsyncClient(
                transport=self.sandbox.transport(), base_url=ORIGIN
            ) as client:
                return await login(client)

        self.tokens = asyncio.run(sign_in())
        with Ledger(self.path) as ledger:
            connections.save_connected(
                ledger.conn,
                "xero",
                account="Nexpura Demo Jewellers",
                config={"tenant_id": self.tenant},
                secrets=[],
            )
            with ledger.transaction() as conn:
                conn.execute(
                    "INSERT INTO tenants(id, name, tax_inclusive, tax_rate, currency) "
                    "VALUES ('t1', 'Larkspur Jewellers', 1, 0.1, 'AUD')"
                )

    @property
    def emu(self) -> XeroEmulator:
        emu = self.sandbox["xero"]
        assert isinstance(emu, XeroEmulator)
        return emu

    @property
    def tenant(self) -> str:
        return str(self.tokens["tenants"][0])

    def settings(
        self, transport: httpx.AsyncBaseTransport | None = None, **extra: Any
    ) -> XeroSettings:
        token = str(self.tokens["access_token"])

        async def provide(*, force_refresh: bool = False) -> str:
            return token

        return XeroSettings(
            api_base=ORIGIN + API,
            tenant_id=self.tenant,
            tokens=provide,
            mapping=self.mapping,
            transport=transport or self.sandbox.transport(),
            sleep=no_sleep,
            **extra,
        )

    async def provider(self, _ledger: Ledger) -> XeroSettings:
        return self.settings()

    # -- the ledger ------------------------------------------------------------------------
    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with Ledger(self.path) as ledger:
            return [tuple(r) for r in ledger.conn.execute(statement, params)]

    def customer(self, cid: str, name: str, email: str | None = None) -> None:
        self.sql("INSERT INTO customers(id, full_name, email) VALUES (?, ?, ?)", cid, name, email)

    def invoice(
        self,
        iid: str,
        number: str,
        customer: str | None,
        lines: list[tuple[str, float, float, float]] | None = None,
        *,
        status: str = "sent",
        **extra: Any,
    ) -> None:
        row = {
            "id": iid,
            "invoice_number": number,
            "customer_id": customer,
            "invoice_date": "2026-03-02",
            "due_date": "2026-03-16",
            "status": status,
            "currency": "AUD",
            "tax_inclusive": 1,
            **extra,
        }
        cols = ", ".join(f'"{c}"' for c in row)
        self.sql(
            f"INSERT INTO invoices ({cols}) VALUES ({', '.join('?' * len(row))})",
            *row.values(),
        )
        for k, (text, qty, unit, pct) in enumerate(lines or [("Silver ring", 1, 120.0, 0)]):
            self.sql(
                "INSERT INTO invoice_line_items(id, invoice_id, description, quantity, "
                "unit_price, discount_pct, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)",
                f"{iid}-{k}", iid, text, qty, unit, pct, k,
            )  # fmt: skip

    def set_lines(self, iid: str, lines: list[tuple[str, float, float, float]]) -> None:
        self.sql("DELETE FROM invoice_line_items WHERE invoice_id = ?", iid)
        for k, (text, qty, unit, pct) in enumerate(lines):
            self.sql(
                "INSERT INTO invoice_line_items(id, invoice_id, description, quantity, "
                "unit_price, discount_pct, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)",
                f"{iid}-e{k}", iid, text, qty, unit, pct, k,
            )  # fmt: skip

    def open_issues(self) -> list[issues.Issue]:
        with Ledger(self.path) as ledger:
            return issues.list_open(ledger.conn, "xero")

    # -- the organisation --------------------------------------------------------------------
    def books(self) -> dict[str, Any]:
        org: dict[str, Any] = self.emu.state()["organisations"][self.tenant]
        return org

    def xero_invoices(self) -> dict[str, dict[str, Any]]:
        """The organisation's invoices by number, as the API shows them (with contact)."""
        with self.emu.lock:
            books = self.emu.organisations[self.tenant]
            shown = [
                wire(render_invoice(books, r, with_lines=True)) for r in books.invoices.values()
            ]
        return {i["InvoiceNumber"]: i for i in shown}

    def xero_contacts(self) -> list[dict[str, Any]]:
        contacts: list[dict[str, Any]] = self.books()["contacts"]
        return contacts

    def approve(self, number: str) -> None:
        with self.emu.lock:
            books = self.emu.organisations[self.tenant]
            found = books.invoice_by_number(number)
            assert found is not None
            found["Status"] = "AUTHORISED"

    def writes(self, since: int = 0) -> list[dict[str, Any]]:
        return [
            e
            for e in self.emu.log.entries(since)
            if e["method"] in ("PUT", "POST") and e["path"].startswith(API)
        ]

    def log_seq(self) -> int:
        entries = self.emu.log.entries()
        return int(entries[-1]["seq"]) if entries else 0

    @staticmethod
    def body(entry: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(entry["body"])
        return data

    # -- running -----------------------------------------------------------------------------
    def run(
        self, transport: httpx.AsyncBaseTransport | None = None, *, full: bool = False
    ) -> JobContext:
        """The export without the engine's threads (fast); ``full`` as ``sync --full``."""
        with Ledger(self.path) as ledger:
            run_id = runs.start_run(
                ledger.conn, "xero", EXPORT_JOB, "manual", now=datetime.now(UTC)
            )
            ctx = JobContext(ledger, JobName.parse(EXPORT_JOB), run_id, "manual", full=full)
            asyncio.run(export_invoices(ctx, self.settings(transport)))
            return ctx
