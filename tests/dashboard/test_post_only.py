"""A POST-only address opened with GET (the address bar after a refused form, a reload) leads
to the page holding its form, the branch kept; a migration's address takes digits only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

REF = "abcdefghijklmnopqrst"
BRANCH = "qrstuvwxyzabcdefghij"


@pytest.mark.parametrize(
    ("address", "page", "args"),
    [
        ("functions-deploy", "functions", [REF]),
        ("restore-point-create", "restore-points", [REF]),
        ("branches-create", "branches", [REF]),
        ("migrations-seed", "migrations", [REF]),
        ("migrations-apply", "migrations", [REF]),
        ("advisors-run", "advisors", [REF]),
        ("project-resume", "project", [REF]),
        ("function-invoke", "function", [REF, "hello"]),
        ("branches-reset", "branches", [REF, BRANCH]),
    ],
)
def test_get_on_a_post_only_address_leads_to_its_form(
    operator_client: Client, address: str, page: str, args: list[str]
) -> None:
    opened = operator_client.get(reverse(f"platformkit:{address}", args=args) + f"?branch={BRANCH}")
    assert opened.status_code == 302
    assert opened["Location"] == reverse(f"platformkit:{page}", args=args[: 2 if page == "function" else 1]) + (
        f"?branch={BRANCH}"
    )
    assert operator_client.put(reverse(f"platformkit:{address}", args=args)).status_code == 405


def test_a_migration_address_that_is_not_a_version_is_a_404_page(operator_client: Client) -> None:
    # No local API here: the default API address answers nothing, so a call would show an error.
    missing = operator_client.get(reverse("platformkit:migrations", args=[REF]) + "abc/")
    assert missing.status_code == 404
    assert "Management API" not in missing.content.decode()
