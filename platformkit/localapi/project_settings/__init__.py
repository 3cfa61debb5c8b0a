"""A project's settings: ``service_config`` (the Auth, Data API, Storage and Realtime
configuration, over the defaults of ``config_defaults``), ``addons`` (the billing add-ons:
compute size, PITR, IPv4, custom domain), ``routes`` (their OpenAPI operations)."""
