"""Glue between the command line and :mod:`.connect`: terminal browser, prompts, asyncio.

``connect`` opens the system browser (or, with ``--no-browser``, prints the authorize URL
alone on stdout so a script or a support person can use it) and waits for the redirect.
Questions with several answers are asked on a terminal; without one they become an error
that lists the choices and the option to pass.
"""

from __future__ import annotations

import asyncio
import os
import sys
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..ledger import connections
from ..ledger.db import Ledger
from ..paths import HOME_ENV, Paths
from .connect import DisconnectResult, Options, connect, disconnect, status_entries
from .context import Chooser, ConnectContext, ConnectResult, Progress
from .endpoints import SandboxUnreachable, load_endpoints
from .keyring_choice import secret_store


def keyring_home(home_arg: str | None) -> Path | None:
    """The home that names the keyring entries (None: the shop's default entries)."""
    chosen = home_arg or os.environ.get(HOME_ENV)
    return Path(chosen).expanduser().resolve() if chosen else None


def terminal_opener(*, no_browser: bool, out: TextIO, err: TextIO) -> Callable[[str], None]:
    def open_url(url: str) -> None:
        if no_browser:
            print(url, file=out, flush=True)
            print("waiting for the sign-in at that address (Ctrl-C cancels)", file=err, flush=True)
            return
        opened = False
        try:
            opened = webbrowser.open(url, new=1)
        except webbrowser.Error:
            opened = False
        if not opened:
            print(url, file=out, flush=True)
        print(
            "finish signing in in your browser (Ctrl-C cancels); if it did not open, visit:\n"
            f"  {url}",
            file=err,
            flush=True,
        )

    return open_url


def terminal_chooser(stdin: TextIO, err: TextIO) -> Chooser | None:
    """Numbered choices on a terminal; None when nobody can answer (scripts, pipes)."""
    if not stdin.isatty():
        return None

    def choose(question: str, options: Sequence[tuple[str, str]], default: str | None) -> str:
        if default is not None:
            return default  # the command line has an option for anything else
        print(question, file=err)
        for number, (value, label) in enumerate(options, start=1):
            print(f"  {number}. {label} ({value})", file=err)
        while True:
            print("number: ", end="", file=err, flush=True)
            answer = stdin.readline().strip()
            if not answer:
                raise KeyboardInterrupt
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1][0]

    return choose


def _context(
    ledger: Ledger, paths: Paths, home_arg: str | None, sandbox_url: str | None, **kw: Any
) -> ConnectContext:
    endpoints = asyncio.run(load_endpoints(sandbox_url))
    store = secret_store(keyring_home(home_arg), paths.data, sandbox=bool(sandbox_url))
    return ConnectContext(ledger=ledger, secrets=store, endpoints=endpoints, **kw)


def run_connect(
    paths: Paths,
    options: Options,
    *,
    home_arg: str | None,
    sandbox_url: str | None,
    no_browser: bool,
    progress: Progress | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> ConnectResult:
    with Ledger(paths.ledger) as ledger:
        ctx = _context(
            ledger,
            paths,
            home_arg,
            sandbox_url,
            open_url=terminal_opener(no_browser=no_browser, out=out, err=err),
            choose=terminal_chooser(stdin, err),
            progress=progress,
        )
        return asyncio.run(connect(ctx, options))


def run_disconnect(
    paths: Paths, service: str, *, home_arg: str | None, sandbox_url: str | None
) -> DisconnectResult:
    with Ledger(paths.ledger) as ledger:
        recorded = connections.get(ledger.conn, service).config.get("sandbox")
        url = sandbox_url or (str(recorded) if recorded else None)
        notes: list[str] = []
        remote = True
        try:
            ctx = _context(ledger, paths, home_arg, url)
        except SandboxUnreachable as exc:
            # Still forget everything locally; a sandbox forgets its grants when it stops.
            notes.append(str(exc))
            ctx = _context(ledger, paths, home_arg, None)
            remote = False
        result = asyncio.run(disconnect(ctx, service, remote=remote))
        result.notes[:0] = notes
        return result


def run_status(paths: Paths) -> list[dict[str, Any]]:
    with Ledger(paths.ledger) as ledger:
        return status_entries(ledger.conn)
