"""Mailchimp Marketing API 3.0 emulator (see :mod:`.emulator`)."""

from .emulator import MailchimpEmulator

__all__ = ["MailchimpEmulator"]
