"""A typed client for the Supabase Management API, usable without Django.

from platformkit.api import ManagementClient, errors

with ManagementClient(token) as client:
    for project in client.projects.list():
        print(project.ref, project.status)
"""

from . import errors, types
from .cache import MemoryStore, ReadCache
from .client import AsyncManagementClient, ManagementClient
from .pacing import Pacer
from .parallel import Result

__all__ = [
    "AsyncManagementClient",
    "ManagementClient",
    "MemoryStore",
    "Pacer",
    "ReadCache",
    "Result",
    "errors",
    "types",
]
