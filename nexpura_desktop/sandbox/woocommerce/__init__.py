"""WooCommerce REST API v3 emulator (see :mod:`.emulator`)."""

from .emulator import WooCommerceEmulator

__all__ = ["WooCommerceEmulator"]
