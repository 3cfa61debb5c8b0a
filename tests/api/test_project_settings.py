"""Service config, add-ons and the claim flow through the client, against the local API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from platformkit.api import ManagementClient, errors
from tests.api.test_backups import _active_project, _until


@pytest.fixture
def client(localapi: Any) -> Any:
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def test_config_addons_and_claim(client: ManagementClient) -> None:
    ref = _active_project(client)
    assert client.config.get(ref, "auth")["jwt_exp"] == 3600
    assert client.config.update(ref, "auth", {"jwt_exp": 1800})["jwt_exp"] == 1800  # type: ignore[index]
    assert client.config.update(ref, "realtime", {"max_concurrent_users": 300}) is None  # 204
    with pytest.raises(errors.ValidationError, match="unknown field"):
        client.config.update(ref, "storage", {"size": 1})
    with pytest.raises(ValueError):
        client.config.get(ref, "graphql")

    addons = client.billing.addons(ref)
    assert addons.selected("compute_instance") is None  # created nano: the plan's base size, no add-on
    small = next(variant for variant in addons.variants("compute_instance") if variant.id == "ci_small")
    assert small.price is not None and small.price.interval == "hourly"
    client.billing.apply_addon(ref, addon_type="compute_instance", addon_variant="ci_small")
    _until(lambda: client.projects.get(ref).status == "ACTIVE_HEALTHY")
    assert client.billing.addons(ref).selected("compute_instance").id == "ci_small"  # type: ignore[union-attr]

    created = client.claims.create_token(ref)
    assert created.token and client.claims.get_token(ref).token is None
    client.claims.delete_token(ref)
    with pytest.raises(errors.NotFoundError):
        client.claims.get_token(ref)
    location = client.claims.authorize_url(
        project_ref=ref,
        client_id="66666666-6666-4666-8666-666666666666",
        redirect_uri="https://builder.example.com/back",
        state="s1",
    )
    assert location is not None and urlsplit(location).path.startswith("/local/project-claim/")


def test_advisors(client: ManagementClient) -> None:
    ref = _active_project(client)
    client.database.query(ref, "create table public.open_notes (id int primary key)")
    security = client.advisors.security(ref)
    finding = next(lint for lint in security if lint.cache_key == "rls_disabled_in_public_public_open_notes")
    assert finding.level == "ERROR" and finding.metadata == {"schema": "public", "name": "open_notes", "type": "table"}
    assert all(
        lint.name != "auth_leaked_password_protection" for lint in client.advisors.security(ref, lint_type="sql")
    )
    assert all(lint.categories == ["PERFORMANCE"] for lint in client.advisors.performance(ref))
