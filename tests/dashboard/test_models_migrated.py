"""The models and their migrations stay in step (on whichever Django this leg runs)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    out = io.StringIO()
    call_command(
        "makemigrations", "platformkit", check=True, dry_run=True, stdout=out
    )  # exits 1 on a missing migration
    assert "No changes detected" in out.getvalue()
