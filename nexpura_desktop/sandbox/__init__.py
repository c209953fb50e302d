"""Faithful local emulators of Shopify, WooCommerce, Mailchimp, Xero, Google and Twilio.

Independent of the rest of the package (only the demo-shop seeding reaches into
``nexpura_desktop.ledger``); the app learns the emulators' base URLs from settings.
"""

from .clock import SandboxClock
from .core import Emulator
from .world import EMULATORS, Sandbox

__all__ = ["EMULATORS", "Emulator", "Sandbox", "SandboxClock"]
