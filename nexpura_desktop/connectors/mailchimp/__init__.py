"""Mailchimp audience sync: consenting customers in, exits pulled back, never re-subscribed.

``client`` (HTTP), ``mapping`` (pure consent rule and payloads), ``state`` (ledger side),
``streams`` (the engine jobs and ``register``), ``verify`` (the full compare).
"""
