"""Tag "Database", backups: restore points and the backups list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ._base import APIObject, Nested


@dataclass(frozen=True)
class RestorePoint(APIObject):
    """``V1RestorePointResponse``: status AVAILABLE, PENDING, REMOVED or FAILED."""

    name: str = ""
    status: str = ""
    completed_on: str | None = None


@dataclass(frozen=True)
class Backup(APIObject):
    id: int = 0
    is_physical_backup: bool = False
    status: str = ""  # COMPLETED, FAILED, PENDING, REMOVED, ARCHIVED, CANCELLED
    inserted_at: str = ""


@dataclass(frozen=True)
class Backups(APIObject):
    """``V1BackupsResponse``; the PITR window is ``physical_backup_data``'s two Unix times."""

    region: str = ""
    walg_enabled: bool = False
    pitr_enabled: bool = False
    backups: tuple[Backup, ...] = ()
    physical_backup_data: dict[str, int] = field(default_factory=dict)

    nested: ClassVar[Nested] = {"backups": Backup}
    tuple_fields: ClassVar[frozenset[str]] = frozenset({"backups"})

    @property
    def pitr_window(self) -> tuple[int, int] | None:
        """(earliest, latest) Unix seconds a PITR restore may target, when known."""
        earliest = self.physical_backup_data.get("earliest_physical_backup_date_unix")
        latest = self.physical_backup_data.get("latest_physical_backup_date_unix")
        return (int(earliest), int(latest)) if earliest is not None and latest is not None else None
