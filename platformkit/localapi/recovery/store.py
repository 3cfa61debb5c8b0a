"""The backup store of one instance: base backups, its WAL archive and a small JSON catalog.

Layout (one store per project or branch)::

    <root>/catalog.json        backups, registered timelines (crash-safe rewrites)
    <root>/catalog.lock        flock'ed while the catalog is read-modify-written
    <root>/base/<id>/          plain-format pg_basebackup output (backup_label, backup_manifest)
    <root>/base/<id>.partial/  a backup being taken (never in the catalog; pruned on sight)
    <root>/wal/                the WAL archive (segments, .history and .backup files)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .binaries import adopt, parse_lsn
from .durable import locked, read_json, write_json

CATALOG_VERSION = 1


@dataclass(frozen=True)
class Backup:
    """One base backup: where it is in WAL and in time, and what it builds on."""

    id: str
    kind: str  # "full" or "incremental"
    parent: str | None  # the backup an incremental is taken against
    timeline: int
    start_lsn: str
    end_lsn: str  # the backup is consistent once WAL is replayed to here
    start_time: datetime
    end_time: datetime  # earliest restorable time from this backup
    system_identifier: str
    size_bytes: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start_time"] = self.start_time.isoformat()
        data["end_time"] = self.end_time.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Backup:
        return cls(
            **{
                **data,
                "start_time": datetime.fromisoformat(data["start_time"]),
                "end_time": datetime.fromisoformat(data["end_time"]),
            }
        )


@dataclass(frozen=True)
class Timeline:
    """A timeline that became live by a swap: from ``since`` on, the instance wrote on it."""

    timeline: int
    parent: int
    switch_lsn: str  # where it branched off ``parent``
    since: datetime

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "since": self.since.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timeline:
        return cls(**{**data, "since": datetime.fromisoformat(data["since"])})


@dataclass
class Catalog:
    backups: list[Backup] = field(default_factory=list)
    timelines: list[Timeline] = field(default_factory=list)


class BackupStore:
    """One instance's backups and WAL archive under ``root`` (see the module docstring)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    @property
    def wal_dir(self) -> Path:
        return self.root / "wal"

    @property
    def base_dir(self) -> Path:
        return self.root / "base"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.json"

    def ensure(self, owner_like: Path | str | None = None) -> BackupStore:
        """Create the layout; when root, hand it to the owner of ``owner_like`` (the data dir)."""
        for path in (self.root, self.base_dir, self.wal_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            if owner_like is not None:
                adopt(path, owner_like)
        return self

    def backup_path(self, backup: Backup | str) -> Path:
        return self.base_dir / (backup if isinstance(backup, str) else backup.id)

    def read(self) -> Catalog:
        if not self.catalog_path.exists():
            return Catalog()
        data = read_json(self.catalog_path)
        return Catalog(
            backups=[Backup.from_json(b) for b in data.get("backups", [])],
            timelines=[Timeline.from_json(t) for t in data.get("timelines", [])],
        )

    @contextmanager
    def editing(self) -> Iterator[Catalog]:
        """Read-modify-write the catalog under its lock; written back (atomically) on success."""
        self.root.mkdir(parents=True, exist_ok=True)
        with locked(self.root / "catalog.lock"):
            catalog = self.read()
            yield catalog
            write_json(
                self.catalog_path,
                {
                    "version": CATALOG_VERSION,
                    "backups": [b.to_json() for b in sorted(catalog.backups, key=lambda b: b.end_time)],
                    "timelines": [t.to_json() for t in sorted(catalog.timelines, key=lambda t: t.timeline)],
                },
            )

    def backups(self) -> list[Backup]:
        """Every catalogued backup, oldest first."""
        return sorted(self.read().backups, key=lambda b: b.end_time)

    def chain(self, backup: Backup) -> list[Backup]:
        """The full backup ``backup`` builds on, then each incremental up to ``backup`` itself."""
        by_id = {b.id: b for b in self.read().backups}
        chain = [backup]
        while chain[0].parent is not None:
            parent = by_id.get(chain[0].parent)
            if parent is None:
                raise KeyError(f"backup {chain[0].id} builds on {chain[0].parent}, which is gone")
            chain.insert(0, parent)
        return chain

    def history(self, timeline: int) -> list[tuple[int, int]]:
        """(ancestor timeline, LSN where it ended) pairs from the archived ``.history`` file."""
        if timeline <= 1:
            return []
        path = self.wal_dir / f"{timeline:08X}.history"
        if not path.exists():
            return []
        pairs = []
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit():
                pairs.append((int(parts[0]), parse_lsn(parts[1])))
        return pairs

    def wal_segments(self) -> list[Path]:
        """Archived WAL segment files (24 hex digits), in no particular order."""
        if not self.wal_dir.exists():
            return []
        return [
            self.wal_dir / name
            for name in os.listdir(self.wal_dir)
            if len(name) == 24 and all(c in "0123456789ABCDEF" for c in name)
        ]
