"""A host overrides one block of the layout by extending the template it replaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client


def test_host_overrides_one_block_and_keeps_the_rest(tmp_path: Path, settings: Any, operator: Any, api: Any) -> None:
    (tmp_path / "platformkit").mkdir()
    (tmp_path / "platformkit" / "layout.html").write_text(
        '{% extends "platformkit/layout.html" %}'
        '{% block shell_header_end %}<a href="/help/" id="host-help">Help</a>{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    client = Client()
    client.force_login(operator)
    page = client.get("/platform/").content.decode()
    assert 'id="host-help"' in page and "Projects" in page and "pk-shell" in page
