"""Test settings: the demo settings on a throw-away embedded cluster under .data/test.

``tests/conftest.py`` starts that cluster (fresh for every run) before pytest-django creates
the test database; the local API fixture sets ``PLATFORMKIT["API_URL"]``/``["API_TOKEN"]``.
"""

import os
from pathlib import Path

os.environ.setdefault("PLATFORMKIT_DATA_DIR", str(Path(__file__).resolve().parent.parent / ".data" / "test"))
# Short django-q2 windows so a killed worker's task is redelivered within seconds.
os.environ.setdefault("PLATFORMKIT_Q_TIMEOUT", "8")
os.environ.setdefault("PLATFORMKIT_Q_RETRY", "10")
os.environ.setdefault("PLATFORMKIT_ENCRYPTION_KEYS", "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=")

from demo.settings import *  # noqa: E402,F403
from demo.settings import DATABASES, PLATFORMKIT  # noqa: E402  (named: they are changed below)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

# A worker subprocess started by a test must see the test database (pytest-django's
# "test_..." copy), so the test passes its name down explicitly.
if os.environ.get("PLATFORMKIT_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PLATFORMKIT_DB_NAME"]

# The demo's per-worker connection pool (demo/settings.py) is for the served site; tests keep
# Django's plain connection per thread, which pytest-django's test-database handling expects.
# A test of the demo's own serving (PLATFORMKIT_TEST_DB_POOL=1 in a subprocess's environment)
# keeps it.
if not os.environ.get("PLATFORMKIT_TEST_DB_POOL"):
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)

# No test may reach a Management API it did not start: the demo's default (127.0.0.1:8765) is
# where a `make demo` on the same machine listens. The local API fixture sets its own URL.
if not os.environ.get("PLATFORMKIT_API_URL"):
    PLATFORMKIT["API_URL"] = "http://127.0.0.1:9"
