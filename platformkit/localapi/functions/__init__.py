"""Edge Functions: ``service`` (deploys checked and stored per version, settings, invocation
with ``verify_jwt`` enforced and logged, promotion of a branch's functions on merge), ``store``
(versions, settings and bundles), ``bundle`` (building and checking a bundle), ``runtime`` and
``sandbox`` (running one request in a local Deno, confined), ``routes`` (the OpenAPI "Edge
Functions" operations and a function's public URL)."""
