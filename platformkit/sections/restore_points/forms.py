"""Forms of the restore points section: a restore point's name, the typed confirmation of an
undo, and point-in-time recovery's two steps (a time within the window, then the data loss
acknowledged and the project ref typed).

The templates render their own ``<input>``s; these forms only read and check what is posted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms

from platformkit.core.destructive import TypedRef
from platformkit.core.fields import Flag
from platformkit.core.targets import Target
from platformkit.models import RestorePoint
from platformkit.sections.restore_points.services import RecoveryError, point_name

TIME_LAYOUTS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")  # what a datetime-local input sends
TIME_REQUIRED_ERROR = "Pick a date and time (UTC) to restore to."


class _Form(forms.Form):
    def submitted(self, field: str) -> str:
        """What was posted for ``field``, as typed (to show it again)."""
        return str(self[field].data or "")

    def error(self, field: str) -> str | None:
        """The first refusal of ``field``, if any."""
        found = self.errors.get(field)
        return str(found[0]) if found else None


def parse_utc(raw: str) -> datetime | None:
    """A datetime-local value (seconds optional) read as UTC; ``None`` when it is not one."""
    for layout in TIME_LAYOUTS:
        try:
            return datetime.strptime(raw.strip(), layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class RestorePointForm(_Form):
    """``cleaned_data["name"]``: the stripped name (at most ``NAME_MAX`` characters)."""

    name = forms.CharField(required=False, strip=False)

    def clean_name(self) -> str:
        try:
            return point_name(self.cleaned_data["name"])
        except RecoveryError as exc:
            raise forms.ValidationError(str(exc)) from exc


class UndoForm(TypedRef, _Form):
    """Undo to ``point``: on production the project ref typed (``core.destructive``'s rule), on a
    branch the point's name typed out."""

    confirm_name = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, point: RestorePoint, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, action="restore_points.undo", target=target, **kwargs)
        self.point = point

    def clean_confirm_name(self) -> str:
        typed: str = self.cleaned_data["confirm_name"]
        if not self.target.is_production and typed.strip() != self.point.name:
            raise forms.ValidationError(f"Type the restore point's name, {self.point.name}, to confirm.")
        return typed

    @property
    def refusal(self) -> str | None:
        return self.error("confirm_name") or self.error("confirm_ref")


class PitrForm(_Form):
    """Point-in-time recovery of the project ``project_ref`` within ``window`` (earliest, latest).

    ``recovery_time`` is refused unless it is a time in the window; on the confirm step
    (``step=confirm``), ``confirm_ref`` is refused unless the box is ticked and the ref typed.
    ``cleaned_data``: ``recovery_time`` (an aware UTC datetime), ``confirm`` (the confirm step)."""

    recovery_time = forms.CharField(required=False, strip=False)
    step = forms.CharField(required=False)
    confirm_ref = forms.CharField(required=False, strip=False)
    understood = Flag("yes")

    def __init__(self, *args: Any, project_ref: str, window: tuple[datetime, datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project_ref = project_ref
        self.window = window

    def clean_recovery_time(self) -> datetime:
        when = parse_utc(self.cleaned_data["recovery_time"])
        if when is None:
            raise forms.ValidationError(TIME_REQUIRED_ERROR)
        earliest, latest = self.window
        if not earliest <= when <= latest:
            raise forms.ValidationError(
                f"Pick a time between {earliest:%Y-%m-%d %H:%M:%S} and {latest:%Y-%m-%d %H:%M:%S} UTC."
            )
        return when

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["confirm"] = data.get("step") == "confirm"
        if data["confirm"] and (not data.get("understood") or data.get("confirm_ref", "").strip() != self.project_ref):
            self.add_error(
                "confirm_ref", f"Tick the box and type the project ref, {self.project_ref}, to confirm the data loss."
            )
        return data
