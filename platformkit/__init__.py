"""platformkit: an embeddable, server-rendered dashboard over the Supabase Management API."""

__version__ = "0.1.0"
