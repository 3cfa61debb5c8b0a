"""Users pages: the list with search, pages and the sign-ups chart; one user's detail."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core import upstream
from platformkit.core.client import parallel
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import BRANCH_PARAM, request_target
from platformkit.sections.users import services
from platformkit.sections.users.forms import UsersQuery

SECTION = "users"


def _link(request: HttpRequest, name: str, ref: str, *args: Any, **params: Any) -> str:
    target = request_target(request)
    query = {key: value for key, value in params.items() if value not in (None, "")}
    if not target.is_production:
        query[BRANCH_PARAM] = target.ref
    return url(request, name, ref, *args) + (f"?{urlencode(query)}" if query else "")


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    form = UsersQuery(request.GET)
    context: dict[str, Any] = {"ref": ref, "query": form.values(), "periods": services.CHART_DAYS}
    if not form.is_valid():
        context["input_error"] = form.first_error()
        return render_page(
            request, "platformkit/users/index.html", context, section=SECTION, project_ref=ref, status=400
        )
    target, search, days = request_target(request).ref, form.cleaned_data["q"], form.cleaned_data["days"]
    listed, charted = parallel(
        lambda: services.users(target, search, form.cleaned_data["after"]), lambda: services.signups(target, days)
    )
    page, chart = upstream.from_result(listed), upstream.from_result(charted)
    rows = []
    for user in page.value.users if page.value else []:
        rows.append({**user, "url": _link(request, "users-detail", ref, user["id"])})
    cursor = page.value.next_cursor if page.value else None
    context.update(
        users=rows,
        search=search,
        days=days,
        chart=chart.value,
        problem=page.problem or chart.problem,
        next_url=_link(request, "users", ref, q=search, days=days, after="|".join(cursor)) if cursor else None,
        first_url=_link(request, "users", ref, q=search, days=days) if form.cleaned_data["after"] else None,
        period_urls=[(period, _link(request, "users", ref, q=search, days=period)) for period in services.CHART_DAYS],
    )
    return render_page(request, "platformkit/users/index.html", context, section=SECTION, project_ref=ref)


@require_GET
@project_view(SECTION)
def detail(request: HttpRequest, ref: str, user_id: str) -> HttpResponse:
    try:
        wanted = str(UUID(user_id))
    except ValueError:
        raise Http404("No such user") from None
    found = upstream.attempt(lambda: services.user(request_target(request).ref, wanted))
    if found.problem is None and found.value is None:
        raise Http404("No such user")
    context = {"ref": ref, "user": found.value, "problem": found.problem, "back_url": _link(request, "users", ref)}
    return render_page(request, "platformkit/users/detail.html", context, section=SECTION, project_ref=ref)
