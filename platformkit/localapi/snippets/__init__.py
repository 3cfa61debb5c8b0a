"""SQL snippets: ``GET /v1/snippets`` and ``GET /v1/snippets/{id}``, stored in the control database."""
