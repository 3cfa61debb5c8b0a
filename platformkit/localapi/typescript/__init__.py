"""``GET /v1/projects/{ref}/types/typescript``: the ``Database`` type ``supabase gen types`` prints."""
