"""Routes of branches and action runs (included from ``urls.py``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path

from platformkit.localapi.validation import flag
from platformkit.localapi.views import PlainText, body, endpoint, query


def _force(request: HttpRequest) -> str | None:
    """``force`` is a boolean string; branching takes it spelled ``true``/``false``."""
    force = flag(query(request), "force", None)
    return None if force is None else str(force).lower()


def _diff(api, request: HttpRequest, branch_id_or_ref: str):
    params = query(request)
    flag(params, "pgdelta")  # a boolean string; either way the diff is the same SQL
    return 200, PlainText(api.branching.diff(branch_id_or_ref, params))


def _action_body(request: HttpRequest) -> dict:  # an empty body is allowed (no migration_version)
    return body(request) if request.body else {}


urlpatterns = [
    path(
        "v1/projects/<str:ref>/branches",
        endpoint(
            get=lambda api, request, ref: (200, api.branching.list(ref)),
            post=lambda api, request, ref: (201, api.branching.create(ref, body(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/branches/<str:name>",
        endpoint(
            get=lambda api, request, ref, name: (200, api.branching.get_by_name(ref, name)),
        ),
    ),
    path(
        "v1/branches/<str:branch_id_or_ref>",
        endpoint(
            get=lambda api, request, branch_id_or_ref: (200, api.branching.get_config(branch_id_or_ref)),
            patch=lambda api, request, branch_id_or_ref: (200, api.branching.update(branch_id_or_ref, body(request))),
            delete=lambda api, request, branch_id_or_ref: (
                200,
                api.branching.delete(branch_id_or_ref, _force(request)),
            ),
        ),
    ),
    *[
        path(
            f"v1/branches/<str:branch_id_or_ref>/{kind}",
            endpoint(
                post=lambda api, request, branch_id_or_ref, kind=kind: (
                    201,
                    api.branching.action(branch_id_or_ref, kind, _action_body(request)),
                ),
            ),
        )
        for kind in ("merge", "push", "reset")
    ],
    path(
        "v1/branches/<str:branch_id_or_ref>/restore",
        endpoint(
            post=lambda api, request, branch_id_or_ref: (200, api.branching.restore(branch_id_or_ref)),
        ),
    ),
    path(
        "v1/branches/<str:branch_id_or_ref>/diff",
        endpoint(
            get=_diff,
        ),
    ),
    path(
        "v1/projects/<str:ref>/actions",
        endpoint(
            get=lambda api, request, ref: (200, api.branching.list_runs(ref, query(request))),
            head=lambda api, request, ref: (200, api.branching.count_runs(ref)),
        ),
    ),
    path(
        "v1/projects/<str:ref>/actions/<str:run_id>",
        endpoint(
            get=lambda api, request, ref, run_id: (200, api.branching.get_run(ref, run_id)),
        ),
    ),
    path(
        "v1/projects/<str:ref>/actions/<str:run_id>/logs",
        endpoint(
            get=lambda api, request, ref, run_id: (200, PlainText(api.branching.run_logs(ref, run_id))),
        ),
    ),
]
