"""One module per OpenAPI tag. Each method describes one operation; the client runs it."""

from .api_keys import ApiKeys
from .backups import Backups
from .branches import Branches
from .database import Database
from .organizations import Organizations
from .projects import Projects
from .secrets import Secrets

__all__ = ["ApiKeys", "Backups", "Branches", "Database", "Organizations", "Projects", "Secrets"]
