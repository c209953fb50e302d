"""The demo without a window: what ``make run`` does on a machine with no display.

Demo shop in a fresh home, the sandbox started in-process on loopback ports, every
integration that can be connected without a browser connected from the sandbox's own
credentials, a sync of whatever has sync jobs, and a full CSV export — each step printed.
Xero and Google need a person to click "Allow" in a browser, so they are named, not faked.
Secrets live in a process-lifetime keyring here: the sandbox's keys are not real, and a
headless demo must not depend on (or write to) the machine's keyring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from .errors import UserError
from .paths import Paths

Say = Callable[[str], None]
Progress = Callable[[str, int, "int | None"], None]


def run(paths: Paths, *, say: Say, progress: Progress | None = None) -> Path:
    from .auth.connect import connect
    from .auth.context import ConnectContext
    from .auth.endpoints import load_endpoints
    from .auth.mailchimp import MailchimpOptions
    from .auth.shopify import ShopifyOptions
    from .auth.twilio import TwilioOptions
    from .auth.woocommerce import WooOptions
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
        ]
        with Ledger(paths.ledger) as ledger:
            ctx = ConnectContext(ledger=ledger, secrets=store, endpoints=endpoints)
            for option in options:
                try:
                    connected = asyncio.run(connect(ctx, option))  # type: ignore[arg-type]
                except UserError as exc:
                    say(f"could not connect: {exc}")
                else:
                    say(connected.summary())
        say("Xero and Google Calendar sign in through a browser: open the window to try them")
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
