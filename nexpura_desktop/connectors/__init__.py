"""One package per service: client (HTTP), mapping (pure), streams (engine jobs)."""
