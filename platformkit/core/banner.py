"""The banner every project page shows: which project, and production or which branch, so an
operator never changes production believing they are on a branch (or the other way round).

The project's name comes from a cache of its own (names rarely change, and the banner must not
cost every page an upstream call); on a miss it is asked once, bounded by a short time limit,
and a page whose API is slow or down names the project by its ref instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from platformkit.core import upstream
from platformkit.core.client import get_client
from platformkit.core.targets import Target

NAME_CACHE_SECONDS = 300
NAME_LOOKUP_SECONDS = 3.0  # a slow API costs the banner at most this; the page then shows the ref


@dataclass(frozen=True)
class Banner:
    project_ref: str
    project_name: str
    branch_name: str | None  # None: production

    @property
    def is_production(self) -> bool:
        return self.branch_name is None


def _key(ref: str) -> str:
    return f"platformkit:project-name:{ref}"


def remember_name(ref: str, name: str | None) -> None:
    """A page that fetched the project anyway primes the banner's cache."""
    if name:
        cache.set(_key(ref), name, NAME_CACHE_SECONDS)


def project_name(ref: str) -> str:
    name = cache.get(_key(ref))
    if name:
        return str(name)
    found = upstream.attempt(lambda: get_client(max_call_seconds=NAME_LOOKUP_SECONDS).projects.get(ref))
    if found.value is None or not found.value.name:
        return ref
    remember_name(ref, found.value.name)
    return found.value.name


def banner(target: Target) -> Banner:
    return Banner(target.project_ref, project_name(target.project_ref), target.branch_name)
