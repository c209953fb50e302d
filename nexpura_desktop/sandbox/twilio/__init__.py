"""Twilio Programmable Messaging + Content API emulator (see :mod:`.emulator`)."""

from .emulator import TwilioEmulator

__all__ = ["TwilioEmulator"]
