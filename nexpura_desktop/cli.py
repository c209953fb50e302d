"""Headless commands: the same engine as the window, without Qt.

Exit status: 0 on success, 1 with a one-line error on stderr, 2 for usage errors.
Expected failures are :class:`UserError` and never show a traceback; anything else is a
bug, logged with its traceback to the log file and reported in one line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import UsageError, UserError
from .paths import Paths, resolve

if TYPE_CHECKING:
    from .auth.connect import Options

Handler = Callable[[argparse.Namespace], int]
log = logging.getLogger(__name__)

# Modules that add their own commands through ``add_cli_commands(command)``.
CLI_EXTENSIONS = (
    "nexpura_desktop.connectors.google_calendar.commands",
    "nexpura_desktop.connectors.xero.commands",
    "nexpura_desktop.connectors.mailchimp.commands",
    "nexpura_desktop.connectors.woocommerce.commands",
    "nexpura_desktop.messaging.commands",
    "nexpura_desktop.api.commands",
    "nexpura_desktop.selftest_commands",
)
SANDBOX_ENV = "NEXPURA_DESKTOP_SANDBOX"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see --help)")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every command accepts, before or after the command name."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=default,
        help="keep all data in DIR (also NEXPURA_DESKTOP_HOME)",
    )
    parser.add_argument(
        "--sandbox",
        metavar="URL",
        default=default,
        help=f"use the sandbox whose directory is at URL (also {SANDBOX_ENV})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nexpura-desktop",
        description="Nexpura Desktop: the shop's Nexpura data, synced and exported from this PC.",
    )
    parser.add_argument("--version", action="version", version=f"nexpura-desktop {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo shop in a fresh home (with no command)"
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p, top=False)
        p.set_defaults(handler=handler)
        return p

    p = command("tables", _cmd_tables, "list the tables in the ledger with their row counts")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("demo", _cmd_demo, "load the demo shop into this home's ledger")
    p.add_argument("--size", choices=["small", "medium", "large"], default="small")
    p.add_argument("--seed", type=int, default=1)

    p = command("import", _cmd_import, "import a Nexpura data export (.json)")
    p.add_argument("file", type=Path)

    p = command("export", _cmd_export, "save CSV files of the ledger's tables")
    p.add_argument("--out", type=Path, help="folder to write into (default: the exports folder)")
    p.add_argument("--tables", help="comma-separated table names (default: all)")
    p.add_argument("--zip", action="store_true", help="write one .zip instead of a folder")
    p.add_argument("--excel", action="store_true", help="add a BOM so Excel reads UTF-8")
    p.add_argument(
        "--raw", action="store_true", help="do not neutralise spreadsheet formulas (machines)"
    )
    p.add_argument("--customer", metavar="ID", help="export every row about one customer")

    p = command("sandbox", _cmd_sandbox, "serve the local emulators of every service")
    p.add_argument("--port-base", type=int, default=8700)
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("--seed-demo", nargs="?", const="small", default=None, metavar="SIZE")

    p = command("sync", _cmd_sync, "sync one service (or all connected ones) now")
    p.add_argument("service", help="shopify, woocommerce, mailchimp, xero, google, twilio or all")
    p.add_argument("--entity", help="only this entity (products, customers, orders, …)")
    p.add_argument("--direction", choices=["import", "export", "both"])
    p.add_argument("--full", action="store_true", help="ignore watermarks and sync everything")
    p.add_argument("--json", action="store_true", help="print one JSON summary per service")

    command("run-due", _cmd_run_due, "run whatever scheduled jobs are due, once, and exit")

    p = command("quickstart", _cmd_quickstart, "demo shop in a fresh home, then a full export")

    import importlib

    for module_name in CLI_EXTENSIONS:
        importlib.import_module(module_name).add_cli_commands(command)

    p = command("gui", _cmd_gui, "open the Nexpura Desktop window (the default)")
    p.add_argument(
        "--demo", action="store_true", help="go straight to the demo shop in a fresh home"
    )
    _connect_commands(command)
    return parser


CLI_SERVICES = ("shopify", "woocommerce", "mailchimp", "xero", "google", "twilio")


def _connect_commands(command: Callable[[str, Handler, str], argparse.ArgumentParser]) -> None:
    """``connect <service> [options]``, ``disconnect <service>``, ``status [--json]``."""
    p = command("connect", _cmd_connect, "connect a service (the browser opens where needed)")
    services = p.add_subparsers(
        dest="service", parser_class=_Parser, metavar="SERVICE", required=True
    )

    def service(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = services.add_parser(name, help=help_text, description=help_text)
        _common(sp, top=False)
        sp.add_argument(
            "--no-browser",
            action="store_true",
            help="print the sign-in address on stdout instead of opening the browser",
        )
        return sp

    sp = service("shopify", "Shopify: an Admin API token, or an app's client id and secret")
    sp.add_argument("--shop", metavar="NAME", help="the shop (NAME.myshopify.com)")
    sp.add_argument("--token", metavar="T", help="Admin API access token of a custom app")
    sp.add_argument("--client-id", metavar="ID")
    sp.add_argument("--client-secret", metavar="S")
    sp.add_argument(
        "--client-credentials",
        action="store_true",
        help="no browser: the app belongs to the shop's own organisation",
    )
    sp = service("woocommerce", "WooCommerce: the shop's address and a REST API key")
    sp.add_argument("--url", metavar="URL")
    sp.add_argument("--key", metavar="CK", help="consumer key (ck_...)")
    sp.add_argument("--secret", metavar="CS", help="consumer secret (cs_...)")
    sp = service("mailchimp", "Mailchimp: an API key and the audience")
    sp.add_argument("--api-key", metavar="KEY")
    sp.add_argument("--audience", metavar="ID")
    sp = service("xero", "Xero: sign in with the browser, then pick the organisation")
    sp.add_argument("--client-id", metavar="ID")
    sp.add_argument(
        "--port",
        metavar="P",
        type=int,
        nargs="+",
        action="extend",
        help="registered redirect port(s) to try in order (http://localhost:P/callback)",
    )
    sp.add_argument("--organisation", metavar="ID")
    sp = service("google", "Google Calendar: sign in with the browser, then pick the calendar")
    sp.add_argument("--client-id", metavar="ID")
    sp.add_argument("--client-secret", metavar="S")
    sp.add_argument("--calendar", metavar="ID", help="calendar id (default: your primary one)")
    sp = service("twilio", "Twilio: Account SID with the Auth Token or an API key")
    sp.add_argument("--account-sid", metavar="SID")
    sp.add_argument("--auth-token", metavar="T")
    sp.add_argument("--api-key", metavar="SK")
    sp.add_argument("--api-secret", metavar="S")
    sp.add_argument("--whatsapp-from", metavar="N", help="WhatsApp sender (+61...) or MG... SID")
    sp.add_argument("--sms-from", metavar="N", help="SMS number (+61...) or MG... SID")

    p = command("disconnect", _cmd_disconnect, "disconnect a service and forget its secrets")
    p.add_argument("service", choices=CLI_SERVICES, metavar="SERVICE")
    p = command("status", _cmd_status, "show each service's connection status")
    p.add_argument("--json", action="store_true", help="print JSON")


# -- helpers ---------------------------------------------------------------------------------
def _paths(args: argparse.Namespace) -> Paths:
    paths = resolve(getattr(args, "home", None)).ensure()
    from .logs import setup_logging

    setup_logging(paths.logs)
    return paths


def _progress() -> Callable[[str, int, int | None], None]:
    from .progress import TerminalProgress

    return TerminalProgress(sys.stderr)


# -- commands ---------------------------------------------------------------------------------
def _cmd_tables(args: argparse.Namespace) -> int:
    from .ledger.db import Ledger

    paths = _paths(args)
    with Ledger(paths.ledger) as ledger:
        tables: list[dict[str, str | int]] = [
            {"name": t.name, "kind": t.kind, "rows": ledger.row_count(t.name)}
            for t in ledger.tenant_tables()
        ]
    if args.json:
        print(json.dumps({"ledger": str(paths.ledger), "tables": tables}, indent=2))
    else:
        width = max((len(str(t["name"])) for t in tables), default=10)
        for t in tables:
            print(f"{t['name']!s:<{width}}  {t['rows']:>10,}  {t['kind']}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .ledger import demo
    from .ledger.db import Ledger

    paths = _paths(args)
    with Ledger(paths.ledger) as ledger:
        counts = demo.load_demo(ledger, args.size, args.seed, progress=_progress())
    total = sum(counts.values())
    print(f"loaded the {args.size} demo shop ({total:,} rows) into {paths.ledger}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .ledger.db import Ledger
    from .ledger.importer import import_export

    paths = _paths(args)
    with Ledger(paths.ledger) as ledger:
        result = import_export(ledger, args.file, progress=_progress())
    for warning in result.warnings:
        print(f"note: {warning}", file=sys.stderr)
    print(
        f"imported {args.file.name}: {result.total('inserted'):,} new, "
        f"{result.total('updated'):,} updated, {result.total('unchanged'):,} unchanged, "
        f"{result.total('deleted'):,} removed rows in {len(result.tables)} tables"
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .exports import customer_export, table_export

    paths = _paths(args)
    if not paths.ledger.exists():
        raise UserError(
            f"there is no ledger in {paths.data}; load the demo shop or import an export first"
        )
    out = args.out if args.out is not None else paths.exports
    progress = _progress()
    if args.customer:
        if args.tables:
            raise UsageError("--customer and --tables cannot be combined")
        result = customer_export.export_customer(
            paths.ledger, args.customer, out, as_zip=args.zip, excel=args.excel, raw=args.raw,
            progress=progress,
        )  # fmt: skip
    else:
        tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
        result = table_export.export_ledger(
            paths.ledger, out, tables=tables, as_zip=args.zip, excel=args.excel, raw=args.raw,
            progress=progress,
        )  # fmt: skip
    print(result.path)
    return 0


def _service_name(name: str) -> str:
    return "google_calendar" if name == "google" else name


def _configure_secrets(args: argparse.Namespace, paths: Paths) -> None:
    """Give background jobs this home's keyring (when one is usable; jobs say if not)."""
    from .auth.commands import keyring_home
    from .auth.keyring_choice import secret_store
    from .ledger import connections
    from .ledger.db import Ledger
    from .secrets import set_default_store

    with Ledger(paths.ledger) as ledger:
        sandboxed = any("sandbox" in c.config for c in connections.all_connections(ledger.conn))
    try:
        store = secret_store(
            keyring_home(getattr(args, "home", None)),
            paths.data,
            sandbox=sandboxed or bool(getattr(args, "sandbox", None)),
        )
    except UserError as exc:
        log.warning("no keyring for background jobs: %s", exc)
        return
    set_default_store(store)


def _cmd_sync(args: argparse.Namespace) -> int:
    from .connectors.registry import build_registry
    from .engine.run_due import run_sync
    from .engine.summary import sync_summary_json

    paths = _paths(args)
    _configure_secrets(args, paths)
    results = run_sync(
        paths.ledger,
        build_registry(),
        _service_name(args.service),
        entity=args.entity,
        direction=args.direction,
        full=args.full,
        progress=None if args.json else _progress(),
    )
    failed = False
    for result in results:
        summary = sync_summary_json(result)
        failed = failed or summary["outcome"] == "failed"
        if args.json:
            print(json.dumps(summary))
        else:
            counts = summary["counts"]
            print(
                f"{summary['service']}: {summary['outcome']} — {counts['created']} created, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
                f"{counts['skipped']} skipped, {counts['failed']} failed "
                f"({summary['requests']} requests, {summary['duration_s']} s)"
            )
    return 1 if failed else 0


def _cmd_run_due(args: argparse.Namespace) -> int:
    from .connectors.registry import build_registry
    from .engine.run_due import run_due

    paths = _paths(args)
    _configure_secrets(args, paths)
    runs = run_due(paths.ledger, build_registry(), progress=_progress())
    if not runs:
        print("nothing is due")
    for run in runs:
        print(f"{run.job}: {run.outcome}" + (f" — {run.message}" if run.message else ""))
    return 1 if any(r.outcome == "failed" for r in runs) else 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.runner import SandboxServer

    try:
        server = SandboxServer(
            port_base=args.port_base, time_scale=args.time_scale, seed_demo=args.seed_demo
        )
    except OSError as exc:
        raise UserError(str(exc)) from exc

    def ready() -> None:
        for line in server.lines():
            print(line, flush=True)
        print("sandbox running; press Ctrl-C to stop", file=sys.stderr, flush=True)

    server.serve_forever(on_ready=ready)
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    """The window; on a machine with no display, say so and run the demo headless."""
    import tempfile

    from .app import has_display

    demo = bool(getattr(args, "demo", False))
    if not has_display():
        print(
            "nexpura-desktop: no display here, so the window cannot open; "
            "running the demo headless instead",
            file=sys.stderr,
        )
        return _cmd_quickstart(args)
    from .app import run_gui

    home = getattr(args, "home", None)
    if demo and home is None:
        home = tempfile.mkdtemp(prefix="nexpura-demo-")
    paths = resolve(home).ensure()
    from .logs import setup_logging

    setup_logging(paths.logs)
    return run_gui(paths, demo=demo, sandbox_url=getattr(args, "sandbox", None))


def _cmd_quickstart(args: argparse.Namespace) -> int:
    """The demo without a window: demo shop, sandbox, connect, sync, export."""
    import tempfile

    from . import headless_demo

    home = getattr(args, "home", None) or tempfile.mkdtemp(prefix="nexpura-demo-")
    paths = resolve(home).ensure()
    from .logs import setup_logging

    setup_logging(paths.logs)
    print(f"demo home: {home}", flush=True)
    headless_demo.run(paths, say=lambda line: print(line, flush=True), progress=_progress())
    return 0


# -- connections ------------------------------------------------------------------------------
_REQUIRED = {
    "woocommerce": ("url", "key", "secret"),
    "mailchimp": ("api_key",),
    "xero": ("client_id",),
    "google": ("client_id", "client_secret"),
    "twilio": ("account_sid",),
}


def _connect_options(args: argparse.Namespace) -> Options:
    """The service's options; without a sandbox the issue's required options must be given."""
    from .auth import google, mailchimp, shopify, twilio, woocommerce, xero

    name = args.service
    if not getattr(args, "sandbox", None):
        missing = [o for o in _REQUIRED.get(name, ()) if not getattr(args, o)]
        if name == "shopify":
            missing += [] if args.shop else ["shop"]
            if not args.token and not (args.client_id and args.client_secret):
                missing.append("token (or client-id and client-secret)")
        if name == "twilio" and not args.auth_token and not (args.api_key and args.api_secret):
            missing.append("auth-token (or api-key and api-secret)")
        if missing:
            flags = ", ".join("--" + m.replace("_", "-") for m in missing)
            raise UsageError(f"connect {name} needs {flags}")
    if name == "shopify":
        if args.token and (args.client_id or args.client_secret or args.client_credentials):
            raise UsageError("give --token or --client-id/--client-secret, not both")
        return shopify.ShopifyOptions(
            shop=args.shop, token=args.token, client_id=args.client_id,
            client_secret=args.client_secret, client_credentials=args.client_credentials,
        )  # fmt: skip
    if name == "woocommerce":
        return woocommerce.WooOptions(url=args.url, key=args.key, secret=args.secret)
    if name == "mailchimp":
        return mailchimp.MailchimpOptions(api_key=args.api_key, audience=args.audience)
    if name == "xero":
        return xero.XeroOptions(
            client_id=args.client_id, ports=tuple(args.port or ()), organisation=args.organisation
        )
    if name == "google":
        return google.GoogleOptions(
            client_id=args.client_id, client_secret=args.client_secret, calendar=args.calendar
        )
    if args.auth_token and (args.api_key or args.api_secret):
        raise UsageError("give --auth-token or --api-key/--api-secret, not both")
    return twilio.TwilioOptions(
        account_sid=args.account_sid, auth_token=args.auth_token, api_key=args.api_key,
        api_secret=args.api_secret, whatsapp_from=args.whatsapp_from, sms_from=args.sms_from,
    )  # fmt: skip


def _cmd_connect(args: argparse.Namespace) -> int:
    from .auth.commands import run_connect

    options = _connect_options(args)
    paths = _paths(args)
    result = run_connect(
        paths, options, home_arg=getattr(args, "home", None),
        sandbox_url=getattr(args, "sandbox", None), no_browser=args.no_browser,
    )  # fmt: skip
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(result.summary())
    return 0


def _cmd_disconnect(args: argparse.Namespace) -> int:
    from .auth.commands import run_disconnect
    from .auth.connect import service_name

    paths = _paths(args)
    result = run_disconnect(
        paths, service_name(args.service), home_arg=getattr(args, "home", None),
        sandbox_url=getattr(args, "sandbox", None),
    )  # fmt: skip
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(result.summary())
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from .auth.commands import run_status
    from .auth.connect import status_lines

    paths = _paths(args)
    entries = run_status(paths)
    if args.json:
        print(json.dumps({"integrations": entries}, indent=2))
    else:
        for line in status_lines(entries):
            print(line)
    return 0


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
        if getattr(args, "sandbox", None) is None and os.environ.get(SANDBOX_ENV):
            args.sandbox = os.environ[SANDBOX_ENV]
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            handler = _cmd_gui
        return handler(args)
    except UsageError as exc:
        print(f"nexpura-desktop: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"nexpura-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nexpura-desktop: interrupted; nothing was left half-done", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        log.exception("unexpected error")
        print(
            f"nexpura-desktop: unexpected error ({type(exc).__name__}); details are in the log",
            file=sys.stderr,
        )
        return 1
