"""``nexpura-desktop api [--port N]`` serves the local API headless (with the schedules),
and ``nexpura-desktop api token [--rotate]`` shows or replaces its bearer token.

The lead adds this module to ``cli.CLI_EXTENSIONS``.  Serving here needs no window: the
same engine lanes run the syncs an API caller or webhook asks for, and the scheduler
ticks every 30 seconds as it does in the tray.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..ledger.db import Ledger
from ..paths import Paths
from ..secrets import SecretStore
from . import config as api_config
from . import tokens

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]
log = logging.getLogger(__name__)
TICK_SECONDS = 30.0


def export_folder(ledger_path: Path, paths: Paths) -> Path:
    """The exports folder the owner chose in the window (``exports.folder``), else the default."""
    with Ledger(ledger_path) as ledger:
        row = ledger.conn.execute(
            "SELECT value FROM app_settings WHERE key = 'exports.folder'"
        ).fetchone()
    saved = json.loads(row[0]) if row else None
    return Path(saved) if isinstance(saved, str) and saved else paths.exports


def _store(args: argparse.Namespace, paths: Paths) -> SecretStore:
    from ..auth.commands import keyring_home
    from ..auth.keyring_choice import secret_store
    from ..secrets import set_default_store

    store = secret_store(
        keyring_home(getattr(args, "home", None)),
        paths.data,
        sandbox=bool(getattr(args, "sandbox", None)),
    )
    set_default_store(store)  # the sync jobs read their credentials from the same keyring
    return store


def _ticker(tick: Callable[[], object], stop: threading.Event) -> threading.Thread:
    def run() -> None:
        while True:
            try:
                tick()
            except Exception:
                log.exception("a scheduler tick failed")
            if stop.wait(TICK_SECONDS):
                return

    thread = threading.Thread(target=run, name="api-scheduler", daemon=True)
    thread.start()
    return thread


def _cmd_api(args: argparse.Namespace) -> int:
    if getattr(args, "api_action", None) == "token":
        return _cmd_token(args)
    from .. import cli
    from ..connectors.registry import build_registry
    from ..engine.engine import Engine
    from ..engine.scheduler import Scheduler
    from .app import ApiDeps, build_app
    from .server import ApiServer

    paths = cli._paths(args)
    store = _store(args, paths)
    tokens.ensure_token(store)
    with Ledger(paths.ledger) as ledger:
        cfg = api_config.load(ledger.conn)
    port = (
        api_config.check_port(args.port, allow_ephemeral=True)
        if args.port is not None
        else cfg.port
    )
    engine = Engine(paths.ledger, build_registry())
    deps = ApiDeps(
        ledger_path=paths.ledger,
        engine=engine,
        secrets=lambda: store,
        export_folder=lambda: export_folder(paths.ledger, paths),
    )
    app = build_app(deps, cfg)
    server = ApiServer(app, port)
    stop = threading.Event()

    def ready() -> None:
        print(f"local API on {server.url}/api (OpenAPI: {server.url}/api/openapi.json)")
        print(
            "the bearer token: nexpura-desktop api token; press Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        if not args.no_schedule:
            _ticker(Scheduler(engine).tick, stop)

    try:
        server.serve_forever(ready)
    finally:
        stop.set()
        app.state.deferred.close()
        engine.shutdown()
    return 0


def _cmd_token(args: argparse.Namespace) -> int:
    from .. import cli

    paths = cli._paths(args)
    store = _store(args, paths)
    if args.rotate:
        token = tokens.rotate_token(store)
        print("a new token replaces the old one; update the tools that use it", file=sys.stderr)
    else:
        token = tokens.ensure_token(store)
    print(token)
    return 0


def add_cli_commands(command: Command) -> None:
    from .. import cli

    p = command("api", _cmd_api, "serve the local API on 127.0.0.1 until Ctrl-C")
    p.add_argument(
        "--port", type=int, help=f"port (default: the saved one, {api_config.DEFAULT_PORT})"
    )
    p.add_argument(
        "--no-schedule", action="store_true", help="do not run scheduled syncs meanwhile"
    )
    actions = p.add_subparsers(dest="api_action", metavar="ACTION", parser_class=type(p))
    sp = actions.add_parser(
        "token", help="show the API's bearer token (made on first use)",
        description="show the API's bearer token (made on first use)",
    )  # fmt: skip
    cli._common(sp, top=False)
    sp.add_argument("--rotate", action="store_true", help="replace it with a new one")
    sp.set_defaults(handler=_cmd_api)
