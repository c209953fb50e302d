"""One sandbox: the six emulators on a shared clock, plus the directory ("hub").

In tests, ``Sandbox().transport()`` gives an httpx transport that reaches every emulator
in-process at its ``origins``; ``nexpura-desktop sandbox`` serves the same objects on
loopback ports through :mod:`.runner`.  The hub answers ``/_sandbox/services`` (each
service's base URL) and ``/_sandbox/credentials`` (what each emulator accepts).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .clock import SandboxClock
from .core import Emulator, clock_endpoint, load_demo_tables
from .transport import SandboxTransport

# service name -> "module:class"; the order is the port order of ``nexpura-desktop sandbox``.
EMULATORS: dict[str, str] = {
    "shopify": "nexpura_desktop.sandbox.shopify:ShopifyEmulator",
    "woocommerce": "nexpura_desktop.sandbox.woocommerce:WooCommerceEmulator",
    "mailchimp": "nexpura_desktop.sandbox.mailchimp:MailchimpEmulator",
    "xero": "nexpura_desktop.sandbox.xero:XeroEmulator",
    "google": "nexpura_desktop.sandbox.google:GoogleEmulator",
    "twilio": "nexpura_desktop.sandbox.twilio:TwilioEmulator",
}

HUB_ORIGIN = "http://hub.sandbox.test"


def in_process_origin(service: str) -> str:
    return f"http://{service}.sandbox.test"


def emulator_class(service: str) -> type[Emulator]:
    module_name, _, class_name = EMULATORS[service].partition(":")
    cls: type[Emulator] = getattr(importlib.import_module(module_name), class_name)
    assert issubclass(cls, Emulator)
    return cls


class Sandbox:
    """The whole fake world: every emulator, one clock, one directory."""

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        origins: Mapping[str, str] | None = None,
        hub_origin: str = HUB_ORIGIN,
        services: list[str] | None = None,
    ) -> None:
        self.clock = SandboxClock(time_scale)
        self.hub_origin = hub_origin.rstrip("/")
        names = services if services is not None else list(EMULATORS)
        given = dict(origins or {})
        self.origins = {
            name: given.get(name, in_process_origin(name)).rstrip("/") for name in names
        }
        self.emulators: dict[str, Emulator] = {
            name: emulator_class(name)(self.clock, base_url=self.origins[name]) for name in names
        }
        self.hub: ASGIApp = self._build_hub()

    def __getitem__(self, service: str) -> Emulator:
        return self.emulators[service]

    def services(self) -> dict[str, str]:
        return dict(self.origins)

    def credentials(self) -> dict[str, Any]:
        return {name: emu.credentials() for name, emu in self.emulators.items()}

    def apps_by_origin(self) -> dict[str, ASGIApp]:
        apps = {self.origins[name]: emu.app for name, emu in self.emulators.items()}
        apps[self.hub_origin] = self.hub
        return apps

    def transport(self) -> SandboxTransport:
        """An httpx transport reaching every emulator in-process."""
        return SandboxTransport(self.apps_by_origin())

    def seed_demo(self, size: str = "small", seed: int = 1) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for name, emu in self.emulators.items():
            tables = load_demo_tables({"size": size, "seed": seed})
            with emu.lock:
                results[name] = emu.seed_demo(tables)
        return results

    def reset(self) -> None:
        for emu in self.emulators.values():
            with emu.lock:
                emu.reset()
            emu.log.clear()
            emu.faults.clear()

    def _build_hub(self) -> ASGIApp:
        async def services(request: Request) -> Response:
            return JSONResponse({"services": self.services()})

        async def credentials(request: Request) -> Response:
            return JSONResponse({"credentials": self.credentials()})

        async def reset(request: Request) -> Response:
            self.reset()
            return JSONResponse({"reset": list(self.emulators)})

        async def clock(request: Request) -> Response:
            return await clock_endpoint(self.clock, request)

        return Starlette(
            routes=[
                Route("/_sandbox/services", services, methods=["GET"]),
                Route("/_sandbox/credentials", credentials, methods=["GET"]),
                Route("/_sandbox/reset", reset, methods=["POST"]),
                Route("/_sandbox/clock", clock, methods=["GET", "POST"]),
            ]
        )
