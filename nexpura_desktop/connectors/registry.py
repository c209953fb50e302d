"""The engine's job registry: every connector that has engine jobs, plus backups.

A connector package that defines ``streams.register(registry)`` is picked up here; the
GUI, ``sync`` and ``run-due`` all build their engine from this one registry.
"""

from __future__ import annotations

import importlib

from ..engine.registry import Registry

CONNECTOR_PACKAGES = ("shopify", "woocommerce", "mailchimp", "xero", "google_calendar", "twilio")


def build_registry() -> Registry:
    registry = Registry()
    for name in CONNECTOR_PACKAGES:
        try:
            streams = importlib.import_module(f"nexpura_desktop.connectors.{name}.streams")
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.startswith(f"nexpura_desktop.connectors.{name}"):
                continue  # this connector has no engine jobs yet
            raise
        streams.register(registry)
    from ..exports import backups  # scheduled backup exports run on the exports lane

    backups.register(registry)
    return registry
