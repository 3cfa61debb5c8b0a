"""Who gets in: login first, then the permission policy; hidden projects are 404s."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.access import Access

PROJECTS = reverse("platformkit:projects")


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(PROJECTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_anonymous_post_is_sent_to_login_and_creates_nothing(db: None) -> None:
    from platformkit.models import Operation

    response = Client().post(reverse("platformkit:project-create"), {"name": "x"})
    assert response.status_code == 302 and Operation.objects.count() == 0


def test_user_without_permission_is_forbidden(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("nobody"))
    assert client.get(PROJECTS).status_code == 403
    assert client.get(reverse("platformkit:project-create")).status_code == 403


def test_inactive_staff_is_forbidden(make_user: Any) -> None:
    from platformkit.access import staff_or_permission

    assert staff_or_permission(make_user("gone", is_staff=True, is_active=False)) is None


def test_permission_holder_gets_in(api: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("helper", "use_dashboard"))
    assert client.get(PROJECTS).status_code == 200


def test_reveal_needs_its_own_permission(make_user: Any) -> None:
    from platformkit.access import staff_or_permission

    assert staff_or_permission(make_user("staff", is_staff=True)).can_reveal_credentials is False
    assert staff_or_permission(make_user("keeper", "use_dashboard", "reveal_credential")).can_reveal_credentials
    assert staff_or_permission(make_user("root", is_staff=True, is_superuser=True)).can_reveal_credentials


def test_policy_hides_projects_from_list_and_detail(
    api: Any, make_project: Any, operator_client: Client, settings: Any
) -> None:
    shown, hidden = make_project("Shown to the user"), make_project("Hidden from the user")
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.only_shown"}
    global _shown_ref
    _shown_ref = shown.ref

    listing = operator_client.get(PROJECTS).content.decode()
    assert shown.ref in listing and hidden.ref not in listing
    assert operator_client.get(reverse("platformkit:project", args=[hidden.ref])).status_code == 404
    assert operator_client.get(reverse("platformkit:project", args=[shown.ref])).status_code == 200


_shown_ref = ""


def only_shown(user: Any) -> Access:
    return Access(visible_refs=frozenset({_shown_ref}))


@pytest.mark.parametrize("section", ["projects"])
def test_section_switched_off_is_404(operator_client: Client, settings: Any, section: str) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "FEATURES": {section: False}}
    assert operator_client.get(PROJECTS).status_code == 404


def test_access_object_rules() -> None:
    everything = Access()
    assert everything.can_view("a") and everything.can_change("a")
    scoped = Access(visible_refs=frozenset({"a", "b"}), changeable_refs=frozenset({"b", "c"}))
    assert scoped.can_view("a") and not scoped.can_change("a")
    assert scoped.can_change("b")
    assert not scoped.can_change("c"), "changing needs seeing"
