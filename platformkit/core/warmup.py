"""Work a site process would otherwise do in its first requests, done before it serves any.

A fresh gunicorn worker imports every section's views when the URLconf is first resolved and
compiles each template the first time a page uses it: measured on 2 cores, 0.55 s for the
URLconf and 0.1-0.25 s per first page, so the first operators on each new worker waited seconds
behind one another when the machine was busy (bench/operators.py: 100 operators' first views,
up to 6.7 s). :func:`warm` does both up front, from the WSGI module, so a worker starts warm.
Nothing here touches the database (a connection opened before gunicorn forks would be shared).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver

logger = logging.getLogger("platformkit")


def warm() -> int:
    """Import every view and compile every template of the Django template engines' folders
    (the host's and each app's); the number of templates compiled."""
    get_resolver().url_patterns  # noqa: B018  (imports the URLconf and every view it names)
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        # Every folder its loaders read: DIRS and, with the app-directories loader, each app's
        # (template_partials turns APP_DIRS into an explicit loader, so both are listed here).
        for folder in dict.fromkeys([*engine.dirs, *get_app_template_dirs("templates")]):
            root = Path(str(folder))
            for path in sorted(root.rglob("*.html")):
                name = path.relative_to(root).as_posix()
                try:
                    engine.get_template(name)
                except TemplateSyntaxError as exc:  # its page fails as it would have; the others still serve
                    logger.warning("template %s does not compile: %s", name, exc)
                else:
                    compiled += 1
    return compiled
