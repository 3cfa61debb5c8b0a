"""A project's (or branch's) database through the API, the OpenAPI "Database" tag's SQL part:
``service`` (queries and migrations, on ``sqlrun``), ``routes``. Backups are in ``backups``."""
