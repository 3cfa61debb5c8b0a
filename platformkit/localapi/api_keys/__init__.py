"""API keys per project: ``service`` (publishable and secret keys, the legacy ``anon`` and
``service_role`` JWTs and the JWT secret that signs them), ``routes`` (the OpenAPI API-key
operations)."""
