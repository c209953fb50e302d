"""``nexpura-desktop mailchimp-settings``: the audience and automatic sync.

The settings dialog of the window reads and writes the same ``connections.config`` keys
through :mod:`.settings`.  Wired by the lead into ``cli.py`` through
:func:`add_cli_commands`.
"""

from __future__ import annotations

import argparse
import asyncio

from ...errors import UserError
from ...ledger import connections
from ...ledger.db import Ledger
from ...paths import resolve
from ..auto_sync import Command, add_cli_options, apply_cli_choice, schedule_text
from .choices import account_audiences
from .settings import (
    AUDIENCE_KEY,
    AUDIENCE_NAME_KEY,
    AUTO_SYNC_MINUTES,
    set_audience,
)


def _audience_name(ledger: Ledger, audience_id: str) -> str:
    """The audience's name, checking the account has it (one request)."""
    audiences = dict(asyncio.run(account_audiences(ledger, None, None)))
    if audience_id not in audiences:
        known = ", ".join(f"{i} ({n})" for i, n in audiences.items()) or "none"
        raise UserError(f"the Mailchimp account has no audience {audience_id}; it has: {known}")
    return audiences[audience_id]


def _cmd_mailchimp_settings(args: argparse.Namespace) -> int:
    paths = resolve(getattr(args, "home", None)).ensure()
    with Ledger(paths.ledger) as ledger:
        if connections.get(ledger.conn, "mailchimp").status == "disconnected":
            raise UserError("Mailchimp is not connected; run `connect mailchimp`")
        name = _audience_name(ledger, args.audience) if args.audience else None
        with ledger.transaction() as conn:
            if args.audience:
                set_audience(conn, args.audience, name)
            apply_cli_choice(conn, "mailchimp", args, AUTO_SYNC_MINUTES)
        config = connections.get(ledger.conn, "mailchimp").config
    audience = str(config.get(AUDIENCE_KEY) or "")
    label = str(config.get(AUDIENCE_NAME_KEY) or audience)
    print(f"audience: {label} ({audience})" if audience else "audience: none chosen")
    print(f"automatic sync: {schedule_text(config)}")
    return 0


def add_cli_commands(command: Command) -> None:
    p = command(
        "mailchimp-settings",
        _cmd_mailchimp_settings,
        "show or change the Mailchimp audience and automatic sync",
    )
    p.add_argument("--audience", metavar="ID", help="send customers to this audience instead")
    add_cli_options(p, "sync on a schedule")
