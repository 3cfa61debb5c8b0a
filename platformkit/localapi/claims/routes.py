"""Routes of the project-claim operations: the claim token, the organization's preview and claim,
the OAuth authorize step, and the local stand-in for Supabase's claim screen."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path

from platformkit.localapi.views import Redirect, endpoint, query

from .page import claim_page


def _authorize(api, request: HttpRequest) -> tuple[int, object]:
    # Upstream answers with a redirect into its own UI (the seed follows it with curl -L).
    return 303, Redirect(api.claims.authorize(query(request), request.build_absolute_uri("/")))


urlpatterns = [
    path(
        "v1/projects/<str:ref>/claim-token",
        endpoint(
            get=lambda api, request, ref: (200, api.claims.get_token(ref)),
            post=lambda api, request, ref: (200, api.claims.create_token(ref)),
            delete=lambda api, request, ref: (204, api.claims.delete_token(ref)),
        ),
    ),
    path(
        "v1/organizations/<str:slug>/project-claim/<str:token>",
        endpoint(
            get=lambda api, request, slug, token: (200, api.claims.preview(slug, token)),
            post=lambda api, request, slug, token: (204, api.claims.claim(slug, token)),
        ),
    ),
    path("v1/oauth/authorize/project-claim", endpoint(get=_authorize)),
    # The stand-in for Supabase's claim UI: a browser page, not a Management API path.
    path("local/project-claim/<str:request_id>", claim_page),
]
