"""Addresses that only take a form's POST: opened with GET (the address bar after a refused
form, a bookmark, a reload) they lead to the page holding that form rather than a blank 405.

Also the converter of a migration's version in its address: digits only, so ``migrations/abc/``
is a 404 page without a call to the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect

from platformkit.access import visible_project_or_404
from platformkit.core.rendering import url

View = Callable[..., HttpResponse]


def post_form(page: str, *keep: str) -> Callable[[View], View]:
    """Instead of ``require_POST``, under the view's gate: a POST runs the view; a GET or HEAD is sent (302) to the URL
    named ``page``, with the view's URL arguments named in ``keep`` (the project's ``ref`` when
    none are named) and the same query string (``?branch=`` stays); other methods get a 405."""
    names = keep or ("ref",)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["POST"])
            if "ref" in kwargs:  # a project hidden from this viewer stays a 404 (not every gate checks it)
                visible_project_or_404(request, kwargs["ref"])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(
                url(request, page, *(kwargs[name] for name in names)) + ("?" + query if query else "")
            )

        return wrapped

    return decorate
