"""``platformkit.core.warmup``: a site process imports its views and compiles its templates
before serving (demo/wsgi.py), without touching the database (gunicorn may fork after it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformkit
from platformkit.core.warmup import warm


def test_warm_compiles_every_template_and_asks_the_database_nothing(django_assert_num_queries: Any) -> None:
    ours = list((Path(platformkit.__file__).parent / "templates").rglob("*.html"))
    with django_assert_num_queries(0):
        compiled = warm()
    assert compiled >= len(ours) > 50
