"""The sync engine: jobs on per-service lanes, recorded runs, and the scheduler.

Import from the modules (``engine.engine``, ``engine.scheduler``, ``engine.run_due``…);
this package file stays empty so ``sync/`` can import ``engine.errors`` without cycles.
"""
