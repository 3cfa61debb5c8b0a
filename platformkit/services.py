"""The dashboard's logic: the Management API client from settings, launching a project, and
the audit trail. Views call these and stay thin; tasks call them too."""

from __future__ import annotations

import hashlib
import logging
import secrets
import string
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache as django_cache
from django.db import connections as db_connections
from django.db import transaction
from django.utils import timezone

from platformkit.api import ManagementClient, ReadCache, Result, errors
from platformkit.api.types import Branch
from platformkit.conf import get_config
from platformkit.models import AuditEvent, Operation, ProjectCredential

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest


logger = logging.getLogger(__name__)

SMART_REGION_GROUPS: dict[str, str] = {
    "americas": "Americas",
    "emea": "Europe, Middle East and Africa",
    "apac": "Asia-Pacific",
}

# ---------------------------------------------------------------------------------------------
# The client


class DjangoCacheStore:
    """The client's read-cache store on Django's default cache, so reads are shared by every
    process (and machine, with a shared cache) serving the same page views.

    Keys are namespaced by a generation number; :meth:`clear` bumps it, which drops every cached
    read at once without a backend-specific "delete by prefix". Only :meth:`clear` writes the
    generation: ``client.parallel`` calls ``get``/``set`` from pool threads with their own
    database connections, and a write racing the request thread's open transaction on the same
    cache row would wait for it forever (the request thread is waiting for the pool).
    """

    _GENERATION_KEY = "platformkit:api-cache:generation"

    def _key(self, key: str) -> str:
        generation = django_cache.get(self._GENERATION_KEY) or 0
        # Hashed: the client's keys hold paths and JSON, which memcached refuses.
        return f"platformkit:api-cache:{generation}:{hashlib.sha256(key.encode()).hexdigest()}"

    def get(self, key: str) -> Any:
        return django_cache.get(self._key(key))

    def set(self, key: str, value: Any, ttl: float) -> None:
        django_cache.set(self._key(key), value, max(1, round(ttl)))

    def clear(self) -> None:
        try:
            django_cache.incr(self._GENERATION_KEY)
        except ValueError:  # never cleared before (or evicted): start counting
            django_cache.set(self._GENERATION_KEY, 1, None)


_clients: dict[tuple[Any, ...], ManagementClient] = {}
_clients_lock = threading.Lock()


def get_client(*, cached: bool = True, max_call_seconds: float | None = None) -> ManagementClient:
    """A client configured from ``PLATFORMKIT``, reused per process (it pools connections).

    ``cached=False`` skips the read cache: a task waiting for a change must see fresh answers.
    ``max_call_seconds`` bounds one call with all its retries (a task run has a time budget).
    A settings change yields a new client, since the settings are part of the reuse key.
    """
    config = get_config()
    ttl = float(config["READ_CACHE_SECONDS"]) if cached else 0.0
    limit = max_call_seconds or float("inf")
    timeout, retry_deadline = min(float(config["REQUEST_TIMEOUT"]), limit), min(float(config["RETRY_DEADLINE"]), limit)
    key = (config["API_URL"], config["API_TOKEN"], timeout, config["MAX_RETRIES"], retry_deadline, ttl)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = ManagementClient(
                config["API_TOKEN"],
                base_url=config["API_URL"],
                timeout=timeout,
                max_retries=config["MAX_RETRIES"],
                retry_deadline=retry_deadline,
                cache=ReadCache(store=DjangoCacheStore(), ttl=ttl) if ttl > 0 else None,
            )
            _clients[key] = client
    return client


def parallel(*calls: Callable[[], Any]) -> list[Result[Any]]:
    """``client.parallel(*calls)``: the page costs its slowest call, not the sum.

    The read cache may live in the database (Django's ``DatabaseCache``), so a pool thread
    opens its own connection; it is closed when that thread's call ends rather than left to
    linger after the thread is gone.
    """
    caller = threading.get_ident()

    def closing(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return call()
            finally:
                if threading.get_ident() != caller:
                    db_connections.close_all()

        return run

    return get_client().parallel(*(closing(call) for call in calls))


def reset_client() -> None:
    """Close and forget every client (tests and benchmarks that swap the API under us)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def forget_cached_reads() -> None:
    """After a change upstream, the next page view must not show the answer from before it."""
    DjangoCacheStore().clear()


# ---------------------------------------------------------------------------------------------
# Audit


def actor_label(user: AbstractBaseUser | AnonymousUser | None) -> str:
    embed_actor = getattr(user, "platformkit_actor", None)  # an embed session's end-user
    if embed_actor:
        return str(embed_actor)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.get_username()


def audit(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    *,
    project_ref: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one mutating action. ``detail`` must never carry a secret."""
    return AuditEvent.objects.create(
        actor=user if user is not None and user.is_authenticated else None,
        actor_label=actor_label(user),
        action=action,
        project_ref=project_ref,
        outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
        detail=detail or {},
    )


def audit_request(
    request: HttpRequest,
    action: str,
    *,
    project_ref: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """:func:`audit` for a view: the actor is whoever the request acts for (a user, or an
    embed session's end-user). Views call this, never :func:`audit` with ``request.user``."""
    return audit(request.user, action, project_ref=project_ref, success=success, detail=detail)


def project_branches(project_ref: str) -> list[Branch]:
    """The project's branches (production's default branch included), through the read cache."""
    return get_client().branches.list(project_ref)


# ---------------------------------------------------------------------------------------------
# Projects

_PASSWORD_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_.~")


def generate_db_password(length: int = 40) -> str:
    """A random password with every character class (some hosts' policies demand that), made
    only of URL-safe characters so it fits a connection string unquoted."""
    alphabet = "".join(_PASSWORD_CLASSES)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(char in chars for char in password) for chars in _PASSWORD_CLASSES):
            return password


SPECIFIC_REGION_PREFIX = "specific:"


def region_selection(value: str) -> dict[str, str]:
    """The create form's region value as the API's ``region_selection``: a smart group's code,
    or ``specific:<code>`` for one specific region."""
    if value.startswith(SPECIFIC_REGION_PREFIX):
        return {"type": "specific", "code": value.removeprefix(SPECIFIC_REGION_PREFIX)}
    return {"type": "smartGroup", "code": value}


def launch_project(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    name: str,
    organization_slug: str,
    region_code: str,
    instance_size: str,
) -> Operation:
    """Create a project upstream (once; a POST is not replayed), keep its generated password
    encrypted, audit it, and start the task that waits for it to become healthy.

    Upstream errors propagate (``platformkit.api.errors.APIError``) after a failure audit event.
    """
    params = {
        "name": name,
        "organization_slug": organization_slug,
        "region": region_code,
        "instance_size": instance_size,
    }
    db_password = generate_db_password()
    try:
        project = get_client(cached=False).projects.create(
            name=name,
            organization_slug=organization_slug,
            db_pass=db_password,
            region_selection=region_selection(region_code),
            desired_instance_size=instance_size,
        )
    except errors.APIError as exc:
        audit(
            user,
            "project.create",
            success=False,
            detail={**params, "error": type(exc).__name__, "status": exc.status, "request_id": exc.request_id},
        )
        raise
    forget_cached_reads()
    config = get_config()
    with transaction.atomic():
        ProjectCredential.store(project.ref, db_password)
        operation = Operation.objects.create(
            kind="project.create",
            project_ref=project.ref,
            params=params,
            deadline=timezone.now() + timedelta(seconds=config["HEALTH_POLL_DEADLINE"]),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        audit(user, "project.create", project_ref=project.ref, detail={**params, "operation": operation.pk})
    from platformkit.tasks import enqueue_health_wait  # here: tasks imports this module

    transaction.on_commit(lambda: enqueue_health_wait(operation.pk))
    logger.info("launched project %s (operation %s)", project.ref, operation.pk)
    return operation


def reveal_db_password(user: AbstractBaseUser | AnonymousUser | None, project_ref: str) -> str | None:
    """The stored password of a project we launched (``None`` if we hold none); audited."""
    credential = ProjectCredential.objects.filter(project_ref=project_ref).first()
    if credential is None:
        audit(
            user,
            "project.password.reveal",
            project_ref=project_ref,
            success=False,
            detail={"reason": "no stored password"},
        )
        return None
    password = credential.reveal_db_password()
    audit(user, "project.password.reveal", project_ref=project_ref)
    return password


def latest_operation(project_ref: str) -> Operation | None:
    return Operation.objects.filter(project_ref=project_ref).first()


def launched_sizes(refs: list[str]) -> dict[str, str]:
    """Instance sizes we asked for, by ref: the project list answer carries no size."""
    sizes: dict[str, str] = {}
    for ref, params in Operation.objects.filter(kind="project.create", project_ref__in=refs).values_list(
        "project_ref", "params"
    ):
        sizes.setdefault(ref, params.get("instance_size", ""))
    return sizes
