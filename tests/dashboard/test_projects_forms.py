"""The projects section's forms beyond create: the password reveal's box and the typed name
that deletes a project; and which organization's regions the create form offers."""

from __future__ import annotations

from platformkit.api.types import Organization
from platformkit.sections.projects.forms import ProjectCreateForm, ProjectDeleteForm, RevealPasswordForm


def test_reveal_needs_the_box_ticked() -> None:
    assert RevealPasswordForm({"confirm": "yes"}).is_valid()
    for data in ({}, {"confirm": "on"}, {"confirm": "no"}):
        form = RevealPasswordForm(data)
        assert not form.is_valid() and form.errors["confirm"] == ["Tick the box to see the password."]


def test_delete_needs_the_project_name_typed() -> None:
    assert ProjectDeleteForm({"confirm_name": " Shop "}, project_name="Shop").is_valid()
    refused = ProjectDeleteForm({"confirm_name": "shop"}, project_name="Shop")
    assert not refused.is_valid() and refused.error == "Type the project's name, Shop, to confirm."
    assert refused.submitted() == "shop"


def test_create_offers_the_regions_of_the_posted_organization_else_the_first() -> None:
    orgs = [Organization(id="1", slug="first", name="First"), Organization(id="2", slug="second", name="Second")]
    assert ProjectCreateForm(organizations=orgs).organization_slug() == "first"
    assert ProjectCreateForm({"organization": "second"}, organizations=orgs).organization_slug() == "second"
    assert ProjectCreateForm(organizations=[]).organization_slug() is None
