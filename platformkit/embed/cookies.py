"""The embed session cookie: ``SameSite=None; Secure; HttpOnly; Partitioned``.

Inside a cross-site iframe Chromium only sends a cookie back when it is ``Partitioned`` (CHIPS).
Django (up to 6.1) has no ``partitioned=`` and Python's ``Morsel`` accepts it only from 3.14, so
the one cookie is written through a ``Morsel`` subclass that appends the attribute; nothing
global changes. Replace with ``set_cookie(..., partitioned=True)`` once Django ships it.
"""

from __future__ import annotations

from collections.abc import Container
from http.cookies import Morsel

from django.http import HttpResponse


class PartitionedMorsel(Morsel[str]):
    def OutputString(self, attrs: Container[str] | None = None) -> str:  # noqa: N802 (stdlib name)
        return super().OutputString(attrs) + "; Partitioned"


def set_partitioned_cookie(response: HttpResponse, name: str, value: str, *, max_age: int, path: str) -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite="None")
    plain = response.cookies[name]
    morsel = PartitionedMorsel()
    morsel.set(plain.key, plain.value, plain.coded_value)
    morsel.update(plain)
    dict.__setitem__(response.cookies, name, morsel)
