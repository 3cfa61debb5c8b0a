"""The local Management API's routes: the OpenAPI document's paths and methods, each
answering with the status code the document lists for its success."""

from __future__ import annotations

from django.urls import re_path

from .advisors import routes as advisor_routes
from .api_keys import routes as api_key_routes
from .backups import routes as backups_routes
from .branches import routes as branch_routes
from .claims import routes as claim_routes
from .database import routes as database_routes
from .functions import routes as function_routes
from .lifecycle import routes as lifecycle_routes
from .logs import routes as log_routes
from .pooler import routes as pooler_routes
from .project_settings import routes as project_settings_routes
from .projects import routes as project_routes
from .secrets import routes as secret_routes
from .snippets import routes as snippet_routes
from .storage import routes as storage_routes
from .typescript import routes as typescript_routes
from .views import bad_request, endpoint, no_route, not_found, server_error

handler400 = bad_request
handler404 = not_found
handler500 = server_error

urlpatterns = [
    *project_routes.urlpatterns,
    *lifecycle_routes.urlpatterns,
    *pooler_routes.urlpatterns,
    *typescript_routes.urlpatterns,
    *storage_routes.urlpatterns,
    *snippet_routes.urlpatterns,
    *backups_routes.urlpatterns,
    *secret_routes.urlpatterns,
    *api_key_routes.urlpatterns,
    *project_settings_routes.urlpatterns,
    *claim_routes.urlpatterns,
    *advisor_routes.urlpatterns,
    *log_routes.urlpatterns,
    *function_routes.urlpatterns,
    *function_routes.invoke_urlpatterns,
    *branch_routes.urlpatterns,  # branches and action runs (issue 4)
    *database_routes.urlpatterns,  # database/query and migrations
    # Any other route answers as the real API does: JSON, never HTML (after the token check).
    re_path(
        r"^",
        endpoint(
            **dict.fromkeys(
                ("get", "post", "put", "patch", "delete", "head", "options"),
                lambda api, request, **_: no_route(request),
            )
        ),
    ),
]
