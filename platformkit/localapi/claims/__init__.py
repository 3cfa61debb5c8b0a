"""The project-claim flow: ``service`` (claim tokens, previews, claims and the OAuth authorize
step), ``page`` (the local stand-in for Supabase's claim screen), ``routes`` (the claim
operations and that page)."""
