"""The demo without a window: what ``make run`` does on a machine with no display.

Demo shop in a fresh home, the sandbox started in-process on loopback ports, every
integration connected from the sandbox's own credentials, a sync of whatever has sync
jobs, and a full CSV export — each step printed.  Xero and Google sign in through a
browser: here the demo itself plays the person on the *sandbox's* consent page (it
clicks its Allow button, which redirects to the flow's loopback listener), so the real
browser flow runs end to end; a real service's page is never touched this way.
Secrets live in a process-lifetime keyring here: the sandbox's keys are not real, and a
headless demo must not depend on (or write to) the machine's keyring.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from .errors import UserError
from .paths import Paths

log = logging.getLogger(__name__)
Say = Callable[[str], None]
Progress = Callable[[str, int, "int | None"], None]


APPROVE = ("allow", "approve")


class _ConsentForm(HTMLParser):
    """The first form of a consent page: its action, hidden/checked fields, Allow button."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.allow: tuple[str, str] | None = None
        self._inside = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done:
            self._inside, self.action = True, a.get("action", "")
        elif self._inside and tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif self._inside and tag == "button" and a.get("value") in APPROVE:
            self.allow = (a.get("name", "action"), a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._inside:
            self._inside, self._done = False, True


def approve_on_sandbox(url: str) -> None:
    """Open a sandbox consent page and click Allow (on a thread: the flow's loopback
    listener answers the redirect on the flow's own loop)."""

    def click() -> None:
        import httpx

        try:
            with httpx.Client(timeout=20, follow_redirects=True) as client:
                page = client.get(url)
                form = _ConsentForm()
                form.feed(page.text)
                if form.action is None or form.allow is None:
                    log.warning("no Allow button on %s", page.url)
                    return  # the flow times out and says so
                body: dict[str, list[str]] = {}
                for name, value in [*form.fields, form.allow]:
                    body.setdefault(name, []).append(value)
                client.post(urljoin(str(page.url), form.action), data=body)
        except httpx.HTTPError as exc:
            log.warning("the sandbox consent page failed: %s", exc)

    threading.Thread(target=click, name="demo-consent", daemon=True).start()


def _first_choice(_question: str, options: Sequence[tuple[str, str]], default: str | None) -> str:
    return default if default is not None else options[0][0]


def run(paths: Paths, *, say: Say, progress: Progress | None = None) -> Path:
    from .auth.connect import connect
    from .auth.context import ConnectContext
    from .auth.endpoints import load_endpoints
    from .auth.google import GoogleOptions
    from .auth.mailchimp import MailchimpOptions
    from .auth.shopify import ShopifyOptions
    from .auth.twilio import TwilioOptions
    from .auth.woocommerce import WooOptions
    from .auth.xero import XeroOptions
    from .connectors.registry import build_registry
    from .engine.run_due import run_sync
    from .engine.summary import sync_summary_json
    from .exports import export_ledger
    from .ledger import demo
    from .ledger.db import Ledger
    from .sandbox.runner import SandboxServer
    from .secrets import MemoryKeyring, SecretStore, keyring_service, set_default_store

    with Ledger(paths.ledger) as ledger:
        if ledger.row_count("tenants") == 0:
            counts = demo.load_demo(ledger, "small", 1, progress=progress)
            say(f"loaded the demo shop: {sum(counts.values()):,} rows in {len(counts)} tables")
    store = SecretStore(service=keyring_service(paths.data), backend=MemoryKeyring())
    set_default_store(store)
    with SandboxServer(port_base=0) as server:
        server.sandbox.seed_demo("small")
        directory = f"{server.hub_url}/_sandbox/services"
        say(f"sandbox running: {directory}")
        endpoints = asyncio.run(load_endpoints(directory))
        options = [
            ShopifyOptions(),
            WooOptions(),
            MailchimpOptions(
                audience=str(endpoints.sandbox_credentials("mailchimp").get("audience_id") or "")
                or None
            ),
            TwilioOptions(),
            XeroOptions(),
            GoogleOptions(),
        ]
        with Ledger(paths.ledger) as ledger:
            ctx = ConnectContext(
                ledger=ledger,
                secrets=store,
                endpoints=endpoints,
                open_url=approve_on_sandbox,
                choose=_first_choice,
            )
            for option in options:
                try:
                    connected = asyncio.run(connect(ctx, option))  # type: ignore[arg-type]
                except UserError as exc:
                    say(f"could not connect: {exc}")
                else:
                    say(connected.summary())
        try:
            summaries = run_sync(paths.ledger, build_registry(), "all", progress=progress)
        except UserError as exc:
            say(f"nothing synced: {exc}")
            summaries = []
        for summary in summaries:
            data = sync_summary_json(summary)
            counts = data["counts"]
            say(
                f"synced {data['service']}: {data['outcome']} ({counts['created']} created, "
                f"{counts['updated']} updated, {counts['failed']} failed, "
                f"{data['requests']} requests)"
            )
    set_default_store(None)
    result = export_ledger(paths.ledger, paths.exports, progress=progress)
    say(f"full CSV export ({result.total_rows:,} rows) written to: {result.path}")
    return result.path
