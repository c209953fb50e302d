"""The local HTTP API: other shop tools read the ledger and trigger syncs without clicking.

Served by the running app (or ``nexpura-desktop api``) on 127.0.0.1 only, off by default,
behind a bearer token that lives only in the keyring.  Route shapes follow Nexpura's own
``/api/...`` routes (``/api/integrations/<service>/sync``, ``/api/data-export``,
``/api/integrations/woocommerce/webhook``); ``/api/openapi.json`` describes all of it and
``docs/api.md`` is rendered from that document.
"""
