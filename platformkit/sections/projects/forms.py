"""Forms of the projects section: create a project, confirm a password reveal, and the typed
ref that pauses or deletes a project. Except for create, the templates render their own ``<input>``s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from platformkit.conf import get_config
from platformkit.core.destructive import TypedRef
from platformkit.core.fields import Flag
from platformkit.core.targets import Target
from platformkit.sections.projects.services import SMART_REGION_GROUPS, SPECIFIC_REGION_PREFIX


class ProjectCreateForm(forms.Form):
    name = forms.CharField(
        label="Project name",
        max_length=256,
        strip=True,
        error_messages={"required": "Give the project a name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    organization = forms.ChoiceField(label="Organization")
    region = forms.ChoiceField(
        label="Region",
        choices=list(SMART_REGION_GROUPS.items()),
        help_text="A smart group lets Supabase pick the best available region within it; or choose one region.",
    )
    instance_size = forms.ChoiceField(label="Instance size")

    def __init__(
        self, *args: Any, organizations: Sequence[Any] = (), specific_regions: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        config = get_config()
        kwargs.setdefault(
            "initial", {"region": config["DEFAULT_REGION"], "instance_size": config["DEFAULT_INSTANCE_SIZE"]}
        )
        super().__init__(*args, **kwargs)
        choices = [(org.slug, org.name or org.slug) for org in organizations]
        submitted = self.data.get("organization") if self.is_bound else None
        if submitted and submitted not in {slug for slug, _ in choices} and not organizations:
            # The list is unavailable (upstream down): keep what was chosen rather than lose it.
            choices.append((submitted, submitted))
        self._choice_field("organization").choices = choices
        self._choice_field("instance_size").choices = [(size, size) for size in config["INSTANCE_SIZES"]]
        self.organization_slugs = [slug for slug, _ in choices]
        self.offer_regions(specific_regions)

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def organization_slug(self) -> str | None:
        """The organization whose regions to offer: the one posted, else the first listed."""
        submitted = self["organization"].data if self.is_bound else None
        return submitted or next(iter(self.organization_slugs), None)

    def offer_regions(self, specific_regions: Sequence[Any]) -> None:
        """Offer ``specific_regions`` (from available-regions) besides the smart groups."""
        if specific_regions:  # without them, the smart groups alone
            self._choice_field("region").choices = [
                ("Smart groups", list(SMART_REGION_GROUPS.items())),
                (
                    "Specific regions",
                    [
                        (SPECIFIC_REGION_PREFIX + region.code, f"{region.name} ({region.code})")
                        for region in specific_regions
                        if region.code
                    ],
                ),
            ]


class RevealPasswordForm(forms.Form):
    """The box "I need to see it" ticked (``confirm=yes``); anything else is no reveal."""

    confirm = Flag("yes")

    def clean_confirm(self) -> bool:
        if not self.cleaned_data["confirm"]:
            raise forms.ValidationError("Tick the box to see the password.")
        return True


class ConfirmRefForm(TypedRef):
    """Pause or delete the project: its ref typed (``core.destructive``'s rule)."""

    def __init__(self, *args: Any, action: str, ref: str, **kwargs: Any) -> None:
        super().__init__(*args, action=action, target=Target(ref, ref), **kwargs)

    @property
    def error(self) -> str:
        return str(self.errors["confirm_ref"][0])
