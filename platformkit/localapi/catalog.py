"""The fixed vocabularies the real API documents (the OpenAPI document's enums)."""

from __future__ import annotations

SMART_GROUPS: dict[str, str] = {
    "americas": "Americas",
    "emea": "Europe, Middle East and Africa",
    "apac": "Asia-Pacific",
}

# Specific regions (V1CreateProjectBody.region's enum): code -> (name, smart group).
REGIONS: dict[str, tuple[str, str]] = {
    "us-east-1": ("East US (North Virginia)", "americas"),
    "us-east-2": ("East US (Ohio)", "americas"),
    "us-west-1": ("West US (North California)", "americas"),
    "us-west-2": ("West US (Oregon)", "americas"),
    "ca-central-1": ("Canada (Central)", "americas"),
    "sa-east-1": ("South America (São Paulo)", "americas"),
    "eu-west-1": ("West EU (Ireland)", "emea"),
    "eu-west-2": ("West Europe (London)", "emea"),
    "eu-west-3": ("West EU (Paris)", "emea"),
    "eu-north-1": ("North EU (Stockholm)", "emea"),
    "eu-central-1": ("Central EU (Frankfurt)", "emea"),
    "eu-central-2": ("Central Europe (Zurich)", "emea"),
    "ap-south-1": ("South Asia (Mumbai)", "apac"),
    "ap-southeast-1": ("Southeast Asia (Singapore)", "apac"),
    "ap-northeast-1": ("Northeast Asia (Tokyo)", "apac"),
    "ap-northeast-2": ("Northeast Asia (Seoul)", "apac"),
    "ap-southeast-2": ("Oceania (Sydney)", "apac"),
    "ap-east-1": ("East Asia (Hong Kong)", "apac"),
}

# Where a smart group places a project.
SMART_GROUP_DEFAULT_REGION: dict[str, str] = {"americas": "us-east-1", "emea": "eu-central-1", "apac": "ap-southeast-1"}

# available-regions' ``continent`` (NA, SA, EU, AF, AS, OC, AN) -> the smart group it recommends.
CONTINENT_SMART_GROUP: dict[str, str] = {
    "NA": "americas",
    "SA": "americas",
    "EU": "emea",
    "AF": "emea",
    "AS": "apac",
    "OC": "apac",
    "AN": "americas",
}

INSTANCE_SIZES = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
    "24xlarge_optimized_memory",
    "24xlarge_optimized_cpu",
    "24xlarge_high_memory",
    "48xlarge",
    "48xlarge_optimized_memory",
    "48xlarge_optimized_cpu",
    "48xlarge_high_memory",
)

SERVICES = ("auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer")
# The services whose health is a real connection to the project's database.
DATABASE_SERVICES = frozenset({"db", "db_postgres_user", "pooler", "pg_bouncer"})

PROJECT_STATUSES = (
    "INACTIVE",
    "ACTIVE_HEALTHY",
    "ACTIVE_UNHEALTHY",
    "COMING_UP",
    "UNKNOWN",
    "GOING_DOWN",
    "INIT_FAILED",
    "REMOVED",
    "RESTORING",
    "UPGRADING",
    "PAUSING",
    "RESTORE_FAILED",
    "RESTARTING",
    "PAUSE_FAILED",
    "RESIZING",
)
COMING_UP, ACTIVE_HEALTHY, PAUSING, INACTIVE, RESTORING, INIT_FAILED, REMOVED = (
    "COMING_UP",
    "ACTIVE_HEALTHY",
    "PAUSING",
    "INACTIVE",
    "RESTORING",
    "INIT_FAILED",
    "REMOVED",
)
RESTARTING = "RESTARTING"

# OrganizationProjectsResponse's per-database status has its own, smaller enum.
DATABASE_STATUS = {PAUSING: "GOING_DOWN", INACTIVE: "UNKNOWN"}

ORGANIZATION_PROJECT_SORTS = ("name_asc", "name_desc", "created_asc", "created_desc")
