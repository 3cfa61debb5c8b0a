"""The security and performance advisors, computed for real over the project's (or branch's)
catalogs and statistics, and over its stored configuration.

SQL lints run as the hosted advisor runs them: in one transaction that is rolled back, with
``search_path`` emptied and ``pgrst.db_schemas`` set to the project's exposed schemas (from its
Data API config), against a database that has the Supabase roles — without both, the
"exposed to the API" lints would silently find nothing.

``service`` (running the lints for a ref), ``sql_lints`` and ``config_lints`` (the lints),
``routes`` (the OpenAPI "Advisors" operations)."""
