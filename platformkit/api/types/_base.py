"""Typed results. Field names are the OpenAPI document's; each object also keeps the whole
JSON (``raw``) and whatever fields this version does not know yet (``extra``), since the API
grows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, TypeVar

T = TypeVar("T", bound="APIObject")


@dataclass(frozen=True)
class APIObject:
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # Nested fields built as another APIObject type (or a list of them).
    nested: ClassVar[dict[str, type[APIObject]]] = {}

    @classmethod
    def from_json(cls: type[T], data: dict[str, Any]) -> T:
        known = {f.name for f in fields(cls)} - {"raw", "extra"}
        values: dict[str, Any] = {}
        for name in known & data.keys():
            value = data[name]
            kind = cls.nested.get(name)
            if kind is not None and isinstance(value, dict):
                value = kind.from_json(value)
            elif kind is not None and isinstance(value, list):
                value = [kind.from_json(item) for item in value]
            values[name] = value
        extra = {key: value for key, value in data.items() if key not in known}
        return cls(raw=data, extra=extra, **values)

    @classmethod
    def list_from_json(cls: type[T], data: list[dict[str, Any]]) -> list[T]:
        return [cls.from_json(item) for item in data]


@dataclass(frozen=True)
class Organization(APIObject):
    slug: str = ""
    name: str = ""
    id: str | None = None  # deprecated: use slug


@dataclass(frozen=True)
class OrganizationDetail(APIObject):
    id: str = ""
    name: str = ""
    plan: str | None = None
    opt_in_tags: list[str] = field(default_factory=list)
    allowed_release_channels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectDatabase(APIObject):
    host: str = ""
    version: str = ""
    postgres_engine: str = ""
    release_channel: str = ""


@dataclass(frozen=True)
class Project(APIObject):
    ref: str = ""
    name: str = ""
    organization_slug: str = ""
    region: str = ""
    status: str = ""
    created_at: str = ""
    database: ProjectDatabase | None = None
    organization_id: str | None = None  # deprecated
    id: str | None = None  # deprecated: use ref

    nested: ClassVar[dict[str, type[APIObject]]] = {"database": ProjectDatabase}


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
class ProjectRef(APIObject):
    id: int = 0
    ref: str = ""
    name: str = ""


@dataclass(frozen=True)
class ServiceHealth(APIObject):
    name: str = ""
    status: str = ""
    healthy: bool | None = None  # deprecated: use status
    error: str | None = None
    info: dict[str, Any] | None = None


@dataclass(frozen=True)
class Region(APIObject):
    name: str = ""
    code: str = ""
    type: str = ""
    provider: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class RegionsInfo(APIObject):
    recommendations: dict[str, Any] = field(default_factory=dict)
    all: dict[str, Any] = field(default_factory=dict)

    @property
    def smart_groups(self) -> list[Region]:
        return Region.list_from_json(self.all.get("smartGroup", []))

    @property
    def specific_regions(self) -> list[Region]:
        return Region.list_from_json(self.all.get("specific", []))

    @property
    def recommended_smart_group(self) -> Region | None:
        group = self.recommendations.get("smartGroup")
        return Region.from_json(group) if group else None


@dataclass(frozen=True)
class RestoreVersion(APIObject):
    version: str = ""
    release_channel: str = ""
    postgres_engine: str = ""


@dataclass(frozen=True)
class RateLimitState:
    """What the last response's rate-limit headers said (when it sent any)."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Backups:  # type: ignore[override]
        made = super().from_json(data)
        return replace(made, backups=tuple(Backup.list_from_json(data.get("backups") or [])))

    @property
    def pitr_window(self) -> tuple[int, int] | None:
        """(earliest, latest) Unix seconds a PITR restore may target, when known."""
        earliest = self.physical_backup_data.get("earliest_physical_backup_date_unix")
        latest = self.physical_backup_data.get("latest_physical_backup_date_unix")
        return (int(earliest), int(latest)) if earliest is not None and latest is not None else None


# Branches, action runs, migrations (issue 4)


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

    nested: ClassVar[dict[str, type[APIObject]]] = {"run_steps": ActionRunStep}

    @property
    def finished(self) -> bool:
        """Every step has exited (or one died): nothing more will happen."""
        return bool(self.run_steps) and (all(step.status == "EXITED" for step in self.run_steps) or self.failed)

    @property
    def failed(self) -> bool:
        return any(step.status == "DEAD" for step in self.run_steps)


@dataclass(frozen=True)
class Migration(APIObject):
    """An item of ``V1ListMigrationsResponse`` or a ``V1GetMigrationResponse``."""

    version: str = ""
    name: str | None = None
    statements: list[str] | None = None
    rollback: list[str] | None = None
    created_by: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Secret(APIObject):
    """``SecretResponse``: ``value`` is the digest the API shows, not the secret."""

    name: str = ""
    value: str = ""
    updated_at: str | None = None


@dataclass(frozen=True)
class ApiKey(APIObject):
    """``ApiKeyResponse``: ``type`` is legacy, publishable or secret; ``api_key`` is masked for
    secret keys unless the request asked to reveal it."""

    name: str = ""
    id: str | None = None
    type: str | None = None
    api_key: str | None = None
    prefix: str | None = None
    description: str | None = None
    hash: str | None = None
    secret_jwt_template: dict[str, Any] | None = None
    inserted_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class AddonPrice(APIObject):
    description: str = ""
    type: str = ""  # fixed | usage
    interval: str = ""  # monthly | hourly
    amount: float = 0.0


@dataclass(frozen=True)
class AddonVariant(APIObject):
    """A variant of ``ListProjectAddonsResponse``: ``id`` is e.g. ``ci_small`` or ``pitr_7``."""

    id: str = ""
    name: str = ""
    price: AddonPrice | None = None
    meta: Any = None
    nested: ClassVar[dict[str, type[APIObject]]] = {"price": AddonPrice}


@dataclass(frozen=True)
class SelectedAddon(APIObject):
    type: str = ""
    variant: AddonVariant | None = None
    nested: ClassVar[dict[str, type[APIObject]]] = {"variant": AddonVariant}


@dataclass(frozen=True)
class AvailableAddon(APIObject):
    type: str = ""
    name: str = ""
    variants: list[AddonVariant] = field(default_factory=list)
    nested: ClassVar[dict[str, type[APIObject]]] = {"variants": AddonVariant}


@dataclass(frozen=True)
class ProjectAddons(APIObject):
    """``ListProjectAddonsResponse``."""

    selected_addons: list[SelectedAddon] = field(default_factory=list)
    available_addons: list[AvailableAddon] = field(default_factory=list)
    ref: str | None = None
    nested: ClassVar[dict[str, type[APIObject]]] = {
        "selected_addons": SelectedAddon,
        "available_addons": AvailableAddon,
    }

    def selected(self, addon_type: str) -> AddonVariant | None:
        return next((item.variant for item in self.selected_addons if item.type == addon_type), None)

    def variants(self, addon_type: str) -> list[AddonVariant]:
        return next((item.variants for item in self.available_addons if item.type == addon_type), [])


@dataclass(frozen=True)
class ClaimToken(APIObject):
    """``ProjectClaimTokenResponse``; ``token`` is there only in the answer that created it."""

    token_alias: str = ""
    expires_at: str = ""
    created_at: str = ""
    created_by: str = ""
    token: str | None = None


@dataclass(frozen=True)
class Lint(APIObject):
    """One finding of ``V1ProjectAdvisorsResponse.lints``; ``cache_key`` identifies it across runs."""

    name: str = ""
    title: str = ""
    level: str = ""  # ERROR | WARN | INFO
    facing: str = ""
    categories: list[str] = field(default_factory=list)
    description: str = ""
    detail: str = ""
    remediation: str = ""
    metadata: dict[str, Any] | None = None
    cache_key: str = ""

    @classmethod
    def list_from_response(cls, data: dict[str, Any]) -> list[Lint]:
        return cls.list_from_json(data.get("lints", []))


@dataclass(frozen=True)
class AnalyticsResult(APIObject):
    """``AnalyticsResponse``: ``result`` rows, or ``error`` (a string, or BigQuery's error
    object with ``message``) when the SQL was refused."""

    result: list[dict[str, Any]] = field(default_factory=list)
    error: Any = None

    @property
    def error_message(self) -> str | None:
        if self.error is None:
            return None
        if isinstance(self.error, dict):
            return str(self.error.get("message") or self.error)
        return str(self.error)


@dataclass(frozen=True)
class EdgeFunction(APIObject):
    """``FunctionResponse`` / ``FunctionSlugResponse`` / ``DeployFunctionResponse``; times are
    milliseconds since the epoch."""

    id: str = ""
    slug: str = ""
    name: str = ""
    status: str = ""  # ACTIVE | REMOVED | THROTTLED
    version: int = 0
    created_at: int | None = None
    updated_at: int | None = None
    verify_jwt: bool | None = None
    import_map: bool | None = None
    entrypoint_path: str | None = None
    import_map_path: str | None = None
    ezbr_sha256: str | None = None
