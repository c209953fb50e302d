"""Shopify connector: ``client`` (GraphQL Admin API over httpx), ``queries`` (documents),
``bulk`` (bulk operations), ``mapping`` (pure Shopify ⇄ ledger rows)."""
