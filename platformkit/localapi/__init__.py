"""The local Management API: the same /v1 paths as Supabase's, backed by a real PostgreSQL."""
