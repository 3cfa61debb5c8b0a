"""A POST-only address opened with GET (the address bar after a refused form, a reload) leads
to the page holding its form, the branch kept; a migration's address takes digits only."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tests.dashboard.test_operations import nothing_visible
from tests.dashboard.test_sql_editor import _active

REF = "abcdefghijklmnopqrst"


ADDRESSES = [  # (POST-only address, its URL arguments after the ref, the page holding its form, and its arguments)
    ("functions-deploy", [], "functions", []),
    ("restore-point-create", [], "restore-points", []),
    ("branches-create", [], "branches", []),
    ("migrations-seed", [], "migrations", []),
    ("migrations-apply", [], "migrations", []),
    ("advisors-run", [], "advisors", []),
    ("project-resume", [], "project", []),
    ("function-invoke", ["hello"], "function", ["hello"]),
    ("sql-run", [], "sql", []),
    ("sql-save", [], "sql", []),
    ("compute-review", [], "compute", []),
    ("compute-change", [], "compute", []),
    ("compute-pitr", [], "compute", []),
    ("config-review", ["auth"], "config", ["auth"]),
    ("config-apply", ["auth"], "config", ["auth"]),
    ("api-keys-enable", [], "api-keys", []),
    ("api-key-reveal", ["some-key"], "api-keys", []),
    ("api-key-delete", ["some-key"], "api-keys", []),
    ("claim-token-create", [], "claim", []),
    ("claim-token-revoke", [], "claim", []),
    ("claim-transfer", [], "claim", []),
    ("secrets-add", [], "secrets", []),
    ("secrets-delete", [], "secrets", []),
]


def test_get_on_a_post_only_address_leads_to_its_form(
    operator_client: Client, upstream: Any, make_project: Any, make_user: Any, settings: Any
) -> None:
    ref = _active(upstream, make_project)
    branch = upstream.branches.create(ref, branch_name="dev").project_ref
    stranger = Client()
    stranger.force_login(make_user("stranger", is_staff=False))
    for address, extra, page, page_extra in [*ADDRESSES, ("branches-reset", [branch], "branches", [])]:
        args = [ref, *extra]
        opened = operator_client.get(reverse(f"platformkit:{address}", args=args) + "?branch=dev")
        assert opened.status_code == 302, address
        form_page = reverse(f"platformkit:{page}", args=[ref, *page_extra])
        assert opened["Location"] == form_page + "?branch=dev", address
        assert operator_client.put(reverse(f"platformkit:{address}", args=args)).status_code == 405, address
        # Someone who may not use the dashboard is refused before anything else.
        assert stranger.get(reverse(f"platformkit:{address}", args=args)).status_code == 403, address
    # An operator who may not see this project learns nothing from the addresses either: 404.
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "PERMISSION_POLICY": f"{nothing_visible.__module__}.nothing_visible",
    }
    for address, extra, _page, _page_extra in [*ADDRESSES, ("branches-reset", [branch], "branches", [])]:
        hidden = operator_client.get(reverse(f"platformkit:{address}", args=[ref, *extra]) + "?branch=dev")
        assert hidden.status_code == 404, address


def test_a_migration_address_that_is_not_a_version_is_a_404_page(operator_client: Client) -> None:
    # No local API here: the default API address answers nothing, so a call would show an error.
    missing = operator_client.get(reverse("platformkit:migrations", args=[REF]) + "abc/")
    assert missing.status_code == 404
    assert "Management API" not in missing.content.decode()
