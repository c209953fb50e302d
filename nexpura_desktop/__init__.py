"""Nexpura Desktop: the shop's Nexpura data, synced with its online services, on its own PC."""

__version__ = "0.1.0"
APP_NAME = "Nexpura Desktop"
