"""Restore points, undo, point-in-time recovery and base backups of the projects' instances,
on the physical recovery engine (:mod:`platformkit.localapi.recovery`): ``service`` (the API's
behaviour and the control rows), ``report`` (what a restore changed, read as the tenant),
``routes`` (the OpenAPI "Database" backups operations)."""
