"""Errors that reach the user as one clear sentence (no traceback)."""

from __future__ import annotations


class UserError(Exception):
    """An expected failure: the message says what happened and what to do."""


class UsageError(UserError):
    """The command line was wrong (exit status 2)."""
