"""One module per OpenAPI tag. Each method describes one operation; the client runs it."""

from .advisors import Advisors
from .analytics import Analytics
from .api_keys import ApiKeys
from .backups import Backups
from .billing import Billing
from .branches import Branches
from .claims import Claims
from .config import ServiceConfig
from .database import Database
from .functions import EdgeFunctions
from .organizations import Organizations
from .projects import Projects
from .secrets import Secrets
from .storage import Storage

__all__ = [
    "Advisors",
    "Analytics",
    "ApiKeys",
    "Backups",
    "Billing",
    "Branches",
    "Claims",
    "Database",
    "EdgeFunctions",
    "Organizations",
    "Projects",
    "Secrets",
    "ServiceConfig",
    "Storage",
]
