"""``GET /v1/projects/{ref}/storage/buckets``, from the project's own ``storage.buckets``."""
