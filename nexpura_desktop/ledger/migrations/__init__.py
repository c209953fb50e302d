"""Numbered SQL migrations (package so importlib.resources finds them)."""
