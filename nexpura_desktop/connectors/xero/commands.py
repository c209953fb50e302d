"""``nexpura-desktop xero-settings``: the invoice push's account mapping and schedule.

Wired by the lead into ``cli.py`` through :func:`add_cli_commands`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ...errors import UserError
from ...ledger import connections
from ...ledger.db import Ledger
from ...paths import resolve
from .mapping import AccountMapping
from .settings import SERVICE, chosen_mapping, schedule_minutes, set_mapping, set_schedule

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def _cmd_xero_settings(args: argparse.Namespace) -> int:
    paths = resolve(getattr(args, "home", None)).ensure()
    if (args.account is None) != (args.tax_type is None):
        raise UserError("give --account and --tax-type together (or --defaults)")
    with Ledger(paths.ledger) as ledger:
        if connections.get(ledger.conn, SERVICE).status == "disconnected":
            raise UserError("Xero is not connected; run `connect xero`")
        with ledger.transaction() as conn:
            if args.defaults:
                set_mapping(conn, None)
            elif args.account is not None:
                set_mapping(conn, AccountMapping(args.account.strip(), args.tax_type.strip()))
            if args.schedule is not None:
                set_schedule(conn, None if args.schedule == "off" else int(args.schedule))
        config = connections.get(ledger.conn, SERVICE).config
    mapping = chosen_mapping(config)
    if mapping is None:
        print("sales account and tax type: the organisation's defaults (read at each sync)")
    else:
        print(f"sales account: {mapping.account_code}; tax type: {mapping.tax_type}")
    minutes = schedule_minutes(config)
    print(f"schedule: every {minutes} minutes" if minutes else "schedule: manual only")
    return 0


def _schedule(text: str) -> str:
    if text == "off" or (text.isdigit() and int(text) >= 1):
        return text
    raise argparse.ArgumentTypeError("give a number of minutes, or off")


def add_cli_commands(command: Command) -> None:
    p = command(
        "xero-settings",
        _cmd_xero_settings,
        "show or change how invoices go to Xero (sales account, tax type, schedule)",
    )
    p.add_argument("--account", help="Xero account code every invoice line is posted to")
    p.add_argument("--tax-type", help="Xero tax type every line carries (e.g. OUTPUT)")
    p.add_argument("--defaults", action="store_true", help="use the organisation's defaults again")
    p.add_argument(
        "--schedule", type=_schedule, help="sync every N minutes, or off (manual only, default)"
    )
