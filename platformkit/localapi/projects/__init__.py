"""Organizations and projects: ``directory`` (a project's record or its 404, its lock, background
work; what every feature gets), ``organizations`` and ``service`` (the OpenAPI "Organizations"
and "Projects" operations, and the reconcile at start), ``routes``."""
