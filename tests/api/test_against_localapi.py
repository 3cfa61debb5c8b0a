"""The client against the local Management API over real HTTP and real PostgreSQL."""

from __future__ import annotations

import time

import pytest

from platformkit.api import ManagementClient, errors


@pytest.fixture
def client(localapi):
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def _wait_for(client: ManagementClient, ref: str, status: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.projects.get(ref).status != status:
        assert time.monotonic() < deadline, f"project never became {status}"
        time.sleep(0.1)


def test_project_lifecycle(client):
    organization = client.organizations.list()[0]
    assert client.organizations.get(organization.slug).name == organization.name

    created = client.projects.create(
        name="Lifecycle",
        organization_slug=organization.slug,
        db_pass="Lifecycle-pass-123",
        region_selection={"type": "specific", "code": "eu-west-2"},
        desired_instance_size="micro",
    )
    assert created.status == "COMING_UP" and created.region == "eu-west-2" and len(created.ref) == 20
    assert created.ref in {project.ref for project in client.projects.list()}
    assert {item.status for item in client.projects.health(created.ref, services=["db", "auth"])} == {"COMING_UP"}

    _wait_for(client, created.ref, "ACTIVE_HEALTHY")
    health = client.projects.health(created.ref, services=["db", "auth", "rest"])
    assert [(item.name, item.status) for item in health] == [
        ("db", "ACTIVE_HEALTHY"),
        ("auth", "ACTIVE_HEALTHY"),
        ("rest", "ACTIVE_HEALTHY"),
    ]
    assert health[0].info["db_connected"] is True
    project = client.projects.get(created.ref)
    assert project.database is not None and project.database.version

    assert client.projects.update(created.ref, name="Renamed").name == "Renamed"
    client.projects.pause(created.ref)
    _wait_for(client, created.ref, "INACTIVE")
    assert client.projects.health(created.ref, services=["db"])[0].status == "UNHEALTHY"
    client.projects.restore(created.ref)
    _wait_for(client, created.ref, "ACTIVE_HEALTHY")
    assert client.projects.list_restore_versions(created.ref) == []

    removed = client.projects.delete(created.ref)
    assert removed.ref == created.ref and isinstance(removed.id, int)
    with pytest.raises(errors.NotFoundError):
        client.projects.get(created.ref)


def test_available_regions(client):
    organization = client.organizations.list()[0]
    regions = client.projects.available_regions(organization.slug, continent="EU")
    assert regions.recommended_smart_group.code == "emea"
    assert {group.code for group in regions.smart_groups} == {"americas", "emea", "apac"}
    assert "eu-central-1" in {region.code for region in regions.specific_regions}


def test_bad_token_is_an_authentication_error(localapi):
    with (
        ManagementClient("not-the-token", base_url=localapi.base_url) as client,
        pytest.raises(errors.AuthenticationError) as caught,
    ):
        client.projects.list()
    assert caught.value.status == 401 and caught.value.request_id


def test_unknown_ref_is_not_found_and_bad_input_is_a_validation_error(client):
    with pytest.raises(errors.NotFoundError):
        client.projects.get("zzzzzzzzzzzzzzzzzzzz")
    with pytest.raises(errors.ValidationError, match="(?i)organization.slug"):
        client.projects.create(name="x", organization_slug="no such org!", db_pass="x")


def test_async_client_against_the_local_api(localapi):
    import asyncio

    from platformkit.api import AsyncManagementClient

    async def run():
        async with AsyncManagementClient(localapi.token, base_url=localapi.base_url) as client:
            organizations, projects = await client.parallel(client.organizations.list, client.projects.list)
            return organizations.unwrap(), projects.unwrap()

    organizations, projects = asyncio.run(run())
    assert organizations and isinstance(projects, list)
