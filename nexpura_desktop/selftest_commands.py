"""``selftest [--window] [--json]``: the checks of :mod:`nexpura_desktop.selftest` as a command.

The lead wires :func:`add_cli_commands` into ``cli.CLI_EXTENSIONS``.  Support can ask a
shop to run it and read back a handful of lines; CI runs it inside the built bundle.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from . import selftest

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def _cmd_selftest(args: argparse.Namespace) -> int:
    from . import __version__, cli
    from .auth.commands import keyring_home

    paths = cli._paths(args)
    ctx = selftest.Context(
        paths=paths,
        keyring_home=keyring_home(getattr(args, "home", None)),
        sandbox=bool(getattr(args, "sandbox", None)),
    )
    checks = list(selftest.CHECKS) + ([selftest.check_window] if args.window else [])
    results = selftest.run_checks(ctx, checks)
    if args.json:
        frozen = bool(getattr(sys, "frozen", False))
        print(
            json.dumps(
                {
                    "version": __version__,
                    "frozen": frozen,
                    "ok": all(r.ok for r in results),
                    "checks": [{"name": r.name, "ok": r.ok, "detail": r.detail} for r in results],
                }
            )
        )
        return 0 if all(r.ok for r in results) else 1
    return selftest.report(results, print)


def add_cli_commands(command: Command) -> None:
    p = command(
        "selftest",
        _cmd_selftest,
        "check the keyring, Qt plugins, TLS roots, data folders and SQLite on this PC",
    )
    p.add_argument(
        "--window", action="store_true", help="also open the main window (offscreen if headless)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
