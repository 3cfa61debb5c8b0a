"""Connection details of a project: the strings built from what the Management API reports,
the API URL and publishable key, the generated TypeScript types, and the audited password
reveal (the ``db_pass`` platformkit generated and keeps encrypted)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from platformkit.api import errors
from platformkit.api.types import ApiKey, PoolerConfig, Project
from platformkit.conf import project_api_url
from platformkit.core.audit import audit
from platformkit.core.client import get_client
from platformkit.models import ProjectCredential

# What the strings show where the password goes (Supabase's own placeholder).
PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]"
DEFAULT_PORT = 5432  # the project response carries no port; Supabase's databases listen on 5432
DATABASE_USER = DATABASE_NAME = "postgres"

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Direct:
    host: str
    port: int
    template: str  # the string with PASSWORD_PLACEHOLDER

    @property
    def over_socket(self) -> bool:
        """A filesystem path: reachable only on the machine the database runs on, never over TCP."""
        return self.host.startswith("/")


def project(target_ref: str) -> Project:
    return get_client().projects.get(target_ref)


def direct(found: Project) -> Direct | None:
    """``postgresql://postgres:[YOUR-PASSWORD]@host:port/postgres`` from ``database.host`` (and
    a ``port`` when the API sends one); a socket directory goes in ``?host=``, as libpq takes it."""
    database = found.database
    if database is None or not database.host:
        return None
    port = int(database.extra.get("port") or DEFAULT_PORT)
    host = database.host
    if host.startswith("/"):
        template = (
            f"postgresql://{DATABASE_USER}:{PASSWORD_PLACEHOLDER}@/{DATABASE_NAME}"
            f"?host={quote(host, safe='/')}&port={port}"
        )
    else:
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address goes in brackets
        template = f"postgresql://{DATABASE_USER}:{PASSWORD_PLACEHOLDER}@{shown}:{port}/{DATABASE_NAME}"
    return Direct(host, port, template)


def pooler(target_ref: str) -> list[PoolerConfig] | None:
    """The pooler's primary-database entries; None when the API serves no pooler config (a 404,
    or a list with no primary entry: the local API without its pooler answers ``[]``)."""
    try:
        configs = get_client().database.pooler_config(target_ref)
    except errors.NotFoundError:
        return None
    primary = [config for config in configs if config.database_type in ("", "PRIMARY") and config.connection_string]
    return primary or None


def api_url(target_ref: str) -> str:
    """The project's own API: the Management API does not report it, the settings say where it
    is (``PROJECT_API_URL``: the ``{ref}.supabase.co`` subdomain, or the local API's path)."""
    return project_api_url(target_ref)


def publishable_key(target_ref: str) -> ApiKey | None:
    """The publishable key (``sb_publishable_...``), else the legacy ``anon`` key (both are meant
    for browsers; the page names which one it shows)."""
    keys = get_client().api_keys.list(target_ref)
    return next((k for k in keys if k.type == "publishable"), None) or next(
        (k for k in keys if k.type == "legacy" and k.name == "anon"), None
    )


def typescript_types(target_ref: str, schemas: str) -> str:
    """Never from the read cache: types seconds old after a migration would be wrong types."""
    return get_client(cached=False).database.typescript_types(target_ref, included_schemas=schemas)


def has_stored_password(target_ref: str) -> bool:
    return ProjectCredential.objects.filter(project_ref=target_ref).exists()


def reveal_password(user: User, project_ref: str, target_ref: str) -> str | None:
    """The stored password of the target (None if platformkit holds none); audited either way,
    never with the value."""
    credential = ProjectCredential.objects.filter(project_ref=target_ref).first()
    detail = {"target": target_ref}
    if credential is None:
        audit(
            user,
            "connect.reveal",
            project_ref=project_ref,
            success=False,
            detail={**detail, "reason": "no stored password"},
        )
        return None
    password = credential.reveal_db_password()
    audit(user, "connect.reveal", project_ref=project_ref, detail=detail)
    return password


def with_password(template: str, password: str) -> str:
    """The string with the password in place of the placeholder, quoted for a URL."""
    return template.replace(PASSWORD_PLACEHOLDER, quote(password, safe=""))
