"""The local Management API's routes: the OpenAPI document's paths and methods, each
answering with the status code the document lists for its success."""

from __future__ import annotations

from django.urls import path, re_path

from .advisors import routes as advisor_routes
from .api_keys import routes as api_key_routes
from .backups import routes as backups_routes
from .branches import routes as branch_routes
from .claims import routes as claim_routes
from .functions import routes as function_routes
from .lifecycle import routes as lifecycle_routes
from .logs import routes as log_routes
from .pooler import routes as pooler_routes
from .project_settings import routes as project_settings_routes
from .secrets import routes as secret_routes
from .snippets import routes as snippet_routes
from .storage import routes as storage_routes
from .typescript import routes as typescript_routes
from .views import bad_request, body, endpoint, no_route, not_found, query, server_error, services_param

handler400 = bad_request
handler404 = not_found
handler500 = server_error

urlpatterns = [
    path(
        "v1/organizations",
        endpoint(
            get=lambda api, request: (200, api.list_organizations()),
            post=lambda api, request: (201, api.create_organization(body(request))),
        ),
    ),
    path(
        "v1/organizations/<str:slug>",
        endpoint(
            get=lambda api, request, slug: (200, api.get_organization(slug)),
        ),
    ),
    path(
        "v1/organizations/<str:slug>/projects",
        endpoint(
            get=lambda api, request, slug: (200, api.organization_projects(slug, query(request))),
        ),
    ),
    path(
        "v1/projects",
        endpoint(
            get=lambda api, request: (200, api.list_projects()),
            post=lambda api, request: (201, api.create_project(body(request))),
        ),
    ),
    path(
        "v1/projects/available-regions",
        endpoint(
            get=lambda api, request: (200, api.available_regions(query(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>",
        endpoint(
            get=lambda api, request, ref: (200, api.get_project(ref)),
            patch=lambda api, request, ref: (200, api.update_project(ref, body(request))),
            delete=lambda api, request, ref: (200, api.delete_project(ref)),
        ),
    ),
    path(
        "v1/projects/<str:ref>/health",
        endpoint(
            get=lambda api, request, ref: (200, api.health(ref, services_param(request), query(request))),
        ),
    ),
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
    *branch_routes.urlpatterns,  # branches, action runs, database/query, migrations (issue 4)
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
