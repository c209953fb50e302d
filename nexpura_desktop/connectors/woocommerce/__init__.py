"""WooCommerce REST v3: ``client`` (HTTP, signing via ``auth.oauth1``), ``mapping`` (pure),
``webhooks``."""
