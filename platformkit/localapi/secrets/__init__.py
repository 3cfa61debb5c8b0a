"""Edge Function secrets per project: ``service`` (names in, only names and SHA-256 digests out),
``routes`` (the OpenAPI "Secrets" operations)."""
