"""One module per OpenAPI tag. Each method describes one operation; the client runs it."""

from .database import Database
from .organizations import Organizations
from .projects import Projects

__all__ = ["Database", "Organizations", "Projects"]
