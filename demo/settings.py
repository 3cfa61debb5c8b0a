"""Settings for the demo host site: platformkit mounted under /platform/, backed by the local
Management API and one embedded PostgreSQL cluster (Django's tables, django-q2's queue and the
local API's projects all live in it).

Every value can be overridden from the environment, so the same file serves a quick try
(``PLATFORMKIT_SQLITE=1``), the demo, and a deployment pointed at the real API.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PLATFORMKIT_DATA_DIR", BASE_DIR / ".data" / "demo")).resolve()


def _secret(name: str, generate) -> str:
    """A value from the environment, else one generated once and kept in the data dir (demo only)."""
    if os.environ.get(name):
        return os.environ[name]
    path = DATA_DIR / "secrets" / name.lower()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created 0600 (not written, then restricted: readable for a moment under umask 022).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate())
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _random_token() -> str:
    import secrets

    return secrets.token_urlsafe(50)


SECRET_KEY = _secret("DJANGO_SECRET_KEY", _random_token)
# Off unless asked for: the demo is served as a deployment is (gunicorn, its own 404 and 500
# pages); DJANGO_DEBUG=1 brings Django's debug pages back.
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "platformkit",
]
if __import__("django").VERSION < (6, 0):
    INSTALLED_APPS.append("template_partials")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the WSGI app itself (gunicorn serves no files), compressed and cached.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The host's own templates come first, so it can override any platformkit template.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


# Each site worker keeps a small psycopg pool (Django 5.1+): a page borrows a connection instead
# of logging in, and a burst waits up to POOL_TIMEOUT for one instead of exceeding PostgreSQL's
# max_connections ("too many clients" was a 500 for 95 of 1,000 page views under 100 operators).
# Size: twice the worker's threads (gunicorn --threads, see demo/run.py). A page's concurrent
# upstream calls (core.client.parallel) read the cache from their own threads while the
# request's thread holds its connection: with a pool no larger than the threads, every
# connection could be held by a request waiting on its calls, and they on the pool (measured:
# "couldn't get a connection after 10 s" under 100 operators). Above the threads, some call
# always gets one, finishes and gives it back.
POOL = {
    "min_size": 1,
    "max_size": int(
        os.environ.get("PLATFORMKIT_DB_POOL_SIZE") or 2 * int(os.environ.get("PLATFORMKIT_SITE_THREADS", "4"))
    ),
    "timeout": float(os.environ.get("PLATFORMKIT_DB_POOL_TIMEOUT", "10")),
}


def _pooled(database: Mapping[str, Any]) -> dict[str, Any]:
    return {**database, "CONN_MAX_AGE": 0, "OPTIONS": {**database.get("OPTIONS", {}), "pool": POOL}}


def _databases() -> dict:
    if os.environ.get("DATABASE_URL"):
        import dj_database_url

        return {"default": _pooled(dj_database_url.parse(os.environ["DATABASE_URL"]))}
    if os.environ.get("PLATFORMKIT_SQLITE") == "1":
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "db.sqlite3"}}
    # The embedded cluster (started by `manage.py demo` / the local API) under the data dir.
    from platformkit.localapi.pgserver import PostgresLocation, socket_dir

    return {"default": _pooled(PostgresLocation(host=str(socket_dir(DATA_DIR))).django_database("platformkit_site"))}


DATABASES = _databases()
if "qcluster" in sys.argv[1:2]:
    # Not for the worker cluster: qcluster forks its pusher, workers and monitor after the parent
    # has used the database, and a psycopg pool's open connections go with each fork — processes
    # then share one socket, read each other's answers ("the last operation didn't produce
    # records") and the pusher dies ("generator raised StopIteration"): in `make demo` the worker
    # stopped taking tasks seconds after every start. A worker opens few connections; plain ones.
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
# The demo serves straight from the apps' static folders (no collectstatic step); a deployment
# runs collectstatic and sets WHITENOISE_USE_FINDERS=0.
WHITENOISE_USE_FINDERS = os.environ.get("WHITENOISE_USE_FINDERS", "1") == "1"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at every start when it is missing

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "platformkit:projects"
LOGOUT_REDIRECT_URL = "login"

# One machine: Django's database cache. Several machines: Django's Redis cache, shared by every
# site process and worker (PLATFORMKIT_CACHE_URL; another Redis database than the broker's, as
# cache.clear() empties the whole database it is on). See the README.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "platformkit_cache",
    }
}
if os.environ.get("PLATFORMKIT_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["PLATFORMKIT_CACHE_URL"],
        }
    }

# django-q2 as its maintainers advise: timeout below retry (a task is redelivered only after
# it must have died), bounded attempts, no catch-up of missed schedules.
Q_CLUSTER = {
    "name": "platformkit",
    "orm": "default",
    "workers": int(os.environ.get("PLATFORMKIT_Q_WORKERS", "2")),
    "timeout": int(os.environ.get("PLATFORMKIT_Q_TIMEOUT", "60")),
    "retry": int(os.environ.get("PLATFORMKIT_Q_RETRY", "90")),
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 250,
    "poll": 0.5,
    "label": "Tasks",
}
if os.environ.get("PLATFORMKIT_REDIS_URL"):
    # Several workers on several machines: Redis as the broker instead of the ORM.
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = os.environ["PLATFORMKIT_REDIS_URL"]


def _local_api_token() -> str:
    token_file = DATA_DIR / "localapi" / "token"
    return token_file.read_text().strip() if token_file.exists() else ""


PLATFORMKIT = {
    "API_URL": os.environ.get("PLATFORMKIT_API_URL", "http://127.0.0.1:8765"),
    # The local Management API serves each function here (the hosted one: https://<ref>.supabase.co/functions/v1/<slug>).
    "FUNCTIONS_URL": os.environ.get("PLATFORMKIT_FUNCTIONS_URL", "{api_url}/project/{ref}/functions/v1/{slug}"),
    "API_TOKEN": os.environ.get("PLATFORMKIT_API_TOKEN") or _local_api_token(),
    "ENCRYPTION_KEYS": [key for key in os.environ.get("PLATFORMKIT_ENCRYPTION_KEYS", "").split(",") if key]
    or [_secret("PLATFORMKIT_ENCRYPTION_KEY", _fernet_key)],
    # The host's own layout around the dashboard (templates/demo/base.html).
    "BASE_TEMPLATE": "demo/base.html",
    # The demo's host page (/host/, served as http://localhost:PORT) frames the dashboard at
    # http://127.0.0.1:PORT: two different sites, as a real embed is.
    "EMBED_ALLOWED_ORIGINS": [
        o for o in os.environ.get("PLATFORMKIT_EMBED_ORIGINS", "http://localhost:8000").split(",") if o
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "platformkit": {"handlers": ["console"], "level": os.environ.get("PLATFORMKIT_LOG_LEVEL", "INFO")},
    },
}
