"""``{% load platformkit_partials %}``: the partial tags on every supported Django.

Django 6 has ``{% partialdef %}``/``{% partial %}`` built in (and ``{% load partials %}`` would
fail there); on 5.2 they come from django-template-partials, whose library this re-exports.
"""

from __future__ import annotations

import django
from django import template

register = template.Library()

if django.VERSION < (6, 0):
    try:
        from template_partials.templatetags.partials import register as _partials
    except ImportError:  # reported by the system check platformkit.E005
        pass
    else:
        register.tags.update(_partials.tags)
        register.filters.update(_partials.filters)
