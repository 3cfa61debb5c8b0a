"""Forms of the dashboard's screens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from platformkit.conf import get_config
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
        self.fields["organization"].choices = choices
        self.fields["instance_size"].choices = [(size, size) for size in config["INSTANCE_SIZES"]]
        if specific_regions:  # from available-regions; without them, the smart groups alone
            self.fields["region"].choices = [
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
