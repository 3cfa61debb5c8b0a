"""Routes of the service configuration and billing add-on operations."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import body, endpoint


def _config(service: str):
    """GET and PATCH of one service's config. Storage answers its PATCH with an empty 200 and
    realtime with 204, as the document lists."""
    patch_status, patch_body = {"storage": (200, False), "realtime": (204, False)}.get(service, (200, True))
    return endpoint(
        get=lambda api, request, ref: (200, api.service_config.get(ref, service)),
        patch=lambda api, request, ref: (
            patch_status,
            _patched(api.service_config.update(ref, service, body(request)), patch_body, service),
        ),
    )


def _patched(config, with_body: bool, service: str):
    if not with_body:
        return None
    if service == "postgrest":  # V1PostgrestConfigResponse: no jwt_secret in the PATCH answer
        return {key: value for key, value in config.items() if key != "jwt_secret"}
    return config


urlpatterns = [
    path("v1/projects/<str:ref>/config/auth", _config("auth")),
    path("v1/projects/<str:ref>/postgrest", _config("postgrest")),
    path("v1/projects/<str:ref>/config/storage", _config("storage")),
    path("v1/projects/<str:ref>/config/realtime", _config("realtime")),
    path(
        "v1/projects/<str:ref>/billing/addons",
        endpoint(
            get=lambda api, request, ref: (200, api.addons.list(ref)),
            patch=lambda api, request, ref: (200, api.addons.apply(ref, body(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/billing/addons/<str:addon_variant>",
        endpoint(
            delete=lambda api, request, ref, addon_variant: (200, api.addons.remove(ref, addon_variant)),
        ),
    ),
]
