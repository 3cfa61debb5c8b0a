"""platformkit's settings: one ``PLATFORMKIT`` dict in the host's Django settings.

Every key is optional except ``API_TOKEN`` and ``ENCRYPTION_KEYS`` (the system checks say so).
The host's dict is merged over :data:`DEFAULTS`; ``FEATURES`` is merged key by key, so a host
can switch one section off without repeating the others::

    PLATFORMKIT = {
        "API_TOKEN": env("SUPABASE_ACCESS_TOKEN"),
        "ENCRYPTION_KEYS": env.list("PLATFORMKIT_ENCRYPTION_KEYS"),
        "FEATURES": {"logs": False},
    }

Keys
----
Management API (the client, ``platformkit.api``)
    ``API_URL``           Base URL of the Management API. Default ``"https://api.supabase.com"``;
                          the local Management API (``manage.py localapi``) serves the same paths.
    ``API_TOKEN``         Personal access token or OAuth access token. Used only server-side;
                          it never reaches a browser, a log record or a rendered page.
    ``REQUEST_TIMEOUT``   Seconds one HTTP request may take. Default ``10.0``.
    ``MAX_RETRIES``       Retries of a failed idempotent request (429/502/503/504, network).
                          Default ``3``.
    ``RETRY_DEADLINE``    Seconds all attempts of one call may take together. Default ``30.0``.
    ``READ_CACHE_SECONDS`` Seconds a read (GET) answer is reused, through Django's default cache,
                          so the several regions of one page view (and a quick reload) cost one
                          upstream call each. ``0`` turns the cache off. Default ``5``.

Secrets at rest
    ``ENCRYPTION_KEYS``   List of Fernet keys (``Fernet.generate_key()``). The first encrypts;
                          all decrypt. Rotate by putting a new key first, running
                          ``manage.py platformkit_rotate_keys``, then dropping the old key.

Waiting for a new project (the django-q2 task ``platformkit.sections.projects.tasks.wait_for_project_healthy``)
    ``HEALTH_SERVICES``   Services that must all be ``ACTIVE_HEALTHY``. Default
                          ``["db", "auth", "rest", "storage", "realtime"]``.
    ``HEALTH_POLL_INTERVAL``     First pause between health checks, seconds. Default ``2.0``;
                          it doubles after every check ...
    ``HEALTH_POLL_MAX_INTERVAL`` ... up to this many seconds. Default ``15.0``.
    ``HEALTH_POLL_DEADLINE``     Seconds after launch at which the wait gives up
                          (status ``timed_out``). Default ``900``.
    ``TASK_RUN_FRACTION`` One task run stops after this fraction of ``Q_CLUSTER["timeout"]`` and
                          re-enqueues itself, so no run is ever killed for overrunning. Default
                          ``0.7``.

The dashboard
    ``UI_POLL_INTERVAL``  Seconds between a page's polls of an operation's status (our
                          database, never upstream). Default ``2``.
    ``PANEL_WAIT``        Seconds a page waits for its slow panels' upstream calls before it is
                          sent with those panels loading (filled in by HTMX). Default ``1.5``.
    ``PANEL_TIMEOUT``     Seconds one panel's upstream call may take, retries included, before
                          the panel says the API is slow and offers Retry. Default ``8.0``.
    ``BASE_TEMPLATE``     Template every platformkit page extends (through
                          ``platformkit/layout.html``). It must define the blocks ``title``,
                          ``extra_head`` and ``content``. Default ``"platformkit/base.html"``.
    ``PERMISSION_POLICY`` Dotted path of a callable ``policy(user) -> platformkit.access.Access
                          | None`` deciding whether a user may use the dashboard, which projects
                          they see and which they may change (``None``: no access at all).
                          Default ``"platformkit.access.staff_or_permission"``: staff and holders
                          of ``platformkit.use_dashboard`` see and change all projects; revealing
                          a stored database password needs superuser or
                          ``platformkit.reveal_credential``.
    ``FEATURES``          ``{section: bool}`` switching sections of the navigation on or off:
                          ``projects``, ``branches``, ``sql``, ``migrations``, ``functions``,
                          ``restore_points``, ``advisors``, ``logs``, ``settings``. A section that is on but
                          not built yet shows as a disabled "soon" item; one that is off is
                          hidden (and its URLs answer 404). Default: all on.
    ``RESTORE_POINT_AFTER_CHANGE`` Create a restore point after each migration or seed applied
                          through the dashboard, so it can be undone. Default ``True``.
    ``EMBED_ALLOWED_ORIGINS`` Origins of host pages that may frame an embed (``https://app.example``);
                          each embed is bound to one of them (CSP ``frame-ancestors`` and
                          ``postMessage`` target). Default ``[]``: embedding is off.
    ``EMBED_GRANT_SECONDS`` How long a minted embed link stays usable (once). Default ``300``.
    ``EMBED_SESSION_SECONDS`` How long an embed session lasts after the exchange (its cookie is
                          kept a day longer, so an ended session is told apart from none).
                          Default ``28800``.
    ``EMBED_HOST_KEYS``   Keys that authenticate the HTTP endpoint minting embed links
                          (``Authorization: Bearer <key>``), for hosts not written in Python.
                          Default ``[]``: the endpoint answers 404.
    ``EMBED_COOKIE_NAME`` The embed session's cookie (``SameSite=None; Secure; Partitioned``).
                          Default ``"platformkit_embed"``.
    ``INSTANCE_SIZES``    Instance sizes the create form offers. Default
                          ``["nano", "micro", "small", "medium", "large"]``.
    ``DEFAULT_INSTANCE_SIZE`` Preselected size. Default ``"micro"``.
    ``DEFAULT_REGION``    Preselected smart region group (``americas``, ``emea``, ``apac``).
                          Default ``"americas"``.

Advisors
    ``ADVISOR_SCAN_MINUTES`` How often a django-q2 schedule re-runs the security and performance
                          advisors on every ACTIVE_HEALTHY project and its healthy branches
                          (results feed the projects list's badges and mark ERROR findings new
                          since the previous scan).
                          Default ``60``; ``0`` removes the schedule (scans then run only when
                          asked for, and before every merge).

Edge Functions
    ``FUNCTIONS_URL``     Where a function is invoked (the test-invoke panel calls it from the
                          server): ``{ref}``, ``{slug}`` and ``{api_url}`` are filled in. Default
                          ``"https://{ref}.supabase.co/functions/v1/{slug}"``; with the local
                          Management API: ``"{api_url}/project/{ref}/functions/v1/{slug}"``.
    ``PROJECT_API_URL``   The project's own API (REST, Auth, Storage, Edge Functions) as the
                          Connect page shows it: ``{ref}`` and ``{api_url}`` are filled in.
                          Default ``""``: what ``FUNCTIONS_URL`` names before
                          ``/functions/v1/{slug}`` — ``"https://{ref}.supabase.co"`` on the
                          hosted platform, ``"{api_url}/project/{ref}"`` with the local
                          Management API (which serves only Edge Functions there) — and
                          ``"https://{ref}.supabase.co"`` when ``FUNCTIONS_URL`` has another shape.
    ``FUNCTION_UPLOAD_DIR`` Where uploaded function files wait for the deploy task (a folder the
                          django-q2 workers can read). Default ``""``: the system temp folder.

Claim flow (transferring a project to the end user's own organization)
    ``CLAIM_OAUTH_CLIENT_ID`` Client id (a UUID) of your Supabase OAuth app; the transfer starts
                          at ``/v1/oauth/authorize/project-claim`` with it. Default ``""``: the
                          transfer action is shown disabled with the reason.
    ``CLAIM_REDIRECT_URI`` Where Supabase sends the end user back (one of the OAuth app's
                          redirect URIs); ``sections.settings.claim.services.project_from_state`` tells
                          that view which project came back. Default ``""``.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from platformkit.core import sections

SECTIONS = sections.keys()  # from the section registry, in navigation order


class SetupMissing(ImproperlyConfigured):
    """A setting the dashboard cannot work without is empty. Raised at the first request that
    needs it (the system check is a deployment check, so builds run without secrets); the
    dashboard answers a 503 page naming ``setting``, never a value."""

    def __init__(self, setting: str, hint: str, check_id: str) -> None:
        super().__init__(f"{setting} is not set (system check {check_id})")
        self.setting, self.hint, self.check_id = setting, hint, check_id


API_TOKEN_HINT = (
    "Set it to a Supabase personal access token or OAuth access token (for the "
    "local Management API: the token `manage.py localapi` printed)."
)
ENCRYPTION_KEYS_HINT = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())" and keep it out of version control.'
)

DEFAULTS: dict[str, Any] = {
    # Management API
    "API_URL": "https://api.supabase.com",
    "API_TOKEN": "",
    "REQUEST_TIMEOUT": 10.0,
    "MAX_RETRIES": 3,
    "RETRY_DEADLINE": 30.0,
    "READ_CACHE_SECONDS": 5,
    # Secrets at rest
    "ENCRYPTION_KEYS": [],
    # Waiting for a new project
    "HEALTH_SERVICES": ["db", "auth", "rest", "storage", "realtime"],
    "HEALTH_POLL_INTERVAL": 2.0,
    "HEALTH_POLL_MAX_INTERVAL": 15.0,
    "HEALTH_POLL_DEADLINE": 900,
    "TASK_RUN_FRACTION": 0.7,
    # The dashboard
    "UI_POLL_INTERVAL": 2,
    "PANEL_WAIT": 1.5,
    "PANEL_TIMEOUT": 8.0,
    "RESTORE_POINT_AFTER_CHANGE": True,
    "EMBED_ALLOWED_ORIGINS": [],
    "EMBED_GRANT_SECONDS": 300,
    "EMBED_SESSION_SECONDS": 28800,
    "EMBED_HOST_KEYS": [],
    "EMBED_COOKIE_NAME": "platformkit_embed",
    "BASE_TEMPLATE": "platformkit/base.html",
    "PERMISSION_POLICY": "platformkit.access.staff_or_permission",
    "FEATURES": dict.fromkeys(SECTIONS, True),
    "INSTANCE_SIZES": ["nano", "micro", "small", "medium", "large"],
    "DEFAULT_INSTANCE_SIZE": "micro",
    "DEFAULT_REGION": "americas",
    "ADVISOR_SCAN_MINUTES": 60,
    "FUNCTIONS_URL": "https://{ref}.supabase.co/functions/v1/{slug}",
    "PROJECT_API_URL": "",
    "FUNCTION_UPLOAD_DIR": "",
    "CLAIM_OAUTH_CLIENT_ID": "",
    "CLAIM_REDIRECT_URI": "",
}


_cached: tuple[dict[str, Any], dict[str, Any]] | None = None


def get_config() -> dict[str, Any]:
    """The host's ``PLATFORMKIT`` merged over :data:`DEFAULTS`.

    Cached, and recomputed when ``setting_changed`` fires or when the host's dict no longer
    equals the copy the cache was built from (fixtures that edit the dict in place).
    """
    global _cached
    user_config: dict[str, Any] = getattr(settings, "PLATFORMKIT", None) or {}
    if _cached is not None and _cached[0] == user_config:
        return _cached[1]
    config = {**DEFAULTS, **user_config}
    config["FEATURES"] = {**DEFAULTS["FEATURES"], **user_config.get("FEATURES", {})}
    _cached = (copy.deepcopy(user_config), config)
    return config


def _cache_clear() -> None:
    global _cached
    _cached = None


get_config.cache_clear = _cache_clear  # type: ignore[attr-defined]


def feature_enabled(section: str) -> bool:
    return bool(get_config()["FEATURES"].get(section, False))


@receiver(setting_changed)
def _clear_config_cache(*, setting: str, **kwargs: Any) -> None:
    # override_settings(PLATFORMKIT=...) in tests and the demo's reloads must be seen at once.
    if setting == "PLATFORMKIT":
        _cache_clear()


HOSTED_PROJECT_API_URL = "https://{ref}.supabase.co"
_FUNCTIONS_PATH = "/functions/v1/{slug}"


def project_api_url_template() -> str:
    """``PROJECT_API_URL``, or the project API ``FUNCTIONS_URL`` implies (see the setting)."""
    config = get_config()
    configured = str(config["PROJECT_API_URL"])
    if configured:
        return configured
    functions = str(config["FUNCTIONS_URL"])
    return functions[: -len(_FUNCTIONS_PATH)] if functions.endswith(_FUNCTIONS_PATH) else HOSTED_PROJECT_API_URL


def project_api_url(ref: str) -> str:
    """Where the project ``ref``'s own API is served."""
    api_url = str(get_config()["API_URL"]).rstrip("/")
    return project_api_url_template().format(ref=ref, api_url=api_url)
