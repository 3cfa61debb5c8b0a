"""Each mutating form carries one idempotency key (``core.idempotency``'s field), not two."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

import platformkit
from tests.dashboard.test_sql_editor import _active

TEMPLATES = Path(platformkit.__file__).parent / "templates"
KEY_FIELD = re.compile(r'{% idempotency_field %}|name="idempotency_key"')


def test_no_template_form_has_two_keys() -> None:
    doubled = [
        f"{path.relative_to(TEMPLATES)} form {number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, form in enumerate(path.read_text().split("<form")[1:], 1)
        if len(KEY_FIELD.findall(form.split("</form>")[0])) > 1
    ]
    assert doubled == []


def test_the_migration_form_sends_one_key(operator_client: Client, upstream: Any, make_project: Any) -> None:
    ref = _active(upstream, make_project)
    page = operator_client.get(reverse("platformkit:migrations", args=[ref])).content.decode()
    form = page.split('id="pk-apply-title"')[1].split("</form>")[0]
    assert form.count('name="idempotency_key"') == 1
