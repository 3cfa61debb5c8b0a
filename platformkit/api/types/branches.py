"""Tag "Environments": branches, and the action runs of their workflows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ._base import APIObject, Nested


@dataclass(frozen=True)
class Branch(APIObject):
    """``BranchResponse``: a branch is a project of its own (``project_ref``)."""

    id: str = ""
    name: str = ""
    project_ref: str = ""
    parent_project_ref: str = ""
    is_default: bool = False
    persistent: bool = False
    status: str = ""  # deprecated upstream: action runs report a workflow's progress
    created_at: str = ""
    updated_at: str = ""
    git_branch: str | None = None
    with_data: bool | None = None
    deletion_scheduled_at: str | None = None
    preview_project_status: str | None = None


@dataclass(frozen=True)
class BranchDetail(APIObject):
    """``BranchDetailResponse``: the branch's own database (``db_pass`` only when revealed)."""

    ref: str = ""
    status: str = ""
    postgres_version: str = ""
    postgres_engine: str = ""
    release_channel: str = ""
    db_host: str = ""
    db_port: int = 0
    db_user: str | None = None


@dataclass(frozen=True)
class BranchUpdate(APIObject):
    """``BranchUpdateResponse`` of merge, push and reset: follow ``workflow_run_id``."""

    workflow_run_id: str = ""
    message: str = ""


@dataclass(frozen=True)
class ActionRunStep(APIObject):
    name: str = ""  # clone, pull, health, configure, migrate, seed, deploy
    status: str = ""  # CREATED, DEAD, EXITED, PAUSED, REMOVING, RESTARTING, RUNNING
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class ActionRun(APIObject):
    """``ActionRunResponse``: a branch workflow's progress, step by step."""

    id: str = ""
    branch_id: str = ""
    run_steps: list[ActionRunStep] = field(default_factory=list)
    workdir: str | None = None
    check_run_id: float | None = None
    created_at: str = ""
    updated_at: str = ""

    nested: ClassVar[Nested] = {"run_steps": ActionRunStep}

    @property
    def finished(self) -> bool:
        """Every step has exited (or one died): nothing more will happen."""
        return bool(self.run_steps) and (all(step.status == "EXITED" for step in self.run_steps) or self.failed)

    @property
    def failed(self) -> bool:
        return any(step.status == "DEAD" for step in self.run_steps)
