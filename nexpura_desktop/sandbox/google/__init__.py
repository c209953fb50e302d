"""Google emulator: OAuth for installed apps + Calendar v3 (see :mod:`.emulator`)."""

from .emulator import GoogleEmulator

__all__ = ["GoogleEmulator"]
