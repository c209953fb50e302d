"""Shopify emulator (Admin GraphQL API, OAuth, bulk operations); see :mod:`.emulator`."""

from .emulator import ShopifyEmulator

__all__ = ["ShopifyEmulator"]
