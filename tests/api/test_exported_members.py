"""The public names of the client (as httpx pins its own): adding or dropping one is a
deliberate change to this list, and every name listed exists."""

import inspect

import platformkit.api
import platformkit.api.types

API_NAMES = [
    "AsyncManagementClient",
    "ManagementClient",
    "MemoryStore",
    "Pacer",
    "ReadCache",
    "Result",
    "errors",
    "types",
]

TYPE_NAMES = [
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


def test_api_all() -> None:
    assert set(platformkit.api.__all__) == set(API_NAMES)
    assert len(platformkit.api.__all__) == len(API_NAMES)
    for name in platformkit.api.__all__:
        assert hasattr(platformkit.api, name), name


def test_types_all() -> None:
    assert set(platformkit.api.types.__all__) == set(TYPE_NAMES)
    assert len(platformkit.api.types.__all__) == len(TYPE_NAMES)
    for name in platformkit.api.types.__all__:
        assert hasattr(platformkit.api.types, name), name


def test_every_public_type_is_exported() -> None:
    """No class defined in a ``types`` module is left out of ``types.__all__``."""
    defined = {
        name
        for module in vars(platformkit.api.types).values()
        if inspect.ismodule(module) and module.__name__.startswith("platformkit.api.types.")
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__ and not name.startswith("_")
    }
    assert defined == set(platformkit.api.types.__all__)
