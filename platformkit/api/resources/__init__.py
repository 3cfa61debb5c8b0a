"""One module per OpenAPI tag. Each method describes one operation; the client runs it."""

from .backups import Backups
from .branches import Branches
from .database import Database
from .organizations import Organizations
from .projects import Projects
from .secrets import Secrets

__all__ = ["Backups", "Branches", "Database", "Organizations", "Projects", "Secrets"]
