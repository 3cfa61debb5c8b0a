"""Tag "Database", backups: restore points, undo, PITR and the backups list."""

from __future__ import annotations

from platformkit.api._core import Call
from platformkit.api.types import Backups as BackupsInfo
from platformkit.api.types import RestorePoint

from ._base import Resource, segment


def _base(ref: str) -> str:
    return f"/v1/projects/{segment(ref)}/database/backups"


class Backups(Resource):
    def list(self, ref: str) -> BackupsInfo:
        """GET /v1/projects/{ref}/database/backups: backups, and whether PITR is on."""
        return self._run(Call("GET", _base(ref), cast=BackupsInfo.from_json))

    def create_restore_point(self, ref: str, name: str) -> RestorePoint:
        """POST .../restore-point (201). ``name``: at most 20 characters."""
        return self._run(Call("POST", f"{_base(ref)}/restore-point", json={"name": name}, cast=RestorePoint.from_json))

    def get_restore_point(self, ref: str, name: str) -> RestorePoint:
        """GET .../restore-point?name=..."""
        return self._run(Call("GET", f"{_base(ref)}/restore-point", params={"name": name}, cast=RestorePoint.from_json))

    def undo(self, ref: str, name: str) -> None:
        """POST .../undo (201, no body): revert the database to the restore point ``name``."""
        return self._run(Call[None]("POST", f"{_base(ref)}/undo", json={"name": name}))

    def restore_pitr(self, ref: str, recovery_time_target_unix: int) -> None:
        """POST .../restore-pitr (201, no body): production only, when PITR is enabled."""
        return self._run(
            Call[None](
                "POST", f"{_base(ref)}/restore-pitr", json={"recovery_time_target_unix": int(recovery_time_target_unix)}
            )
        )
