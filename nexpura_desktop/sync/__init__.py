"""Sync repositories over the caller's connection: cursors, links, outbox, issues,
conflict policy and pacing.  They never commit: the caller's transaction decides."""
