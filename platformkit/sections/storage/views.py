"""Storage page: the bucket cards."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core import upstream
from platformkit.core.client import parallel
from platformkit.core.rendering import render_page
from platformkit.core.targets import request_target
from platformkit.sections.storage import services

SECTION = "storage"


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request).ref
    listed, limited = parallel(lambda: services.list_buckets(target), lambda: services.limits(target))
    buckets, limits = upstream.from_result(listed), upstream.from_result(limited)
    context = {
        "ref": ref,
        "buckets": services.buckets(buckets.value, limits.value or {}) if buckets.value is not None else [],
        "problem": buckets.problem,
        # The list still shows when only the limits could not be read; the cards say so.
        "limits_problem": limits.problem if buckets.problem is None else None,
    }
    return render_page(request, "platformkit/storage/index.html", context, section=SECTION, project_ref=ref)
