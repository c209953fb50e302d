"""Headless commands: the same engine as the window, without Qt.

Exit status: 0 on success, 1 with a one-line error on stderr, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import UsageError, UserError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nexpura-desktop", description="Nexpura Desktop")
    parser.add_argument("--version", action="version", version=f"nexpura-desktop {__version__}")
    parser.add_argument("--home", help="keep all data in DIR (also NEXPURA_DESKTOP_HOME)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("sandbox", help="serve the local emulators of every service")
    p.add_argument("--port-base", type=int, default=8700)
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("--seed-demo", nargs="?", const="small", default=None, metavar="SIZE")
    p.set_defaults(handler=_cmd_sandbox)
    return parser


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


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 0
        return handler(args)
    except UsageError as exc:
        print(f"nexpura-desktop: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"nexpura-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nexpura-desktop: interrupted", file=sys.stderr)
        return 130
