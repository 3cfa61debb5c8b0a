"""Forms of the branches section: create (name, secrets, the data-copy acknowledgement), the
merge override reason, and the typed confirmations of reset and delete.

The templates render their own ``<input>``s; these forms only read and check what is posted."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from platformkit.api.types import Branch
from platformkit.core.destructive import TypedRef
from platformkit.core.fields import Flag
from platformkit.core.hooks import MergeReview
from platformkit.core.targets import Target

BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
SECRET_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")

NAME_ERROR = "Name: 1 to 100 letters, digits, '.', '_', '-' or '/', starting with a letter or digit (not 'main')."
DATA_ACK_ERROR = (
    "Copying data copies production's rows, personal data included: "
    "tick the acknowledgement, or leave data out and seed the branch."
)
OVERRIDE_FORBIDDEN = "override_forbidden"
OVERRIDE_FORBIDDEN_ERROR = (
    "A check blocks this merge, and overriding it takes the override_merge_checks permission: "
    "fix what it found, or ask someone who has it."
)
REASON_REQUIRED_ERROR = "A check blocks this merge: give a reason to override it, or fix what it found."


def parse_secrets(text: str) -> tuple[dict[str, str], list[str]]:
    """``NAME=value`` lines (blank lines skipped) as a dict, and the lines that are not ("line 2")."""
    found, bad = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SECRET_LINE.match(line.strip())
        if match is None:
            bad.append(f"line {number}")
        else:
            found[match.group(1)] = match.group(2)
    return found, bad


class BranchCreateForm(forms.Form):
    """``cleaned_data``: ``name``, ``secrets`` (a dict), ``with_data``, ``persistent``."""

    name = forms.CharField(required=False, strip=True)
    secrets = forms.CharField(required=False, strip=False)
    with_data = Flag()
    persistent = Flag()
    with_data_ack = Flag()

    SHOWN = ("name", "secrets", "with_data", "persistent")

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not BRANCH_NAME.match(name) or name == "main":
            raise forms.ValidationError(NAME_ERROR)
        return name

    def clean_secrets(self) -> dict[str, str]:
        found, bad = parse_secrets(self.cleaned_data["secrets"])
        if bad:
            raise forms.ValidationError(f"Secrets: write one NAME=value per line ({', '.join(bad)} is not).")
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("with_data") and not data.get("with_data_ack"):
            self.add_error("with_data_ack", DATA_ACK_ERROR)
        return data

    def problems(self) -> list[str]:
        """Every refusal, in the order of the form's fields."""
        return [str(message) for messages in self.errors.values() for message in messages]

    def shown(self) -> dict[str, Any]:
        """The values to show again in the template's ``form``, as submitted (the name stripped)."""
        return {key: self.fields[key].to_python(self[key].data) for key in self.SHOWN}


class MergeForm(TypedRef):
    """The merge step: production's ref typed (``core.destructive``); a blocking check stops it
    unless the operator may override checks and gives a reason (refused with code
    ``override_forbidden`` when they may not)."""

    override_reason = forms.CharField(required=False, strip=True)

    def __init__(self, *args: Any, review: MergeReview, may_override: bool, **kwargs: Any) -> None:
        production = Target(review.project_ref, review.project_ref)
        super().__init__(*args, action="branches.merge", target=production, **kwargs)
        self.review = review
        self.may_override = may_override

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.review.blocked and not self.may_override:
            raise forms.ValidationError(OVERRIDE_FORBIDDEN_ERROR, code=OVERRIDE_FORBIDDEN)
        if self.review.blocked and not data.get("override_reason"):
            raise forms.ValidationError(REASON_REQUIRED_ERROR, code="reason_required")
        return data

    @property
    def forbidden(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, OVERRIDE_FORBIDDEN)

    @property
    def error(self) -> str:
        return str((self.non_field_errors() or self.errors["confirm_ref"])[0])


class BranchConfirmForm(forms.Form):
    """Reset or delete: the branch's name typed out (``verb`` says which, in the refusal)."""

    confirm_name = forms.CharField(required=False, strip=True)

    def __init__(self, *args: Any, branch: Branch, verb: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.branch = branch
        self.verb = verb

    def clean_confirm_name(self) -> str:
        typed: str = self.cleaned_data["confirm_name"]
        if typed != self.branch.name:
            raise forms.ValidationError(f"Type the branch name {self.branch.name!r} to {self.verb} it.")
        return typed

    @property
    def error(self) -> str:
        return str(self.errors["confirm_name"][0])


class BranchDeleteForm(BranchConfirmForm):
    """``cleaned_data["when"]``: ``True`` to delete now, ``False`` for after the grace period."""

    when = Flag("now")
