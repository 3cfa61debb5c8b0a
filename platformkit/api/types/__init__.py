"""Typed results, one module per resource (as in ``platformkit.api.resources``); every
public name is re-exported here, so ``from platformkit.api.types import Project`` is the way
to import one."""

from ._base import APIObject, RateLimitState
from .advisors import Lint
from .analytics import AnalyticsResult
from .api_keys import ApiKey
from .backups import Backup, Backups, RestorePoint
from .billing import AddonPrice, AddonVariant, AvailableAddon, ProjectAddons, SelectedAddon
from .branches import ActionRun, ActionRunStep, Branch, BranchDetail, BranchUpdate
from .claims import ClaimToken
from .database import Migration, PoolerConfig
from .functions import EdgeFunction
from .organizations import Organization, OrganizationDetail
from .projects import Project, ProjectDatabase, ProjectRef, Region, RegionsInfo, RestoreVersion, ServiceHealth
from .secrets import Secret
from .storage import StorageBucket

__all__ = [
    "APIObject",
    "ActionRun",
    "ActionRunStep",
    "AddonPrice",
    "AddonVariant",
    "AnalyticsResult",
    "ApiKey",
    "AvailableAddon",
    "Backup",
    "Backups",
    "Branch",
    "BranchDetail",
    "BranchUpdate",
    "ClaimToken",
    "EdgeFunction",
    "Lint",
    "Migration",
    "Organization",
    "OrganizationDetail",
    "PoolerConfig",
    "Project",
    "ProjectAddons",
    "ProjectDatabase",
    "ProjectRef",
    "RateLimitState",
    "Region",
    "RegionsInfo",
    "RestorePoint",
    "RestoreVersion",
    "Secret",
    "SelectedAddon",
    "ServiceHealth",
    "StorageBucket",
]
