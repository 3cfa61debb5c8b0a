"""System checks (``manage.py check``): settings platformkit cannot run without, and django-q2
settings that make the health poll unreliable. Ids are stable; tests compare them.

The production secrets (``API_TOKEN``, ``ENCRYPTION_KEYS``) are checked with ``check --deploy``
only: a host's build step (``migrate``, ``collectstatic``) runs without them. A key that is
there but malformed (E003) is a mistake in any run and stays in the default one. A dashboard
request that needs the missing token gets :func:`setup_required` (503) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django
from cryptography.fernet import Fernet
from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from platformkit.conf import API_TOKEN_HINT, ENCRYPTION_KEYS_HINT, SetupMissing, get_config

HTMX_MIDDLEWARE = "django_htmx.middleware.HtmxMiddleware"


@register(Tags.security, deploy=True)
def check_api_token(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if get_config()["API_TOKEN"]:
        return []
    return [
        Error(
            'PLATFORMKIT["API_TOKEN"] is not set.',
            hint=API_TOKEN_HINT,
            id="platformkit.E001",
        )
    ]


def _keys_missing(keys: Any) -> bool:
    return not keys or isinstance(keys, str)  # a bare string is a classic mistake


@register(Tags.security, deploy=True)
def check_encryption_keys_present(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not _keys_missing(get_config()["ENCRYPTION_KEYS"]):
        return []
    return [
        Error(
            'PLATFORMKIT["ENCRYPTION_KEYS"] must be a non-empty list of Fernet keys.',
            hint=ENCRYPTION_KEYS_HINT,
            id="platformkit.E002",
        )
    ]


@register(Tags.security)
def check_encryption_keys(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    keys = get_config()["ENCRYPTION_KEYS"]
    if _keys_missing(keys):
        return []  # E002, a deployment check
    errors: list[CheckMessage] = []
    for position, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f'PLATFORMKIT["ENCRYPTION_KEYS"][{position}] is not a valid Fernet key.',
                    hint="A Fernet key is 32 random bytes, url-safe base64 encoded (44 characters); "
                    "Fernet.generate_key() makes one.",
                    id="platformkit.E003",
                )
            )
    return errors


@register()
def check_htmx_middleware(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if HTMX_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [
        Error(
            f"{HTMX_MIDDLEWARE} is not in MIDDLEWARE.",
            hint="platformkit's views answer HTMX requests with partials and read request.htmx; "
            f'add "{HTMX_MIDDLEWARE}" to MIDDLEWARE.',
            id="platformkit.E004",
        )
    ]


@register(Tags.templates)
def check_template_partials(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if django.VERSION >= (6, 0) or apps.is_installed("template_partials"):
        return []
    return [
        Error(
            "Template partials are unavailable: Django < 6 needs django-template-partials.",
            hint='Add "template_partials" to INSTALLED_APPS (Django 6 has partials built in).',
            id="platformkit.E005",
        )
    ]


@register()
def check_django_q(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not apps.is_installed("django_q"):
        return [
            Warning(
                "django_q is not in INSTALLED_APPS: new projects will not be polled until healthy.",
                hint='Add "django_q" to INSTALLED_APPS, configure Q_CLUSTER and run `manage.py qcluster`.',
                id="platformkit.W001",
            )
        ]
    q_cluster: dict[str, Any] = getattr(settings, "Q_CLUSTER", {}) or {}
    hint = 'Set Q_CLUSTER = {"timeout": 60, "retry": 90, "max_attempts": 3, "catch_up": False, ...}.'
    problems: list[str] = []
    timeout, retry = q_cluster.get("timeout"), q_cluster.get("retry", 60)
    if timeout is None or timeout >= retry:
        problems.append(
            f'Q_CLUSTER["timeout"] ({timeout}) must be set and below Q_CLUSTER["retry"] ({retry}), '
            "or a task still running is handed out again and polls twice."
        )
    if not q_cluster.get("max_attempts"):
        problems.append('Q_CLUSTER["max_attempts"] is unbounded: a failing task is redelivered forever.')
    if q_cluster.get("catch_up", True):
        problems.append('Q_CLUSTER["catch_up"] is on: missed schedules all run at once after downtime.')
    return [Warning(problem, hint=hint, id="platformkit.W002") for problem in problems]


# django-q2's brokers other than its ORM one: queues outside the site's database, for workers on
# other machines. Set, they mean the site and its workers run as several processes, perhaps apart.
NETWORK_BROKERS = ("redis", "django_redis", "sqs", "mongo", "iron_mq", "disque", "broker_class")
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def several_processes() -> bool:
    """A deployment whose workers take tasks off a network broker (Q_CLUSTER["redis"] and the
    like): site processes and workers on several machines, sharing only what they are given."""
    q_cluster: dict[str, Any] = getattr(settings, "Q_CLUSTER", {}) or {}
    return apps.is_installed("django_q") and any(q_cluster.get(key) for key in NETWORK_BROKERS)


# Not tagged ``database``: it reads settings only, and Django 6 skips database-tagged checks
# unless databases are named (``manage.py check`` names none), so W006 never fired there.
@register(Tags.caches)
def check_shared_state(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Several processes need one cache (the read cache, rate-limit state, idempotency keys,
    reveal nonces) and one database server (SQLite is a file on one machine, and locks)."""
    if not several_processes():
        return []
    messages: list[CheckMessage] = []
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if backend in PER_PROCESS_CACHES:
        messages.append(
            Warning(
                f"CACHES['default'] is {backend.rpartition('.')[2]} while workers take tasks off a network broker: "
                "each process keeps its own cache.",
                hint="Use a cache every site process and worker shares: Django's RedisCache "
                '(CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", '
                '"LOCATION": "redis://..."}}), or the DatabaseCache (rate-limit figures are then not shared). '
                "Otherwise a page shows reads from before a change another process made and a replayed form runs "
                "twice.",
                id="platformkit.W005",
            )
        )
    for alias, database in settings.DATABASES.items():
        if "sqlite" in str(database.get("ENGINE", "")):
            messages.append(
                Warning(
                    f"DATABASES[{alias!r}] is SQLite while workers take tasks off a network broker.",
                    hint="SQLite is a file on one machine: workers elsewhere cannot reach it, and concurrent writers "
                    "lock it. Put Django's tables in PostgreSQL (DATABASE_URL=postgres://...).",
                    id="platformkit.W006",
                )
            )
    return messages


@register(Tags.security)
def check_embed(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from platformkit.embed.grants import normalize_origin
    from platformkit.embed.permissions import PermissionError as BadSetting

    config = get_config()
    messages: list[CheckMessage] = []
    for origin in config["EMBED_ALLOWED_ORIGINS"]:
        try:
            normalize_origin(str(origin))
        except BadSetting:
            messages.append(
                Error(
                    f'PLATFORMKIT["EMBED_ALLOWED_ORIGINS"] holds {origin!r}, which is not an origin.',
                    hint="Write each as scheme://host[:port], e.g. https://app.example (no path).",
                    id="platformkit.E006",
                )
            )
    weak = [key for key in config["EMBED_HOST_KEYS"] if len(str(key)) < 32]
    if weak:
        messages.append(
            Warning(
                f'PLATFORMKIT["EMBED_HOST_KEYS"] has {len(weak)} key(s) shorter than 32 characters.',
                hint="Anyone with a host key can mint embed links: use long random keys (secrets.token_urlsafe(32)).",
                id="platformkit.W003",
            )
        )
    return messages


@register()
def check_claim(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    import uuid
    from urllib.parse import urlsplit

    config = get_config()
    client_id, redirect_uri = str(config["CLAIM_OAUTH_CLIENT_ID"]), str(config["CLAIM_REDIRECT_URI"])
    messages: list[CheckMessage] = []
    if client_id:
        try:
            uuid.UUID(client_id)
        except ValueError:
            messages.append(
                Error(
                    'PLATFORMKIT["CLAIM_OAUTH_CLIENT_ID"] is not a UUID.',
                    hint="Copy the client id of your OAuth app from the Supabase dashboard.",
                    id="platformkit.E007",
                )
            )
    parts = urlsplit(redirect_uri)
    if redirect_uri and (parts.scheme not in ("http", "https") or not parts.netloc):
        messages.append(
            Error(
                'PLATFORMKIT["CLAIM_REDIRECT_URI"] is not an absolute http(s) URL.',
                hint="Use one of your OAuth app's redirect URIs, e.g. https://app.example/claimed.",
                id="platformkit.E008",
            )
        )
    if bool(client_id) != bool(redirect_uri):
        messages.append(
            Warning(
                "Only one of CLAIM_OAUTH_CLIENT_ID and CLAIM_REDIRECT_URI is set: transfers stay disabled.",
                hint="Set both to offer 'transfer to your own organization'.",
                id="platformkit.W004",
            )
        )
    return messages


@register()
def check_project_api_url(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The Connect page's API URL: an absolute http(s) URL naming the project (``{ref}``)."""
    import string
    from urllib.parse import urlsplit

    from platformkit.conf import project_api_url_template

    template = project_api_url_template()
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        fields = {"?"}
    parts = urlsplit(template.replace("{api_url}", "http://api.example").replace("{ref}", "ref"))
    if fields - {"ref", "api_url"} or "ref" not in fields or parts.scheme not in ("http", "https") or not parts.netloc:
        return [
            Error(
                f'PLATFORMKIT["PROJECT_API_URL"] (or what FUNCTIONS_URL implies) is {template!r}: not an http(s) URL'
                " with {ref}.",
                hint='Use "https://{ref}.supabase.co" on the hosted platform, "{api_url}/project/{ref}" with the'
                " local Management API; only {ref} and {api_url} are filled in.",
                id="platformkit.E009",
            )
        ]
    return []


def setup_required(request: HttpRequest, missing: SetupMissing) -> HttpResponse:
    """The page a dashboard request gets when a setting it needs is empty (503): which setting
    and how to set it (``PLATFORMKIT["API_TOKEN"]``, ``["ENCRYPTION_KEYS"]``). It names
    settings, never their values."""
    body = render_to_string(
        "platformkit/setup_required.html",
        {"setting": missing.setting, "hint": missing.hint, "check_id": missing.check_id},
        request=request,
    )
    response = HttpResponse(body, status=503)
    response["Cache-Control"] = "no-store"
    return response
